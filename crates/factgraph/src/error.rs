//! The library's error type: one enum that keeps the layer an error came from.

pub use factgraph_store::StoreError;

/// A problem with a file being loaded.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// A line of the file is malformed.
    #[error("{file}:{line}: {message}")]
    Format {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Everything the library can return as an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// From the store: storage, integrity, refused writes.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file being loaded was unreadable or malformed; nothing was written.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// An I/O error outside the store (writing an export, a DOT file).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Results of library calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;

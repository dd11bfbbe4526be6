//! The store's error type.

use std::path::PathBuf;

use crate::model::{EntityId, StatementId};

/// Everything the store can refuse or fail at. Messages are written for the person
/// who will read them; the CLI prints them as they are.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Another process (or another handle in this one) has the store open.
    #[error("store is in use by another process: {path}")]
    InUse {
        /// The store directory.
        path: PathBuf,
    },
    /// The directory holds something that is not a factgraph store.
    #[error("{path} is not a factgraph store (it is a non-empty directory without a FACTGRAPH marker); nothing was written to it")]
    Foreign {
        /// The directory.
        path: PathBuf,
    },
    /// A regular file (or another non-directory) where a store directory was expected.
    #[error("{path} is a file, not a directory: a factgraph store is a directory; nothing was written to it")]
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// What a creation that was interrupted left behind: it never held data.
    #[error("{path} holds only what an interrupted creation left ({detail}), no data; open it for writing to create the store there afresh")]
    Unfinished {
        /// The directory.
        path: PathBuf,
        /// What was found.
        detail: String,
    },
    /// The store was written by a newer factgraph.
    #[error("{path} uses store format {found}, newer than this factgraph supports ({supported}); upgrade factgraph, or export with the newer version and import here")]
    NewerFormat {
        /// The directory.
        path: PathBuf,
        /// Format found on disk.
        found: u32,
        /// Newest format this build reads.
        supported: u32,
    },
    /// The marker names an engine this build does not have.
    #[error(
        "{path} keeps its data in the {engine:?} engine, which this factgraph does not have; nothing was written to it"
    )]
    UnknownEngine {
        /// The directory.
        path: PathBuf,
        /// The engine the marker names.
        engine: String,
    },
    /// A write on a store opened read-only.
    #[error("the store was opened read-only; open it without --read-only to write")]
    ReadOnly,
    /// A read on the thread of a transaction that has written part of itself ahead of
    /// its commit, from outside that transaction: it would see uncommitted writes.
    #[error(
        "this thread's transaction has written part of a large batch ahead of its commit; read through the \
         transaction, or after it commits or is dropped"
    )]
    SpillInProgress,
    /// The store's files are damaged.
    #[error("store at {path} is damaged: {detail}")]
    Damaged {
        /// The directory.
        path: PathBuf,
        /// What was found wrong.
        detail: String,
    },
    /// No store exists where one was expected.
    #[error("no factgraph store at {path}")]
    NotFound {
        /// The directory.
        path: PathBuf,
    },
    /// A record failed to decode: the store's contents are inconsistent.
    #[error("store data is corrupt: {0}")]
    Corrupt(String),
    /// A commit failed in the engine, and writing back what its keys held before failed
    /// too: the store may hold part of the batch, so it was closed.
    #[error("{failure}; taking the failed batch back out failed too ({undo}), so the store may hold part of it: it is closed, reopen it to see what was kept")]
    CommitUncertain {
        /// Why the commit failed.
        failure: String,
        /// Why taking it back out failed.
        undo: String,
    },
    /// The storage engine reported an error.
    #[error("storage engine error: {0}")]
    Engine(String),
    /// The disk (or the user's quota) is full. Nothing says the store is damaged:
    /// its files are what the last commit left; free some space and try again.
    #[error("{context}: {}; free some space and try again", full_words(.cause))]
    DiskFull {
        /// What was being done.
        context: String,
        /// The system's error (not a `source`: the message already shows it).
        cause: std::io::Error,
    },
    /// A file-system error.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A statement was given no evidence.
    #[error("a statement needs at least one piece of evidence (a document and a quote); to record a claim by hand, cite a note document")]
    NoEvidence,
    /// An id that does not exist.
    #[error("no entity {0}")]
    NoSuchEntity(EntityId),
    /// An id that does not exist.
    #[error("no statement {0}")]
    NoSuchStatement(StatementId),
    /// Evidence must point at a document.
    #[error("evidence must cite a document, but {id} ({name:?}) is a {kind}")]
    NotADocument {
        /// The entity cited.
        id: EntityId,
        /// Its name.
        name: String,
        /// Its kind.
        kind: String,
    },
    /// An entity that is still referred to cannot be deleted.
    #[error("entity {0} is still referred to by statements or evidence; retract those first")]
    InUseEntity(EntityId),
    /// Bad input: an empty name, an over-long text, a kind that conflicts.
    #[error("{0}")]
    Invalid(String),
    /// A JSON Lines import or export problem.
    #[error("line {line}: {message}")]
    Import {
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        message: String,
    },
}

impl StoreError {
    /// An I/O error, or `DiskFull` when that is what it is.
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> StoreError {
        if is_disk_full(&source) {
            return StoreError::DiskFull { context: context.into(), cause: source };
        }
        StoreError::Io { context: context.into(), source }
    }
}

/// A full disk in words. The system's own text is not used: sled passes some of its
/// I/O errors on in their debug form (`Os { code: 28, … }`).
fn full_words(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::QuotaExceeded => "the disk quota is used up (Disk quota exceeded)",
        _ => "the disk is full (No space left on device)",
    }
}

/// Whether an I/O error means the disk or the user's quota is full (ENOSPC, EDQUOT).
pub(crate) fn is_disk_full(e: &std::io::Error) -> bool {
    matches!(e.kind(), std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded)
}

/// Results of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

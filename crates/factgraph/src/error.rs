//! The library's error type: one enum that keeps the layer an error came from.

pub use factgraph_store::StoreError;
pub use factgraph_syntax::ast::Span;
pub use factgraph_syntax::ParseError;

/// An entity a name could mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Its canonical name.
    pub name: String,
    /// Its kind.
    pub kind: String,
}

fn did_you_mean(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!("; did you mean {one:?}?"),
        many => {
            format!("; did you mean one of {}?", many.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", "))
        }
    }
}

fn list_candidates(c: &[Candidate]) -> String {
    c.iter().map(|c| format!("{:?} ({})", c.name, c.kind)).collect::<Vec<_>>().join(", ")
}

/// A query or script that parsed but cannot run: names that do not resolve, limits,
/// writes the store refuses. Each carries the span it is about.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum QueryError {
    /// No entity has that name or alias.
    #[error("no entity is called {name:?}{}", did_you_mean(suggestions))]
    UnknownEntity {
        /// The name as written.
        name: String,
        /// Where.
        span: Span,
        /// The nearest known names.
        suggestions: Vec<String>,
    },
    /// Several entities have that name or alias.
    #[error("{name:?} could mean {}; use a fuller name", list_candidates(candidates))]
    Ambiguous {
        /// The name as written.
        name: String,
        /// Where.
        span: Span,
        /// Every entity it could mean.
        candidates: Vec<Candidate>,
    },
    /// No relation matches the word.
    #[error("no relation matches {word:?}{}", did_you_mean(suggestions))]
    UnknownRelation {
        /// The word as written.
        word: String,
        /// Where.
        span: Span,
        /// The nearest relations.
        suggestions: Vec<String>,
    },
    /// A statement label used before it was defined.
    #[error("@{label} is not defined; labels are defined by `assert @{label} = …` earlier in the same load")]
    UnknownLabel {
        /// The label.
        label: String,
        /// Where.
        span: Span,
    },
    /// Anything else the query asked for that cannot be done, in words.
    #[error("{message}")]
    Invalid {
        /// What is wrong.
        message: String,
        /// Where.
        span: Span,
    },
    /// A bound was reached.
    #[error("{what}: the limit is {limit}")]
    Limit {
        /// What grew too large.
        what: String,
        /// The limit.
        limit: u64,
        /// Where.
        span: Span,
    },
    /// The query was cancelled.
    #[error("the query was cancelled")]
    Cancelled,
    /// The query ran past its deadline.
    #[error("the query ran past its deadline of {0:?}")]
    Timeout(std::time::Duration),
}

impl QueryError {
    /// The part of the input the error is about, if any.
    pub fn span(&self) -> Option<Span> {
        match self {
            QueryError::UnknownEntity { span, .. }
            | QueryError::Ambiguous { span, .. }
            | QueryError::UnknownRelation { span, .. }
            | QueryError::UnknownLabel { span, .. }
            | QueryError::Invalid { span, .. }
            | QueryError::Limit { span, .. } => Some(*span),
            QueryError::Cancelled | QueryError::Timeout(_) => None,
        }
    }

    pub(crate) fn invalid(message: impl Into<String>, span: Span) -> QueryError {
        QueryError::Invalid { message: message.into(), span }
    }
}

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
    /// The text is not valid: it did not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The query parsed but cannot run as written.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// From the store: storage, integrity, refused writes.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file being loaded was unreadable or malformed; nothing was written.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// An error in a script file; the path lets a reader show the line.
    #[error("{}: {source}", path.display())]
    InFile {
        /// The file.
        path: std::path::PathBuf,
        /// What went wrong there.
        source: Box<Error>,
    },
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

#![doc = include_str!("../README.md")]

pub mod dot;
mod error;
mod extsort;
mod graph;
mod names;
mod procedure;
mod query;
pub mod support;
mod transaction;
mod tsv;
pub mod vocabulary;

// The public face, listed here on purpose and snapshotted by `tests/public_api.rs`.
// The store and syntax crates are implementation details: their types appear here only
// where an embedder needs them, re-exported one by one.
pub use error::{Candidate, Error, ErrorKind, LoadError, QueryError, Restriction, Result};
pub use factgraph_store::{
    lock_note, Added, Adjacency, AdjacencyEdge, CheckReport, CommitStats, Counts, Date, Direction, Edge, Engine,
    Entity, EntityId, Evidence, JsonlCheck, LazyProperties, NewStatement, Node, Object, OpenOptions, Path, Properties,
    Qualifiers, Statement, StatementId, StoreError, Temporal, TemporalKind, Topology, Value, Walk, DOCUMENT_KIND,
};
pub use factgraph_syntax::{ast::Span, ParseError};
pub use graph::{line_col, syntax_tree, writes, Graph};
pub use names::Completion;
pub use procedure::{FieldType, Procedure, ProcedureRows};
pub use query::{Cell, Citation, Limits, Param, Params, PathCell, QueryResult, Record, Row, Streamed, WriteSummary};
pub use transaction::Transaction;
pub use tsv::{is_tsv_dir, Progress, TsvSummary};

/// `Graph` is shared between threads: reads run in parallel, writes take turns.
const _: () = {
    const fn shared<T: Send + Sync>() {}
    shared::<Graph>();
};

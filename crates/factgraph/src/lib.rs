#![doc = include_str!("../README.md")]

pub mod dot;
mod error;
mod graph;
pub mod query;
pub mod tsv;

pub use error::{Candidate, Error, LoadError, QueryError, Result};
pub use factgraph_store as store;
pub use factgraph_store::{
    project::{Path, Projection, Walk},
    Added, CheckReport, Counts, Date, Direction, Entity, EntityId, Evidence, NewStatement, Node, Object, OpenOptions,
    Properties, Qualifiers, Statement, StatementId, Store, StoreError, Transaction, Value,
};
pub use factgraph_syntax as syntax;
pub use graph::Graph;
pub use query::{Cell, Citation, Limits, QueryResult, Row, WriteSummary};

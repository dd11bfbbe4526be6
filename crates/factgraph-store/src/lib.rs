#![doc = include_str!("../README.md")]

mod adjacency;
mod cache;
mod check;
mod codec;
mod error;
pub mod failpoint;
#[cfg(test)]
mod faults;
mod jsonl;
mod kept;
pub mod keys;
mod kv;
mod lazy;
pub mod model;
mod normalize;
mod packed_ints;
pub mod quote;
mod runs;
mod store;
mod txn;

pub use adjacency::{Adjacency, AdjacencyEdge, Path, Targets, Topology, ValueEdge, Walk};
pub use check::CheckReport;
pub use error::{Result, StoreError};
pub use jsonl::{export_jsonl, import_jsonl, import_jsonl_checked, JsonlCheck, JSONL_FORMAT, JSONL_VERSION};
pub use kept::CommitStamp;
pub use kv::{Engine, Kv, MemoryKv, SledKv};
pub use lazy::{LazyProperties, ShownRecord};
pub use model::*;
pub use normalize::normalize;
pub use store::{
    lock_note, CommitStats, Counts, Edge, EntitiesRead, OpenOptions, StatementsInOrder, Store, FORMAT_VERSION,
    MARKER_FILE,
};
pub use txn::{check_entity_name, check_quote, check_relation_name, Added, Transaction, Undo};

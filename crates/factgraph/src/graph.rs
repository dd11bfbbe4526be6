//! `Graph`: the handle people embed. It owns an open store (and, for temporary graphs,
//! the directory it lives in) and offers the reads, writes, algorithms and exports.

use std::io::{BufRead, Write};
use std::path::Path;

use factgraph_store::project::{Path as GraphPath, Projection, Walk};
use factgraph_store::{
    CheckReport, Counts, Direction, Entity, EntityId, Evidence, Node, OpenOptions, Statement, StatementId, Store,
    Transaction,
};

use crate::dot::{to_dot, DotOptions};
use crate::error::{Error, Result};
use crate::tsv::{load_tsv_dir, Progress, TsvSummary};

/// An open factgraph store.
#[derive(Debug)]
pub struct Graph {
    store: Store,
    // Declared after `store` so the store closes before its directory is removed.
    _temp: Option<tempfile::TempDir>,
}

impl Graph {
    /// Opens the store at `path`, creating it when the directory is missing or empty.
    pub fn open(path: impl AsRef<Path>) -> Result<Graph> {
        Graph::open_with(path, &OpenOptions::default())
    }

    /// Opens an existing store; never creates one.
    pub fn open_existing(path: impl AsRef<Path>) -> Result<Graph> {
        Graph::open_with(path, &OpenOptions { create: false, ..OpenOptions::default() })
    }

    /// Opens with explicit options (cache size, whether to create).
    pub fn open_with(path: impl AsRef<Path>, options: &OpenOptions) -> Result<Graph> {
        Ok(Graph { store: Store::open(path, options)?, _temp: None })
    }

    /// A new, empty store in a temporary directory, removed when the graph is dropped.
    pub fn temporary() -> Result<Graph> {
        let dir = tempfile::tempdir()
            .map_err(|e| Error::Io { context: "creating a temporary directory".into(), source: e })?;
        let store = Store::open(dir.path().join("store"), &OpenOptions::default())?;
        Ok(Graph { store, _temp: Some(dir) })
    }

    /// The underlying store, for every read path it offers.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Starts a write transaction: all of it is committed, atomically and durably, by
    /// `Transaction::commit`, or none of it if it is dropped.
    pub fn transaction(&self) -> Result<Transaction<'_>> {
        Ok(self.store.transaction()?)
    }

    /// Entity, statement and evidence counts.
    pub fn counts(&self) -> Result<Counts> {
        Ok(self.store.counts()?)
    }

    /// Every entity whose name or alias matches `name` (case-, accent- and
    /// punctuation-insensitively). Several results mean the name is ambiguous.
    pub fn lookup(&self, name: &str) -> Result<Vec<Entity>> {
        let ids = self.store.lookup(name)?;
        ids.into_iter().map(|id| Ok(self.store.require_entity(id)?)).collect()
    }

    /// An entity by id.
    pub fn entity(&self, id: EntityId) -> Result<Option<Entity>> {
        Ok(self.store.entity(id)?)
    }

    /// A statement by id, with its evidence.
    pub fn statement(&self, id: StatementId) -> Result<Option<Statement>> {
        Ok(self.store.statement(id)?)
    }

    /// The statements with `node` as subject (`Out`) or object (`In`).
    pub fn statements_of(&self, node: impl Into<Node>, dir: Direction) -> Result<Vec<Statement>> {
        let ids = self.store.statements_of(node.into(), dir)?;
        ids.into_iter().map(|id| Ok(self.store.require_statement(id)?)).collect()
    }

    /// A statement's evidence.
    pub fn evidence(&self, id: StatementId) -> Result<Vec<Evidence>> {
        Ok(self.store.require_statement(id)?.evidence)
    }

    /// The whole store as a petgraph graph.
    pub fn projection(&self) -> Result<Projection> {
        Ok(Projection::build(&self.store)?)
    }

    /// A shortest path between two nodes, at most `max_hops` statements long. Builds
    /// the whole projection (O(E)); for many questions, build it once with
    /// `Graph::projection` and ask it directly.
    pub fn shortest_path(&self, from: Node, to: Node, walk: Walk, max_hops: usize) -> Result<Option<GraphPath>> {
        Ok(self.projection()?.shortest_path(from, to, walk, max_hops))
    }

    /// Every node within `depth` statements of `node`, either direction, with distance.
    /// Reads only that neighbourhood from the store.
    pub fn neighbourhood(&self, node: Node, depth: usize) -> Result<Vec<(Node, usize)>> {
        Ok(Projection::around(&self.store, &[node], depth)?.neighbourhood(node, depth, Walk::Undirected))
    }

    /// DOT for the whole graph (`None`) or for some statements and what they touch.
    pub fn to_dot(&self, statements: Option<&[StatementId]>, options: &DotOptions) -> Result<String> {
        to_dot(&self.store, statements, options)
    }

    /// Writes the whole store as versioned JSON Lines.
    pub fn export_jsonl(&self, out: &mut dyn Write) -> Result<Counts> {
        Ok(factgraph_store::export_jsonl(&self.store, out)?)
    }

    /// Reads a JSON Lines export into this (empty) store, all or nothing.
    pub fn import_jsonl(&self, input: impl BufRead) -> Result<Counts> {
        Ok(factgraph_store::import_jsonl(&self.store, input)?)
    }

    /// Verifies every index against the primary records.
    pub fn check(&self) -> Result<CheckReport> {
        Ok(self.store.check()?)
    }

    /// Runs a query or script: writes first, as one atomic transaction, then each
    /// question or pattern in order, each giving a result.
    pub fn query(&self, text: &str) -> Result<Vec<crate::QueryResult>> {
        self.query_with(text, &crate::Limits::default())
    }

    /// As `query`, with explicit limits (rows, path length, deadline, cancellation).
    pub fn query_with(&self, text: &str, limits: &crate::Limits) -> Result<Vec<crate::QueryResult>> {
        crate::query::run(&self.store, text, limits, &mut crate::query::ScriptState::default())
    }

    /// The plan of each question or pattern in a text, for `.explain`.
    pub fn explain(&self, text: &str) -> Result<Vec<String>> {
        let script = factgraph_syntax::parse(text)?;
        let limits = crate::Limits::default();
        let mut out = Vec::new();
        for st in &script.statements {
            out.push(match crate::query::plan(&self.store, st, &limits)? {
                Some(p) => format!("{p:#?}"),
                None => "a write: runs in the script's transaction".to_string(),
            });
        }
        Ok(out)
    }

    /// Loads `.fg` script files as one atomic batch (labels shared across them).
    pub fn load_scripts(&self, paths: &[std::path::PathBuf]) -> Result<crate::WriteSummary> {
        crate::query::load_scripts(&self.store, paths)
    }

    /// Loads the benchmark's TSV directory as one atomic batch.
    pub fn load_tsv_dir(&self, dir: &Path, progress: Progress<'_>) -> Result<TsvSummary> {
        load_tsv_dir(&self.store, dir, progress)
    }
}

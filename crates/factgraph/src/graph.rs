//! `Graph`: the handle people embed. It owns an open store and offers the reads,
//! writes, algorithms, queries and exports; nothing of the store's insides is
//! reachable through it. `Graph` is `Send + Sync`: share it between threads with an
//! `Arc`; reads run in parallel, and writes take turns through `Graph::transaction`.

use std::collections::BTreeSet;
use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::{Arc, RwLock};

use factgraph_store::{
    Adjacency, CheckReport, CommitStats, Counts, Direction, Edge, Engine, Entity, EntityId, Evidence, JsonlCheck, Node,
    OpenOptions, Path as GraphPath, Statement, StatementId, Store, Walk,
};

use crate::dot::{answers_of, to_dot, Asked, DotOptions};
use crate::error::{Error, LoadError, Result};
use crate::names::{self, Completion, NameIndex};
use crate::procedure::{Procedure, Procedures};
use crate::query::{Limits, Params, QueryResult, Streamed, WriteSummary};
use crate::transaction::Transaction;
use crate::tsv::{load_tsv_dir, Progress, TsvSummary};

/// An open factgraph store.
pub struct Graph {
    store: Store,
    /// Completion over names, built on first use and after each commit.
    names: RwLock<names::Cached>,
    /// The procedures `call` can run: the graph's own and those registered. A query
    /// takes the set as it is when it starts.
    procedures: RwLock<Arc<Procedures>>,
}

impl std::fmt::Debug for Graph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Graph").field("store", &self.store).finish_non_exhaustive()
    }
}

impl Graph {
    fn wrap(store: Store) -> Graph {
        Graph { store, names: RwLock::new(None), procedures: RwLock::new(Arc::default()) }
    }

    /// Up to `limit` entities whose names or aliases have a word starting with
    /// `prefix` (case, accents and punctuation folded as names are), one per entity,
    /// best first: what a search box completes to. The first call after a commit
    /// reads every entity to build the index it answers from.
    pub fn complete(&self, prefix: &str, limit: usize) -> Result<Vec<Completion>> {
        let generation = self.store.generation();
        let cached = self.names.read().unwrap_or_else(|p| p.into_inner()).clone();
        let index = match cached {
            Some((g, index)) if g == generation => index,
            _ => {
                let index = Arc::new(NameIndex::build(&self.store)?);
                *self.names.write().unwrap_or_else(|p| p.into_inner()) = Some((generation, index.clone()));
                index
            }
        };
        Ok(index.complete(prefix, limit))
    }

    /// A number that changes with every commit through this handle: a cache derived
    /// from the data is stale when it no longer matches.
    pub fn generation(&self) -> u64 {
        self.store.generation()
    }

    /// Writes `note` into the store's `LOCK` file for other processes to read with
    /// [`lock_note`](crate::lock_note) while this handle has the store open (a server
    /// says where it listens); an empty note clears it.
    pub fn announce(&self, note: &str) -> Result<()> {
        Ok(self.store.announce(note)?)
    }

    /// Opens the store at `path`, creating it when the directory is missing or empty.
    pub fn open(path: impl AsRef<Path>) -> Result<Graph> {
        Graph::open_with(path, &OpenOptions::default())
    }

    /// Opens an existing store; never creates one.
    pub fn open_existing(path: impl AsRef<Path>) -> Result<Graph> {
        Graph::open_with(path, &OpenOptions { create: false, ..OpenOptions::default() })
    }

    /// Opens an existing store for reading only: every write fails with
    /// `StoreError::ReadOnly`, and nothing is created.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Graph> {
        Graph::open_with(path, &OpenOptions { create: false, read_only: true, ..OpenOptions::default() })
    }

    /// Opens with explicit options (cache size, whether to create, the engine of a
    /// new store, read-only).
    pub fn open_with(path: impl AsRef<Path>, options: &OpenOptions) -> Result<Graph> {
        Ok(Graph::wrap(Store::open(path, options)?))
    }

    /// Opens the store at `path` like `open`; when it has to be created, `fill` writes
    /// its first data before the store is put in place, so the store exists with
    /// what `fill` wrote or not at all, whenever the process dies. `fill` does not
    /// run for a store that exists; if it fails, nothing is left behind.
    pub fn create_with(path: impl AsRef<Path>, fill: impl FnOnce(&Graph) -> Result<()>) -> Result<Graph> {
        Graph::create_with_options(path, &OpenOptions::default(), fill)
    }

    /// `create_with`, the store opened with `options` (its caches, say).
    pub fn create_with_options(
        path: impl AsRef<Path>,
        options: &OpenOptions,
        fill: impl FnOnce(&Graph) -> Result<()>,
    ) -> Result<Graph> {
        let store = Store::create_with(path, options, |store| {
            let graph = Graph::wrap(store);
            fill(&graph)?;
            Ok::<Store, Error>(graph.store)
        })?;
        Ok(Graph::wrap(store))
    }

    /// A new, empty graph in memory: nothing touches the disk, and everything is gone
    /// when it is dropped. The same behaviour as a store on disk, for tests, examples
    /// and scratch work.
    pub fn in_memory() -> Result<Graph> {
        Ok(Graph::wrap(Store::in_memory()?))
    }

    /// Whether `path` holds a factgraph store (its marker file), without opening it.
    pub fn exists(path: impl AsRef<Path>) -> bool {
        path.as_ref().join(factgraph_store::MARKER_FILE).is_file()
    }

    /// The store's directory; `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.store.path()
    }

    /// The engine that keeps the data.
    pub fn engine(&self) -> Engine {
        self.store.engine()
    }

    /// Starts a write transaction: all of it is committed, atomically and durably, by
    /// `Transaction::commit`, or none of it if it is dropped.
    pub fn transaction(&self) -> Result<Transaction<'_>> {
        Ok(Transaction::new(self.store.transaction()?))
    }

    /// Where the time of the last commit went.
    pub fn last_commit(&self) -> Option<CommitStats> {
        self.store.last_commit()
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

    /// As `lookup`, the ids only (no records are read).
    pub fn lookup_ids(&self, name: &str) -> Result<Vec<EntityId>> {
        Ok(self.store.lookup(name)?)
    }

    /// An entity by id.
    pub fn entity(&self, id: EntityId) -> Result<Option<Entity>> {
        Ok(self.store.entity(id)?)
    }

    /// Every entity, in id order.
    pub fn entities(&self) -> impl Iterator<Item = Result<Entity>> + '_ {
        self.store.entities().map(|e| e.map_err(Error::from))
    }

    /// Entities of a kind, in id order.
    pub fn entities_of_kind(&self, kind: &str) -> Result<Vec<EntityId>> {
        Ok(self.store.entities_of_kind(kind)?)
    }

    /// Every kind in use, with its entity count, sorted by kind.
    pub fn kinds(&self) -> Result<Vec<(String, usize)>> {
        Ok(self.store.kinds()?)
    }

    /// Every relation name, sorted.
    pub fn relations(&self) -> Vec<String> {
        self.store.relations()
    }

    /// Every property key an entity or statement has had, sorted (documents' keys
    /// with `documents`), as `call db.propertyKeys()` lists them; `None` for a store
    /// made or last written by a version that did not keep them.
    pub fn property_keys(&self, documents: bool) -> Option<Vec<String>> {
        self.store.property_keys(documents)
    }

    /// The small id a relation name is interned as (see `Edge::relation`), if any
    /// statement uses it.
    pub fn relation_id(&self, relation: &str) -> Option<u32> {
        self.store.relation_id(relation)
    }

    /// A statement by id, with its evidence.
    pub fn statement(&self, id: StatementId) -> Result<Option<Statement>> {
        Ok(self.store.statement(id)?)
    }

    /// A statement by id with its evidence's documents, spans and attributions but
    /// every quote empty: for a walk or a count that does not show the quotes, which
    /// reads a fifth as much (a store keeps them apart from the records).
    pub fn statement_without_quotes(&self, id: StatementId) -> Result<Option<Statement>> {
        Ok(self.store.statement_without_quotes(id)?)
    }

    /// Statements using a relation, in id order.
    pub fn statements_with_relation(&self, relation: &str) -> Result<Vec<StatementId>> {
        Ok(self.store.statements_with_relation(relation)?)
    }

    /// Statements with evidence from a document, in id order.
    pub fn statements_citing(&self, document: EntityId) -> Result<Vec<StatementId>> {
        Ok(self.store.statements_citing(document)?)
    }

    /// Statements naming an entity as a participant (a role such as `for` or
    /// `addressee`, a qualifier holding the entity), in id order.
    pub fn statements_with_participant(&self, who: EntityId) -> Result<Vec<StatementId>> {
        Ok(self.store.statements_with_participant(who)?)
    }

    /// Statements whose subject or object is the statement `id`.
    pub fn statements_about(&self, id: StatementId) -> Result<Vec<StatementId>> {
        Ok(self.store.statements_about(id)?)
    }

    /// The statements with `node` as subject (`Out`) or object (`In`).
    pub fn statements_of(&self, node: impl Into<Node>, dir: Direction) -> Result<Vec<Statement>> {
        let ids = self.store.statements_of(node.into(), dir)?;
        ids.into_iter().map(|id| Ok(self.store.require_statement(id)?)).collect()
    }

    /// The statements at `node` seen from it: statement id, relation id and the far
    /// end, without reading the statements themselves.
    pub fn edges(&self, node: impl Into<Node>, dir: Direction) -> Result<Vec<Edge>> {
        Ok(self.store.edges(node.into(), dir)?)
    }

    /// A statement's evidence.
    pub fn evidence(&self, id: StatementId) -> Result<Vec<Evidence>> {
        Ok(self.store.require_statement(id)?.evidence)
    }

    /// A document's full text, if it was stored.
    pub fn document_text(&self, document: EntityId) -> Result<Option<String>> {
        Ok(self.store.document_text(document)?)
    }

    /// The whole graph's adjacency: the one graph engine that the language's `path`
    /// and `neighbours` use too. Built once after each commit and shared. It
    /// implements petgraph's visit traits, so petgraph's algorithms run on it.
    pub fn adjacency(&self) -> Result<Arc<Adjacency>> {
        Ok(self.store.adjacency()?)
    }

    /// A shortest path between two nodes, at most `max_hops` statements long; the
    /// same path the language's `path from … to …` gives (undirected).
    pub fn shortest_path(&self, from: Node, to: Node, walk: Walk, max_hops: usize) -> Result<Option<GraphPath>> {
        Ok(self.adjacency()?.shortest_path(from, to, walk, max_hops))
    }

    /// Every node within `depth` statements of `node`, either direction, with its
    /// distance, nearest first; the language's `neighbours of`. Runs on the graph's
    /// shape alone (a new process reads half of the kept adjacency for it).
    pub fn neighbourhood(&self, node: Node, depth: usize) -> Result<Vec<(Node, usize)>> {
        Ok(self.store.topology()?.within(node, depth, Walk::Undirected))
    }

    /// DOT for the whole graph (`None`), or for some statements, what they touch and
    /// the documents behind them (`crate::dot` describes the pictures).
    pub fn to_dot(&self, statements: Option<&[StatementId]>, options: &DotOptions) -> Result<String> {
        match statements {
            None => to_dot(&self.store, None, options),
            Some(ids) => to_dot(&self.store, Some(&Asked { statements: ids, ..Asked::default() }), options),
        }
    }

    /// DOT for what a query's results are about: the statements in their cells and
    /// behind their rows (their provenance), the entities they name, and the
    /// documents each row cites, pointing at the statements they support, so that
    /// the picture of `who reported "red notice"` shows who did.
    pub fn results_to_dot(&self, results: &[QueryResult], options: &DotOptions) -> Result<String> {
        let (statements, entities, cited) = answers_of(results);
        let asked = Asked { statements: &statements, entities: &entities, cited: Some(&cited) };
        to_dot(&self.store, Some(&asked), options)
    }

    /// The statements in the disagreements the `conflicts` question reports without
    /// `all`: versions of one subject's claim, resting on disjoint sets of documents,
    /// that contradict each other or differ in a way the texts leave open (done vs
    /// still to come, a body vs its part); not the compatible, more or less precise,
    /// hedged or reworded versions. Of the whole store (`None`, a pass over every
    /// statement), or of the disagreements the statements given belong to, each
    /// judged with every version in the store.
    pub fn conflicting_statements(&self, among: Option<&[StatementId]>) -> Result<BTreeSet<StatementId>> {
        crate::query::conflicting(&self.store, among)
    }

    /// Writes the whole store as versioned JSON Lines.
    pub fn export_jsonl(&self, out: &mut dyn Write) -> Result<Counts> {
        Ok(factgraph_store::export_jsonl(&self.store, out)?)
    }

    /// Reads a JSON Lines export into this (empty) store, all or nothing. An export
    /// that is cut off or was changed (its closing line disagrees) is refused.
    pub fn import_jsonl(&self, input: impl BufRead) -> Result<Counts> {
        let counts = factgraph_store::import_jsonl(&self.store, input)?;
        self.prepare(None);
        Ok(counts)
    }

    /// `import_jsonl`, saying whether the export could be checked: one written before
    /// exports had a closing line (version 1) is read `Unchecked`.
    pub fn import_jsonl_checked(&self, input: impl BufRead) -> Result<(Counts, JsonlCheck)> {
        let imported = factgraph_store::import_jsonl_checked(&self.store, input)?;
        self.prepare(None);
        Ok(imported)
    }

    /// Verifies every index against the primary records.
    pub fn check(&self) -> Result<CheckReport> {
        Ok(self.store.check()?)
    }

    /// Runs a query or script: writes first, as one atomic transaction, then each
    /// question or pattern in order, each giving a result.
    pub fn query(&self, text: &str) -> Result<Vec<QueryResult>> {
        self.query_with(text, &Limits::default())
    }

    /// As `query`, with explicit limits (rows, path length, deadline, cancellation).
    pub fn query_with(&self, text: &str, limits: &Limits) -> Result<Vec<QueryResult>> {
        self.query_params(text, &Params::new(), limits)
    }

    /// As `query_with`, with parameters: each `$name` in the text stands for `params`'
    /// value of `name`, wherever a quoted string or a literal could stand (names,
    /// quotes, property values, expressions). Untrusted text passed this way is only
    /// ever a value, never part of the query.
    pub fn query_params(&self, text: &str, params: &Params, limits: &Limits) -> Result<Vec<QueryResult>> {
        self.run(text, params, limits, None)
    }

    /// Runs a text with the procedures as they are now, handing its rows to `sink`
    /// when one is given.
    fn run(
        &self,
        text: &str,
        params: &Params,
        limits: &Limits,
        sink: Option<crate::query::RowSink<'_>>,
    ) -> Result<Vec<QueryResult>> {
        let procs = self.procedures();
        with_room(text, || {
            crate::query::run(
                &self.store,
                &procs,
                text,
                params,
                limits,
                &mut crate::query::ScriptState::default(),
                sink,
            )
        })
    }

    /// As `query_params`, handing each result to `each` as it begins
    /// (`Streamed::Result`: its index, columns and note) and then each of its rows
    /// (`Streamed::Row`) instead of keeping them: the results come back with their
    /// columns and notes and no rows. A question that can hands over its rows as it
    /// makes them (`who reported`: a hub's 159,127 rows then take the memory of one,
    /// and the first arrives at once); the others hand over theirs when they are
    /// done. `each` returning `ControlFlow::Break` stops the text there, as a reader
    /// that has what it needs (a closed pipe, a page filled) would; the row limit
    /// still counts, and an error after some rows ends the query as it would have.
    pub fn query_each(
        &self,
        text: &str,
        params: &Params,
        limits: &Limits,
        mut each: impl FnMut(Streamed<'_>) -> std::ops::ControlFlow<()>,
    ) -> Result<Vec<QueryResult>> {
        self.run(text, params, limits, Some(&mut each))
    }

    /// Makes `procedure` one that queries can `call`, in place of any of its name
    /// (the graph's own included). Queries already running keep the procedures they
    /// started with.
    pub fn register_procedure(&self, procedure: Procedure) {
        let mut procs = self.procedures.write().unwrap_or_else(|p| p.into_inner());
        *procs = Arc::new(procs.with(procedure));
    }

    /// Every procedure queries can `call`, by name: the graph's own (`db.labels`,
    /// `db.relationshipTypes`, `dbms.procedures`) and those registered.
    pub fn list_procedures(&self) -> Vec<Procedure> {
        self.procedures().all().map(|p| (**p).clone()).collect()
    }

    /// The procedures as they are now.
    fn procedures(&self) -> Arc<Procedures> {
        self.procedures.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Parses and plans a text without running it: names resolved, relations checked.
    /// Ok means it would run.
    pub fn validate(&self, text: &str) -> Result<()> {
        self.validate_params(text, &Params::new())
    }

    /// As `validate`, for a text with parameters.
    pub fn validate_params(&self, text: &str, params: &Params) -> Result<()> {
        with_room(text, || {
            let script = crate::query::parse(text, params)?;
            let limits = Limits::default();
            let procs = self.procedures();
            for st in &script.statements {
                crate::query::plan(&self.store, &procs, st, &limits, text)?;
            }
            Ok(())
        })
    }

    /// The plan of each question or pattern in a text, for `.explain`.
    pub fn explain(&self, text: &str) -> Result<Vec<String>> {
        self.explain_params(text, &Params::new())
    }

    /// As `explain`, for a text with parameters (the values the query would run with:
    /// a `$name` in a pattern's property resolves like a written value).
    pub fn explain_params(&self, text: &str, params: &Params) -> Result<Vec<String>> {
        with_room(text, || {
            let script = crate::query::parse(text, params)?;
            let limits = Limits::default();
            let procs = self.procedures();
            let mut out = Vec::new();
            for st in &script.statements {
                out.push(crate::query::explain(&self.store, &procs, st, &limits, text)?);
            }
            Ok(out)
        })
    }

    /// Runs each pattern query of a text with what its operators do counted, for
    /// `.profile`: the plan as `explain` gives it, with each operator's rows and own
    /// time beside its estimate, then the answer's rows, note and time. The query runs
    /// as it would (a write writes, alone in its text, and not under
    /// `Limits::reads_only`). A question or a write of the product's language has no
    /// operators: an error says so before anything runs.
    pub fn profile_params(&self, text: &str, params: &Params, limits: &Limits) -> Result<Vec<String>> {
        with_room(text, || {
            let script = crate::query::parse(text, params)?;
            crate::query::profile(&self.store, &self.procedures(), &script.statements, limits, text)
        })
    }

    /// Loads `.fg` script files as one atomic batch (labels shared across them). Each
    /// file is parsed whole, so it is limited to 1 MiB, the parser's limit; load
    /// more data as several files (still one batch), TSV or a JSON Lines import.
    pub fn load_scripts(&self, paths: &[std::path::PathBuf]) -> Result<WriteSummary> {
        for path in paths {
            check_script_file(path)?;
        }
        let summary = crate::query::load_scripts(&self.store, paths)?;
        self.prepare(None);
        Ok(summary)
    }

    /// Loads the benchmark's TSV directory as one atomic batch.
    pub fn load_tsv_dir(&self, dir: &Path, progress: Progress<'_>) -> Result<TsvSummary> {
        let rewrites = self.store.rewrites();
        let summary = load_tsv_dir(&self.store, dir, progress)?;
        // When its statements are all the store holds, none is withdrawn: TSV
        // statements carry no qualifiers.
        self.prepare(Some((summary.statements, rewrites)));
        Ok(summary)
    }

    /// After a load: what a later process's first walk or pattern needs, derived
    /// now and kept beside the store (the adjacency, the withdrawn statements, the
    /// sources of every statement by name), so
    /// that read-only processes, which cannot keep them, do not derive them each
    /// time. Best effort: the load has succeeded either way.
    fn prepare(&self, known_none: Option<(u64, u64)>) {
        // The sources first: its table is the largest of the three held at once, and
        // after the adjacency's parts it began on memory they had freed but the
        // allocator had not given back (at 30,000,000 statements its peak 422-463 MB
        // after them, 389 before).
        let _ = crate::query::prepare_source_names(&self.store);
        let _ = self.store.prepare_adjacency();
        let _ = crate::query::prepare_withdrawn(&self.store, known_none);
    }
}

/// The largest `.fg` file `Graph::load_scripts` takes: the parser's limit on one text.
const MAX_SCRIPT_FILE_BYTES: u64 = factgraph_syntax::MAX_INPUT_BYTES as u64;

/// Refuses, before the batch starts, a script file that is not a regular file, is
/// over the limit, or is not UTF-8, as a load error with its place (the parser would
/// draw a megabyte-long span, and the reader gives no position for invalid bytes).
fn check_script_file(path: &Path) -> Result<()> {
    let io = |e: std::io::Error| LoadError::Io { path: path.display().to_string(), message: e.to_string() };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(LoadError::Io {
            path: path.display().to_string(),
            message: "not a regular file (a directory, FIFO, device or socket)".into(),
        }
        .into());
    }
    if meta.len() > MAX_SCRIPT_FILE_BYTES {
        return Err(LoadError::Format {
            file: path.display().to_string(),
            line: 1,
            message: format!(
                "the file is {} bytes; a .fg file is parsed whole and limited to 1 MiB: split it into several files (loaded together they are still one batch), or use TSV or a JSON Lines import",
                meta.len()
            ),
        }
        .into());
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(std::fs::File::open(path).map_err(io)?, MAX_SCRIPT_FILE_BYTES + 1),
        &mut bytes,
    )
    .map_err(io)?;
    if let Err((line, column, offset)) = crate::tsv::utf8_position(&bytes) {
        return Err(LoadError::Format {
            file: path.display().to_string(),
            line,
            message: format!("not UTF-8 text: invalid bytes at column {column} (byte offset {offset})"),
        }
        .into());
    }
    Ok(())
}

/// Runs `f`, the work on a query's text, with stack enough for what the text can
/// nest. The parser bounds each chain of operators and the brackets apart, so an
/// expression may nest tens of thousands of levels (`(- - … (not not … 1))`); the
/// parser gives itself room, the planner refuses an expression past
/// `MAX_EXPR_DEPTH`, but the walks over the tree before it (and letting go of the
/// tree) recurse once a level on the caller's thread: on a server's 2 MiB thread one
/// such query overflowed and took the process down. The room is at most a few
/// hundred bytes a character of text (a level takes at least two), given as a
/// separate stack only when the thread has less left.
fn with_room<T>(text: &str, f: impl FnOnce() -> T) -> T {
    // Frames are larger in a debug build.
    let per_byte = if cfg!(debug_assertions) { 2048 } else { 256 };
    let needed = 64 * 1024 + text.len().saturating_mul(per_byte);
    stacker::maybe_grow(needed, needed + 64 * 1024, f)
}

/// The parsed form of a text, printed (the REPL's `.ast`).
pub fn syntax_tree(text: &str) -> Result<String> {
    with_room(text, || Ok(format!("{:#?}", factgraph_syntax::parse(text)?)))
}

/// Whether running `text` could change a store: it holds a write (`entity`, `assert`,
/// `retract`, …) or a query with `create`. A tool that must not create or change a
/// store for a reading command asks this first. A text that does not parse is an
/// error, as running it would be.
///
/// ```
/// use factgraph::{writes, Params};
/// assert!(!writes("match (n) return count(n)", &Params::new()).unwrap());
/// assert!(writes("match (a) create (a)-[:T]->(:B)", &Params::new()).unwrap());
/// assert!(writes("entity X", &Params::new()).unwrap());
/// ```
pub fn writes(text: &str, params: &crate::Params) -> Result<bool> {
    with_room(text, || {
        let script = crate::query::parse(text, params)?;
        Ok(script.writes())
    })
}

/// The 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    factgraph_syntax::line_col(text, offset)
}

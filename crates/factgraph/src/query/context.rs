//! What every question and pattern needs while it runs: the store, the limits, the
//! optional source restriction of `according to`, and helpers that turn ids into
//! words and evidence into citations.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use factgraph_store::{
    normalize, Entity, EntityId, Evidence, LazyProperties, Node, Object, Qualifiers, Statement, StatementId, Store,
    Value,
};

use super::result::{Cell, Citation, Row, Streamed};
use crate::error::{QueryError, Result};
use std::ops::ControlFlow;

/// Bounds on what one query may do. Everything a user controls is bounded.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Rows a result may hold.
    pub max_rows: usize,
    /// Statements a path may have (path questions and variable-length patterns).
    pub max_hops: usize,
    /// Depth of `neighbours of … depth N`.
    pub max_depth: usize,
    /// Wall-clock time a query may take, from the moment its text is given: parsing,
    /// name resolution (with its suggestions) and running all count.
    pub deadline: Option<Duration>,
    /// Bytes the values and rows a query builds may take (approximately): text, lists
    /// and maps made by expressions (list literals, `range()`, comprehensions, `+`,
    /// `collect`), the rows that sorting, grouping and `distinct` keep, and the
    /// answer's rows. Past it the query fails with `ErrorKind::ResourceExhausted`.
    pub max_memory: usize,
    /// Set to `true` from another thread to cancel the running query.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Refuse writes: a text that would write fails with `ErrorKind::ReadOnly` before
    /// anything runs (a server answering a client that has no write token decides by
    /// this, without parsing the text twice).
    pub reads_only: bool,
    /// Threads one query may run on at once, the caller's included: with 1 every
    /// query runs on the caller's thread alone. A long `who reported` answer is made
    /// on two. Default: the machine's cores.
    pub max_threads: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_rows: 100_000,
            max_hops: 32,
            max_depth: 5,
            deadline: Some(Duration::from_secs(60)),
            max_memory: 1 << 30,
            cancel: None,
            reads_only: false,
            max_threads: cores(),
        }
    }
}

/// The machine's cores, asked once: the answer reads the process's CPU affinity and
/// its control group's quota, 30-40 µs, which every `Limits::default()` paid (a point
/// question takes 7).
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// Whether the operators upstream of a query's pipeline should keep producing rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    Go,
    Stop,
}

/// A document's outlet, unless it is missing or written as "unknown" (the showcase
/// says "unknown" rather than guess).
pub(crate) fn outlet(doc: &Entity) -> Option<&str> {
    outlet_in(&doc.properties)
}

/// The outlet in a document's properties (see `outlet`).
fn outlet_in(properties: &factgraph_store::Properties) -> Option<&str> {
    match properties.get("outlet") {
        Some(Value::Str(o)) if is_outlet(o) => Some(o.as_str()),
        _ => None,
    }
}

/// Whether a document's `outlet` text names one.
fn is_outlet(o: &str) -> bool {
    !o.trim().eq_ignore_ascii_case("unknown") && !o.trim().is_empty()
}

/// A document's title, unless it has none.
pub(crate) fn title(doc: &Entity) -> Option<&str> {
    title_in(&doc.properties)
}

/// The title in a document's properties (see `title`).
fn title_in(properties: &factgraph_store::Properties) -> Option<&str> {
    match properties.get("title") {
        Some(Value::Str(t)) if is_title(t) => Some(t.as_str()),
        _ => None,
    }
}

/// Whether a document's `title` text is one.
fn is_title(t: &str) -> bool {
    !t.trim().is_empty()
}

/// A document's outlet and title as two cells, null where it has none: shown beside
/// its id, which stays in a column of its own for machines.
pub(crate) fn outlet_and_title(c: &Citation) -> [Cell; 2] {
    let cell = |v: &Option<Arc<str>>| v.clone().map_or(Cell::Null, |t| Cell::Text { text: t });
    [cell(&c.outlet), cell(&c.title)]
}

/// How a document credits an agent with a claim through a statement about it (the
/// speaker is the evidence's own `by`; docs/data-model.md, "Attribution").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Credit {
    /// A `reported-by` statement about the claim: the agency the document names as
    /// its source.
    Relay,
    /// A `told-to` statement about the claim: the one the words were said to.
    Recipient,
}

impl Credit {
    /// The credit a statement about a claim gives its object, by the relation's stem
    /// (`reported-by`, `reports`; `told-to`, `tells`); `None` for any other relation.
    pub fn of_relation(relation: &str) -> Option<Credit> {
        match super::resolve::relation_stem(relation).as_str() {
            "report" => Some(Credit::Relay),
            "tell" => Some(Credit::Recipient),
            _ => None,
        }
    }
}

/// Bytes `Ctx::shown` counts for each piece of text it keeps beside the text itself:
/// its entry's share, the shared string's header.
const SHOWN_TEXT: usize = 32;

/// Entities an answer handed over as it is made (`Ctx::sink`) keeps shown at most.
const SHOWN_WHILE_STREAMING: usize = 16_384;

/// Documents a long answer keeps shown (`Ctx::show_document`), the last ones.
const DOCUMENTS_SHOWN: usize = 1024;

/// Names a long answer keeps (`Ctx::bulk_name`), the last ones: about 400 KB. Its
/// claims write their names from the records (`Ctx::write_node`); these are the names
/// of the agents its documents credit, a few again and again.
const NAMES_SHOWN: usize = 4096;

/// Where a streaming caller takes results and rows (`Graph::query_each`); `Break`
/// when it wants no more.
pub(crate) type RowSink<'a> = &'a mut dyn FnMut(Streamed<'_>) -> ControlFlow<()>;

/// What answers show of an entity, each part made when first asked for.
#[derive(Clone, Debug, Default)]
struct Shown {
    name: Option<Arc<str>>,
    // Boxed: most entities are shown by name only, and a long answer looks up
    // hundreds of thousands of entries, which should be small.
    cell: Option<Box<Cell>>,
    document: Option<Box<Document>>,
}

/// What answers show of an entity read whole (`Ctx::show_whole`): its cell; as a
/// document, its name, outlet and title; and the bytes they are counted as.
fn whole(
    id: EntityId,
    name: Arc<str>,
    kind: Arc<str>,
    properties: LazyProperties,
    document: Document,
) -> (Cell, Document, usize) {
    let bytes = SHOWN_TEXT * 4
        + kind.len()
        + properties.heap_bytes()
        + document.outlet.as_ref().map_or(0, |o| o.len())
        + document.title.as_ref().map_or(0, |t| t.len());
    let cell = Cell::Entity { id, name, kind, properties };
    (cell, document, bytes)
}

/// A document's name, outlet and title, with its properties (`whole`).
fn document_of(name: &Arc<str>, properties: &factgraph_store::Properties) -> Document {
    Document {
        name: name.clone(),
        outlet: outlet_in(properties).map(Arc::from),
        title: title_in(properties).map(Arc::from),
    }
}

/// A statement an answer shows (`Ctx::answered_statement`): shared with the store's
/// decoded statements in a short answer, read for this answer alone in a long one
/// (which shows each once, and an `Arc` each would be 87,000 allocations at a hub).
pub(crate) enum Answered {
    Shared(Arc<Statement>),
    Read(Statement),
}

impl std::ops::Deref for Answered {
    type Target = Statement;

    fn deref(&self) -> &Statement {
        match self {
            Answered::Shared(st) => st,
            Answered::Read(st) => st,
        }
    }
}

/// `text` shared through `texts`: an answer shows a handful of kinds and relations on
/// thousands of cells, and made anew each took an allocation of its own.
fn shared_text(texts: &mut HashSet<Arc<str>>, text: &str) -> Arc<str> {
    match texts.get(text) {
        Some(t) => t.clone(),
        None => {
            let t: Arc<str> = text.into();
            texts.insert(t.clone());
            t
        }
    }
}

/// What a citation shows of a document, shared by every citation of it.
#[derive(Clone, Debug)]
pub(crate) struct Document {
    pub name: Arc<str>,
    pub outlet: Option<Arc<str>>,
    pub title: Option<Arc<str>>,
}

/// An agent a document credits through a statement about a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Relay {
    /// Who relayed the claim, or was told it.
    pub agent: EntityId,
    /// The document that says so.
    pub document: EntityId,
    /// Which of the two.
    pub credit: Credit,
}

/// The statements whose polarity withdraws them, as cached by the store (a type of
/// our own, so no other cached set is taken for it).
#[derive(Default)]
pub(crate) struct Withdrawn {
    ids: HashSet<StatementId>,
    /// Every statement id below this was looked at (the store's next statement id
    /// when the set was made).
    scanned_to: u64,
    /// `Store::rewrites` when the set was made: a statement changed in place since
    /// (openCypher's `SET r.polarity = …`) sends the next update back to a full scan.
    rewrites: u64,
}

impl Withdrawn {
    pub fn contains(&self, id: StatementId) -> bool {
        self.ids.contains(&id)
    }

    /// The set for the store as it is now: statements are never changed once written
    /// (their qualifiers are part of what they are) and their ids are never reused,
    /// so the set after a commit is the set before it plus the withdrawn among the
    /// statements added since, read one by one when they are few; a set from nothing
    /// (or after a large load, or after a statement's qualifiers were changed in place
    /// by `set`) is the one kept beside the store at this commit (`kept-withdrawn`),
    /// else found by scanning every statement once, and then kept. A retracted
    /// statement left in the set matches nothing.
    fn update(store: &Store, before: Option<&Withdrawn>) -> factgraph_store::Result<Withdrawn> {
        let (_, next) = store.next_ids()?;
        let total = store.counts()?.statements;
        let rewrites = store.rewrites();
        let recent = |b: &&Withdrawn| b.rewrites == rewrites && next.saturating_sub(b.scanned_to) <= total / 10 + 1024;
        if let Some(before) = before.filter(recent) {
            let mut ids = before.ids.clone();
            for id in before.scanned_to..next {
                if let Some(st) = store.statement(StatementId(id))? {
                    if !crate::vocabulary::affirms(&st.qualifiers) {
                        ids.insert(st.id);
                    }
                }
            }
            return Ok(Withdrawn { ids, scanned_to: next, rewrites });
        }
        // A new process finds the set a process before it kept at this commit (the
        // stamp is taken first, so a commit made meanwhile leaves what is kept stale).
        let stamp = store.commit_stamp()?;
        if let Some(ids) = store.kept(KEPT_AS, stamp).and_then(|b| Withdrawn::decode(&b)) {
            return Ok(Withdrawn { ids, scanned_to: next, rewrites });
        }
        let mut ids = HashSet::default();
        for st in store.statements() {
            let st = st?;
            if !crate::vocabulary::affirms(&st.qualifiers) {
                ids.insert(st.id);
            }
        }
        let set = Withdrawn { ids, scanned_to: next, rewrites };
        store.keep(KEPT_AS, stamp, &set.encode());
        Ok(set)
    }

    /// `RULE`, then the ids in order, eight bytes each, little-endian.
    fn encode(&self) -> Vec<u8> {
        let mut ids: Vec<u64> = self.ids.iter().map(|s| s.0).collect();
        ids.sort_unstable();
        std::iter::once(RULE).chain(ids).flat_map(u64::to_le_bytes).collect()
    }

    /// The ids `encode` wrote; `None` for anything else (the file is checked whole
    /// by the store, so this is a second guard, not the first).
    fn decode(bytes: &[u8]) -> Option<HashSet<StatementId>> {
        if !bytes.len().is_multiple_of(8) {
            return None;
        }
        let words: Vec<u64> =
            bytes.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default())).collect();
        let (&rule, ids) = words.split_first()?;
        if rule != RULE || ids.windows(2).any(|w| w[0] >= w[1]) {
            return None;
        }
        Some(ids.iter().copied().map(StatementId).collect())
    }
}

/// The name the withdrawn set is kept under beside the store (`Store::keep`).
const KEPT_AS: &str = "withdrawn";

/// The version of the rule that says which statements are withdrawn
/// (`vocabulary::affirms`), first in what is kept: a set an earlier rule derived at
/// the same commit is derived again, not served. Move it when the rule changes.
const RULE: u64 = 1;

/// A load's last step: the withdrawn statements found now and kept beside the store,
/// so that a later process's first pattern reads no statement to find them (a
/// read-only process, as most one-off queries are, cannot keep them itself).
/// `known_none` is `(statements, rewrites)` from a caller that knows no statement is
/// withdrawn while the store holds that many statements and `Store::rewrites` has not
/// moved (a TSV load into a store without statements: TSV statements carry no
/// qualifiers); then none is read. Otherwise every statement is, once.
pub(crate) fn prepare_withdrawn(store: &Store, known_none: Option<(u64, u64)>) -> factgraph_store::Result<()> {
    store.derived_from(|store: &Store, before: Option<&Withdrawn>| {
        if let Some((statements, rewrites)) = known_none {
            // Everything read between two equal stamps is of one commit: another
            // thread's commit in between sends this to the full path.
            let stamp = store.commit_stamp()?;
            let next = store.next_ids()?.1;
            let premise = store.counts()?.statements == statements && store.rewrites() == rewrites;
            if premise && store.commit_stamp()? == stamp {
                let set = Withdrawn { ids: HashSet::default(), scanned_to: next, rewrites };
                store.keep(KEPT_AS, stamp, &set.encode());
                return Ok(set);
            }
        }
        Withdrawn::update(store, before)
    })?;
    Ok(())
}

/// Restricts a question to what one source says.
#[derive(Clone, Debug)]
pub(crate) struct SourceFilter {
    pub id: EntityId,
    /// Normalised spellings of the source, to match documents' `outlet` property.
    pub spellings: Vec<String>,
}

/// The deadline and the cancel flag of one query, from the moment its text was given:
/// what parsing and name resolution check before a `Ctx` exists.
#[derive(Clone, Copy)]
pub(crate) struct Clock<'a> {
    pub limits: &'a Limits,
    pub started: Instant,
}

impl<'a> Clock<'a> {
    /// A clock that starts now.
    pub fn start(limits: &'a Limits) -> Clock<'a> {
        Clock { limits, started: Instant::now() }
    }

    /// Fails when the query was cancelled or its deadline has passed.
    pub fn check(&self) -> Result<()> {
        if let Some(c) = &self.limits.cancel {
            if c.load(Ordering::Relaxed) {
                return Err(QueryError::Cancelled.into());
            }
        }
        if let Some(d) = self.limits.deadline {
            if self.started.elapsed() > d {
                return Err(QueryError::Timeout(d).into());
            }
        }
        Ok(())
    }
}

/// What one operator did under `profile`: the rows it handed on; the time from its
/// start to its end, the operators before it included (`inclusive`); and the time the
/// operators after it took with the rows it handed them (`downstream`). Its own time
/// is what is left (`explain::profile`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct OpStats {
    pub rows: u64,
    pub inclusive: std::time::Duration,
    pub downstream: std::time::Duration,
}

pub(crate) struct Ctx<'a> {
    pub store: &'a Store,
    pub limits: &'a Limits,
    started: Instant,
    ticks: u64,
    /// Bytes of the rows and values that operators keep (see `Limits::max_memory`).
    held: usize,
    pub source: Option<SourceFilter>,
    /// Whether statements their sources deny or do not confirm answer too
    /// (`including negated`, and `describe`, `why`, `conflicts`, which show what was
    /// said); otherwise only those `vocabulary::affirms` do.
    pub including_negated: bool,
    // Shared, so that looking an entity up again costs a reference count, not a copy.
    entities: HashMap<EntityId, Arc<Entity>>,
    /// What answers show of each entity, made once and shared by every row showing
    /// it: one map, so that a long answer looks each entity up once per use.
    shown: HashMap<EntityId, Shown>,
    /// The bytes of what `shown` holds, as counted against the memory budget.
    shown_bytes: usize,
    /// Set while a long answer is made: entities are read past the store's cache of
    /// decoded entities (they would only churn it, as a scan churns a buffer pool)
    /// and only as much of each as is shown. A short answer reads through the cache,
    /// which the next question will find warm.
    pub bulk: bool,
    /// Where rows go as they are made when the caller streams them
    /// (`Graph::query_each`); a question that can hands each over instead of keeping
    /// it (`who reported`), the others' rows are handed over when they are done.
    pub sink: Option<RowSink<'a>>,
    /// Rows handed to the sink so far, for the row limit.
    pub streamed: usize,
    /// Set when the sink said it wants no more rows.
    pub stopped: bool,
    /// The index the answer being made will have among the query's results, and
    /// whether it has begun in the sink (`begin`).
    pub result_index: usize,
    pub began: bool,
    /// Relation names as statement cells show them, shared.
    relation_names: HashSet<Arc<str>>,
    /// Kinds as entity cells show them, shared (`shared_text`).
    kinds: HashSet<Arc<str>>,
    /// The query's "now" (nanoseconds since the epoch), read once: `date()` and
    /// `time()` agree throughout a query.
    now: Option<i128>,
    /// The types of the relationships this query deleted: `type(r)` of one still
    /// answers, as openCypher says (its properties do not).
    pub deleted_types: HashMap<StatementId, String>,
    /// Set in a helper's context (`fork`): the rows it makes are handed over, so
    /// `shown` is only a cache, bounded as a streamed answer's.
    forked: bool,
    /// The statements a long answer shows, read a block at a time
    /// (`answered_statement`).
    in_order: Option<factgraph_store::StatementsInOrder<'a>>,
    /// The entities a long answer shows, read with their blocks kept at hand
    /// (`entity_name`, the names in claims and documents when `bulk`).
    entities_read: Option<factgraph_store::EntitiesRead<'a>>,
    entities_read_bytes: usize,
    /// Where `claim` writes, kept for the next.
    claim_text: String,
    /// Under `profile`: what each operator did, by the operator's address in its plan
    /// (`exec` keeps it, `explain::profile` reads it).
    pub profile: Option<HashMap<usize, OpStats>>,
    /// What runs a subquery of a pattern query (`compile::RunSubquery`), set by `exec`
    /// where it runs one: named here only as `Any`, since this module is below the
    /// planner's.
    pub subqueries: Option<&'static (dyn std::any::Any + Send + Sync)>,
    /// The documents a long answer showed lately (`show_document`), and the bytes
    /// they are counted as.
    documents_shown: HashMap<EntityId, Box<(Cell, Document)>>,
    documents_bytes: usize,
    /// A long answer's names (`entity_name` when `bulk`: the agents its documents
    /// credit), kept apart from `shown`, which holds cells too and is emptied when it
    /// fills. Names alone are small (`NAMES_SHOWN`).
    names_shown: HashMap<EntityId, Arc<str>>,
    names_bytes: usize,
}

/// What a helper thread making part of a query's answer needs to make its own
/// context (`Fork::context`): the store, the limits and clock, and how statements
/// answer. Its caches start empty and are its own.
pub(crate) struct Fork<'a> {
    store: &'a Store,
    limits: &'a Limits,
    started: Instant,
    source: Option<SourceFilter>,
    including_negated: bool,
    bulk: bool,
}

impl<'a> Fork<'a> {
    /// The helper's context, with no sink: it hands its rows to the caller's thread.
    pub fn context(self) -> Ctx<'a> {
        let mut ctx = Ctx::on(self.store, Clock { limits: self.limits, started: self.started });
        ctx.source = self.source;
        ctx.including_negated = self.including_negated;
        ctx.bulk = self.bulk;
        ctx.forked = true;
        ctx
    }
}

impl<'a> Ctx<'a> {
    pub fn new(store: &'a Store, limits: &'a Limits) -> Ctx<'a> {
        Self::on(store, Clock::start(limits))
    }

    /// A context on a query's clock, which started when its text was given.
    pub fn on(store: &'a Store, clock: Clock<'a>) -> Ctx<'a> {
        Ctx {
            store,
            limits: clock.limits,
            started: clock.started,
            ticks: 0,
            held: 0,
            source: None,
            including_negated: false,
            // Room for a point question's entities: grown from empty, each map moved
            // its entries three times on the way to a dozen (4% of such a question).
            entities: HashMap::with_capacity_and_hasher(16, Default::default()),
            shown: HashMap::with_capacity_and_hasher(16, Default::default()),
            shown_bytes: 0,
            relation_names: HashSet::default(),
            kinds: HashSet::default(),
            bulk: false,
            sink: None,
            streamed: 0,
            stopped: false,
            result_index: 0,
            began: false,
            now: None,
            deleted_types: HashMap::default(),
            forked: false,
            in_order: None,
            entities_read: None,
            entities_read_bytes: 0,
            claim_text: String::new(),
            profile: None,
            subqueries: None,
            documents_shown: HashMap::default(),
            documents_bytes: 0,
            names_shown: HashMap::default(),
            names_bytes: 0,
        }
    }

    /// What a helper thread needs to make part of this query's answer (see `Fork`).
    pub fn fork(&self) -> Fork<'a> {
        Fork {
            store: self.store,
            limits: self.limits,
            started: self.started,
            source: self.source.clone(),
            including_negated: self.including_negated,
            bulk: self.bulk,
        }
    }

    /// The query's "now", in nanoseconds since the epoch.
    pub fn now(&mut self) -> i128 {
        *self.now.get_or_insert_with(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i128)
        })
    }

    /// Runs `f` with statements of every polarity answering, as `describe`, `why` and
    /// `conflicts` do: they are about what was said, and show each status.
    pub fn including_negated<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let before = std::mem::replace(&mut self.including_negated, true);
        let out = f(self);
        self.including_negated = before;
        out
    }

    /// Whether a statement may answer: it is affirmed (`vocabulary::affirms`), or the
    /// question asked for the others too.
    pub fn positive(&self, st: &Statement) -> bool {
        self.including_negated || crate::vocabulary::affirms(&st.qualifiers)
    }

    /// The statements that may not answer, for walks that read no statement: `None`
    /// when every statement may (`including negated`, or a store with none withdrawn),
    /// so that those walks cost what they did. In a new process, read from what a
    /// process before it kept beside the store at the same commit, else found by one
    /// scan of the statements; brought up to date after each commit
    /// (`Withdrawn::update`).
    pub fn withdrawn(&self) -> Result<Option<Arc<Withdrawn>>> {
        if self.including_negated {
            return Ok(None);
        }
        let set = self.store.derived_from(Withdrawn::update)?;
        Ok(if set.ids.is_empty() { None } else { Some(set) })
    }

    /// Called in every loop that can run long: checks cancellation and the deadline.
    pub fn tick(&mut self) -> Result<()> {
        self.ticks += 1;
        if self.ticks.is_multiple_of(256) {
            Clock { limits: self.limits, started: self.started }.check()?;
        }
        Ok(())
    }

    /// Fails when a value of `bytes` being built would not fit in the memory budget
    /// beside what the query holds. `what` names it for the message.
    pub fn room(&self, bytes: usize, what: &str) -> Result<()> {
        if self.held.saturating_add(bytes) > self.limits.max_memory {
            return Err(
                QueryError::ResourceExhausted { what: what.to_owned(), budget: self.limits.max_memory as u64 }.into()
            );
        }
        Ok(())
    }

    /// Counts `bytes` more as kept (until `release`), failing past the budget.
    pub fn hold(&mut self, bytes: usize, what: &str) -> Result<()> {
        self.held = self.held.saturating_add(bytes);
        self.room(0, what)
    }

    /// The bytes held so far (`hold`).
    pub fn held(&self) -> usize {
        self.held
    }

    /// The bytes of what the query keeps shown for its later rows (names, entities'
    /// cells, documents, blocks of records): part of `held`, let go of by the caches
    /// that keep them, not by the operator that asked.
    pub fn kept_for_later(&self) -> usize {
        self.shown_bytes + self.names_bytes + self.documents_bytes + self.entities_read_bytes
    }

    /// Counts `bytes` as no longer kept.
    pub fn release(&mut self, bytes: usize) {
        self.held = self.held.saturating_sub(bytes);
    }

    /// Tells a streaming caller that the answer being made begins, with its columns:
    /// its rows follow as they are made. Nothing without a sink.
    pub fn begin(&mut self, columns: &[String]) {
        self.begin_noted(columns, None);
    }

    /// `begin`, with the answer's note.
    pub fn begin_noted(&mut self, columns: &[String], note: Option<&str>) {
        let index = self.result_index;
        if let Some(sink) = self.sink.as_mut() {
            self.began = true;
            if sink(Streamed::Result { index, columns, note }).is_break() {
                self.stopped = true;
            }
        }
    }

    /// Hands a row of the answer begun (`begin`) to the streaming caller, which may
    /// want no more (`stopped`). Nothing without a sink.
    pub fn hand_over(&mut self, row: &Row) {
        if let Some(sink) = self.sink.as_mut() {
            if sink(Streamed::Row(row)).is_break() {
                self.stopped = true;
            }
        }
    }

    /// Counts the bytes of text made to show an entity (kept in `shown` for the rest
    /// of the query and shared by the rows showing it) against the memory budget.
    fn hold_shown(&mut self, bytes: usize) -> Result<()> {
        self.shown_bytes += bytes;
        self.hold(bytes, "the answer's rows")?;
        // A helper's cache is a quarter of that: it makes half the rows, and its
        // memory comes on top of the caller's (the hub's `who reported` on two threads:
        // no slower, 8 MB less at its peak).
        let cap = if self.forked { SHOWN_WHILE_STREAMING / 4 } else { SHOWN_WHILE_STREAMING };
        if (self.sink.is_some() || self.forked) && self.shown.len() > cap {
            // Rows handed over hold their own references to what they show, so here
            // `shown` is only a cache, emptied when full: a long answer's (the hub's
            // `who reported` shows 150,000 entities, 50 MB) would otherwise stay until
            // its end; what is let go and shown again is read again.
            self.shown.clear();
            let shown = std::mem::take(&mut self.shown_bytes);
            self.release(shown);
        }
        Ok(())
    }

    /// Drops what was read before a write the query made.
    pub fn forget(&mut self) {
        self.in_order = None;
        self.let_go_of_blocks();
        self.documents_shown.clear();
        let held = std::mem::take(&mut self.documents_bytes);
        self.release(held);
        self.names_shown.clear();
        let held = std::mem::take(&mut self.names_bytes);
        self.release(held);
        self.entities.clear();
        self.shown.clear();
        let shown = std::mem::take(&mut self.shown_bytes);
        self.release(shown);
    }

    pub fn entity(&mut self, id: EntityId) -> Result<Arc<Entity>> {
        if let Some(e) = self.entities.get(&id) {
            return Ok(e.clone());
        }
        let e = self.store.entity_shared(id)?.ok_or(factgraph_store::StoreError::NoSuchEntity(id))?;
        self.entities.insert(id, e.clone());
        Ok(e)
    }

    /// A statement an answer shows, quotes and all. A long answer (`bulk`) reads its
    /// statements in id order, a block at a time, their quotes past the engine's
    /// cache (`Store::statements_in_order`); a short one shares the store's decoded
    /// statements (`Store::statement_shared`), which the next question will find.
    pub fn answered_statement(&mut self, id: StatementId) -> Result<Answered> {
        if !self.bulk {
            let st = self.store.statement_shared(id)?.ok_or(factgraph_store::StoreError::NoSuchStatement(id))?;
            return Ok(Answered::Shared(st));
        }
        let store = self.store;
        Ok(Answered::Read(self.in_order.get_or_insert_with(|| store.statements_in_order()).require(id)?))
    }

    /// An entity's canonical name, read alone unless the entity was read whole.
    pub fn entity_name(&mut self, id: EntityId) -> Result<Arc<str>> {
        if let Some(name) = self.name_kept(id) {
            return Ok(name.clone());
        }
        // A long answer reads the name alone, past the store's cache of decoded
        // entities; a short one reads through it, as the next question will.
        if self.bulk && !self.entities.contains_key(&id) {
            return self.bulk_name(id);
        }
        let name: Arc<str> = match self.entities.get(&id) {
            Some(e) => Arc::from(e.name.as_str()),
            None => Arc::from(self.entity(id)?.name.as_str()),
        };
        self.shown.entry(id).or_default().name = Some(name.clone());
        self.hold_shown(SHOWN_TEXT + name.len())?;
        Ok(name)
    }

    /// An entity's name where `entity_name` finds it kept: shown, or (in a long answer,
    /// for an entity not read whole) among the long answer's names.
    fn name_kept(&self, id: EntityId) -> Option<&Arc<str>> {
        match self.shown.get(&id).and_then(|s| s.name.as_ref()) {
            Some(name) => Some(name),
            None if self.bulk && !self.entities.contains_key(&id) => self.names_shown.get(&id),
            None => None,
        }
    }

    /// Reads entities in a long answer with `read`, through the blocks kept at hand
    /// (`Store::entities_read`), whose bytes are counted against the memory budget.
    fn read_entities<T>(
        &mut self,
        read: impl FnOnce(&mut factgraph_store::EntitiesRead<'a>) -> factgraph_store::Result<T>,
    ) -> Result<T> {
        let store = self.store;
        let reader = self.entities_read.get_or_insert_with(|| store.entities_read());
        let out = read(reader);
        let now = reader.bytes();
        // Counted as held only once held: after a refusal the next read asks again.
        let before = self.entities_read_bytes;
        if now >= before {
            self.hold(now - before, "the blocks of records read")?;
        } else {
            self.release(before - now);
        }
        self.entities_read_bytes = now;
        Ok(out?)
    }

    /// Whether an entity this query has read whole is called `name` exactly, looked for
    /// only among a few: a point pattern that found its node by its name needs no
    /// second look in the name index to know the name exists (`exec::unknown_names`).
    pub fn read_one_named(&self, name: &str) -> bool {
        self.entities.len() <= 64 && self.entities.values().any(|e| e.name == name)
    }

    /// In a long answer, brings the records of entities it is about to show toward
    /// the processor together (`EntitiesRead::warm`); a short one reads through the
    /// store's cache, and is left as it is. Only a hint: what fails here (a read, the
    /// memory budget) fails again at the row that reads the record, after the rows
    /// before it, and a caller that stops first never meets it.
    pub fn warm_entities(&mut self, ids: &[EntityId]) {
        if self.bulk {
            let _ = self.read_entities(|read| read.warm(ids));
        }
    }

    /// Lets go of the blocks a long answer kept at hand (`read_entities`), once it is
    /// made.
    pub fn let_go_of_blocks(&mut self) {
        self.entities_read = None;
        let held = std::mem::take(&mut self.entities_read_bytes);
        self.release(held);
    }

    /// In a long answer, an entity's name read alone, past the store's cache of
    /// decoded entities (its block kept at hand: `read_entities`), and kept in
    /// `names_shown` (the last `NAMES_SHOWN`).
    fn bulk_name(&mut self, id: EntityId) -> Result<Arc<str>> {
        let name =
            self.read_entities(|read| read.entity_name(id))?.ok_or(factgraph_store::StoreError::NoSuchEntity(id))?;
        if self.names_shown.len() >= NAMES_SHOWN {
            self.names_shown.clear();
            let held = std::mem::take(&mut self.names_bytes);
            self.release(held);
        }
        let bytes = SHOWN_TEXT + name.len();
        self.names_shown.insert(id, name.clone());
        self.names_bytes += bytes;
        self.hold(bytes, "the answer's rows")?;
        Ok(name)
    }

    /// A document's name, outlet and title (`document`), and its cell (`entity_cell`)
    /// when `wanted` says so of the document: in a long answer, one look among the
    /// documents it shows instead of two, for each of its rows.
    pub fn document_and_cell(
        &mut self,
        id: EntityId,
        wanted: impl FnOnce(&Document) -> bool,
    ) -> Result<(Document, Option<Cell>)> {
        if self.bulk && !self.shown.contains_key(&id) {
            if let Some((cell, doc)) = self.documents_shown.get(&id).map(|shown| &**shown) {
                let cell = wanted(doc).then(|| cell.clone());
                return Ok((doc.clone(), cell));
            }
            let (cell, doc) = self.show_whole(id)?;
            let cell = wanted(&doc).then_some(cell);
            return Ok((doc, cell));
        }
        let doc = self.document(id)?;
        let cell = if wanted(&doc) { Some(self.entity_cell(id)?) } else { None };
        Ok((doc, cell))
    }

    pub fn entity_cell(&mut self, id: EntityId) -> Result<Cell> {
        if let Some(cell) = self.shown.get(&id).and_then(|s| s.cell.as_deref()) {
            return Ok(cell.clone());
        }
        if self.bulk {
            if let Some(shown) = self.documents_shown.get(&id) {
                return Ok(shown.0.clone());
            }
            return Ok(self.show_whole(id)?.0);
        }
        // Its properties shared with the store's decoded entity, not copied, when that
        // is the copy this query read (a commit since would show one version's name
        // beside another's properties).
        let (e, properties) = match self.entities.get(&id).cloned() {
            Some(held) => match self.store.entity_and_properties_shared(id)? {
                Some((shared, properties)) if Arc::ptr_eq(&shared, &held) => (held, properties),
                _ => {
                    let properties = Arc::new(held.properties.clone());
                    (held, properties)
                }
            },
            None => {
                let (e, properties) = self
                    .store
                    .entity_and_properties_shared(id)?
                    .ok_or(factgraph_store::StoreError::NoSuchEntity(id))?;
                self.entities.insert(id, e.clone());
                (e, properties)
            }
        };
        let cell = Cell::Entity {
            id,
            name: self.entity_name(id)?,
            kind: shared_text(&mut self.kinds, &e.kind),
            properties: properties.into(),
        };
        self.shown.entry(id).or_default().cell = Some(Box::new(cell.clone()));
        self.hold_shown(SHOWN_TEXT * 2 + e.kind.len() + super::result::properties_bytes(&e.properties))?;
        Ok(cell)
    }

    /// A document's name, outlet and title, for citations.
    pub fn document(&mut self, id: EntityId) -> Result<Document> {
        if let Some(d) = self.shown.get(&id).and_then(|s| s.document.as_deref()) {
            return Ok(d.clone());
        }
        if self.bulk {
            if let Some(shown) = self.documents_shown.get(&id) {
                return Ok(shown.1.clone());
            }
            return Ok(self.show_whole(id)?.1);
        }
        let e = self.entity(id)?;
        let d = Document {
            name: self.entity_name(id)?,
            outlet: outlet(&e).map(Arc::from),
            title: title(&e).map(Arc::from),
        };
        self.shown.entry(id).or_default().document = Some(Box::new(d.clone()));
        self.hold_shown(
            SHOWN_TEXT * 2 + d.outlet.as_ref().map_or(0, |o| o.len()) + d.title.as_ref().map_or(0, |t| t.len()),
        )?;
        Ok(d)
    }

    /// In a long answer (`bulk`), makes all that answers show of an entity from its
    /// whole record, read once: its cell and, as a document, its name, outlet and
    /// title. The record is read past the store's cache of decoded entities and not
    /// kept decoded (its block is kept at hand: `read_entities`): such an answer
    /// shows tens of thousands of documents, which would only churn that cache, and a
    /// kept record cost a copy of its properties.
    fn show_whole(&mut self, id: EntityId) -> Result<(Cell, Document)> {
        let known = self.shown.get(&id).and_then(|s| s.name.clone());
        let (name, kind, properties, document) = match self.entities.get(&id) {
            Some(e) => {
                let name = known.unwrap_or_else(|| e.name.as_str().into());
                let document = document_of(&name, &e.properties);
                (name, shared_text(&mut self.kinds, &e.kind), LazyProperties::from(e.properties.clone()), document)
            }
            // Its name and kind made into shared text straight from the record, its
            // properties kept as stored (`LazyProperties`).
            None => {
                let mut kinds = std::mem::take(&mut self.kinds);
                let shown = self.read_entities(|read| {
                    read.entity_shown(id, ["outlet", "title"], |r| {
                        let name = known.unwrap_or_else(|| r.name.into());
                        let [outlet, title] = r.texts;
                        let document = Document {
                            name: name.clone(),
                            outlet: outlet.filter(|o| is_outlet(o)).map(Arc::from),
                            title: title.filter(|t| is_title(t)).map(Arc::from),
                        };
                        (name, shared_text(&mut kinds, r.kind), document)
                    })
                });
                self.kinds = kinds;
                let ((name, kind, document), properties) =
                    shown?.ok_or(factgraph_store::StoreError::NoSuchEntity(id))?;
                (name, kind, properties, document)
            }
        };
        if &*kind == factgraph_store::DOCUMENT_KIND {
            return self.show_document(id, name, kind, properties, document);
        }
        let shown = self.shown.entry(id).or_default();
        let name = shown.name.get_or_insert(name).clone();
        let (cell, document, bytes) = whole(id, name, kind, properties, document);
        let cell = shown.cell.get_or_insert_with(|| Box::new(cell)).as_ref().clone();
        let document = shown.document.get_or_insert_with(|| Box::new(document)).as_ref().clone();
        self.hold_shown(bytes)?;
        Ok((cell, document))
    }

    /// `show_whole` of a document: kept apart from `shown`, in `documents_shown`,
    /// which holds the last `DOCUMENTS_SHOWN`. A long answer cites tens of thousands of
    /// documents a few times each, from statements far apart (a claim merges evidence
    /// from documents all over the store): the hub's listing kept 10,000 per thread
    /// with their properties, 18 MB at its peak, for few second uses. One shown again
    /// after it was let go is read again; the listing measured no slower for it.
    fn show_document(
        &mut self,
        id: EntityId,
        name: Arc<str>,
        kind: Arc<str>,
        properties: LazyProperties,
        document: Document,
    ) -> Result<(Cell, Document)> {
        let (cell, document, bytes) = whole(id, name, kind, properties, document);
        if self.documents_shown.len() >= DOCUMENTS_SHOWN {
            self.documents_shown.clear();
            let held = std::mem::take(&mut self.documents_bytes);
            self.release(held);
        }
        self.documents_shown.insert(id, Box::new((cell.clone(), document.clone())));
        self.documents_bytes += bytes;
        self.hold(bytes, "the answer's rows")?;
        Ok((cell, document))
    }

    /// A statement in words: `Ali Alqasimehr accused Donald Trump {charge: murder}`;
    /// a statement about a statement puts the inner one in parentheses.
    pub fn claim(&mut self, st: &Statement) -> Result<Arc<str>> {
        // Written into one buffer kept from claim to claim: grown from empty, each
        // claim's text was moved six times on its way to forty bytes.
        let mut out = std::mem::take(&mut self.claim_text);
        out.clear();
        let written = self.write_claim(st, 0, &mut out);
        let claim = Arc::from(out.as_str());
        self.claim_text = out;
        written.map(|()| claim)
    }

    /// Writes a statement in words to `out`: built in one buffer, since a long answer
    /// makes one for each of its statements.
    fn write_claim(&mut self, st: &Statement, depth: usize, out: &mut String) -> Result<()> {
        self.write_node(st.subject, depth, out)?;
        out.push(' ');
        out.push_str(&st.relation);
        out.push(' ');
        match &st.object {
            Object::Node(n) => self.write_node(*n, depth, out)?,
            // Quoted as words for people, not escaped as a Rust string would be.
            Object::Literal(Value::Str(s)) => {
                out.push('"');
                out.push_str(s);
                out.push('"');
            }
            Object::Literal(v) => {
                let _ = write!(out, "{v}");
            }
        }
        if !st.qualifiers.is_empty() {
            let _ = write!(out, " {{{}}}", self.qualifier_words(&st.qualifiers)?);
        }
        Ok(())
    }

    /// Qualifiers as people read them, `charge: murder, for: Donald Trump`: a
    /// participant by its name.
    pub fn qualifier_words(&mut self, q: &Qualifiers) -> Result<String> {
        let q = self.shown(q)?;
        Ok(q.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", "))
    }

    /// Qualifiers for an answer: each participant (`Value::Entity`) as its name, since
    /// a row is read by people and by programs that know no ids.
    pub fn shown(&mut self, q: &Qualifiers) -> Result<Qualifiers> {
        let mut out = q.clone();
        for v in out.values_mut() {
            if let Value::Entity(e) = v {
                *v = Value::Str(self.entity_name(*e)?.to_string());
            }
        }
        Ok(out)
    }

    fn write_node(&mut self, n: Node, depth: usize, out: &mut String) -> Result<()> {
        match n {
            // Written from where the name is kept when it is, rather than from a
            // shared copy counted up and down again for each claim.
            Node::Entity(e) => match self.name_kept(e) {
                Some(name) => out.push_str(name),
                // A long answer's claims name tens of thousands of entities once or
                // twice each: written from the record, with no copy to share and keep
                // (keeping the last 32,768 measured no faster than keeping 2,048).
                None if self.bulk && !self.entities.contains_key(&e) => {
                    self.read_entities(|read| read.with_entity_name(e, |name| out.push_str(name)))?
                        .ok_or(factgraph_store::StoreError::NoSuchEntity(e))?;
                }
                None => out.push_str(&self.entity_name(e)?),
            },
            Node::Statement(s) if depth < 3 => {
                let st = self.store.require_statement_without_quotes(s)?;
                out.push('(');
                self.write_claim(&st, depth + 1, out)?;
                out.push(')');
            }
            Node::Statement(s) => {
                let _ = write!(out, "({s})");
            }
        }
        Ok(())
    }

    pub fn node_cell(&mut self, n: Node) -> Result<Cell> {
        match n {
            Node::Entity(e) => self.entity_cell(e),
            Node::Statement(s) => self.statement_cell(s),
        }
    }

    pub fn statement_cell(&mut self, s: StatementId) -> Result<Cell> {
        let st = self.store.require_statement_without_quotes(s)?;
        let text = self.claim(&st)?;
        self.cell_of_statement(&st, text)
    }

    /// A statement's cell, its words already made.
    pub fn cell_of_statement(&mut self, st: &Statement, text: Arc<str>) -> Result<Cell> {
        let qualifiers = if st.qualifiers.is_empty() { Qualifiers::new() } else { self.shown(&st.qualifiers)? };
        let relation = shared_text(&mut self.relation_names, &st.relation);
        Ok(Cell::Statement { id: st.id, text, relation, qualifiers })
    }

    pub fn object_cell(&mut self, o: &Object) -> Result<Cell> {
        match o {
            Object::Node(n) => self.node_cell(*n),
            Object::Literal(v) => Ok(Cell::Value { value: v.clone() }),
        }
    }

    /// The agents that documents name, through statements about `st`, as the ones
    /// who relayed it (`… reported-by IRNA`) or were told it (`… told-to CNN`), each
    /// with the document that names it. A relay is a claim of the document that makes
    /// it: Newsweek saying the AP reported the request credits the AP with Newsweek's
    /// evidence, not with Sky's evidence for the same request.
    pub fn relays(&mut self, st: &Statement) -> Result<Vec<Relay>> {
        let mut out = Vec::new();
        for id in self.store.statements_about(st.id)? {
            let r = self.store.require_statement_without_quotes(id)?;
            let (Some(credit), Object::Node(Node::Entity(agent))) = (Credit::of_relation(&r.relation), &r.object)
            else {
                continue;
            };
            // A document saying the agency did not report it credits the agency with
            // nothing.
            if r.subject != Node::Statement(st.id) || !crate::vocabulary::affirms(&r.qualifiers) {
                continue;
            }
            for ev in &r.evidence {
                let relay = Relay { agent: *agent, document: ev.document, credit };
                if !out.contains(&relay) {
                    out.push(relay);
                }
            }
        }
        Ok(out)
    }

    /// Whether a piece of evidence of `st` is what the `according to` source says: it
    /// is credited to the source (`by`), its document is the source or is published
    /// by it (`outlet`, matched through the source's names and aliases), or its
    /// document names the source as the one who relayed the claim or was told it
    /// (`relays`, quoted from the same document). A relay statement is itself
    /// what its document credits to the agent it names.
    fn admits(&mut self, st: &Statement, ev: &Evidence, relays: &[Relay]) -> Result<bool> {
        let Some(f) = self.source.clone() else {
            return Ok(true);
        };
        if ev.attribution == Some(f.id) || ev.document == f.id {
            return Ok(true);
        }
        if relays.iter().any(|r| r.agent == f.id && r.document == ev.document) {
            return Ok(true);
        }
        if Credit::of_relation(&st.relation).is_some() && st.object == Object::Node(Node::Entity(f.id)) {
            return Ok(true);
        }
        let doc = self.entity(ev.document)?;
        Ok(outlet(&doc).is_some_and(|o| f.spellings.contains(&normalize(o))))
    }

    /// The evidence of a statement that passes the restriction.
    /// As `evidence`, borrowed from the statement when no restriction applies.
    pub fn evidence_of<'s>(&mut self, st: &'s Statement) -> Result<std::borrow::Cow<'s, [Evidence]>> {
        if self.source.is_none() {
            return Ok(std::borrow::Cow::Borrowed(&st.evidence));
        }
        Ok(std::borrow::Cow::Owned(self.evidence(st)?))
    }

    pub fn evidence(&mut self, st: &Statement) -> Result<Vec<Evidence>> {
        if self.source.is_none() {
            return Ok(st.evidence.clone());
        }
        let relays = self.relays(st)?;
        let mut out = Vec::new();
        for ev in &st.evidence {
            if self.admits(st, ev, &relays)? {
                out.push(ev.clone());
            }
        }
        Ok(out)
    }

    /// True when the statement may answer (`positive`) and has evidence passing the
    /// restriction.
    pub fn visible(&mut self, st: &Statement) -> Result<bool> {
        Ok(self.positive(st) && self.admitted(st)?)
    }

    /// True when the statement has evidence passing the restriction, whatever its
    /// polarity.
    pub fn admitted(&mut self, st: &Statement) -> Result<bool> {
        if self.source.is_none() {
            // Without a restriction every piece of evidence passes: no copy of it.
            return Ok(!st.evidence.is_empty());
        }
        Ok(!self.evidence(st)?.is_empty())
    }

    pub fn citation(&mut self, st: &Statement, ev: &Evidence) -> Result<Citation> {
        let claim = self.claim(st)?;
        let document = self.document(ev.document)?;
        self.citation_of(st, claim, ev.quote.as_str().into(), document, ev.attribution)
    }

    /// A citation, the statement's words and the quote already made (and shared with
    /// the row's cells).
    pub fn citation_of(
        &mut self,
        st: &Statement,
        claim: Arc<str>,
        quote: Arc<str>,
        doc: Document,
        attribution: Option<EntityId>,
    ) -> Result<Citation> {
        let attribution = match attribution {
            Some(a) => Some(self.entity_name(a)?),
            None => None,
        };
        Ok(Citation {
            statement: st.id,
            claim,
            document: doc.name,
            outlet: doc.outlet,
            title: doc.title,
            quote,
            attribution,
        })
    }

    pub fn citations(&mut self, st: &Statement) -> Result<Vec<Citation>> {
        let evs = self.evidence(st)?;
        evs.iter().map(|ev| self.citation(st, ev)).collect()
    }

    /// The documents behind a statement, as one cell: `[sky, aljazeera]`.
    pub fn sources_cell(&mut self, st: &Statement) -> Result<Cell> {
        let mut names: Vec<Arc<str>> = Vec::new();
        for ev in self.evidence(st)? {
            let n = self.entity_name(ev.document)?;
            if !names.contains(&n) {
                names.push(n);
            }
        }
        Ok(Cell::List { items: names.into_iter().map(Cell::text).collect() })
    }

    pub fn check_rows(&self, n: usize) -> Result<()> {
        if n > self.limits.max_rows {
            return Err(QueryError::Limit {
                what: "the result has too many rows".into(),
                limit: self.limits.max_rows as u64,
                span: Default::default(),
            }
            .into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A query that read an entity before another writer's commit changed it shows that
    /// entity's cell as it read it: the name and the properties of one version, not the
    /// name it read beside the properties the store holds now (a cell sharing the store's
    /// map once did).
    #[test]
    fn an_entity_cell_after_a_commit_elsewhere_shows_the_version_the_query_read() {
        let store = Store::in_memory().unwrap();
        let mut tx = store.transaction().unwrap();
        let doc = tx.create_entity("https://irna.ir/a/1", factgraph_store::DOCUMENT_KIND).unwrap();
        tx.set_property(doc, "title", Value::Str("Iran asks Interpol".into())).unwrap();
        tx.commit().unwrap();
        let limits = Limits::default();
        let mut ctx = Ctx::on(&store, Clock { limits: &limits, started: Instant::now() });
        // The query reads the entity (as a filter on its properties would), then a
        // commit lands, then the query shows it.
        assert_eq!(ctx.entity(doc).unwrap().properties["title"], Value::Str("Iran asks Interpol".into()));
        let mut tx = store.transaction().unwrap();
        tx.set_property(doc, "title", Value::Str("Interpol declines".into())).unwrap();
        tx.commit().unwrap();
        match ctx.entity_cell(doc).unwrap() {
            Cell::Entity { properties, .. } => {
                assert_eq!(properties["title"], Value::Str("Iran asks Interpol".into()));
            }
            other => panic!("{other:?}"),
        }
        // A new query sees the commit.
        let mut ctx = Ctx::on(&store, Clock { limits: &limits, started: Instant::now() });
        match ctx.entity_cell(doc).unwrap() {
            Cell::Entity { properties, .. } => assert_eq!(properties["title"], Value::Str("Interpol declines".into())),
            other => panic!("{other:?}"),
        }
    }

    /// The blocks a long answer keeps at hand count against its memory budget while
    /// kept: a budget smaller than a block is refused with the budget's error, and
    /// letting them go gives the bytes back.
    #[test]
    fn blocks_kept_by_a_long_answer_count_against_its_budget_until_let_go() {
        let store = Store::in_memory().unwrap();
        let mut tx = store.transaction().unwrap();
        let doc = tx.create_entity("https://irna.ir/a/1", factgraph_store::DOCUMENT_KIND).unwrap();
        tx.set_property(doc, "title", Value::Str("Iran asks Interpol".into())).unwrap();
        let a = tx.create_entity("Ali Alqasimehr", "Person").unwrap();
        tx.commit().unwrap();
        let limits = Limits::default();
        let mut ctx = Ctx::on(&store, Clock { limits: &limits, started: Instant::now() });
        ctx.bulk = true;
        assert_eq!(&*ctx.entity_name(a).unwrap(), "Ali Alqasimehr");
        let (_, document) = ctx.show_whole(doc).unwrap();
        assert_eq!(document.title.as_deref(), Some("Iran asks Interpol"));
        let kept = ctx.entities_read.as_ref().unwrap().bytes();
        assert!(kept > 0 && ctx.held >= kept, "kept {kept}, held {}", ctx.held);
        let held = ctx.held;
        ctx.let_go_of_blocks();
        assert!(ctx.entities_read.is_none());
        assert_eq!(ctx.held, held - kept);
        let tight = Limits { max_memory: 16, ..Limits::default() };
        let mut ctx = Ctx::on(&store, Clock { limits: &tight, started: Instant::now() });
        ctx.bulk = true;
        let err = ctx.entity_name(a).unwrap_err();
        assert!(err.to_string().contains("blocks of records"), "{err}");
    }
}

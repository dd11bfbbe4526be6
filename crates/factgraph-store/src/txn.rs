//! Write transactions: an in-memory overlay of everything a batch touches, turned into
//! one atomic sled batch and flushed on commit.
//!
//! Reads inside a transaction see its own writes. Every operation validates fully
//! before it changes the overlay, so a refused operation leaves the transaction as it
//! was; dropping a transaction without `commit` writes nothing.
//!
//! **Spilling.** A bulk load would otherwise hold its whole batch in memory. Once the
//! records in the overlay (statements, entities, document texts) pass `spill_bytes`,
//! they are written to the engine ahead of the commit, in batches of a few MiB, each
//! with an undo journal of what its keys held before (`U key`, see `keys.rs`), and the
//! overlay lets them go; reading one back reads the engine. The first spill sets the
//! `Mspilling` flag and closes the engine's gate, so other threads wait instead of
//! seeing the uncommitted records. The commit's batch deletes the journal and the
//! flag with everything else, atomically; a transaction dropped (or failing) after a
//! spill puts the journal back, and a process killed after one leaves the journal for
//! the next open to put back (`Store::roll_back_spill`). Either way, nothing of it is
//! ever visible. The indexes (adjacency, names, lists) stay in the overlay until the
//! commit: they are a small part of a load.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::Path;
use std::sync::MutexGuard;

use crate::codec::{self, bucket, encode, AdjEntry, Other, Page, StoredStatement};
use crate::error::{Result, StoreError};
use crate::failpoint;
use crate::keys::{self, List};
use crate::kv::Kv as _;
use crate::model::{
    kind_labels, Alias, Direction, Entity, EntityId, Evidence, NewStatement, Node, Object, Properties, StatementId,
    Value, DOCUMENT_KIND, MAX_DOCUMENT_LEN, MAX_TEMPORAL_LEN, MAX_TEXT_LEN,
};
use crate::normalize::normalize;
use crate::quote;
use crate::store::{CommitStats, Counts, KeyFlags, Store};

/// A commit writing at least this much checkpoints the engine (see `Kv::checkpoint`).
const CHECKPOINT_BYTES: usize = 32 * 1024 * 1024;

/// Records a transaction holds before it spills them, by default (see the module docs).
pub const DEFAULT_SPILL_BYTES: usize = 24 * 1024 * 1024;

/// The engine batch size a spill writes in.
const SPILL_BATCH_BYTES: usize = 8 * 1024 * 1024;

/// The bytes of values a spill's batch applies to the engine at a time, each write
/// with its journal entry. sled applies a batch under one epoch guard, so nothing it
/// let go of during the batch (the leaves it read in to write into, the versions it
/// replaced, the pages it evicted) is freed before the batch ends: a batch of 8 MiB of
/// list blocks took 110-160 MB more while it was applied, at 30,000,000 statements
/// the peak of the whole load. Past 1 MiB a batch's values are still compressed on
/// two threads (`PACK_BESIDE_BYTES`).
const APPLY_BYTES: usize = 2 * 1024 * 1024;

/// Statements from which a spill encodes them on two threads.
const ENCODE_BESIDE: usize = 16 * 1024;

/// Records by block: each block's key, and its records by slot (empty: removed).
type Blocks = Vec<(Vec<u8>, Vec<(usize, Vec<u8>)>)>;

/// The statements a transaction holds, by id (`None`: removed), in the order they were
/// first put in.
type Statements = indexmap::IndexMap<StatementId, Option<StoredStatement>, rustc_hash::FxBuildHasher>;

/// A spill's statements, encoded and grouped by block in id order (`None`: removed);
/// with `apart` (format 2), their quotes too, in blocks of their own.
/// Many are encoded half on a second thread: encoding was a sixth of a load's spills.
fn encode_statements(statements: Statements, apart: bool) -> Result<Blocks> {
    let mut statements: Vec<(StatementId, Option<StoredStatement>)> = statements.into_iter().collect();
    // Already in order for a load's new statements (found so in one pass).
    if !statements.is_sorted_by_key(|(id, _)| *id) {
        statements.sort_unstable_by_key(|(id, _)| *id);
    }
    // Each statement's quotes, taken out of its record (format 2).
    let quotes: Vec<Option<Vec<String>>> = match apart {
        true => {
            statements.iter_mut().map(|(_, st)| st.as_mut().map(|st| codec::take_quotes(&mut st.evidence))).collect()
        }
        false => Vec::new(),
    };
    type Encoded = (Vec<u8>, Option<Vec<u8>>);
    let encode_all = |part: &[(StatementId, Option<StoredStatement>)],
                      quotes: &[Option<Vec<String>>]|
     -> Result<Vec<Encoded>> {
        let mut scratch = Vec::new();
        part.iter()
            .enumerate()
            .map(|(i, (_, st))| {
                let record = st.as_ref().map(|st| codec::encode_in(st, &mut scratch)).transpose()?.unwrap_or_default();
                // A removed statement's quotes are removed too (an empty slot).
                let quotes = quotes
                    .get(i)
                    .map(|q| q.as_ref().map(|q| codec::encode_in(q, &mut scratch)).transpose())
                    .transpose()?
                    .map(Option::unwrap_or_default);
                Ok((record, quotes))
            })
            .collect()
    };
    let encoded = if statements.len() < ENCODE_BESIDE {
        encode_all(&statements, &quotes)?
    } else {
        let half = statements.len() / 2;
        let (first, second) = statements.split_at(half);
        let (quotes_first, quotes_second) = quotes.split_at(half.min(quotes.len()));
        let (first, second) = std::thread::scope(|scope| {
            let beside = std::thread::Builder::new().spawn_scoped(scope, || encode_all(second, quotes_second));
            let first = encode_all(first, quotes_first);
            // No thread to be had: this one encodes the rest too.
            let second = match beside {
                Ok(beside) => beside.join().unwrap_or_else(|_| Err(StoreError::Engine("encoding failed".into()))),
                Err(_) => encode_all(second, quotes_second),
            };
            (first, second)
        });
        let mut all = first?;
        all.extend(second?);
        all
    };
    let mut blocks: Blocks = Vec::new();
    let mut quote_blocks: Blocks = Vec::new();
    let mut at_block = None;
    for ((id, _), (record, quotes)) in statements.iter().zip(encoded) {
        let (block, slot) = keys::record_place(id.0);
        if at_block != Some(block) {
            blocks.push((keys::statement(*id).block, Vec::new()));
            if apart {
                quote_blocks.push((keys::quotes(*id).block, Vec::new()));
            }
            at_block = Some(block);
        }
        if let Some((_, records)) = blocks.last_mut() {
            records.push((slot, record));
        }
        if let (Some(quotes), Some((_, records))) = (quotes, quote_blocks.last_mut()) {
            records.push((slot, quotes));
        }
    }
    blocks.extend(quote_blocks);
    Ok(blocks)
}

/// A name run's part: whether its ids are the name's whole list, and the ids.
fn decode_name_part(part: &[u8]) -> Result<(bool, Vec<u64>)> {
    let corrupt = || StoreError::Corrupt("a name run's part".into());
    let (&whole, ids) = part.split_first().ok_or_else(corrupt)?;
    if ids.len() % 8 != 0 {
        return Err(corrupt());
    }
    let ids = ids.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default())).collect();
    Ok((whole == 1, ids))
}

/// Pending list appends from which a spill writes its run on a second thread, beside
/// its records (below it, a thread costs more than it saves).
const RUN_BESIDE_BYTES: usize = 1024 * 1024;

/// Changed names from which a spill writes their run on a thread of its own.
const NAMES_BESIDE: usize = 16_384;

/// List appends not yet in the engine: written to a run at each spill, merged at the
/// commit.
struct Pending {
    adjacency: HashMap<(Node, Direction), Vec<AdjEntry>>,
    ids: HashMap<List, Vec<u64>>,
    /// What they take in memory, as counted against the spill mark.
    bytes: usize,
}

impl Pending {
    /// The appends, encoded as the lists are and sorted by list.
    fn parts(self) -> Result<Vec<crate::runs::Part>> {
        let mut parts = Vec::with_capacity(self.adjacency.len() + self.ids.len());
        let mut scratch = Vec::new();
        for ((node, dir), entries) in self.adjacency {
            let slot = List::Adjacency(node, dir).slot();
            parts.push((slot.block, slot.slot as u32, codec::encode_in(&entries, &mut scratch)?));
        }
        for (list, ids) in self.ids {
            let slot = list.slot();
            parts.push((slot.block, slot.slot as u32, codec::encode_in(&ids, &mut scratch)?));
        }
        parts.sort_unstable_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        Ok(parts)
    }

    /// Writes the appends to a new run on disk in `dir`; `None` when there are none.
    fn write(self, dir: &Path) -> Result<Option<crate::runs::Run>> {
        if self.bytes == 0 {
            return Ok(None);
        }
        crate::runs::Run::write(dir, &self.parts()?).map(Some)
    }
}

/// What the overlay is estimated to hold per record beyond its text (struct, map entry).
const RECORD_OVERHEAD: usize = 96;

/// The same for an entity (see `create_entity`).
const ENTITY_OVERHEAD: usize = 320;

/// What a non-empty map of properties holds before its keys and values: a B-tree
/// node with room for eleven.
const PROPERTIES_OVERHEAD: usize = 512;

/// Names the overlay holds before it writes them ahead of the commit, as a multiple
/// of the records' mark (by default 48 MiB, about 350,000 names). Names are written
/// apart from the records: a spill of names reads and rewrites every bucket it
/// touches, and with names hashed over all 1,024 buckets that is every bucket, so a
/// load writes its names once, at the commit, unless they alone pass this.
const NAME_SPILL_FACTOR: usize = 2;

/// A name's entity ids as the transaction sees them.
#[derive(Debug, Default)]
struct NameIds {
    /// Sorted and distinct.
    ids: Vec<u64>,
    /// `ids` is the whole list: read from the engine (or the engine has none) and then
    /// changed. Otherwise it holds only ids added to a list not read, each one known
    /// not to be on it (a new entity's name, a spelling new to its entity), and the
    /// engine's list is merged in when the name is looked up or written.
    whole: bool,
    /// Changed since the name was last written.
    dirty: bool,
}

impl NameIds {
    /// Sets `dirty`, counting the name among the `dirty` ones the first time.
    fn mark_dirty(&mut self, dirty: &mut usize) {
        if !self.dirty {
            self.dirty = true;
            *dirty += 1;
        }
    }
}

/// How `Transaction::add` treats a statement with the content of another.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Merge into an identical statement, and be found by later ones.
    Merge,
    /// Always create, and be found by later `Merge`s.
    Create,
    /// Merge into an identical committed statement; not found by later ones.
    Distinct,
}

/// What `Transaction::add_statement` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Added {
    /// A new statement was created.
    Created(StatementId),
    /// An identical statement existed; `new_evidence` pieces of evidence were merged in.
    Merged {
        /// The existing statement.
        id: StatementId,
        /// Evidence that was not already there.
        new_evidence: usize,
    },
}

impl Added {
    /// The statement's id, new or existing.
    pub fn id(self) -> StatementId {
        match self {
            Added::Created(id) | Added::Merged { id, .. } => id,
        }
    }
}

/// One atomic batch of writes. See the module docs.
pub struct Transaction<'s> {
    store: &'s Store,
    _guard: MutexGuard<'s, ()>,
    /// The store held nothing when the transaction began: nothing needs reading back.
    fresh: bool,
    /// The first entity and statement ids this transaction hands out: a node at or
    /// past them is its own, and no statement committed before it names it.
    first_entity: u64,
    first_statement: u64,
    next_entity: u64,
    next_statement: u64,
    next_relation: u32,
    counts: Counts,
    entities: HashMap<EntityId, Option<Entity>>,
    dirty_entities: HashSet<EntityId>,
    /// Names this transaction looked up or changed (see `NameIds`).
    names: HashMap<String, NameIds>,
    /// Names with `dirty` set, now and at the previous spill of records.
    dirty_names: usize,
    dirty_names_at_spill: usize,
    /// Estimated bytes of `names`; they are written ahead of the commit only past
    /// `NAME_SPILL_FACTOR` times the records' mark (a spill of names rewrites their
    /// buckets whole).
    name_bytes: usize,
    /// Documents' texts this transaction read or set.
    texts: HashMap<EntityId, String>,
    /// Documents known to have no text (read so, or their text removed): kept across
    /// spills, since a load cites each of its documents again after every spill and
    /// would read the engine for each.
    textless: EntityBits,
    dirty_texts: HashSet<EntityId>,
    /// Kept in the order they were made, which is their ids' for a load's new
    /// statements: a spill takes them in that order as they lie, where a hash map's
    /// were gathered from all over it and sorted (a tenth of a load's adding thread).
    statements: Statements,
    adjacency: HashMap<(Node, Direction), Vec<AdjEntry>>,
    dirty_adjacency: HashSet<(Node, Direction)>,
    id_lists: HashMap<List, Vec<u64>>,
    dirty_ids: HashSet<List>,
    candidates: Candidates,
    candidates_loaded: HashSet<Node>,
    relations: HashMap<String, u32>,
    new_relations: Vec<(String, u32)>,
    /// Property keys the records written so far have that the store had not, when it
    /// keeps them (`Store::property_keys`): written at the commit.
    /// Each with where it is now (`keys::KEY_ON_NODES`, `keys::KEY_ON_DOCUMENTS`) and
    /// where the store had it before (0: nowhere).
    new_keys: HashMap<String, (u8, u8)>,
    /// Set when the store's keys would pass `MAX_PROPERTY_KEYS`: the commit stops
    /// keeping them (the store no longer knows its keys) rather than hold that many.
    keys_overflow: bool,
    /// Estimated bytes of records in the overlay, and the mark at which they spill.
    record_bytes: usize,
    spill_bytes: usize,
    /// Keys this transaction has written ahead of its commit (each journaled once).
    spilled: HashSet<Vec<u8>>,
    /// Evidence merged into statements that are in the engine (committed before, or
    /// spilled): written once, at the commit, instead of rewriting their blocks at
    /// every spill.
    late: HashMap<StatementId, Vec<Evidence>>,
    /// Whether each entity seen is a document: what checking a statement's nodes and
    /// evidence needs, kept when spills let the entities themselves go.
    classes: EntityBits,
    /// Of the entities in `classes`, the documents.
    documents: EntityBits,
    /// Appends to lists that are not loaded (most of a load's), by list, and what they
    /// are estimated to hold; written to a run on disk at a spill (see `runs.rs`).
    adj_pending: HashMap<(Node, Direction), Vec<AdjEntry>>,
    ids_pending: HashMap<List, Vec<u64>>,
    pending_bytes: usize,
    runs: Vec<crate::runs::Run>,
    /// Names written at spills, each spill's dirty names sorted by bucket and name in
    /// a run on disk, merged into their buckets once (at the commit, or before a name
    /// is read from the engine): written to their buckets at each spill, every bucket
    /// was read and rewritten each time, and a load's names phase grew with the square
    /// of its names (86 s of a 30,000,000-statement load).
    name_runs: Vec<crate::runs::Run>,
    /// The run of a spill's names being written on a thread of its own (see `spill`),
    /// the next of `name_runs` once joined (`join_names`).
    names_writing: Option<std::thread::JoinHandle<Result<Option<crate::runs::Run>>>>,
    /// The bytes of writes gathered into a batch written ahead (`SPILL_BATCH_BYTES`).
    batch_bytes: usize,
    /// Changed names from which a spill writes them on a thread of its own
    /// (`NAMES_BESIDE`).
    names_beside: usize,
    /// Lists were written ahead of the commit, so the engine holds this transaction's
    /// appends: a list loaded from now on is read from it even in a new store.
    lists_ahead: bool,
    /// Name buckets were written ahead of the commit (as `lists_ahead`).
    names_ahead: bool,
    /// Shut from the first spill until the transaction ends.
    gate: Option<crate::kv::Closed<'s>>,
    /// Committed, or rolled back: nothing left for `drop` to undo.
    finished: bool,
    /// Why a spill failed: the transaction was rolled back and refuses everything.
    failed: Option<String>,
    /// A statement that existed before was changed in place (its qualifiers), so the
    /// commit bumps `Store::rewrites`.
    rewrote: bool,
}

/// `APPLY_BYTES` unless a test build's environment sets `FACTGRAPH_APPLY_BYTES` (the
/// end-to-end crash tests stop a load between two parts of a batch).
fn apply_bytes() -> usize {
    #[cfg(any(test, feature = "failpoints"))]
    if let Some(n) = std::env::var("FACTGRAPH_APPLY_BYTES").ok().and_then(|v| v.parse().ok()) {
        return n;
    }
    APPLY_BYTES
}

/// The spill mark unless a test build's environment sets `FACTGRAPH_SPILL_BYTES`
/// (the end-to-end crash tests use it to make small loads spill).
fn spill_bytes_default() -> usize {
    #[cfg(any(test, feature = "failpoints"))]
    if let Some(n) = std::env::var("FACTGRAPH_SPILL_BYTES").ok().and_then(|v| v.parse().ok()) {
        return n;
    }
    DEFAULT_SPILL_BYTES
}

impl Store {
    /// Starts a write transaction. Only one runs at a time; a second caller waits.
    /// Nothing is written until `Transaction::commit`; dropping it discards it.
    pub fn transaction(&self) -> Result<Transaction<'_>> {
        Transaction::begin(self)
    }
}

impl<'s> Transaction<'s> {
    fn begin(store: &'s Store) -> Result<Transaction<'s>> {
        if store.read_only {
            return Err(StoreError::ReadOnly);
        }
        let guard = store.writer.lock().unwrap_or_else(|p| p.into_inner());
        let next_entity = store.meta_u64(keys::META_NEXT_ENTITY)?;
        let next_statement = store.meta_u64(keys::META_NEXT_STATEMENT)?;
        let next_relation = store.meta_u64(keys::META_NEXT_RELATION)? as u32;
        let relations = store.relations.read().unwrap_or_else(|p| p.into_inner()).by_name.clone();
        Ok(Transaction {
            store,
            _guard: guard,
            fresh: next_entity == 0 && next_statement == 0,
            first_entity: next_entity,
            first_statement: next_statement,
            next_entity,
            next_statement,
            next_relation,
            counts: store.counts()?,
            entities: HashMap::default(),
            dirty_entities: HashSet::default(),
            names: HashMap::default(),
            dirty_names: 0,
            dirty_names_at_spill: 0,
            name_bytes: 0,
            texts: HashMap::default(),
            textless: EntityBits::default(),
            dirty_texts: HashSet::default(),
            statements: Statements::default(),
            adjacency: HashMap::default(),
            dirty_adjacency: HashSet::default(),
            id_lists: HashMap::default(),
            dirty_ids: HashSet::default(),
            candidates: Candidates::default(),
            candidates_loaded: HashSet::default(),
            relations: relations.into_iter().collect(),
            new_relations: Vec::new(),
            new_keys: HashMap::default(),
            keys_overflow: false,
            record_bytes: 0,
            spill_bytes: spill_bytes_default(),
            spilled: HashSet::default(),
            late: HashMap::default(),
            classes: EntityBits::default(),
            documents: EntityBits::default(),
            adj_pending: HashMap::default(),
            ids_pending: HashMap::default(),
            pending_bytes: 0,
            runs: Vec::new(),
            name_runs: Vec::new(),
            names_writing: None,
            batch_bytes: SPILL_BATCH_BYTES,
            names_beside: NAMES_BESIDE,
            lists_ahead: false,
            names_ahead: false,
            gate: None,
            finished: false,
            failed: None,
            rewrote: false,
        })
    }

    /// Sets how many bytes of records (estimated) the transaction holds before it
    /// writes them ahead of its commit; `usize::MAX` never spills. See the module docs.
    pub fn set_spill_bytes(&mut self, bytes: usize) {
        self.spill_bytes = bytes;
    }

    /// Sets the bytes of writes gathered into a batch written ahead (tests: many
    /// batches from a few writes).
    #[cfg(test)]
    pub(crate) fn set_batch_bytes(&mut self, bytes: usize) {
        self.batch_bytes = bytes;
    }

    /// Sets how many changed names a spill writes on a thread of their own from
    /// (tests: a few names through that thread).
    #[cfg(test)]
    pub(crate) fn set_names_beside(&mut self, names: usize) {
        self.names_beside = names;
    }

    /// True once part of the transaction is in the engine, awaiting the commit.
    pub fn has_spilled(&self) -> bool {
        self.gate.is_some()
    }

    /// True when nothing the store held before (or spilled since) needs reading back
    /// for a record: a load into an empty store that has not spilled.
    fn records_fresh(&self) -> bool {
        self.fresh && self.gate.is_none()
    }

    /// The store this transaction writes to.
    pub fn store(&self) -> &'s Store {
        self.store
    }

    // ---- reads through the overlay -------------------------------------------------

    fn load_entity(&mut self, id: EntityId) -> Result<Option<&Entity>> {
        let _own = self.store.kv.reading();
        if !self.entities.contains_key(&id) {
            let loaded = if self.records_fresh() || id.0 >= self.next_entity { None } else { self.store.entity(id)? };
            self.entities.insert(id, loaded);
        }
        Ok(self.entities.get(&id).and_then(Option::as_ref))
    }

    /// An entity as this transaction sees it.
    pub fn entity(&mut self, id: EntityId) -> Result<Option<Entity>> {
        Ok(self.load_entity(id)?.cloned())
    }

    fn require(&mut self, id: EntityId) -> Result<&Entity> {
        self.load_entity(id)?.ok_or(StoreError::NoSuchEntity(id))
    }

    /// Whether the entity is a document; `NoSuchEntity` if there is none. Answered
    /// without loading the entity once it has been seen.
    fn is_document(&mut self, id: EntityId) -> Result<bool> {
        if self.classes.contains(id) {
            return Ok(self.documents.contains(id));
        }
        let doc = self.require(id)?.is_document();
        self.set_class(id, doc);
        Ok(doc)
    }

    /// Records whether entity `id` is a document.
    fn set_class(&mut self, id: EntityId, document: bool) {
        self.classes.insert(id);
        match document {
            true => self.documents.insert(id),
            false => self.documents.remove(id),
        }
    }

    /// Whether the engine holds no name this transaction has not read: a new store
    /// whose names have not been written ahead of the commit.
    fn names_unread(&self) -> bool {
        self.fresh && !self.names_ahead && self.name_runs.is_empty() && self.names_writing.is_none()
    }

    /// A name's whole list of entity ids, to change: the name is written at the next
    /// spill of names or the commit.
    fn name_edit(&mut self, normalized: &str) -> Result<&mut Vec<u64>> {
        self.name_list(normalized)?;
        let entry = self.names.get_mut(normalized).expect("read above");
        entry.mark_dirty(&mut self.dirty_names);
        Ok(&mut entry.ids)
    }

    /// A name's whole list of entity ids, read from the engine the first time.
    fn name_list(&mut self, normalized: &str) -> Result<&mut Vec<u64>> {
        let _own = self.store.kv.reading();
        let whole = self.names.get(normalized).is_some_and(|n| n.whole);
        if !whole {
            self.join_names()?;
        }
        if !whole && !self.name_runs.is_empty() {
            // The engine's list is not the whole of it until the runs are in.
            self.flush_name_runs()?;
        }
        if !whole {
            let mut ids: Vec<u64> = if self.names_unread() {
                Vec::new()
            } else {
                self.store.lookup_normalized(normalized)?.into_iter().map(|e| e.0).collect()
            };
            let mut dirty = false;
            if let Some(added) = self.names.get(normalized) {
                ids.extend_from_slice(&added.ids);
                ids.sort_unstable();
                ids.dedup();
                dirty = added.dirty;
            } else {
                self.name_bytes += normalized.len() + 136;
            }
            self.names.insert(normalized.to_owned(), NameIds { ids, whole: true, dirty });
        }
        Ok(&mut self.names.get_mut(normalized).expect("inserted above").ids)
    }

    /// Entities whose name or alias normalises like `name`, as this transaction sees them.
    pub fn lookup(&mut self, name: &str) -> Result<Vec<EntityId>> {
        let n = normalize(name);
        if n.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self.name_list(&n)?.iter().copied().map(EntityId).collect())
    }

    /// The oldest entity whose canonical name (not an alias) normalises like `name`,
    /// and of `kind` when one is given: what get-or-create finds before it creates.
    pub fn by_canonical_name(&mut self, name: &str, kind: Option<&str>) -> Result<Option<Entity>> {
        Ok(self.all_by_canonical_name(name, kind, 1)?.pop())
    }

    /// Up to `most` entities whose canonical name (not an alias) normalises like
    /// `name`, and of `kind` when one is given, oldest first: a declaration that must
    /// name one entity asks for two, to know whether it does.
    pub fn all_by_canonical_name(&mut self, name: &str, kind: Option<&str>, most: usize) -> Result<Vec<Entity>> {
        let wanted = normalize(name);
        let mut ids = self.lookup(name)?;
        ids.sort();
        let mut found = Vec::new();
        for id in ids {
            if found.len() >= most {
                break;
            }
            if let Some(e) = self.entity(id)? {
                if normalize(&e.name) == wanted && kind.is_none_or(|k| e.kind == k) {
                    found.push(e);
                }
            }
        }
        Ok(found)
    }

    fn read_statement(&self, id: StatementId) -> Result<Option<StoredStatement>> {
        let _own = self.store.kv.reading();
        match self.statements.get(&id) {
            Some(s) => Ok(s.clone()),
            None if self.records_fresh() || id.0 >= self.next_statement => Ok(None),
            None => {
                let mut st = self.store.stored_statement(id)?;
                if let (Some(st), Some(late)) = (&mut st, self.late.get(&id)) {
                    st.evidence.extend(late.iter().cloned());
                }
                Ok(st)
            }
        }
    }

    /// A statement's qualifiers as this transaction sees them; `None` if it does not
    /// exist.
    pub fn qualifiers(&self, id: StatementId) -> Result<Option<crate::model::Qualifiers>> {
        Ok(self.read_statement(id)?.map(|s| s.qualifiers))
    }

    /// True when the statement exists as this transaction sees it.
    pub fn statement_exists(&self, id: StatementId) -> Result<bool> {
        Ok(self.read_statement(id)?.is_some())
    }

    /// Loads a whole adjacency list into the overlay, for an operation that reads or
    /// changes it (not one that only appends): what the engine holds, then the appends
    /// still pending. Runs on disk are merged into the engine first (see `runs.rs`).
    fn load_adjacency(&mut self, key: (Node, Direction)) -> Result<()> {
        if self.adjacency.contains_key(&key) {
            return Ok(());
        }
        if !self.runs.is_empty() {
            self.flush_runs()?;
        }
        let _own = self.store.kv.reading();
        let mut list =
            if self.fresh && !self.lists_ahead { Vec::new() } else { self.store.read_adjacency(key.0, key.1)? };
        if let Some(appended) = self.adj_pending.remove(&key) {
            list.extend(appended);
            self.dirty_adjacency.insert(key);
        }
        self.adjacency.insert(key, list);
        Ok(())
    }

    /// An adjacency list, loaded on first touch and marked as changed.
    fn adjacency_mut(&mut self, node: Node, dir: Direction) -> Result<&mut Vec<AdjEntry>> {
        self.load_adjacency((node, dir))?;
        self.dirty_adjacency.insert((node, dir));
        Ok(self.adjacency.get_mut(&(node, dir)).expect("loaded above"))
    }

    /// An adjacency list, read only.
    fn adjacency(&mut self, node: Node, dir: Direction) -> Result<&[AdjEntry]> {
        self.load_adjacency((node, dir))?;
        Ok(self.adjacency.get(&(node, dir)).expect("loaded above"))
    }

    /// Appends to an adjacency list without loading it.
    fn append_adjacency(&mut self, node: Node, dir: Direction, entry: AdjEntry) {
        let key = (node, dir);
        if let Some(list) = self.adjacency.get_mut(&key) {
            list.push(entry);
            self.dirty_adjacency.insert(key);
        } else {
            let pending = self.adj_pending.entry(key).or_default();
            self.pending_bytes += if pending.is_empty() { 96 } else { 0 } + std::mem::size_of::<AdjEntry>();
            pending.push(entry);
        }
    }

    /// As `load_adjacency`, for a list of ids.
    fn load_ids(&mut self, list: &List) -> Result<()> {
        if self.id_lists.contains_key(list) {
            return Ok(());
        }
        if !self.runs.is_empty() {
            self.flush_runs()?;
        }
        let _own = self.store.kv.reading();
        let mut ids = if self.fresh && !self.lists_ahead { Vec::new() } else { self.store.read_ids(list)? };
        if let Some(appended) = self.ids_pending.remove(list) {
            ids.extend(appended);
            self.dirty_ids.insert(list.clone());
        }
        self.id_lists.insert(list.clone(), ids);
        Ok(())
    }

    /// A list of ids, loaded on first touch and marked as changed.
    fn ids_mut(&mut self, list: List) -> Result<&mut Vec<u64>> {
        self.load_ids(&list)?;
        self.dirty_ids.insert(list.clone());
        Ok(self.id_lists.get_mut(&list).expect("loaded above"))
    }

    /// A list of ids, read only.
    fn ids(&mut self, list: List) -> Result<&[u64]> {
        self.load_ids(&list)?;
        Ok(self.id_lists.get(&list).expect("loaded above"))
    }

    /// Appends to a list of ids without loading it.
    fn append_id(&mut self, list: List, id: u64) {
        if let Some(ids) = self.id_lists.get_mut(&list) {
            ids.push(id);
            self.dirty_ids.insert(list);
        } else {
            let pending = self.ids_pending.entry(list).or_default();
            self.pending_bytes += if pending.is_empty() { 96 } else { 0 } + 8;
            pending.push(id);
        }
    }

    /// A document's text as this transaction sees it.
    pub fn document_text(&mut self, doc: EntityId) -> Result<Option<&str>> {
        let _own = self.store.kv.reading();
        if !self.texts.contains_key(&doc) && !self.textless.contains(doc) {
            match if self.records_fresh() { None } else { self.store.document_text(doc)? } {
                Some(text) => {
                    self.texts.insert(doc, text);
                }
                None => self.textless.insert(doc),
            }
        }
        Ok(self.texts.get(&doc).map(String::as_str))
    }

    // ---- entities ------------------------------------------------------------------

    /// Makes room for a batch of about this many new statements (a hint for bulk loads).
    pub fn reserve(&mut self, statements: usize) {
        // Records spill, so room for more than a spill's worth would sit empty.
        self.statements.reserve(statements.min(self.spill_bytes / (2 * RECORD_OVERHEAD)));
    }

    /// Creates a new entity. Names need not be unique: lookups return every candidate.
    /// The empty name makes an unnamed entity (openCypher's `CREATE ()`), found by
    /// kind, property or relationship but never by name.
    pub fn create_entity(&mut self, name: &str, kind: &str) -> Result<EntityId> {
        self.maybe_spill()?;
        if !name.is_empty() {
            check_name(name, "an entity name")?;
        }
        check_kind(kind)?;
        let id = EntityId(self.next_entity);
        self.next_entity += 1;
        let entity = Entity {
            id,
            name: name.to_owned(),
            kind: kind.to_owned(),
            aliases: Vec::new(),
            properties: Properties::new(),
        };
        if !name.is_empty() {
            // A new entity is on no list.
            self.index_unlisted(normalize(name), id);
        }
        for label in kind_labels(kind) {
            self.append_id(List::Kind(label.to_owned()), id.0);
        }
        self.set_class(id, kind == DOCUMENT_KIND);
        self.entities.insert(id, Some(entity));
        self.dirty_entities.insert(id);
        self.counts.entities += 1;
        // An entity in the overlay is a map entry and a record of several parts, and
        // its entries among the dirty entities and the classes (measured: about 300
        // bytes before its strings).
        self.record_bytes += ENTITY_OVERHEAD + name.len() + kind.len();
        Ok(id)
    }

    /// Creates a document: an entity of kind Document, with properties (`outlet`,
    /// `title`, `published`, …) and, where available, its full text.
    pub fn create_document(&mut self, name: &str, properties: Properties, text: Option<String>) -> Result<EntityId> {
        check_name(name, "a document name")?;
        for (key, v) in &properties {
            check_name(key, "a property name")?;
            check_plain_value(v)?;
        }
        if let Some(t) = &text {
            check_document_text(t)?;
        }
        let id = self.create_entity(name, DOCUMENT_KIND)?;
        if !properties.is_empty() {
            // A map's node, then each property's key and value.
            self.record_bytes +=
                PROPERTIES_OVERHEAD + properties.iter().map(|(k, v)| k.len() + 32 + value_bytes(v)).sum::<usize>();
        }
        if let Some(Some(e)) = self.entities.get_mut(&id) {
            e.properties = properties;
        }
        if let Some(t) = text {
            self.record_bytes += t.len();
            self.textless.remove(id);
            self.texts.insert(id, t);
            self.dirty_texts.insert(id);
        }
        Ok(id)
    }

    /// Replaces a document's stored text.
    pub fn set_document_text(&mut self, doc: EntityId, text: String) -> Result<()> {
        self.maybe_spill()?;
        check_document_text(&text)?;
        let e = self.require(doc)?;
        if !e.is_document() {
            return Err(not_a_document(e));
        }
        self.record_bytes += text.len();
        self.textless.remove(doc);
        self.texts.insert(doc, text);
        self.dirty_texts.insert(doc);
        Ok(())
    }

    fn index_name(&mut self, spelling: &str, id: EntityId) -> Result<()> {
        let n = normalize(spelling);
        if let Err(at) = self.name_list(&n)?.binary_search(&id.0) {
            self.name_edit(&n)?.insert(at, id.0);
            self.name_bytes += 8;
        }
        Ok(())
    }

    /// Lists `id` under the normalised name `n`, which the caller knows it is not
    /// listed under (a new entity, or a spelling none of the entity's normalises
    /// like): nothing is read from the engine, which a load of many new names would
    /// otherwise do for each of them once its names have been written ahead.
    fn index_unlisted(&mut self, n: String, id: EntityId) {
        let whole = self.names_unread();
        match self.names.get_mut(n.as_str()) {
            Some(entry) => {
                if let Err(at) = entry.ids.binary_search(&id.0) {
                    entry.ids.insert(at, id.0);
                }
                entry.mark_dirty(&mut self.dirty_names);
                self.name_bytes += 8;
            }
            None => {
                // The name's map entry (with the table's room to grow), its text and
                // its ids.
                self.name_bytes += n.len() + 136;
                self.names.insert(n, NameIds { ids: vec![id.0], whole, dirty: true });
                self.dirty_names += 1;
            }
        }
    }

    /// Records a spelling of an entity, and (optionally) a document that uses it. The
    /// canonical name may be given too, to record which documents use it.
    pub fn add_alias(&mut self, id: EntityId, spelling: &str, document: Option<EntityId>) -> Result<()> {
        self.maybe_spill()?;
        check_name(spelling, "an alias")?;
        if let Some(doc) = document {
            let d = self.require(doc)?;
            if !d.is_document() {
                return Err(not_a_document(d));
            }
        }
        // The entity is listed under the names its spellings normalise to, and only
        // those.
        let n = normalize(spelling);
        if !self.require(id)?.spellings().any(|s| normalize(s) == n) {
            self.index_unlisted(n, id);
        }
        let Some(Some(entity)) = self.entities.get_mut(&id) else {
            return Err(StoreError::NoSuchEntity(id));
        };
        let alias = match entity.aliases.iter_mut().position(|a| a.text == spelling) {
            Some(i) => &mut entity.aliases[i],
            None => {
                entity.aliases.push(Alias { text: spelling.to_owned(), documents: Vec::new() });
                entity.aliases.last_mut().expect("just pushed")
            }
        };
        if let Some(doc) = document {
            if let Err(at) = alias.documents.binary_search(&doc) {
                alias.documents.insert(at, doc);
            }
        }
        self.dirty_entities.insert(id);
        // An `Alias` in its entity's vector (which grows by doubling) and its text.
        self.record_bytes += spelling.len() + 96;
        Ok(())
    }

    /// Sets a typed property on an entity.
    pub fn set_property(&mut self, id: EntityId, key: &str, value: Value) -> Result<()> {
        self.maybe_spill()?;
        check_name(key, "a property name")?;
        check_plain_value(&value)?;
        self.require(id)?;
        if let Some(Some(e)) = self.entities.get_mut(&id) {
            self.record_bytes += key.len() + 32 + value_bytes(&value);
            e.properties.insert(key.to_owned(), value);
        }
        self.dirty_entities.insert(id);
        Ok(())
    }

    /// Removes a property of an entity; whether it had one.
    pub fn remove_property(&mut self, id: EntityId, key: &str) -> Result<bool> {
        self.maybe_spill()?;
        self.require(id)?;
        let Some(Some(e)) = self.entities.get_mut(&id) else {
            return Err(StoreError::NoSuchEntity(id));
        };
        let had = e.properties.remove(key).is_some();
        if had {
            self.dirty_entities.insert(id);
        }
        Ok(had)
    }

    /// Gives an entity another canonical name; the empty name leaves it unnamed (found
    /// by kind, property or relationship, never by name). Its aliases stay, and the
    /// old name keeps finding it only if it is one of them.
    pub fn rename_entity(&mut self, id: EntityId, name: &str) -> Result<()> {
        self.maybe_spill()?;
        if !name.is_empty() {
            check_name(name, "an entity name")?;
        }
        let entity = self.require(id)?.clone();
        if entity.is_document() {
            return Err(StoreError::Invalid("a document keeps its name".into()));
        }
        if entity.name == name {
            return Ok(());
        }
        if !entity.name.is_empty() {
            let old = normalize(&entity.name);
            let still = entity.aliases.iter().any(|a| normalize(&a.text) == old);
            if !still {
                self.name_edit(&old)?.retain(|&e| e != id.0);
            }
        }
        if !name.is_empty() {
            self.index_name(name, id)?;
        }
        if let Some(Some(e)) = self.entities.get_mut(&id) {
            e.name = name.to_owned();
        }
        self.dirty_entities.insert(id);
        Ok(())
    }

    /// Changes an entity's kind (a document stays a document, and nothing else becomes
    /// one).
    pub fn set_kind(&mut self, id: EntityId, kind: &str) -> Result<()> {
        self.maybe_spill()?;
        check_kind(kind)?;
        let old = self.require(id)?.kind.clone();
        if old == kind {
            return Ok(());
        }
        if old == DOCUMENT_KIND || kind == DOCUMENT_KIND {
            return Err(StoreError::Invalid(format!(
                "an entity cannot become a document or stop being one (entity {id} is {old})"
            )));
        }
        for label in kind_labels(&old).filter(|l| !kind_labels(kind).any(|k| k == *l)) {
            self.ids_mut(List::Kind(label.to_owned()))?.retain(|&e| e != id.0);
        }
        for label in kind_labels(kind).filter(|l| !kind_labels(&old).any(|k| k == *l)) {
            self.append_id(List::Kind(label.to_owned()), id.0);
        }
        if let Some(Some(e)) = self.entities.get_mut(&id) {
            e.kind = kind.to_owned();
        }
        self.dirty_entities.insert(id);
        Ok(())
    }

    /// The statements a node is the subject or the object of, each once.
    pub fn statements_touching(&mut self, node: Node) -> Result<Vec<StatementId>> {
        let mut out: Vec<StatementId> = Vec::new();
        for dir in [Direction::Out, Direction::In] {
            out.extend(self.adjacency(node, dir)?.iter().map(|a| StatementId(a.sid)));
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// Replaces a statement's qualifiers in place: openCypher's `SET r.key = …` on a
    /// relationship, which stays the same relationship. (A statement `add_statement`
    /// would merge with it is not looked for: the two are kept apart, as `CREATE`
    /// keeps two identical relationships.)
    pub fn set_qualifiers(&mut self, id: StatementId, qualifiers: crate::model::Qualifiers) -> Result<()> {
        self.maybe_spill()?;
        for (k, v) in &qualifiers {
            check_name(k, "a qualifier name")?;
            check_value(v)?;
        }
        self.check_participants(&qualifiers)?;
        let Some(mut st) = self.read_statement(id)? else {
            return Err(StoreError::NoSuchStatement(id));
        };
        if st.qualifiers == qualifiers {
            return Ok(());
        }
        let (old, new) = (crate::model::participants(&st.qualifiers), crate::model::participants(&qualifiers));
        for p in old.iter().filter(|p| !new.contains(p)) {
            self.ids_mut(List::Participant(*p))?.retain(|&s| s != id.0);
        }
        for p in new.iter().filter(|p| !old.contains(p)) {
            self.append_id(List::Participant(*p), id.0);
        }
        // The stored record now carries the evidence merged late, if any.
        self.late.remove(&id);
        self.record_bytes += RECORD_OVERHEAD;
        st.qualifiers = qualifiers;
        self.statements.insert(id, Some(st));
        self.rewrote = true;
        Ok(())
    }

    /// Deletes an entity nothing refers to: no statements, evidence or attributions.
    pub fn delete_entity(&mut self, id: EntityId) -> Result<()> {
        self.maybe_spill()?;
        let entity = self.require(id)?.clone();
        let node = Node::Entity(id);
        let referred = !self.adjacency(node, Direction::Out)?.is_empty()
            || !self.adjacency(node, Direction::In)?.is_empty()
            || !self.ids(List::Document(id))?.is_empty()
            || !self.ids(List::Attribution(id))?.is_empty()
            || !self.ids(List::Participant(id))?.is_empty();
        if referred {
            return Err(StoreError::InUseEntity(id));
        }
        for spelling in entity.spellings() {
            let n = normalize(spelling);
            self.name_edit(&n)?.retain(|&e| e != id.0);
        }
        for label in kind_labels(&entity.kind) {
            self.ids_mut(List::Kind(label.to_owned()))?.retain(|&e| e != id.0);
        }
        if entity.is_document() {
            self.texts.remove(&id);
            self.textless.insert(id);
            self.dirty_texts.insert(id);
        }
        self.classes.remove(id);
        self.entities.insert(id, None);
        self.dirty_entities.insert(id);
        self.counts.entities -= 1;
        Ok(())
    }

    // ---- statements ----------------------------------------------------------------

    fn intern_relation(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.relations.get(name) {
            return id;
        }
        let id = self.next_relation;
        self.next_relation += 1;
        self.relations.insert(name.to_owned(), id);
        self.new_relations.push((name.to_owned(), id));
        id
    }

    fn check_node(&mut self, node: Node) -> Result<()> {
        match node {
            Node::Entity(e) => self.is_document(e).map(|_| ()),
            Node::Statement(s) => {
                if self.read_statement(s)?.is_some() {
                    Ok(())
                } else {
                    Err(StoreError::NoSuchStatement(s))
                }
            }
        }
    }

    /// Every participant a statement's qualifiers name must be an entity of the graph:
    /// one that exists, and not a document (documents hold evidence, they take no part).
    fn check_participants(&mut self, qualifiers: &crate::model::Qualifiers) -> Result<()> {
        for p in crate::model::participants(qualifiers) {
            if self.is_document(p)? {
                return Err(StoreError::Invalid(format!(
                    "a participant is an entity of the graph, not a document ({})",
                    self.require(p)?.name
                )));
            }
        }
        Ok(())
    }

    fn check_evidence(&mut self, ev: &Evidence) -> Result<()> {
        check_quote(&ev.quote)?;
        if !self.is_document(ev.document)? {
            return Err(not_a_document(self.require(ev.document)?));
        }
        if let Some(a) = ev.attribution {
            self.is_document(a)?;
        }
        Ok(())
    }

    /// Fills in the quote's offsets from the document's text when they are missing.
    fn locate(&mut self, mut ev: Evidence) -> Result<Evidence> {
        if ev.span.is_none() {
            if let Some(text) = self.document_text(ev.document)? {
                ev.span = quote::locate(text, &ev.quote);
            }
        }
        Ok(ev)
    }

    /// Whether `node` was created by this transaction, so that no statement committed
    /// before it names it.
    fn is_new(&self, node: Node) -> bool {
        match node {
            Node::Entity(e) => e.0 >= self.first_entity,
            Node::Statement(s) => s.0 >= self.first_statement,
        }
    }

    /// Candidate duplicates of a statement: same subject, relation and far end.
    fn candidates(&mut self, subject: Node, rel: u32, other: Other) -> Result<smallvec::SmallVec<[u64; 1]>> {
        if !self.fresh && !self.is_new(subject) && !self.candidates_loaded.contains(&subject) {
            // What the engine holds is enough: this transaction's own statements are
            // in `candidates` already.
            let _own = self.store.kv.reading();
            let entries = self.store.read_adjacency(subject, Direction::Out)?;
            for a in entries {
                self.candidates.add((subject, a.rel, a.other), a.sid);
            }
            self.candidates_loaded.insert(subject);
        }
        Ok(self.candidates.get((subject, rel, other)))
    }

    /// Adds a statement with its evidence. A statement with the same subject, relation,
    /// object and qualifiers as an existing one is that statement: its new evidence is
    /// merged in and nothing else changes.
    pub fn add_statement(&mut self, new: NewStatement) -> Result<Added> {
        self.add(new, Mode::Merge)
    }

    /// Adds a new statement even when one with the same content exists: openCypher's
    /// `CREATE`, where two identical relationships created are two.
    pub fn create_statement(&mut self, new: NewStatement) -> Result<StatementId> {
        match self.add(new, Mode::Create)? {
            Added::Created(id) | Added::Merged { id, .. } => Ok(id),
        }
    }

    /// Adds a statement as `add_statement` does, merging it into an identical one
    /// committed before this transaction, but the caller vouches that no other
    /// statement of this transaction has (or will have) the same content, so the
    /// transaction keeps nothing to find it by content again. For bulk loads that
    /// group their claims themselves (the benchmark TSV): a transaction otherwise
    /// keeps about 30 bytes per statement until its commit. A later `add_statement`
    /// of the same content in this transaction creates a second statement.
    pub fn add_distinct_statement(&mut self, new: NewStatement) -> Result<Added> {
        self.add(new, Mode::Distinct)
    }

    fn add(&mut self, new: NewStatement, mode: Mode) -> Result<Added> {
        self.maybe_spill()?;
        if new.evidence.is_empty() {
            return Err(StoreError::NoEvidence);
        }
        check_relation(&new.relation)?;
        self.check_node(new.subject)?;
        if let Object::Node(n) = new.object {
            self.check_node(n)?;
        }
        if let Object::Literal(v) = &new.object {
            check_plain_value(v)?;
        }
        for (k, v) in &new.qualifiers {
            check_name(k, "a qualifier name")?;
            check_value(v)?;
        }
        self.check_participants(&new.qualifiers)?;
        for ev in &new.evidence {
            self.check_evidence(ev)?;
        }
        // Validation is over; from here on nothing fails except storage reads.
        let rel = self.intern_relation(&new.relation);
        let other = Other::of_object(&new.object);
        let candidates = match mode {
            Mode::Merge | Mode::Distinct => self.candidates(new.subject, rel, other)?,
            Mode::Create => smallvec::SmallVec::new(),
        };
        // Encoded only when there is something to compare it with: a bulk load's
        // statements mostly have no candidate.
        let identity = if candidates.is_empty() {
            Vec::new()
        } else {
            codec::identity(new.subject, rel, &new.object, &new.qualifiers)
        };
        for sid in candidates {
            let id = StatementId(sid);
            if let Some(existing) = self.read_statement(id)? {
                if existing.identity() == identity {
                    let added = self.merge_evidence(id, existing, new.evidence)?;
                    return Ok(Added::Merged { id, new_evidence: added });
                }
            }
        }
        let id = StatementId(self.next_statement);
        self.next_statement += 1;
        let mut evidence: Vec<Evidence> = Vec::with_capacity(new.evidence.len());
        for ev in new.evidence {
            if !evidence.iter().any(|e| same_evidence(e, &ev)) {
                let ev = self.locate(ev)?;
                evidence.push(ev);
            }
        }
        let stored =
            StoredStatement { subject: new.subject, rel, object: new.object, qualifiers: new.qualifiers, evidence };
        self.insert_statement(id, stored, mode != Mode::Distinct)?;
        Ok(Added::Created(id))
    }

    /// Indexes and records a validated, new statement under `id`.
    fn insert_statement(&mut self, id: StatementId, stored: StoredStatement, findable: bool) -> Result<()> {
        let (subject, rel) = (stored.subject, stored.rel);
        let other = Other::of_object(&stored.object);
        self.append_adjacency(subject, Direction::Out, AdjEntry { rel, other, sid: id.0 });
        if let Object::Node(n) = stored.object {
            self.append_adjacency(n, Direction::In, AdjEntry { rel, other: Other::of_node(subject), sid: id.0 });
        }
        self.append_id(List::Relation(rel), id.0);
        for p in crate::model::participants(&stored.qualifiers) {
            self.append_id(List::Participant(p), id.0);
        }
        self.index_evidence(id, &[], &stored.evidence)?;
        if findable {
            self.candidates.add((subject, rel, other), id.0);
        }
        self.counts.statements += 1;
        self.counts.evidence += stored.evidence.len() as u64;
        self.record_bytes += RECORD_OVERHEAD + statement_bytes(&stored);
        self.statements.insert(id, Some(stored));
        Ok(())
    }

    /// Makes sure ids below these are never handed out (import keeps holes).
    pub(crate) fn reserve_ids(&mut self, next_entity: u64, next_statement: u64) {
        self.next_entity = self.next_entity.max(next_entity);
        self.next_statement = self.next_statement.max(next_statement);
    }

    /// Recreates an exported entity under its own id (JSON Lines import).
    pub(crate) fn import_entity(&mut self, entity: Entity, text: Option<String>) -> Result<()> {
        self.maybe_spill()?;
        if !entity.name.is_empty() || entity.is_document() {
            check_name(&entity.name, "an entity name")?;
        }
        check_kind(&entity.kind)?;
        if self.load_entity(entity.id)?.is_some() {
            return Err(StoreError::Invalid(format!("entity {} appears twice", entity.id)));
        }
        for v in entity.properties.values() {
            check_plain_value(v)?;
        }
        if let Some(t) = &text {
            if !entity.is_document() {
                return Err(not_a_document(&entity));
            }
            check_document_text(t)?;
        }
        let id = entity.id;
        for spelling in entity.spellings() {
            check_name(spelling, "an alias")?;
        }
        let spellings: Vec<String> = entity.spellings().map(str::to_owned).collect();
        for spelling in &spellings {
            self.index_name(spelling, id)?;
        }
        for label in kind_labels(&entity.kind) {
            self.append_id(List::Kind(label.to_owned()), id.0);
        }
        self.set_class(id, entity.is_document());
        self.next_entity = self.next_entity.max(id.0.saturating_add(1));
        self.record_bytes += RECORD_OVERHEAD
            + text.as_ref().map_or(0, String::len)
            + spellings.iter().map(|s| s.len() + 16).sum::<usize>()
            + entity.properties.iter().map(|(k, v)| k.len() + 32 + value_bytes(v)).sum::<usize>();
        self.entities.insert(id, Some(entity));
        self.dirty_entities.insert(id);
        self.counts.entities += 1;
        if let Some(t) = text {
            self.textless.remove(id);
            self.texts.insert(id, t);
            self.dirty_texts.insert(id);
        }
        Ok(())
    }

    /// Recreates an exported statement under its own id, evidence as it was.
    pub(crate) fn import_statement(&mut self, st: crate::model::Statement) -> Result<()> {
        self.maybe_spill()?;
        if self.read_statement(st.id)?.is_some() {
            return Err(StoreError::Invalid(format!("statement {} appears twice", st.id)));
        }
        if st.evidence.is_empty() {
            return Err(StoreError::NoEvidence);
        }
        check_relation(&st.relation)?;
        self.check_node(st.subject)?;
        if let Object::Node(n) = st.object {
            self.check_node(n)?;
        }
        if let Object::Literal(v) = &st.object {
            check_plain_value(v)?;
        }
        for (k, v) in &st.qualifiers {
            check_name(k, "a qualifier name")?;
            check_value(v)?;
        }
        self.check_participants(&st.qualifiers)?;
        for ev in &st.evidence {
            self.check_evidence(ev)?;
        }
        let rel = self.intern_relation(&st.relation);
        self.next_statement = self.next_statement.max(st.id.0.saturating_add(1));
        let stored = StoredStatement {
            subject: st.subject,
            rel,
            object: st.object,
            qualifiers: st.qualifiers,
            evidence: st.evidence,
        };
        // An import adds nothing by content after its statements, so it keeps nothing
        // to find them by.
        self.insert_statement(st.id, stored, false)
    }

    /// Adds the document and attribution postings for evidence that is new to a
    /// statement (`old` is what it already had).
    fn index_evidence(&mut self, id: StatementId, old: &[Evidence], new: &[Evidence]) -> Result<()> {
        let mut docs: Vec<EntityId> = Vec::new();
        let mut whos: Vec<EntityId> = Vec::new();
        for ev in new {
            if !old.iter().chain(new.iter().take_while(|e| !std::ptr::eq(*e, ev))).any(|e| e.document == ev.document)
                && !docs.contains(&ev.document)
            {
                docs.push(ev.document);
            }
            if let Some(a) = ev.attribution {
                if !old.iter().any(|e| e.attribution == Some(a)) && !whos.contains(&a) {
                    whos.push(a);
                }
            }
        }
        for d in docs {
            self.append_id(List::Document(d), id.0);
        }
        for a in whos {
            self.append_id(List::Attribution(a), id.0);
        }
        Ok(())
    }

    fn merge_evidence(&mut self, id: StatementId, mut st: StoredStatement, evidence: Vec<Evidence>) -> Result<usize> {
        let mut fresh: Vec<Evidence> = Vec::new();
        for ev in evidence {
            if !st.evidence.iter().chain(fresh.iter()).any(|e| same_evidence(e, &ev)) {
                let ev = self.locate(ev)?;
                fresh.push(ev);
            }
        }
        if fresh.is_empty() {
            return Ok(0);
        }
        self.index_evidence(id, &st.evidence, &fresh)?;
        let n = fresh.len();
        self.counts.evidence += n as u64;
        if self.statements.contains_key(&id) {
            self.record_bytes += fresh.iter().map(evidence_bytes).sum::<usize>();
            st.evidence.extend(fresh);
            self.statements.insert(id, Some(st));
        } else {
            self.late.entry(id).or_default().extend(fresh);
        }
        Ok(n)
    }

    /// Removes a statement, and every statement about it (recursively).
    pub fn retract(&mut self, id: StatementId) -> Result<usize> {
        self.maybe_spill()?;
        if self.read_statement(id)?.is_none() {
            return Err(StoreError::NoSuchStatement(id));
        }
        // Collect the statement and everything about it, depth first, so dependents
        // are removed before what they depend on.
        let mut order = Vec::new();
        let mut stack = vec![id];
        let mut seen = HashSet::default();
        while let Some(s) = stack.pop() {
            if !seen.insert(s) {
                continue;
            }
            order.push(s);
            for dir in [Direction::Out, Direction::In] {
                let dependents: Vec<u64> = self.adjacency(Node::Statement(s), dir)?.iter().map(|a| a.sid).collect();
                stack.extend(dependents.into_iter().map(StatementId));
            }
        }
        let n = order.len();
        for s in order.into_iter().rev() {
            self.remove_one(s)?;
        }
        Ok(n)
    }

    fn remove_one(&mut self, id: StatementId) -> Result<()> {
        let Some(st) = self.read_statement(id)? else {
            return Ok(());
        };
        let sid = id.0;
        self.adjacency_mut(st.subject, Direction::Out)?.retain(|a| a.sid != sid);
        if let Object::Node(n) = st.object {
            self.adjacency_mut(n, Direction::In)?.retain(|a| a.sid != sid);
        }
        self.ids_mut(List::Relation(st.rel))?.retain(|&s| s != sid);
        for p in crate::model::participants(&st.qualifiers) {
            self.ids_mut(List::Participant(p))?.retain(|&s| s != sid);
        }
        for ev in &st.evidence {
            self.ids_mut(List::Document(ev.document))?.retain(|&s| s != sid);
            if let Some(a) = ev.attribution {
                self.ids_mut(List::Attribution(a))?.retain(|&s| s != sid);
            }
        }
        let other = Other::of_object(&st.object);
        self.candidates.remove((st.subject, st.rel, other), sid);
        self.counts.statements -= 1;
        self.counts.evidence -= st.evidence.len() as u64;
        self.late.remove(&id);
        self.statements.insert(id, None);
        Ok(())
    }

    // ---- spilling ------------------------------------------------------------------

    /// Spills the overlay's records if they pass the mark; refuses everything once a
    /// spill has failed. Called before an operation changes anything.
    fn maybe_spill(&mut self) -> Result<()> {
        if let Some(why) = &self.failed {
            return Err(StoreError::Engine(format!("this transaction was rolled back: {why}")));
        }
        if self.record_bytes + self.pending_bytes >= self.spill_bytes {
            // Names are written when they pass their own mark, or once they have
            // stopped growing (no name changed since the previous spill: a load past
            // its entities), which lets their memory go for the rest of the load.
            let names = self.dirty_names > 0
                && (self.name_bytes >= self.spill_bytes.saturating_mul(NAME_SPILL_FACTOR)
                    || self.dirty_names == self.dirty_names_at_spill);
            self.spill(names)?;
        }
        Ok(())
    }

    /// Writes what the overlay holds ahead of the commit now, as a spill past the mark
    /// does, names included, so that its memory goes: for a bulk load between its
    /// phases (after its entities and documents, before its statements), where the
    /// next phase's memory would otherwise come on top. Nothing of it is visible
    /// before the commit, as with any spill.
    pub fn spill_now(&mut self) -> Result<()> {
        if let Some(why) = &self.failed {
            return Err(StoreError::Engine(format!("this transaction was rolled back: {why}")));
        }
        if self.record_bytes + self.pending_bytes == 0 && self.dirty_names == 0 {
            return Ok(());
        }
        self.spill(self.dirty_names > 0)
    }

    fn spill(&mut self, names: bool) -> Result<()> {
        // An earlier spill's names go to their run before this one's.
        self.join_names()?;
        // The next spill fills the maps it takes (the statements, the list appends)
        // again to about as many entries: they are given that room once this one is
        // written and its maps are gone (given before, it came on top of the spill's
        // peak: 377 -> 440 MB at 10,000,000). Grown from empty they moved their entries
        // at every doubling, a sixth of a load's adds (the records are 150 bytes).
        let rooms = (self.statements.len(), self.adj_pending.len(), self.ids_pending.len());
        let mut ahead = Ahead::default();
        // The pending list appends go to a run of their own, encoded and written on a
        // second thread while this one writes the records: the two share nothing, and
        // the run was a fifth of a bulk load's spills. A few appends are written here.
        let pending = self.take_pending();
        let dir = self.scratch_dir();
        // A spill of many names (the one between a load's entities and its statements
        // holds them all: 330,000 at 1,000,000 statements) hands them to a thread of
        // their own, which sorts them, writes their run and drops them while the load
        // goes on; the run joins the others before anything reads them or another run
        // of names follows (`join_names`). On this thread they took a fifth of a
        // second while the other core waited.
        let beside_names = names && self.dirty_names >= self.names_beside;
        if beside_names {
            let (map, dir) = (std::mem::take(&mut self.names), dir.clone());
            let writing = std::thread::Builder::new()
                .name("factgraph-names".into())
                .spawn(move || name_run(&dir, &map))
                // The names went with the thread that could not start: the transaction
                // fails as a whole rather than lose them.
                .map_err(|e| StoreError::io("starting a thread to write a load's names", e));
            self.names_writing = Some(self.rolled_back_on_error(writing)?);
        }
        let names_here = names && !beside_names;
        let spilled = if pending.bytes < RUN_BESIDE_BYTES {
            self.write_spill(&mut ahead, names_here).and_then(|()| pending.write(&dir))
        } else {
            std::thread::scope(|scope| {
                let beside = std::thread::Builder::new().spawn_scoped(scope, || pending.write(&dir));
                let run = match beside {
                    Ok(run) => run,
                    // The appends went with the thread that could not start: the
                    // transaction fails as a whole rather than lose them.
                    Err(e) => return Err(StoreError::io("starting a thread to write a load's run", e)),
                };
                let records = self.write_spill(&mut ahead, names_here);
                let run = run.join().unwrap_or_else(|_| Err(StoreError::Engine("writing a load's run failed".into())));
                records.and(run)
            })
        };
        let run = self.rolled_back_on_error(spilled)?;
        self.runs.extend(run);
        if beside_names {
            self.names_written();
        }
        // The entities and texts are read back from the engine from now on (new
        // maps: `clear` would keep their memory).
        self.entities = HashMap::default();
        // (The documents known to have no text stay known: `textless`.)
        self.texts = HashMap::default();
        if names {
            self.names = HashMap::default();
            self.name_bytes = 0;
        }
        self.dirty_names_at_spill = self.dirty_names;
        self.record_bytes = 0;
        self.statements.reserve(rooms.0);
        self.adj_pending.reserve(rooms.1);
        self.ids_pending.reserve(rooms.2);
        Ok(())
    }

    /// A spill's writes to the engine: the records, and with `names` the name buckets.
    fn write_spill(&mut self, ahead: &mut Ahead, names: bool) -> Result<()> {
        self.write_records(ahead, false)?;
        if names {
            self.write_name_run()?;
        }
        self.write_ahead(ahead, true)
    }

    /// Takes the pending list appends out of the transaction, to be written to a run.
    fn take_pending(&mut self) -> Pending {
        let bytes = std::mem::take(&mut self.pending_bytes);
        Pending { adjacency: std::mem::take(&mut self.adj_pending), ids: std::mem::take(&mut self.ids_pending), bytes }
    }

    /// The pending list appends, encoded as the lists are and sorted by list.
    fn pending_parts(&mut self) -> Result<Vec<crate::runs::Part>> {
        self.take_pending().parts()
    }

    /// Merges the runs and pending appends into the engine ahead of the commit, so
    /// that a whole list can be read from it; refuses everything after a failure.
    fn flush_runs(&mut self) -> Result<()> {
        let mut out = Ahead::default();
        let flushed = self.write_lists(&mut out, false).and_then(|()| self.write_ahead(&mut out, true));
        self.rolled_back_on_error(flushed)?;
        self.lists_ahead = true;
        Ok(())
    }

    /// `result`, after rolling the transaction back if it is an error: a write ahead
    /// of the commit that failed part way leaves nothing to build on, so the
    /// transaction refuses everything from then on.
    fn rolled_back_on_error<T>(&mut self, result: Result<T>) -> Result<T> {
        if let Err(e) = &result {
            self.failed = Some(e.to_string());
            self.roll_back();
        }
        result
    }

    /// Where a spill writes its runs: beside the store, or in the system's temporary
    /// directory for a store in memory.
    fn scratch_dir(&self) -> std::path::PathBuf {
        self.store.path().map_or_else(std::env::temp_dir, Path::to_path_buf)
    }

    /// Queues the list blocks: the runs and pending appends merged onto what the
    /// engine holds, and (with `whole`) the lists loaded in the overlay.
    fn write_lists(&mut self, out: &mut Ahead, whole: bool) -> Result<()> {
        let mut loaded: std::collections::BTreeMap<Vec<u8>, Vec<(usize, Vec<u8>)>> = Default::default();
        if whole {
            for key in std::mem::take(&mut self.dirty_adjacency) {
                let list = &self.adjacency[&key];
                let slot = List::Adjacency(key.0, key.1).slot();
                let bytes = if list.is_empty() { Vec::new() } else { encode(list)? };
                loaded.entry(slot.block).or_default().push((slot.slot, bytes));
            }
            for key in std::mem::take(&mut self.dirty_ids) {
                let list = &self.id_lists[&key];
                let slot = key.slot();
                let bytes = if list.is_empty() { Vec::new() } else { encode(list)? };
                loaded.entry(slot.block).or_default().push((slot.slot, bytes));
            }
        }
        let memory = self.pending_parts()?;
        let mut merge = crate::runs::Merge::new(std::mem::take(&mut self.runs), memory)?;
        loop {
            let block = match (loaded.keys().next(), merge.peek_block()) {
                (None, None) => break,
                (Some(a), None) => a.clone(),
                (None, Some(b)) => b.to_vec(),
                (Some(a), Some(b)) => a.as_slice().min(b).to_vec(),
            };
            let whole = loaded.remove(&block).unwrap_or_default();
            let adjacency = block.first() == Some(&keys::ADJACENCY);
            let key = block.clone();
            self.edit_block(out, block, |page| {
                for (slot, bytes) in whole {
                    page.set(slot, bytes);
                }
                while merge.peek_block() == Some(key.as_slice()) {
                    let Some((_, slot, parts)) = merge.next_list()? else { break };
                    let slot = slot as usize;
                    let existing = page.slots.get(slot).map(Vec::as_slice).unwrap_or_default();
                    let merged = if adjacency {
                        concat::<AdjEntry>(existing, &parts)?
                    } else {
                        concat::<u64>(existing, &parts)?
                    };
                    page.set(slot, merged);
                }
                Ok(())
            })?;
            self.write_ahead(out, false)?;
        }
        Ok(())
    }

    /// What `key` holds in the engine now, or `None` when nothing can be there yet
    /// (a store that was empty, a key not spilled to).
    fn value_now(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let _own = self.store.kv.reading();
        if self.fresh && !self.spilled.contains(key) {
            return Ok(None);
        }
        self.store.kv.get(key)
    }

    /// Queues a block as `edit` leaves it, starting from what the engine holds.
    fn edit_block(&self, out: &mut Ahead, block: Vec<u8>, edit: impl FnOnce(&mut Page) -> Result<()>) -> Result<()> {
        let old = self.value_now(&block)?;
        let mut page = old.as_deref().map(Page::decode).transpose()?.unwrap_or_default();
        edit(&mut page)?;
        out.push(block, (!page.is_empty()).then(|| page.encode()), old);
        Ok(())
    }

    /// Queues the records the overlay holds (entities, statements, document texts) and
    /// lets them go; with `late`, also the evidence merged into statements that were
    /// already in the engine.
    fn write_records(&mut self, out: &mut Ahead, late: bool) -> Result<()> {
        self.note_keys();
        let mut blocks: std::collections::BTreeMap<Vec<u8>, Vec<(usize, Vec<u8>)>> = Default::default();
        let mut scratch = Vec::new();
        for id in std::mem::take(&mut self.dirty_entities) {
            let bytes = match self.entities.get(&id).and_then(Option::as_ref) {
                Some(e) => codec::encode_in(e, &mut scratch)?,
                None => Vec::new(),
            };
            let slot = keys::entity(id);
            blocks.entry(slot.block).or_default().push((slot.slot, bytes));
        }
        let apart = self.store.quotes_apart();
        for (block, records) in encode_statements(std::mem::take(&mut self.statements), apart)? {
            blocks.entry(block).or_default().extend(records);
        }
        let mut patches: std::collections::BTreeMap<Vec<u8>, Vec<(usize, Patch)>> = Default::default();
        if late {
            for (id, mut evidence) in std::mem::take(&mut self.late) {
                if apart {
                    let quotes = keys::quotes(id);
                    let taken = codec::take_quotes(&mut evidence);
                    patches.entry(quotes.block).or_default().push((quotes.slot, Patch::Quotes(taken)));
                }
                let slot = keys::statement(id);
                patches.entry(slot.block).or_default().push((slot.slot, Patch::Evidence(evidence)));
            }
        }
        // Each block once: this batch's records set, then late evidence on top.
        let mut keys: Vec<Vec<u8>> = blocks.keys().chain(patches.keys()).cloned().collect();
        keys.sort_unstable();
        keys.dedup();
        for block in keys {
            let slots = blocks.remove(&block).unwrap_or_default();
            let late = patches.remove(&block).unwrap_or_default();
            self.edit_block(out, block, |page| {
                for (slot, bytes) in slots {
                    page.set(slot, bytes);
                }
                patch(page, late)
            })?;
            self.write_ahead(out, false)?;
        }
        let mut texts: Vec<EntityId> = std::mem::take(&mut self.dirty_texts).into_iter().collect();
        texts.sort_unstable();
        for id in texts {
            let key = keys::text(id);
            let old = self.value_now(&key)?;
            out.push(key, self.texts.get(&id).map(|t| t.as_bytes().to_vec()), old);
            self.write_ahead(out, false)?;
        }
        Ok(())
    }

    /// Keeps the property keys of the records about to be written that the store has
    /// not had, if it keeps them: each distinct key is looked up once.
    fn note_keys(&mut self) {
        if self.keys_overflow {
            return;
        }
        let known = self.store.property_keys.read().unwrap_or_else(|p| p.into_inner());
        let Some(known) = known.as_ref() else { return };
        // The distinct keys of the records, each with where it is.
        let mut seen: HashMap<&str, u8> = HashMap::default();
        for id in &self.dirty_entities {
            if let Some(Some(e)) = self.entities.get(id) {
                let on = if e.is_document() { keys::KEY_ON_DOCUMENTS } else { keys::KEY_ON_NODES };
                let name = (!e.name.is_empty()).then_some("name");
                for key in name.into_iter().chain(e.properties.keys().map(String::as_str)) {
                    *seen.entry(key).or_default() |= on;
                }
            }
        }
        for st in self.statements.values().flatten() {
            for key in st.qualifiers.keys() {
                *seen.entry(key).or_default() |= keys::KEY_ON_NODES;
            }
        }
        for (key, on) in seen {
            let before = known.get(key);
            match self.new_keys.get_mut(key) {
                Some((now, _)) => *now |= on,
                None if before | on != before => {
                    self.new_keys.insert(key.to_owned(), (before | on, before));
                }
                None => {}
            }
        }
        // Keys new to the store count; one that only spreads (to a node from a
        // document, say) is one already.
        let added = self.new_keys.values().filter(|(_, before)| *before == 0).count();
        if known.len() + added > MAX_PROPERTY_KEYS {
            self.keys_overflow = true;
            self.new_keys = HashMap::default();
        }
    }

    /// Makes the commit's new property keys known to readers; what `unpublish_keys`
    /// takes back. A commit that stops keeping keys makes them unknown.
    fn publish_keys(&self) -> Option<Option<KeyFlags>> {
        if self.new_keys.is_empty() && !self.keys_overflow {
            return None;
        }
        let mut known = self.store.property_keys.write().unwrap_or_else(|p| p.into_inner());
        let before = known.clone();
        if self.keys_overflow {
            *known = None;
        } else if let Some(known) = known.as_mut() {
            for (key, (on, _)) in &self.new_keys {
                known.set(key, *on);
            }
        }
        Some(before)
    }

    fn unpublish_keys(&self, before: Option<Option<KeyFlags>>) {
        if let Some(before) = before {
            *self.store.property_keys.write().unwrap_or_else(|p| p.into_inner()) = before;
        }
    }

    /// Queues the indexes the overlay holds: adjacency, id lists, name buckets, new
    /// relation names and new property keys.
    fn write_indexes(&mut self, out: &mut Ahead) -> Result<()> {
        self.write_lists(out, true)?;
        self.write_names(out)?;
        for (name, id) in &self.new_relations {
            // New names: nothing was there before.
            out.push(keys::relation_by_name(name), Some(id.to_be_bytes().to_vec()), None);
            out.push(keys::relation_by_id(*id), Some(name.as_bytes().to_vec()), None);
        }
        for (key, (on, before)) in &self.new_keys {
            out.push(keys::property_key(key), Some(vec![*on]), (*before != 0).then(|| vec![*before]));
        }
        Ok(())
    }

    /// Queues the changed name buckets, each read and written once: the name runs
    /// merged with the names the overlay changed.
    fn write_names(&mut self, out: &mut Ahead) -> Result<()> {
        self.join_names()?;
        if self.dirty_names == 0 && self.name_runs.is_empty() {
            return Ok(());
        }
        let memory = self.dirty_name_parts();
        let mut merge = crate::runs::Merge::new(std::mem::take(&mut self.name_runs), memory)?;
        let prefix = keys::name_bucket_key(0).len();
        while let Some(block) = merge.peek_block() {
            let key = block.get(..prefix).ok_or_else(|| StoreError::Corrupt("a name run".into()))?.to_vec();
            // The bucket's names in order, each with its parts in the order written.
            let mut changed: Vec<(String, Vec<u64>, bool)> = Vec::new();
            while merge.peek_block().is_some_and(|b| b.starts_with(&key)) {
                let Some((block, _, parts)) = merge.next_list()? else { break };
                let name = String::from_utf8(block[prefix..].to_vec())
                    .map_err(|_| StoreError::Corrupt("a name run's name".into()))?;
                let (mut ids, mut whole) = (Vec::new(), false);
                for part in parts {
                    let (part_whole, part_ids) = decode_name_part(&part)?;
                    if part_whole {
                        // The whole list as it was then: what came before is in it.
                        ids = part_ids;
                        whole = true;
                    } else {
                        ids.extend(part_ids);
                    }
                }
                ids.sort_unstable();
                ids.dedup();
                changed.push((name, ids, whole));
            }
            let old = self.value_now(&key)?;
            let bytes = match old.as_deref() {
                // Nothing there before: the lists are what was written.
                None => bucket::encode(changed.iter().map(|(n, ids, _)| (n.as_str(), ids.as_slice()))),
                Some(old) => {
                    let mut all = bucket::decode(old)?;
                    for (n, ids, whole) in changed {
                        if whole {
                            all.insert(n, ids);
                        } else {
                            // Ids added to a list not read: merged into the engine's.
                            let list = all.entry(n).or_default();
                            list.extend_from_slice(&ids);
                            list.sort_unstable();
                            list.dedup();
                        }
                    }
                    bucket::encode(all.iter().map(|(n, ids)| (n.as_str(), ids.as_slice())))
                }
            };
            out.push(key, (!bytes.is_empty()).then_some(bytes), old);
            self.write_ahead(out, false)?;
        }
        self.names_written();
        self.names_ahead = true;
        Ok(())
    }

    /// Marks every name the overlay changed as written (to a run or the engine).
    fn names_written(&mut self) {
        for e in self.names.values_mut() {
            e.dirty = false;
        }
        self.dirty_names = 0;
    }

    /// The names the overlay changed as run parts, sorted by bucket and name: the
    /// block is the bucket's key followed by the name, the bytes whether the ids are
    /// the whole list and then the ids (`decode_name_part`).
    fn dirty_name_parts(&self) -> Vec<crate::runs::Part> {
        dirty_names_sorted(&self.names).into_iter().map(name_part).collect()
    }

    /// Waits for the run of names a spill is writing on a thread of its own, and puts
    /// it after the other runs of names; refuses everything after a failure.
    fn join_names(&mut self) -> Result<()> {
        let Some(writing) = self.names_writing.take() else { return Ok(()) };
        let joined = writing.join().unwrap_or_else(|_| Err(StoreError::Engine("writing a load's names failed".into())));
        let run = self.rolled_back_on_error(joined)?;
        self.name_runs.extend(run);
        Ok(())
    }

    /// Writes the names the overlay changed to a new name run (a spill's names), and
    /// lets them go from the overlay's counts; the caller drops the map.
    fn write_name_run(&mut self) -> Result<()> {
        if self.dirty_names == 0 {
            return Ok(());
        }
        if let Some(run) = name_run(&self.scratch_dir(), &self.names)? {
            self.name_runs.push(run);
        }
        self.names_written();
        Ok(())
    }

    /// Merges the name runs into their buckets ahead of the commit, so that a name can
    /// be read from the engine; refuses everything after a failure.
    fn flush_name_runs(&mut self) -> Result<()> {
        let mut out = Ahead::default();
        let flushed = self.write_names(&mut out).and_then(|()| self.write_ahead(&mut out, true));
        self.rolled_back_on_error(flushed)
    }

    /// Writes what `out` holds to the engine ahead of the commit once it is a batch's
    /// worth (or whenever `all`), each key's old value journaled the first time this
    /// transaction writes it. The first batch sets the spilling flag, and shuts the
    /// gate to other threads before it.
    fn write_ahead(&mut self, out: &mut Ahead, all: bool) -> Result<()> {
        if out.writes.is_empty() || (!all && out.bytes < self.batch_bytes) {
            return Ok(());
        }
        let _own = self.store.kv.reading();
        let mut batch: Vec<crate::kv::Write> = Vec::with_capacity(2 * out.writes.len() + 1);
        if self.gate.is_none() {
            // A journal left by a load that committed but was stopped before it
            // removed it must go first: a rollback would otherwise put it back.
            self.store.settle_journal()?;
            self.gate = Some(self.store.kv.close_gate());
            batch.push((keys::META_SPILLING.to_vec(), Some(vec![1])));
            batch.push((keys::META_JOURNAL.to_vec(), Some(vec![1])));
        }
        // Applied in parts, in order, each write in the part with its journal entry
        // (a part applied is then as safe as a whole batch: what it wrote, its
        // journal takes back), the first with the marks above.
        let (mut bytes, part) = (0, apply_bytes());
        for (key, value, old) in std::mem::take(&mut out.writes) {
            if bytes >= part {
                self.store.kv.apply(std::mem::take(&mut batch))?;
                failpoint::hit("spill:part-applied");
                bytes = 0;
            }
            bytes += value.as_ref().map_or(0, Vec::len);
            if self.spilled.insert(key.clone()) {
                let journal = match old {
                    Some(old) => [&[1u8][..], &old].concat(),
                    None => vec![0],
                };
                batch.push((keys::undo(&key), Some(journal)));
            }
            batch.push((key, value));
        }
        out.bytes = 0;
        self.store.kv.apply(batch)?;
        failpoint::hit("spill:applied");
        // Flushed batch by batch: sled's open scans the log written since the stable
        // point its newest segment header records, so a long unflushed stretch here
        // would be read again by every later open (measured: 250 ms instead of 50).
        self.store.kv.flush()?;
        Ok(())
    }

    /// Takes back what spills wrote, after a failure or a drop: the engine as it was.
    /// If that fails, the store is closed for good and its next open rolls back.
    fn roll_back(&mut self) {
        // A run of names still being written is waited for and let go: left to run
        // on, its thread would hold the names (hundreds of MB in a large load) and an
        // open file in the store's directory past the transaction's end.
        if let Some(writing) = self.names_writing.take() {
            let _ = writing.join();
        }
        let _own = self.store.kv.reading();
        self.finished = true;
        if self.gate.is_none() {
            return;
        }
        if let Err(e) = self.store.settle_journal() {
            self.store.kv.poison(format!(
                "a load that wrote ahead of its commit could not be taken back ({e}); reopen the store to finish \
                 taking it back"
            ));
        }
    }

    // ---- commit --------------------------------------------------------------------

    /// Writes everything atomically and flushes it to disk before returning.
    ///
    /// A transaction that has not spilled is one engine batch. One that has writes the
    /// rest of itself ahead too, in journaled batches, and then commits with one small
    /// batch (the counters, and the spilling flag removed): before that batch is on
    /// disk, an open rolls the whole transaction back; after it, the journal is
    /// garbage, removed here or by the next open.
    pub fn commit(self) -> Result<Counts> {
        self.commit_keeping_undo(false).map(|(counts, _)| counts)
    }

    /// Commits, as `commit`, and returns what takes the commit back (`Store::undo`):
    /// for a query whose clauses each commit, so that the query can fail as a whole.
    /// `None` for a transaction that spilled (its records went ahead of the commit,
    /// outside the batch the undo is made from).
    pub fn commit_undoable(self) -> Result<(Counts, Option<Undo>)> {
        self.commit_keeping_undo(true)
    }

    fn commit_keeping_undo(mut self, keep: bool) -> Result<(Counts, Option<Undo>)> {
        if let Some(why) = &self.failed {
            return Err(StoreError::Engine(format!("this transaction was rolled back: {why}")));
        }
        let _own = self.store.kv.reading();
        let t0 = std::time::Instant::now();
        let mut out = Ahead::default();
        // A commit larger than a batch writes ahead too, as it goes.
        let written: Result<bool> = (|| {
            self.write_records(&mut out, true)?;
            self.write_indexes(&mut out)?;
            let spill = self.gate.is_some();
            if spill {
                self.write_ahead(&mut out, true)?;
            }
            Ok(spill)
        })();
        let spill = match written {
            Ok(spill) => spill,
            Err(e) => {
                self.roll_back();
                return Err(e);
            }
        };
        let meta = |k: &[u8], v: u64| (k.to_vec(), Some(v.to_be_bytes().to_vec()));
        let mut writes: Vec<crate::kv::Write> = vec![
            meta(keys::META_NEXT_ENTITY, self.next_entity),
            meta(keys::META_NEXT_STATEMENT, self.next_statement),
            meta(keys::META_NEXT_RELATION, u64::from(self.next_relation)),
            meta(keys::META_COUNT_ENTITIES, self.counts.entities),
            meta(keys::META_COUNT_STATEMENTS, self.counts.statements),
            meta(keys::META_COUNT_EVIDENCE, self.counts.evidence),
            meta(keys::META_COMMITS, self.store.meta_u64(keys::META_COMMITS)?.wrapping_add(1)),
        ];
        let keeps_keys = self.store.property_keys.read().unwrap_or_else(|p| p.into_inner()).is_some();
        if keeps_keys && !self.keys_overflow {
            // The property keys stay whole through this commit (`META_PROPERTY_KEYS`).
            writes.push(meta(keys::META_PROPERTY_KEYS, self.store.meta_u64(keys::META_COMMITS)?.wrapping_add(1)));
        } else if keeps_keys {
            writes.push((keys::META_PROPERTY_KEYS.to_vec(), None));
        }
        // What each key holds now, so that a batch that fails part-way (sled leaves the
        // keys before a failed read applied, and flushes them later) or fails to flush
        // can be taken back out: a failed commit leaves nothing of itself.
        let mut undo = writes.iter().map(|(k, _)| Ok((k.clone(), self.store.kv.get(k)?))).collect::<Result<Vec<_>>>();
        if spill {
            writes.push((keys::META_SPILLING.to_vec(), None));
            if let Ok(undo) = &mut undo {
                undo.push((keys::META_SPILLING.to_vec(), Some(vec![1])));
            }
        }
        for (key, value, old) in out.writes {
            writes.push((key.clone(), value));
            if let Ok(undo) = &mut undo {
                undo.push((key, old));
            }
        }
        let undo = match undo {
            Ok(undo) => undo,
            Err(e) => {
                self.roll_back();
                return Err(e);
            }
        };
        // Sorted keys let sled fill each leaf in order instead of hopping between them.
        writes.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let t1 = t0.elapsed();
        let nw = writes.len() + self.spilled.len();
        let bytes: usize = writes.iter().map(|w| w.0.len() + w.1.as_ref().map_or(0, Vec::len)).sum();
        let mut t2 = t1;
        // The new keys are known before anything written under them can be read: a
        // reader in between would be told that a key it reads is nowhere. (Known a
        // moment early, a key is at worst not noted.) Taken back if the commit fails.
        let known_keys = self.publish_keys();
        let committed = self.store.kv.apply(writes).and_then(|()| {
            failpoint::hit("commit:applied");
            t2 = t0.elapsed();
            self.store.kv.flush()
        });
        if let Err(e) = committed {
            let e = take_back(self.store, undo, e);
            self.unpublish_keys(known_keys);
            self.roll_back();
            return Err(e);
        }
        self.finished = true;
        failpoint::hit("commit:flushed");
        if spill {
            // Committed: the journal is garbage now. If this fails, the next open (or
            // the next spill) removes it.
            let _ = self.store.settle_journal();
        }
        if bytes >= CHECKPOINT_BYTES || spill {
            // The batch is durable once flushed: the commit has succeeded whatever the
            // checkpoint says. A checkpoint that failed leaves the engine closed, and
            // the next read reports that.
            let _ = self.store.kv.checkpoint();
        }
        *self.store.last_commit.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(CommitStats { encode: t1, apply: t2 - t1, flush: t0.elapsed() - t2, writes: nw, bytes });
        let generation = self.store.generation.fetch_add(1, std::sync::atomic::Ordering::Release) + 1;
        if self.rewrote {
            self.store.rewrites.fetch_add(1, std::sync::atomic::Ordering::Release);
        }
        let new_relations = std::mem::take(&mut self.new_relations);
        let new_keys = std::mem::take(&mut self.new_keys);
        let undo = (keep && !spill).then(|| Undo {
            generation,
            // Ids are never reused and the commit count only grows: those stay.
            writes: undo.into_iter().filter(|(k, _)| !KEPT_BY_UNDO.contains(&k.as_slice())).collect(),
            relations: new_relations.iter().map(|(_, id)| *id).collect(),
            property_keys: new_keys.iter().map(|(k, (_, before))| (k.clone(), *before)).collect(),
            keys_overflowed: self.keys_overflow,
        });
        let mut rels = self.store.relations.write().unwrap_or_else(|p| p.into_inner());
        for (name, id) in new_relations {
            rels.by_id.insert(id, name.clone());
            rels.by_name.insert(name, id);
        }
        Ok((self.counts, undo))
    }
}

/// Property keys a store keeps at most (`Store::property_keys`): past them, a commit
/// stops keeping them rather than hold one engine key and an entry in memory each
/// (160,000 keys, one per entity of an import, took 12 s and 1.6 GB).
pub const MAX_PROPERTY_KEYS: usize = 10_000;

/// The meta keys an undo leaves as they are: the id counters (an id handed out is
/// never handed out again) and the commit count (an undo is one more commit).
const KEPT_BY_UNDO: &[&[u8]] =
    &[keys::META_NEXT_ENTITY, keys::META_NEXT_STATEMENT, keys::META_NEXT_RELATION, keys::META_COMMITS];

/// What takes a commit back: every key it wrote, with what the key held before.
/// Made by `Transaction::commit_undoable`, used by `Store::undo`.
#[derive(Debug)]
pub struct Undo {
    /// `Store::generation` just after the commit.
    generation: u64,
    writes: Vec<crate::kv::Write>,
    /// Relation names the commit introduced.
    relations: Vec<u32>,
    /// Property keys the commit introduced or spread, each with where it was before
    /// (0: nowhere).
    property_keys: Vec<(String, u8)>,
    /// Whether the commit stopped the store keeping its keys (`MAX_PROPERTY_KEYS`):
    /// undone, the store keeps them again, as they were before it.
    keys_overflowed: bool,
}

impl Undo {
    /// About how many bytes it holds: the keys and the values they held.
    pub fn bytes(&self) -> usize {
        self.writes.iter().map(|(k, v)| k.len() + v.as_ref().map_or(0, Vec::len)).sum()
    }
}

impl Store {
    /// Takes back the commits the undos came from (given in the order they were
    /// made), atomically, if nothing else has committed since the first of them:
    /// the store is then as it was before it, but for the id counters (ids are never
    /// reused). Otherwise nothing is changed and the answer is an error: another
    /// writer's commit may build on what they wrote.
    pub fn undo(&self, undos: Vec<Undo>) -> Result<()> {
        if undos.is_empty() {
            return Ok(());
        }
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        let _guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let _own = self.kv.reading();
        let now = self.generation();
        let first = undos[0].generation;
        let consecutive = undos.iter().enumerate().all(|(i, u)| u.generation == first + i as u64);
        if !consecutive || now != first + undos.len() as u64 - 1 {
            return Err(StoreError::Invalid(
                "the store was written to by someone else meanwhile, so the failed query's writes are kept".into(),
            ));
        }
        // The earliest value of each key is what it held before the first commit.
        let mut before: std::collections::BTreeMap<Vec<u8>, Option<Vec<u8>>> = Default::default();
        let mut relations = Vec::new();
        let mut property_keys = Vec::new();
        let mut overflowed = false;
        for u in undos.into_iter().rev() {
            for (k, v) in u.writes {
                before.insert(k, v);
            }
            relations.extend(u.relations);
            property_keys.extend(u.property_keys);
            overflowed |= u.keys_overflowed;
        }
        let commits = self.meta_u64(keys::META_COMMITS)?.wrapping_add(1);
        before.insert(keys::META_COMMITS.to_vec(), Some(commits.to_be_bytes().to_vec()));
        // The keys were kept before the first commit undone if they are now, or if one
        // of the commits stopped keeping them.
        if overflowed || self.property_keys.read().unwrap_or_else(|p| p.into_inner()).is_some() {
            before.insert(keys::META_PROPERTY_KEYS.to_vec(), Some(commits.to_be_bytes().to_vec()));
        }
        let mut redo = Vec::with_capacity(before.len());
        for k in before.keys() {
            redo.push((k.clone(), self.kv.get(k)?));
        }
        let writes: Vec<crate::kv::Write> = before.into_iter().collect();
        if let Err(e) = self.kv.apply(writes).and_then(|()| self.kv.flush()) {
            return Err(take_back(self, redo, e));
        }
        self.generation.fetch_add(1, std::sync::atomic::Ordering::Release);
        // Statements may have changed under ids a derived structure has seen.
        self.rewrites.fetch_add(1, std::sync::atomic::Ordering::Release);
        let mut rels = self.relations.write().unwrap_or_else(|p| p.into_inner());
        for id in relations {
            if let Some(name) = rels.by_id.remove(&id) {
                rels.by_name.remove(&name);
            }
        }
        if overflowed {
            // What was kept before is back on disk: read it.
            return self.load_property_keys();
        }
        if let Some(known) = self.property_keys.write().unwrap_or_else(|p| p.into_inner()).as_mut() {
            // Gathered latest first: each key ends as it was before the earliest.
            for (key, before) in property_keys {
                known.set(&key, before);
            }
        }
        Ok(())
    }
}

/// A set of entities, one bit per id for the ids a store hands out in order (a
/// transaction of 10,000,000 statements knows the class of 1,500,000 entities: a hash
/// map of them took 36 MB, the bits 190 KB), and a map for ids past
/// `EntityBits::DENSE` (an import may name any id).
#[derive(Default)]
struct EntityBits {
    dense: fixedbitset::FixedBitSet,
    sparse: HashSet<EntityId>,
}

impl EntityBits {
    /// Ids below this are bits (32 MB of them at most).
    const DENSE: u64 = 1 << 28;

    fn contains(&self, id: EntityId) -> bool {
        match id.0 < EntityBits::DENSE {
            true => self.dense.contains(id.0 as usize),
            false => self.sparse.contains(&id),
        }
    }

    fn insert(&mut self, id: EntityId) {
        if id.0 < EntityBits::DENSE {
            let i = id.0 as usize;
            if i >= self.dense.len() {
                self.dense.grow((i + 1).next_power_of_two().min(EntityBits::DENSE as usize));
            }
            self.dense.insert(i);
        } else {
            self.sparse.insert(id);
        }
    }

    fn remove(&mut self, id: EntityId) {
        match id.0 < EntityBits::DENSE {
            true if (id.0 as usize) < self.dense.len() => self.dense.set(id.0 as usize, false),
            true => {}
            false => {
                self.sparse.remove(&id);
            }
        }
    }
}

/// Statements that may duplicate a new one: those with the same subject, relation and
/// far end, found by a 64-bit hash of the three. A bulk load holds one entry per
/// statement, so the common case (one statement per hash) is 16 bytes in a flat map;
/// more, and hash collisions, go to a side map. Callers compare the statements found
/// (`identity`), so a collision costs a read, never a wrong merge.
#[derive(Default)]
struct Candidates {
    first: HashMap<u64, u64>,
    more: HashMap<u64, Vec<u64>>,
}

impl Candidates {
    fn hash(key: (Node, u32, Other)) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        key.hash(&mut h);
        h.finish()
    }

    fn add(&mut self, key: (Node, u32, Other), sid: u64) {
        let h = Candidates::hash(key);
        match self.first.entry(h) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(sid);
            }
            std::collections::hash_map::Entry::Occupied(_) => self.more.entry(h).or_default().push(sid),
        }
    }

    fn get(&self, key: (Node, u32, Other)) -> smallvec::SmallVec<[u64; 1]> {
        let h = Candidates::hash(key);
        let mut out = smallvec::SmallVec::new();
        if let Some(&sid) = self.first.get(&h) {
            out.push(sid);
            out.extend(self.more.get(&h).into_iter().flatten().copied());
        }
        out
    }

    fn remove(&mut self, key: (Node, u32, Other), sid: u64) {
        let h = Candidates::hash(key);
        if let Some(more) = self.more.get_mut(&h) {
            more.retain(|&s| s != sid);
        }
        if self.first.get(&h) == Some(&sid) {
            match self.more.get_mut(&h).and_then(Vec::pop) {
                Some(next) => {
                    self.first.insert(h, next);
                }
                None => {
                    self.first.remove(&h);
                }
            }
        }
        if self.more.get(&h).is_some_and(Vec::is_empty) {
            self.more.remove(&h);
        }
    }
}

/// A key, its new value and its old value (`None`: absent).
type Change = (Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>);

/// Writes queued to go ahead of a commit.
#[derive(Default)]
struct Ahead {
    writes: Vec<Change>,
    bytes: usize,
}

impl Ahead {
    fn push(&mut self, key: Vec<u8>, value: Option<Vec<u8>>, old: Option<Vec<u8>>) {
        self.bytes += key.len() + value.as_ref().map_or(0, Vec::len) + old.as_ref().map_or(0, Vec::len);
        self.writes.push((key, value, old));
    }
}

/// A changed name as a run part: the block is the bucket's key followed by the name,
/// the bytes whether the ids are the whole list and then the ids
/// (`decode_name_part`).
fn name_part((bucket, name, e): (u16, &str, &NameIds)) -> crate::runs::Part {
    let mut block = keys::name_bucket_key(bucket);
    block.extend_from_slice(name.as_bytes());
    let mut bytes = Vec::with_capacity(1 + 8 * e.ids.len());
    bytes.push(u8::from(e.whole));
    for id in &e.ids {
        bytes.extend_from_slice(&id.to_le_bytes());
    }
    (block, 0, bytes)
}

/// The names of `names` changed since they were last written, in the order of their
/// parts (by bucket, then name: a bucket's key is its number, big-endian, after one
/// tag byte), by reference, so that a run is written a part at a time: made all at
/// once, the parts were a copy of the overlay's names, 72 MB of the 238 MB at the
/// peak of a load of 10,000,000 statements (its aliases' spill).
fn dirty_names_sorted(names: &HashMap<String, NameIds>) -> Vec<(u16, &str, &NameIds)> {
    let mut dirty: Vec<(u16, &str, &NameIds)> =
        names.iter().filter(|(_, e)| e.dirty).map(|(n, e)| (keys::name_bucket_index(n), n.as_str(), e)).collect();
    dirty.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    dirty
}

/// A run of the names of `names` changed since they were last written, in `dir`;
/// `None` when none changed.
fn name_run(dir: &Path, names: &HashMap<String, NameIds>) -> Result<Option<crate::runs::Run>> {
    let dirty = dirty_names_sorted(names);
    if dirty.is_empty() {
        return Ok(None);
    }
    crate::runs::Run::write(dir, dirty.into_iter().map(name_part)).map(Some)
}

/// A list's encoding after appending `parts` (each an encoded list) to `existing`.
///
/// A postcard sequence is its length as a varint, then its elements each encoded on
/// its own, so the lists are joined as bytes: a new length, then each one's elements.
/// Decoding them all and encoding the whole again was most of a large commit's merge
/// (a hub's list holds millions of entries). The element type is named for the
/// checks that the parts are lists of it: the first list's elements are decoded when
/// it is short, and every part's length must be a varint that its bytes can hold.
fn concat<T: serde::Serialize + serde::de::DeserializeOwned>(existing: &[u8], parts: &[Vec<u8>]) -> Result<Vec<u8>> {
    let mut count = 0u64;
    let mut bodies: Vec<&[u8]> = Vec::with_capacity(parts.len() + 1);
    for (i, list) in std::iter::once(existing).chain(parts.iter().map(Vec::as_slice)).enumerate() {
        if i == 0 && list.is_empty() {
            continue;
        }
        let what = if i == 0 { "list" } else { "list appends" };
        let (n, body) = codec::seq_length(list).ok_or_else(|| StoreError::Corrupt(format!("{what}: bad length")))?;
        // Each element takes a byte at least.
        if n > body.len() as u64 {
            return Err(StoreError::Corrupt(format!("{what}: {n} elements in {} bytes", body.len())));
        }
        if list.len() <= 256 {
            let _: Vec<T> = codec::decode(list, what)?;
        }
        count = count.checked_add(n).ok_or_else(|| StoreError::Corrupt("a list too long".into()))?;
        bodies.push(body);
    }
    let mut out = Vec::with_capacity(10 + bodies.iter().map(|b| b.len()).sum::<usize>());
    let mut n = count;
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    for body in bodies {
        out.extend_from_slice(body);
    }
    Ok(out)
}

/// Evidence merged into a statement that was already in the engine when it arrived:
/// added to its record, and in format 2 its quotes to its quotes' record.
enum Patch {
    Evidence(Vec<Evidence>),
    Quotes(Vec<String>),
}

/// Adds evidence to statements in a page of records, or quotes in a page of quotes.
fn patch(page: &mut Page, patches: Vec<(usize, Patch)>) -> Result<()> {
    for (slot, patch) in patches {
        let Some(bytes) = page.slots.get(slot).filter(|b| !b.is_empty()) else {
            return Err(StoreError::Corrupt(format!(
                "a statement gained evidence but its record is gone (slot {slot})"
            )));
        };
        let bytes = match patch {
            Patch::Evidence(evidence) => {
                let mut st: StoredStatement = codec::decode(bytes, "statement")?;
                st.evidence.extend(evidence);
                encode(&st)?
            }
            Patch::Quotes(quotes) => {
                let mut all: Vec<String> = codec::decode(bytes, "statement quotes")?;
                all.extend(quotes);
                encode(&all)?
            }
        };
        page.set(slot, bytes);
    }
    Ok(())
}

impl Drop for Transaction<'_> {
    /// A transaction dropped uncommitted after spilling takes its spills back.
    fn drop(&mut self) {
        if !self.finished {
            self.roll_back();
        }
    }
}

fn value_bytes(v: &Value) -> usize {
    match v {
        Value::Str(s) => s.len(),
        Value::Temporal(t) => t.text.len(),
        Value::List(items) => 8 + items.iter().map(value_bytes).sum::<usize>(),
        _ => 8,
    }
}

fn evidence_bytes(ev: &Evidence) -> usize {
    48 + ev.quote.len()
}

/// Roughly what a statement occupies in the overlay beyond its fixed part.
fn statement_bytes(st: &StoredStatement) -> usize {
    let object = match &st.object {
        Object::Literal(v) => value_bytes(v),
        Object::Node(_) => 0,
    };
    object
        + st.qualifiers.iter().map(|(k, v)| k.len() + 32 + value_bytes(v)).sum::<usize>()
        + st.evidence.iter().map(evidence_bytes).sum::<usize>()
}

/// After a commit failed in the engine: writes back what every key of the batch held
/// before and flushes, so that neither this handle nor the disk keeps any of it. If
/// that fails too, the engine may hold part of the batch: the store is closed for good
/// (every later call fails, saying so) rather than serve it.
fn take_back(store: &Store, undo: Vec<(Vec<u8>, Option<Vec<u8>>)>, failure: StoreError) -> StoreError {
    // Readers on other threads may have built caches from the batch meanwhile.
    store.generation.fetch_add(1, std::sync::atomic::Ordering::Release);
    match store.kv.apply(undo).and_then(|()| store.kv.flush()) {
        Ok(()) => failure,
        Err(again) => {
            let uncertain = StoreError::CommitUncertain { failure: failure.to_string(), undo: again.to_string() };
            store.kv.poison(uncertain.to_string());
            uncertain
        }
    }
}

fn same_evidence(a: &Evidence, b: &Evidence) -> bool {
    a.document == b.document && a.quote == b.quote && a.attribution == b.attribution
}

fn not_a_document(e: &Entity) -> StoreError {
    StoreError::NotADocument { id: e.id, name: e.name.clone(), kind: e.kind.clone() }
}

/// Refuses a quote a statement's evidence cannot have: blank, or too long. For loaders
/// that check their input before they write.
pub fn check_quote(quote: &str) -> Result<()> {
    if quote.trim().is_empty() {
        return Err(StoreError::Invalid("evidence needs a quote: the words the document uses".into()));
    }
    if quote.len() > MAX_TEXT_LEN {
        return Err(StoreError::Invalid(format!("a quote is limited to {MAX_TEXT_LEN} bytes")));
    }
    Ok(())
}

/// Refuses a relation name a statement cannot have. For loaders that check their
/// input before they write.
pub fn check_relation_name(relation: &str) -> Result<()> {
    check_relation(relation)
}

/// Refuses an entity name that could never be looked up (no letter or digit) or is
/// too long: for writes that declare an entity by its name.
pub fn check_entity_name(name: &str) -> Result<()> {
    check_name(name, "an entity name")
}

fn check_name(name: &str, what: &str) -> Result<()> {
    if !crate::normalize::has_word(name) {
        return Err(StoreError::Invalid(format!("{what} needs at least one letter or digit (got {name:?})")));
    }
    if name.len() > MAX_TEXT_LEN {
        return Err(StoreError::Invalid(format!("{what} is limited to {MAX_TEXT_LEN} bytes")));
    }
    Ok(())
}

/// A kind is a word, or several joined by `:` (a node with several labels), each
/// once; a document is a `Document` and nothing else.
fn check_kind(kind: &str) -> Result<()> {
    let labels: Vec<&str> = kind_labels(kind).collect();
    if labels.len() > 1 {
        if kind.len() > 255 || labels.iter().enumerate().any(|(i, l)| labels[..i].contains(l)) {
            return Err(StoreError::Invalid(format!(
                "the labels of a node are at most 255 bytes, each once (got {kind:?})"
            )));
        }
        if labels.contains(&DOCUMENT_KIND) {
            return Err(StoreError::Invalid("a document has no other label than `Document`".into()));
        }
        return labels.into_iter().try_for_each(check_word_kind);
    }
    check_word_kind(kind)
}

fn check_word_kind(kind: &str) -> Result<()> {
    let ok = !kind.is_empty()
        && kind.len() <= 64
        && kind.chars().next().is_some_and(char::is_alphabetic)
        && kind.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "a kind is a word of letters, digits, '_' or '-' starting with a letter, at most 64 bytes (got {kind:?})"
        )))
    }
}

fn check_relation(rel: &str) -> Result<()> {
    let ok = !rel.is_empty()
        && rel.len() <= 128
        && rel.chars().next().is_some_and(char::is_alphabetic)
        && rel.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "a relation is a word of letters, digits, '_' or '-' starting with a letter, at most 128 bytes (got {rel:?})"
        )))
    }
}

fn check_value(v: &Value) -> Result<()> {
    match v {
        Value::Str(s) if s.len() > MAX_TEXT_LEN => {
            Err(StoreError::Invalid(format!("a string value is limited to {MAX_TEXT_LEN} bytes")))
        }
        Value::Float(x) if !x.is_finite() => Err(StoreError::Invalid("a float value must be finite".into())),
        Value::Temporal(t) if t.text.len() > MAX_TEMPORAL_LEN => {
            Err(StoreError::Invalid(format!("a temporal value's text is limited to {MAX_TEMPORAL_LEN} bytes")))
        }
        // As openCypher's property lists: of one type, not of lists.
        Value::List(items) => {
            if items.len() > MAX_LIST_LEN {
                return Err(StoreError::Invalid(format!("a list value is limited to {MAX_LIST_LEN} items")));
            }
            for item in items {
                if matches!(item, Value::List(_)) {
                    return Err(StoreError::Invalid("a list value cannot hold lists".into()));
                }
                if matches!(item, Value::Entity(_)) {
                    return Err(StoreError::Invalid("a list value cannot hold entities".into()));
                }
                if item.type_name() != items[0].type_name() {
                    return Err(StoreError::Invalid(format!(
                        "a list value holds values of one type (found {} and {})",
                        items[0].type_name(),
                        item.type_name()
                    )));
                }
                check_value(item)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A value that is a literal: anything but an entity, which only a statement's
/// qualifiers may hold (as a participant) so that the participant index sees it.
fn check_plain_value(v: &Value) -> Result<()> {
    if matches!(v, Value::Entity(_)) {
        return Err(StoreError::Invalid(
            "an entity is a participant in a statement's qualifiers, not a property or a literal".into(),
        ));
    }
    check_value(v)
}

/// A limit on a list value's items, so one property cannot be unbounded.
const MAX_LIST_LEN: usize = 64 * 1024;

fn check_document_text(t: &str) -> Result<()> {
    if t.len() > MAX_DOCUMENT_LEN {
        return Err(StoreError::Invalid(format!("a document's text is limited to {MAX_DOCUMENT_LEN} bytes")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Lists joined as bytes are the encoding of the joined lists, for adjacency
        /// entries and for ids, lengths past one varint byte included.
        #[test]
        fn lists_joined_as_bytes_encode_the_joined_lists(
            existing in proptest::collection::vec((0u32..300, 0u64..u64::MAX, 0u8..3), 0..200),
            parts in proptest::collection::vec(proptest::collection::vec(0u64..u64::MAX, 0..300), 0..5),
        ) {
            let entry = |&(rel, x, kind): &(u32, u64, u8)| AdjEntry {
                rel,
                other: match kind { 0 => Other::Entity(x), 1 => Other::Statement(x), _ => Other::Literal(x) },
                sid: x / 3,
            };
            let old: Vec<AdjEntry> = existing.iter().map(entry).collect();
            let appended: Vec<Vec<AdjEntry>> = parts
                .iter()
                .map(|p| p.iter().map(|&x| entry(&((x % 400) as u32, x, (x % 3) as u8))).collect())
                .collect();
            let encoded_parts: Vec<Vec<u8>> = appended.iter().map(|p| encode(p).unwrap()).collect();
            let old_bytes = if old.is_empty() { Vec::new() } else { encode(&old).unwrap() };
            let joined = concat::<AdjEntry>(&old_bytes, &encoded_parts).unwrap();
            let all: Vec<AdjEntry> = old.iter().chain(appended.iter().flatten()).copied().collect();
            proptest::prop_assert_eq!(&joined, &encode(&all).unwrap());
            let ids: Vec<Vec<u8>> = parts.iter().map(|p| encode(p).unwrap()).collect();
            let all_ids: Vec<u64> = parts.iter().flatten().copied().collect();
            proptest::prop_assert_eq!(concat::<u64>(&[], &ids).unwrap(), encode(&all_ids).unwrap());
        }
    }

    /// A damaged list is refused, not joined: a length no varint holds, or more
    /// elements than bytes.
    #[test]
    fn a_damaged_list_is_refused_when_joined() {
        let good = encode(&vec![1u64, 2, 3]).unwrap();
        assert!(concat::<u64>(&[0xff; 11], std::slice::from_ref(&good)).is_err());
        assert!(concat::<u64>(&good, &[vec![200]]).is_err(), "200 elements in no bytes");
        assert!(concat::<u64>(&good, &[vec![0x80]]).is_err(), "a length cut short");
        assert_eq!(concat::<u64>(&good, &[encode(&Vec::<u64>::new()).unwrap()]).unwrap(), good);
    }

    /// Ids below the dense limit are bits, those past it a map; both are found,
    /// removed, and never confused, and a remove past the bits is a no-op.
    #[test]
    fn entity_bits_hold_dense_and_scattered_ids() {
        let mut bits = EntityBits::default();
        let ids = [0, 1, 63, 64, 1_500_000, EntityBits::DENSE - 1, EntityBits::DENSE, u64::MAX];
        for &i in &ids {
            assert!(!bits.contains(EntityId(i)));
            bits.insert(EntityId(i));
        }
        assert!(ids.iter().all(|&i| bits.contains(EntityId(i))));
        assert!(!bits.contains(EntityId(2)) && !bits.contains(EntityId(EntityBits::DENSE + 1)));
        assert!(bits.dense.len() <= EntityBits::DENSE as usize, "the bits stop at the limit");
        for &i in &ids[..4] {
            bits.remove(EntityId(i));
        }
        bits.remove(EntityId(u64::MAX));
        bits.remove(EntityId(EntityBits::DENSE - 2));
        assert!(ids[..4].iter().all(|&i| !bits.contains(EntityId(i))));
        assert!(!bits.contains(EntityId(u64::MAX)));
        assert!(bits.contains(EntityId(1_500_000)) && bits.contains(EntityId(EntityBits::DENSE)));
    }
}

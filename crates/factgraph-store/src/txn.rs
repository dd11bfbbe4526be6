//! Write transactions: an in-memory overlay of everything a batch touches, turned into
//! one atomic sled batch and flushed on commit.
//!
//! Reads inside a transaction see its own writes. Every operation validates fully
//! before it changes the overlay, so a refused operation leaves the transaction as it
//! was; dropping a transaction without `commit` writes nothing.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::MutexGuard;

use crate::codec::{self, bucket, encode, AdjEntry, Other, Page, StoredStatement};
use crate::error::{Result, StoreError};
use crate::failpoint;
use crate::keys::{self, List};
use crate::kv::Kv as _;
use crate::model::{
    Alias, Direction, Entity, EntityId, Evidence, NewStatement, Node, Object, Properties, StatementId, Value,
    DOCUMENT_KIND, MAX_DOCUMENT_LEN, MAX_TEXT_LEN,
};
use crate::normalize::normalize;
use crate::quote;
use crate::store::{CommitStats, Counts, Store};

/// A commit writing at least this much checkpoints the engine (see `Kv::checkpoint`).
const CHECKPOINT_BYTES: usize = 32 * 1024 * 1024;

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
    next_entity: u64,
    next_statement: u64,
    next_relation: u32,
    counts: Counts,
    entities: HashMap<EntityId, Option<Entity>>,
    dirty_entities: HashSet<EntityId>,
    names: HashMap<String, Vec<u64>>,
    dirty_names: HashSet<String>,
    texts: HashMap<EntityId, Option<String>>,
    dirty_texts: HashSet<EntityId>,
    statements: HashMap<StatementId, Option<StoredStatement>>,
    adjacency: HashMap<(Node, Direction), Vec<AdjEntry>>,
    dirty_adjacency: HashSet<(Node, Direction)>,
    id_lists: HashMap<List, Vec<u64>>,
    dirty_ids: HashSet<List>,
    // Nearly every (subject, relation, far end) has one statement: keep it inline.
    candidates: HashMap<(Node, u32, Other), smallvec::SmallVec<[u64; 1]>>,
    candidates_loaded: HashSet<Node>,
    relations: HashMap<String, u32>,
    new_relations: Vec<(String, u32)>,
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
            next_entity,
            next_statement,
            next_relation,
            counts: store.counts()?,
            entities: HashMap::default(),
            dirty_entities: HashSet::default(),
            names: HashMap::default(),
            dirty_names: HashSet::default(),
            texts: HashMap::default(),
            dirty_texts: HashSet::default(),
            statements: HashMap::default(),
            adjacency: HashMap::default(),
            dirty_adjacency: HashSet::default(),
            id_lists: HashMap::default(),
            dirty_ids: HashSet::default(),
            candidates: HashMap::default(),
            candidates_loaded: HashSet::default(),
            relations: relations.into_iter().collect(),
            new_relations: Vec::new(),
        })
    }

    /// The store this transaction writes to.
    pub fn store(&self) -> &'s Store {
        self.store
    }

    // ---- reads through the overlay -------------------------------------------------

    fn load_entity(&mut self, id: EntityId) -> Result<Option<&Entity>> {
        if !self.entities.contains_key(&id) {
            let loaded = if self.fresh || id.0 >= self.next_entity { None } else { self.store.entity(id)? };
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

    fn name_list(&mut self, normalized: &str) -> Result<&mut Vec<u64>> {
        if !self.names.contains_key(normalized) {
            let ids = if self.fresh {
                Vec::new()
            } else {
                self.store.lookup_normalized(normalized)?.into_iter().map(|e| e.0).collect()
            };
            self.names.insert(normalized.to_owned(), ids);
        }
        Ok(self.names.get_mut(normalized).expect("inserted above"))
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
        let wanted = normalize(name);
        let mut ids = self.lookup(name)?;
        ids.sort();
        for id in ids {
            if let Some(e) = self.entity(id)? {
                if normalize(&e.name) == wanted && kind.is_none_or(|k| e.kind == k) {
                    return Ok(Some(e));
                }
            }
        }
        Ok(None)
    }

    fn read_statement(&self, id: StatementId) -> Result<Option<StoredStatement>> {
        match self.statements.get(&id) {
            Some(s) => Ok(s.clone()),
            None if self.fresh || id.0 >= self.next_statement => Ok(None),
            None => self.store.stored_statement(id),
        }
    }

    /// True when the statement exists as this transaction sees it.
    pub fn statement_exists(&self, id: StatementId) -> Result<bool> {
        Ok(self.read_statement(id)?.is_some())
    }

    /// An adjacency list, loaded on first touch and marked as changed.
    fn adjacency_mut(&mut self, node: Node, dir: Direction) -> Result<&mut Vec<AdjEntry>> {
        let key = (node, dir);
        if !self.adjacency.contains_key(&key) {
            let list = if self.fresh { Vec::new() } else { self.store.read_adjacency(node, dir)? };
            self.adjacency.insert(key, list);
        }
        self.dirty_adjacency.insert(key);
        Ok(self.adjacency.get_mut(&key).expect("inserted above"))
    }

    /// An adjacency list, read only.
    fn adjacency(&mut self, node: Node, dir: Direction) -> Result<&[AdjEntry]> {
        let key = (node, dir);
        if !self.adjacency.contains_key(&key) {
            let list = if self.fresh { Vec::new() } else { self.store.read_adjacency(node, dir)? };
            self.adjacency.insert(key, list);
        }
        Ok(self.adjacency.get(&key).expect("inserted above"))
    }

    /// A list of ids, loaded on first touch and marked as changed.
    fn ids_mut(&mut self, list: List) -> Result<&mut Vec<u64>> {
        if !self.id_lists.contains_key(&list) {
            let ids = if self.fresh { Vec::new() } else { self.store.read_ids(&list)? };
            self.id_lists.insert(list.clone(), ids);
        }
        self.dirty_ids.insert(list.clone());
        Ok(self.id_lists.get_mut(&list).expect("inserted above"))
    }

    /// A list of ids, read only.
    fn ids(&mut self, list: List) -> Result<&[u64]> {
        if !self.id_lists.contains_key(&list) {
            let ids = if self.fresh { Vec::new() } else { self.store.read_ids(&list)? };
            self.id_lists.insert(list.clone(), ids);
        }
        Ok(self.id_lists.get(&list).expect("inserted above"))
    }

    /// A document's text as this transaction sees it.
    pub fn document_text(&mut self, doc: EntityId) -> Result<Option<&str>> {
        if !self.texts.contains_key(&doc) {
            let text = if self.fresh { None } else { self.store.document_text(doc)? };
            self.texts.insert(doc, text);
        }
        Ok(self.texts.get(&doc).and_then(|t| t.as_deref()))
    }

    // ---- entities ------------------------------------------------------------------

    /// Makes room for a batch of about this many new statements (a hint for bulk loads).
    pub fn reserve(&mut self, statements: usize) {
        self.statements.reserve(statements);
        self.candidates.reserve(statements);
    }

    /// Creates a new entity. Names need not be unique: lookups return every candidate.
    /// The empty name makes an unnamed entity (openCypher's `CREATE ()`), found by
    /// kind, property or relationship but never by name.
    pub fn create_entity(&mut self, name: &str, kind: &str) -> Result<EntityId> {
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
            self.index_name(name, id)?;
        }
        self.ids_mut(List::Kind(kind.to_owned()))?.push(id.0);
        self.entities.insert(id, Some(entity));
        self.dirty_entities.insert(id);
        self.counts.entities += 1;
        Ok(id)
    }

    /// Creates a document: an entity of kind Document, with properties (`outlet`,
    /// `title`, `published`, …) and, where available, its full text.
    pub fn create_document(&mut self, name: &str, properties: Properties, text: Option<String>) -> Result<EntityId> {
        check_name(name, "a document name")?;
        for key in properties.keys() {
            check_name(key, "a property name")?;
        }
        if let Some(t) = &text {
            check_document_text(t)?;
        }
        let id = self.create_entity(name, DOCUMENT_KIND)?;
        if let Some(Some(e)) = self.entities.get_mut(&id) {
            e.properties = properties;
        }
        if let Some(t) = text {
            self.texts.insert(id, Some(t));
            self.dirty_texts.insert(id);
        }
        Ok(id)
    }

    /// Replaces a document's stored text.
    pub fn set_document_text(&mut self, doc: EntityId, text: String) -> Result<()> {
        check_document_text(&text)?;
        let e = self.require(doc)?;
        if !e.is_document() {
            return Err(not_a_document(e));
        }
        self.texts.insert(doc, Some(text));
        self.dirty_texts.insert(doc);
        Ok(())
    }

    fn index_name(&mut self, spelling: &str, id: EntityId) -> Result<()> {
        let n = normalize(spelling);
        let list = self.name_list(&n)?;
        if !list.contains(&id.0) {
            list.push(id.0);
            list.sort_unstable();
            self.dirty_names.insert(n);
        }
        Ok(())
    }

    /// Records a spelling of an entity, and (optionally) a document that uses it. The
    /// canonical name may be given too, to record which documents use it.
    pub fn add_alias(&mut self, id: EntityId, spelling: &str, document: Option<EntityId>) -> Result<()> {
        check_name(spelling, "an alias")?;
        if let Some(doc) = document {
            let d = self.require(doc)?;
            if !d.is_document() {
                return Err(not_a_document(d));
            }
        }
        self.require(id)?;
        self.index_name(spelling, id)?;
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
        Ok(())
    }

    /// Sets a typed property on an entity.
    pub fn set_property(&mut self, id: EntityId, key: &str, value: Value) -> Result<()> {
        check_name(key, "a property name")?;
        check_value(&value)?;
        self.require(id)?;
        if let Some(Some(e)) = self.entities.get_mut(&id) {
            e.properties.insert(key.to_owned(), value);
        }
        self.dirty_entities.insert(id);
        Ok(())
    }

    /// Deletes an entity nothing refers to: no statements, evidence or attributions.
    pub fn delete_entity(&mut self, id: EntityId) -> Result<()> {
        let entity = self.require(id)?.clone();
        let node = Node::Entity(id);
        let referred = !self.adjacency(node, Direction::Out)?.is_empty()
            || !self.adjacency(node, Direction::In)?.is_empty()
            || !self.ids(List::Document(id))?.is_empty()
            || !self.ids(List::Attribution(id))?.is_empty();
        if referred {
            return Err(StoreError::InUseEntity(id));
        }
        for spelling in entity.spellings() {
            let n = normalize(spelling);
            let list = self.name_list(&n)?;
            list.retain(|&e| e != id.0);
            self.dirty_names.insert(n);
        }
        self.ids_mut(List::Kind(entity.kind.clone()))?.retain(|&e| e != id.0);
        if entity.is_document() {
            self.texts.insert(id, None);
            self.dirty_texts.insert(id);
        }
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
            Node::Entity(e) => self.require(e).map(|_| ()),
            Node::Statement(s) => {
                if self.read_statement(s)?.is_some() {
                    Ok(())
                } else {
                    Err(StoreError::NoSuchStatement(s))
                }
            }
        }
    }

    fn check_evidence(&mut self, ev: &Evidence) -> Result<()> {
        if ev.quote.trim().is_empty() {
            return Err(StoreError::Invalid("evidence needs a quote: the words the document uses".into()));
        }
        if ev.quote.len() > MAX_TEXT_LEN {
            return Err(StoreError::Invalid(format!("a quote is limited to {MAX_TEXT_LEN} bytes")));
        }
        let doc = self.require(ev.document)?;
        if !doc.is_document() {
            return Err(not_a_document(doc));
        }
        if let Some(a) = ev.attribution {
            self.require(a)?;
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

    /// Candidate duplicates of a statement: same subject, relation and far end.
    fn candidates(&mut self, subject: Node, rel: u32, other: Other) -> Result<smallvec::SmallVec<[u64; 1]>> {
        if !self.fresh && !self.candidates_loaded.contains(&subject) {
            let entries: Vec<AdjEntry> = self.adjacency(subject, Direction::Out)?.to_vec();
            for a in entries {
                self.candidates.entry((subject, a.rel, a.other)).or_default().push(a.sid);
            }
            self.candidates_loaded.insert(subject);
        }
        Ok(self.candidates.get(&(subject, rel, other)).cloned().unwrap_or_default())
    }

    /// Adds a statement with its evidence. A statement with the same subject, relation,
    /// object and qualifiers as an existing one is that statement: its new evidence is
    /// merged in and nothing else changes.
    pub fn add_statement(&mut self, new: NewStatement) -> Result<Added> {
        self.add(new, true)
    }

    /// Adds a new statement even when one with the same content exists: openCypher's
    /// `CREATE`, where two identical relationships created are two.
    pub fn create_statement(&mut self, new: NewStatement) -> Result<StatementId> {
        match self.add(new, false)? {
            Added::Created(id) | Added::Merged { id, .. } => Ok(id),
        }
    }

    fn add(&mut self, new: NewStatement, merge: bool) -> Result<Added> {
        if new.evidence.is_empty() {
            return Err(StoreError::NoEvidence);
        }
        check_relation(&new.relation)?;
        self.check_node(new.subject)?;
        if let Object::Node(n) = new.object {
            self.check_node(n)?;
        }
        if let Object::Literal(v) = &new.object {
            check_value(v)?;
        }
        for (k, v) in &new.qualifiers {
            check_name(k, "a qualifier name")?;
            check_value(v)?;
        }
        for ev in &new.evidence {
            self.check_evidence(ev)?;
        }
        // Validation is over; from here on nothing fails except storage reads.
        let rel = self.intern_relation(&new.relation);
        let other = Other::of_object(&new.object);
        let identity = codec::identity(new.subject, rel, &new.object, &new.qualifiers);
        let candidates = if merge { self.candidates(new.subject, rel, other)? } else { smallvec::SmallVec::new() };
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
        self.insert_statement(id, stored)?;
        Ok(Added::Created(id))
    }

    /// Indexes and records a validated, new statement under `id`.
    fn insert_statement(&mut self, id: StatementId, stored: StoredStatement) -> Result<()> {
        let (subject, rel) = (stored.subject, stored.rel);
        let other = Other::of_object(&stored.object);
        self.adjacency_mut(subject, Direction::Out)?.push(AdjEntry { rel, other, sid: id.0 });
        if let Object::Node(n) = stored.object {
            self.adjacency_mut(n, Direction::In)?.push(AdjEntry { rel, other: Other::of_node(subject), sid: id.0 });
        }
        self.ids_mut(List::Relation(rel))?.push(id.0);
        self.index_evidence(id, &[], &stored.evidence)?;
        self.candidates.entry((subject, rel, other)).or_default().push(id.0);
        self.counts.statements += 1;
        self.counts.evidence += stored.evidence.len() as u64;
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
        if !entity.name.is_empty() || entity.is_document() {
            check_name(&entity.name, "an entity name")?;
        }
        check_kind(&entity.kind)?;
        if self.load_entity(entity.id)?.is_some() {
            return Err(StoreError::Invalid(format!("entity {} appears twice", entity.id)));
        }
        for v in entity.properties.values() {
            check_value(v)?;
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
        self.ids_mut(List::Kind(entity.kind.clone()))?.push(id.0);
        self.next_entity = self.next_entity.max(id.0.saturating_add(1));
        self.entities.insert(id, Some(entity));
        self.dirty_entities.insert(id);
        self.counts.entities += 1;
        if let Some(t) = text {
            self.texts.insert(id, Some(t));
            self.dirty_texts.insert(id);
        }
        Ok(())
    }

    /// Recreates an exported statement under its own id, evidence as it was.
    pub(crate) fn import_statement(&mut self, st: crate::model::Statement) -> Result<()> {
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
        self.insert_statement(st.id, stored)
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
            self.ids_mut(List::Document(d))?.push(id.0);
        }
        for a in whos {
            self.ids_mut(List::Attribution(a))?.push(id.0);
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
        st.evidence.extend(fresh);
        self.statements.insert(id, Some(st));
        Ok(n)
    }

    /// Removes a statement, and every statement about it (recursively).
    pub fn retract(&mut self, id: StatementId) -> Result<usize> {
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
        for ev in &st.evidence {
            self.ids_mut(List::Document(ev.document))?.retain(|&s| s != sid);
            if let Some(a) = ev.attribution {
                self.ids_mut(List::Attribution(a))?.retain(|&s| s != sid);
            }
        }
        let other = Other::of_object(&st.object);
        if let Some(c) = self.candidates.get_mut(&(st.subject, st.rel, other)) {
            c.retain(|s| *s != sid);
        }
        self.counts.statements -= 1;
        self.counts.evidence -= st.evidence.len() as u64;
        self.statements.insert(id, None);
        Ok(())
    }

    // ---- commit --------------------------------------------------------------------

    /// Writes everything as one atomic batch and flushes it to disk before returning.
    pub fn commit(self) -> Result<Counts> {
        let t0 = std::time::Instant::now();
        let mut writes: Vec<(Vec<u8>, Option<Vec<u8>>)> = Vec::new();
        // Everything that lives in a block slot, grouped by block.
        let mut blocks: HashMap<Vec<u8>, Vec<(usize, Vec<u8>)>> = HashMap::default();
        let mut put = |slot: keys::Slot, bytes: Vec<u8>| blocks.entry(slot.block).or_default().push((slot.slot, bytes));
        for id in &self.dirty_entities {
            let bytes = match self.entities.get(id).and_then(Option::as_ref) {
                Some(e) => codec::encode_entity(e)?,
                None => Vec::new(),
            };
            put(keys::entity(*id), bytes);
        }
        for (id, st) in &self.statements {
            put(
                keys::statement(*id),
                match st {
                    Some(s) => encode(s)?,
                    None => Vec::new(),
                },
            );
        }
        for key in &self.dirty_adjacency {
            let list = &self.adjacency[key];
            put(List::Adjacency(key.0, key.1).slot(), if list.is_empty() { Vec::new() } else { encode(list)? });
        }
        for key in &self.dirty_ids {
            let list = &self.id_lists[key];
            put(key.slot(), if list.is_empty() { Vec::new() } else { encode(list)? });
        }
        for (block, slots) in blocks {
            let mut page = if self.fresh {
                Page::default()
            } else {
                match self.store.kv.get(&block)? {
                    Some(bytes) => Page::decode(&bytes)?,
                    None => Page::default(),
                }
            };
            for (slot, bytes) in slots {
                page.set(slot, bytes);
            }
            writes.push((block, if page.is_empty() { None } else { Some(page.encode()) }));
        }
        let mut buckets: HashMap<Vec<u8>, Vec<&String>> = HashMap::default();
        for n in &self.dirty_names {
            buckets.entry(keys::name_bucket(n)).or_default().push(n);
        }
        for (key, names) in buckets {
            let mut all = if self.fresh {
                Default::default()
            } else {
                match self.store.kv.get(&key)? {
                    Some(bytes) => bucket::decode(&bytes)?,
                    None => Default::default(),
                }
            };
            for n in names {
                all.insert(n.clone(), self.names[n].clone());
            }
            let bytes = bucket::encode(&all);
            writes.push((key, if bytes.is_empty() { None } else { Some(bytes) }));
        }
        for id in &self.dirty_texts {
            let value = self.texts.get(id).and_then(|t| t.as_ref()).map(|t| t.as_bytes().to_vec());
            writes.push((keys::text(*id), value));
        }
        for (name, id) in &self.new_relations {
            writes.push((keys::relation_by_name(name), Some(id.to_be_bytes().to_vec())));
            writes.push((keys::relation_by_id(*id), Some(name.as_bytes().to_vec())));
        }
        let meta = |k: &[u8], v: u64| (k.to_vec(), Some(v.to_be_bytes().to_vec()));
        writes.push(meta(keys::META_NEXT_ENTITY, self.next_entity));
        writes.push(meta(keys::META_NEXT_STATEMENT, self.next_statement));
        writes.push(meta(keys::META_NEXT_RELATION, u64::from(self.next_relation)));
        writes.push(meta(keys::META_COUNT_ENTITIES, self.counts.entities));
        writes.push(meta(keys::META_COUNT_STATEMENTS, self.counts.statements));
        writes.push(meta(keys::META_COUNT_EVIDENCE, self.counts.evidence));
        // Sorted keys let sled fill each leaf in order instead of hopping between them.
        writes.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        // What each key holds now, so that a batch that fails part-way (sled leaves the
        // keys before a failed read applied, and flushes them later) or fails to flush
        // can be taken back out: a failed commit leaves nothing of itself.
        let undo = writes.iter().map(|(k, _)| Ok((k.clone(), self.store.kv.get(k)?))).collect::<Result<Vec<_>>>()?;
        let t1 = t0.elapsed();
        let nw = writes.len();
        let bytes: usize = writes.iter().map(|w| w.0.len() + w.1.as_ref().map_or(0, Vec::len)).sum();
        let mut t2 = t1;
        let committed = self.store.kv.apply(writes).and_then(|()| {
            failpoint::hit("commit:applied");
            t2 = t0.elapsed();
            self.store.kv.flush()
        });
        if let Err(e) = committed {
            return Err(take_back(self.store, undo, e));
        }
        failpoint::hit("commit:flushed");
        if bytes >= CHECKPOINT_BYTES {
            // The batch is durable once flushed: the commit has succeeded whatever the
            // checkpoint says. A checkpoint that failed leaves the engine closed, and
            // the next read reports that.
            let _ = self.store.kv.checkpoint();
        }
        *self.store.last_commit.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(CommitStats { encode: t1, apply: t2 - t1, flush: t0.elapsed() - t2, writes: nw, bytes });
        self.store.generation.fetch_add(1, std::sync::atomic::Ordering::Release);
        let mut rels = self.store.relations.write().unwrap_or_else(|p| p.into_inner());
        for (name, id) in self.new_relations {
            rels.by_id.insert(id, name.clone());
            rels.by_name.insert(name, id);
        }
        Ok(self.counts)
    }
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

/// Refuses an entity name that could never be looked up (no letter or digit) or is
/// too long: for writes that declare an entity by its name.
pub fn check_entity_name(name: &str) -> Result<()> {
    check_name(name, "an entity name")
}

fn check_name(name: &str, what: &str) -> Result<()> {
    if normalize(name).is_empty() {
        return Err(StoreError::Invalid(format!("{what} needs at least one letter or digit (got {name:?})")));
    }
    if name.len() > MAX_TEXT_LEN {
        return Err(StoreError::Invalid(format!("{what} is limited to {MAX_TEXT_LEN} bytes")));
    }
    Ok(())
}

fn check_kind(kind: &str) -> Result<()> {
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
        _ => Ok(()),
    }
}

fn check_document_text(t: &str) -> Result<()> {
    if t.len() > MAX_DOCUMENT_LEN {
        return Err(StoreError::Invalid(format!("a document's text is limited to {MAX_DOCUMENT_LEN} bytes")));
    }
    Ok(())
}

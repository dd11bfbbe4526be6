//! `Transaction`: a write to a graph, all of it or none of it. Besides creating, it
//! offers get-or-create of entities and documents (`entity`, `document`), and
//! statements are identified by their content, so a program that writes the same
//! things twice leaves the store as the first run left it.

use factgraph_store::{Added, Counts, Entity, EntityId, NewStatement, Properties, StatementId, Value};

use crate::error::Result;

/// A write transaction on a `Graph`. Nothing is visible to readers until `commit`,
/// which writes everything atomically and durably; dropping it discards it. Only one
/// runs at a time: a second `Graph::transaction` waits for the first to end.
pub struct Transaction<'g> {
    inner: factgraph_store::Transaction<'g>,
}

impl std::fmt::Debug for Transaction<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transaction").finish_non_exhaustive()
    }
}

impl<'g> Transaction<'g> {
    pub(crate) fn new(inner: factgraph_store::Transaction<'g>) -> Transaction<'g> {
        Transaction { inner }
    }

    /// The entity of kind `kind` whose canonical name is `name` (ignoring case, accents
    /// and punctuation), created if there is none. When several match (created by
    /// `create_entity`), the oldest is returned.
    pub fn entity(&mut self, name: &str, kind: &str) -> Result<EntityId> {
        // Get-or-create is by name: an unnamed entity is `create_entity("", kind)`'s.
        factgraph_store::check_entity_name(name)?;
        match self.inner.by_canonical_name(name, Some(kind))? {
            Some(e) => Ok(e.id),
            None => Ok(self.inner.create_entity(name, kind)?),
        }
    }

    /// The document whose canonical name is `name`, created with these properties and
    /// text if there is none. An existing document is returned as it is.
    pub fn document(&mut self, name: &str, properties: Properties, text: Option<String>) -> Result<EntityId> {
        match self.inner.by_canonical_name(name, Some(factgraph_store::DOCUMENT_KIND))? {
            Some(e) => Ok(e.id),
            None => Ok(self.inner.create_document(name, properties, text)?),
        }
    }

    /// Creates a new entity, even when one of that name exists (names need not be
    /// unique; lookups then return every candidate). `entity` is get-or-create. The
    /// empty name makes an unnamed entity, found by kind, property or statement only.
    pub fn create_entity(&mut self, name: &str, kind: &str) -> Result<EntityId> {
        Ok(self.inner.create_entity(name, kind)?)
    }

    /// Creates a new document (an entity of kind Document) with properties (`outlet`,
    /// `title`, `published`, …) and, where available, its full text.
    pub fn create_document(&mut self, name: &str, properties: Properties, text: Option<String>) -> Result<EntityId> {
        Ok(self.inner.create_document(name, properties, text)?)
    }

    /// Records a spelling of an entity, and optionally a document that uses it. Adding
    /// a spelling it already has changes nothing.
    pub fn add_alias(&mut self, id: EntityId, spelling: &str, document: Option<EntityId>) -> Result<()> {
        Ok(self.inner.add_alias(id, spelling, document)?)
    }

    /// Sets a typed property on an entity.
    pub fn set_property(&mut self, id: EntityId, key: &str, value: Value) -> Result<()> {
        Ok(self.inner.set_property(id, key, value)?)
    }

    /// Adds a statement with its evidence. A statement with the same subject, relation,
    /// object and qualifiers as an existing one is that statement: its evidence is
    /// merged in (`Added::Merged`), and evidence it already has is not added again.
    pub fn add_statement(&mut self, statement: NewStatement) -> Result<Added> {
        Ok(self.inner.add_statement(statement)?)
    }

    /// Removes a statement and every statement about it; returns how many.
    pub fn retract(&mut self, id: StatementId) -> Result<usize> {
        Ok(self.inner.retract(id)?)
    }

    /// Deletes an entity nothing refers to.
    pub fn delete_entity(&mut self, id: EntityId) -> Result<()> {
        Ok(self.inner.delete_entity(id)?)
    }

    /// Every entity whose name or alias matches `name`, this transaction's writes
    /// included.
    pub fn lookup(&mut self, name: &str) -> Result<Vec<EntityId>> {
        Ok(self.inner.lookup(name)?)
    }

    /// An entity as this transaction sees it.
    pub fn get_entity(&mut self, id: EntityId) -> Result<Option<Entity>> {
        Ok(self.inner.entity(id)?)
    }

    /// Writes everything as one atomic batch, durable before it returns; the store's
    /// counts after it.
    pub fn commit(self) -> Result<Counts> {
        Ok(self.inner.commit()?)
    }
}

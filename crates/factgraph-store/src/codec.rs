//! Value encodings: entity records, statement pages and posting-list chunks.
//!
//! Records are postcard (compact varint serde). Statement pages carry an offset table
//! so reading one statement decodes one record, not the whole page.

use serde::{Deserialize, Serialize};

use crate::model::{Entity, Evidence, Node, Object, Qualifiers, Statement, StatementId, Value};
use crate::StoreError;

/// A statement as stored: the relation is an interned id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredStatement {
    /// Subject.
    pub subject: Node,
    /// Interned relation id.
    pub rel: u32,
    /// Object.
    pub object: Object,
    /// Qualifiers.
    pub qualifiers: Qualifiers,
    /// Evidence.
    pub evidence: Vec<Evidence>,
}

impl StoredStatement {
    /// The statement with its id and relation name.
    pub fn into_statement(self, id: StatementId, relation: String) -> Statement {
        Statement {
            id,
            subject: self.subject,
            relation,
            object: self.object,
            qualifiers: self.qualifiers,
            evidence: self.evidence,
        }
    }

    /// The bytes that make a statement's identity: subject, relation, object, qualifiers.
    pub fn identity(&self) -> Vec<u8> {
        identity(self.subject, self.rel, &self.object, &self.qualifiers)
    }
}

/// Identity bytes of statement content.
pub fn identity(subject: Node, rel: u32, object: &Object, qualifiers: &Qualifiers) -> Vec<u8> {
    postcard::to_stdvec(&(subject, rel, object, qualifiers)).unwrap_or_default()
}

/// The far end of an adjacency entry. Literals are kept as a hash of their encoding,
/// enough to find candidate duplicates without loading every statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Other {
    /// An entity.
    Entity(u64),
    /// A statement.
    Statement(u64),
    /// A literal object, by hash.
    Literal(u64),
}

impl Other {
    /// The far end of a statement, seen from its subject.
    pub fn of_object(object: &Object) -> Other {
        match object {
            Object::Node(Node::Entity(e)) => Other::Entity(e.0),
            Object::Node(Node::Statement(s)) => Other::Statement(s.0),
            Object::Literal(v) => Other::Literal(literal_hash(v)),
        }
    }

    /// The far end seen from the object: the subject.
    pub fn of_node(node: Node) -> Other {
        match node {
            Node::Entity(e) => Other::Entity(e.0),
            Node::Statement(s) => Other::Statement(s.0),
        }
    }

    /// The node, unless this is a literal.
    pub fn node(self) -> Option<Node> {
        match self {
            Other::Entity(e) => Some(Node::Entity(crate::EntityId(e))),
            Other::Statement(s) => Some(Node::Statement(StatementId(s))),
            Other::Literal(_) => None,
        }
    }
}

/// FNV-1a over the literal's encoding: stable across runs and Rust versions, unlike
/// the standard library's hasher.
fn literal_hash(v: &Value) -> u64 {
    let bytes = postcard::to_stdvec(v).unwrap_or_default();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// One entry of an adjacency list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AdjEntry {
    /// Interned relation id.
    pub rel: u32,
    /// The far end.
    pub other: Other,
    /// The statement.
    pub sid: u64,
}

/// Encodes any serde value with postcard.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    postcard::to_stdvec(value).map_err(|e| StoreError::Corrupt(format!("encode: {e}")))
}

/// Decodes a postcard value, naming what was being read when it fails.
pub fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8], what: &str) -> Result<T, StoreError> {
    postcard::from_bytes(bytes).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// Encodes an entity record.
pub fn encode_entity(e: &Entity) -> Result<Vec<u8>, StoreError> {
    encode(e)
}

/// A page of statement records, slot = sid mod 32; an empty slot is absent.
#[derive(Clone, Debug, Default)]
pub struct Page {
    /// Encoded records by slot (empty = absent).
    pub slots: Vec<Vec<u8>>,
}

impl Page {
    /// Splits an encoded page into its slots.
    pub fn decode(bytes: &[u8]) -> Result<Page, StoreError> {
        let n = *bytes.first().ok_or_else(|| corrupt_page("empty"))? as usize;
        let table_end = 1 + 4 * n;
        let table = bytes.get(1..table_end).ok_or_else(|| corrupt_page("short table"))?;
        let mut slots = Vec::with_capacity(n);
        let mut start = table_end;
        for i in 0..n {
            let end = table_end + read_u32(table, i) as usize;
            slots.push(bytes.get(start..end).ok_or_else(|| corrupt_page("bad offset"))?.to_vec());
            start = end;
        }
        Ok(Page { slots })
    }

    /// The record in one slot of an encoded page, without decoding the others.
    pub fn slot(bytes: &[u8], slot: usize) -> Result<Option<&[u8]>, StoreError> {
        let n = *bytes.first().ok_or_else(|| corrupt_page("empty"))? as usize;
        if slot >= n {
            return Ok(None);
        }
        let table_end = 1 + 4 * n;
        let table = bytes.get(1..table_end).ok_or_else(|| corrupt_page("short table"))?;
        let start = table_end + if slot == 0 { 0 } else { read_u32(table, slot - 1) as usize };
        let end = table_end + read_u32(table, slot) as usize;
        let rec = bytes.get(start..end).ok_or_else(|| corrupt_page("bad offset"))?;
        Ok((!rec.is_empty()).then_some(rec))
    }

    /// Sets a slot, growing the page as needed.
    pub fn set(&mut self, slot: usize, record: Vec<u8>) {
        if self.slots.len() <= slot {
            self.slots.resize(slot + 1, Vec::new());
        }
        self.slots[slot] = record;
    }

    /// True when no slot holds a record.
    pub fn is_empty(&self) -> bool {
        self.slots.iter().all(Vec::is_empty)
    }

    /// Encodes the page: slot count, end offsets, then the records.
    pub fn encode(&self) -> Vec<u8> {
        let mut n = self.slots.len();
        while n > 0 && self.slots[n - 1].is_empty() {
            n -= 1;
        }
        let total: usize = self.slots[..n].iter().map(Vec::len).sum();
        let mut out = Vec::with_capacity(1 + 4 * n + total);
        out.push(n as u8);
        let mut end = 0u32;
        for s in &self.slots[..n] {
            end += s.len() as u32;
            out.extend_from_slice(&end.to_le_bytes());
        }
        for s in &self.slots[..n] {
            out.extend_from_slice(s);
        }
        out
    }
}

fn read_u32(table: &[u8], i: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&table[4 * i..4 * i + 4]);
    u32::from_le_bytes(b)
}

fn corrupt_page(why: &str) -> StoreError {
    StoreError::Corrupt(format!("statement page: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_round_trip_and_slots_read_alone() {
        let mut p = Page::default();
        p.set(0, b"zero".to_vec());
        p.set(3, b"three".to_vec());
        let bytes = p.encode();
        assert_eq!(Page::slot(&bytes, 0).unwrap(), Some(&b"zero"[..]));
        assert_eq!(Page::slot(&bytes, 1).unwrap(), None);
        assert_eq!(Page::slot(&bytes, 3).unwrap(), Some(&b"three"[..]));
        assert_eq!(Page::slot(&bytes, 31).unwrap(), None);
        let back = Page::decode(&bytes).unwrap();
        assert_eq!(back.slots.len(), 4);
        assert_eq!(back.slots[3], b"three");
    }

    #[test]
    fn damaged_pages_are_errors_not_panics() {
        assert!(Page::decode(&[]).is_err());
        assert!(Page::decode(&[3, 1, 0]).is_err());
        assert!(Page::slot(&[1, 200, 0, 0, 0], 0).is_err());
    }

    #[test]
    fn literal_hashes_are_stable() {
        let a = Other::of_object(&Object::Literal(Value::Int(36)));
        let b = Other::of_object(&Object::Literal(Value::Int(36)));
        let c = Other::of_object(&Object::Literal(Value::Str("36".into())));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}

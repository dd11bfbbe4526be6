//! Value encodings: entity records, statement pages and posting-list chunks.
//!
//! Records are postcard (compact varint serde). Statement pages carry an offset table
//! so reading one statement decodes one record, not the whole page. In format 2 a
//! statement's quotes are a record of their own (`take_quotes`, `join_quotes`).

use serde::{Deserialize, Serialize};

use crate::model::{Evidence, Node, Object, Qualifiers, Statement, StatementId, Value};
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

/// Takes the quotes out of a statement's evidence, in order, leaving each empty: what
/// a store in format 2 keeps apart from the record (`keys::QUOTES`).
pub(crate) fn take_quotes(evidence: &mut [Evidence]) -> Vec<String> {
    evidence.iter_mut().map(|ev| std::mem::take(&mut ev.quote)).collect()
}

/// Puts a statement's quotes, as `take_quotes` took them and `encode` wrote them (a
/// postcard sequence of strings), back into its evidence, each copied once from the
/// record; `Corrupt` when they are not one per piece of evidence.
pub(crate) fn join_quotes(st: &mut StoredStatement, record: &[u8]) -> Result<(), StoreError> {
    let damaged = |e: postcard::Error| StoreError::Corrupt(format!("statement quotes: {e}"));
    // A sequence's length is a varint, as a u64 is.
    let (n, mut rest) = postcard::take_from_bytes::<u64>(record).map_err(damaged)?;
    if n != st.evidence.len() as u64 {
        return Err(StoreError::Corrupt(format!(
            "a statement has {} pieces of evidence and {n} quotes",
            st.evidence.len()
        )));
    }
    for ev in &mut st.evidence {
        let (quote, more) = postcard::take_from_bytes::<&str>(rest).map_err(damaged)?;
        ev.quote = quote.to_owned();
        rest = more;
    }
    if !rest.is_empty() {
        return Err(StoreError::Corrupt("statement quotes: bytes after the last quote".into()));
    }
    Ok(())
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

/// Calls `f` with each entry of an encoded adjacency list, decoded one at a time: a
/// hub's list holds millions (3,750,000 at 30,000,000 statements), which decoded at
/// once took 120 MB while the whole-graph adjacency was built.
pub(crate) fn each_adj_entry(
    list: &[u8],
    mut f: impl FnMut(AdjEntry) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let (n, mut rest) = seq_length(list).ok_or_else(|| StoreError::Corrupt("adjacency list: bad length".into()))?;
    for _ in 0..n {
        let (entry, more) = postcard::take_from_bytes::<AdjEntry>(rest)
            .map_err(|e| StoreError::Corrupt(format!("adjacency list: {e}")))?;
        f(entry)?;
        rest = more;
    }
    Ok(())
}

/// A postcard sequence's length (an unsigned LEB128 varint of at most ten bytes) and
/// the bytes after it.
pub(crate) fn seq_length(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut n = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        n |= u64::from(b & 0x7f).checked_shl(7 * i as u32)?;
        if b & 0x80 == 0 {
            return Some((n, &bytes[i + 1..]));
        }
    }
    None
}

/// Encodes any serde value with postcard.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    postcard::to_stdvec(value).map_err(encode_failed)
}

/// A value postcard could not encode.
fn encode_failed(e: postcard::Error) -> StoreError {
    StoreError::Corrupt(format!("encode: {e}"))
}

/// Encodes a postcard value through `scratch`, a buffer the caller keeps from one value
/// to the next: the bytes are made there, in room that grows once to the largest
/// value, and copied out at their length. `encode` grows a new vector from empty for
/// each value, reallocating and copying a 150-byte record five or six times (7% of a
/// load's main thread, where records are encoded by the million).
pub fn encode_in<T: Serialize>(value: &T, scratch: &mut Vec<u8>) -> Result<Vec<u8>, StoreError> {
    scratch.clear();
    let made = postcard::to_extend(value, std::mem::take(scratch)).map_err(encode_failed)?;
    let out = made.as_slice().to_vec();
    *scratch = made;
    Ok(out)
}

/// Decodes a postcard value, naming what was being read when it fails.
pub fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8], what: &str) -> Result<T, StoreError> {
    postcard::from_bytes(bytes).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// A block of records or lists, by slot; an empty slot is absent. Encoded as a u16
/// slot count, u32 end offsets, then the records back to back.
#[derive(Clone, Debug, Default)]
pub struct Page {
    /// Encoded records by slot (empty = absent).
    pub slots: Vec<Vec<u8>>,
}

impl Page {
    /// Splits an encoded page into its slots.
    pub fn decode(bytes: &[u8]) -> Result<Page, StoreError> {
        let n = slot_count(bytes)?;
        let table_end = 2 + 4 * n;
        let table = bytes.get(2..table_end).ok_or_else(|| corrupt_page("short table"))?;
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
        let n = slot_count(bytes)?;
        if slot >= n {
            return Ok(None);
        }
        let table_end = 2 + 4 * n;
        let table = bytes.get(2..table_end).ok_or_else(|| corrupt_page("short table"))?;
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
        let mut out = Vec::with_capacity(2 + 4 * n + total);
        out.extend_from_slice(&(n as u16).to_le_bytes());
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

/// How many slots an encoded page has (some may be empty).
pub(crate) fn slot_count(bytes: &[u8]) -> Result<usize, StoreError> {
    let b = bytes.get(..2).ok_or_else(|| corrupt_page("empty"))?;
    Ok(u16::from_le_bytes([b[0], b[1]]) as usize)
}

fn read_u32(table: &[u8], i: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&table[4 * i..4 * i + 4]);
    u32::from_le_bytes(b)
}

fn corrupt_page(why: &str) -> StoreError {
    StoreError::Corrupt(format!("block: {why}"))
}

/// A name bucket: every normalised name hashing to one bucket, with its entity ids.
/// Encoded as repeated `[u16 length][name bytes][u16 count][count × u64]` (little
/// endian), so a lookup scans bytes without allocating.
pub mod bucket {
    use std::collections::BTreeMap;

    use crate::StoreError;

    fn corrupt() -> StoreError {
        StoreError::Corrupt("name bucket".into())
    }

    fn u16_at(b: &[u8], at: usize) -> Result<usize, StoreError> {
        let x = b.get(at..at + 2).ok_or_else(corrupt)?;
        Ok(u16::from_le_bytes([x[0], x[1]]) as usize)
    }

    fn ids_at(b: &[u8], at: usize, n: usize) -> Result<Vec<u64>, StoreError> {
        let raw = b.get(at..at + 8 * n).ok_or_else(corrupt)?;
        Ok(raw.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default())).collect())
    }

    /// The ids under `name`, if present.
    pub fn lookup(b: &[u8], name: &str) -> Result<Option<Vec<u64>>, StoreError> {
        let mut at = 0;
        while at < b.len() {
            let len = u16_at(b, at)?;
            let key = b.get(at + 2..at + 2 + len).ok_or_else(corrupt)?;
            let n = u16_at(b, at + 2 + len)?;
            if key == name.as_bytes() {
                return ids_at(b, at + 4 + len, n).map(Some);
            }
            at += 4 + len + 8 * n;
        }
        Ok(None)
    }

    /// Every name in the bucket.
    pub fn decode(b: &[u8]) -> Result<BTreeMap<String, Vec<u64>>, StoreError> {
        let mut out = BTreeMap::new();
        let mut at = 0;
        while at < b.len() {
            let len = u16_at(b, at)?;
            let key = b.get(at + 2..at + 2 + len).ok_or_else(corrupt)?;
            let n = u16_at(b, at + 2 + len)?;
            let name = String::from_utf8(key.to_vec()).map_err(|_| corrupt())?;
            out.insert(name, ids_at(b, at + 4 + len, n)?);
            at += 4 + len + 8 * n;
        }
        Ok(out)
    }

    /// Encodes a bucket from its names in order; names with no ids are left out. Names are at most 64 KiB and
    /// an entity list per name at most 65,535 ids (longer lists are cut, with the
    /// lowest ids kept, so that a name shared by that many entities stays readable).
    pub fn encode<'a>(names: impl IntoIterator<Item = (&'a str, &'a [u64])>) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, ids) in names.into_iter().filter(|(_, ids)| !ids.is_empty()) {
            let key = &name.as_bytes()[..name.len().min(u16::MAX as usize)];
            let ids = &ids[..ids.len().min(u16::MAX as usize)];
            out.extend_from_slice(&(key.len() as u16).to_le_bytes());
            out.extend_from_slice(key);
            out.extend_from_slice(&(ids.len() as u16).to_le_bytes());
            for id in ids {
                out.extend_from_slice(&id.to_le_bytes());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjacency_entries_decoded_one_at_a_time_are_the_list_decoded_whole() {
        let list: Vec<AdjEntry> = (0..1000u64)
            .map(|i| AdjEntry {
                rel: (i % 7) as u32,
                other: if i % 3 == 0 { Other::Literal(i) } else { Other::Entity(i * 1000) },
                sid: i * 1_000_003,
            })
            .collect();
        let bytes = encode(&list).unwrap();
        let mut each = Vec::new();
        each_adj_entry(&bytes, |e| {
            each.push(e);
            Ok(())
        })
        .unwrap();
        assert_eq!(each, list);
        // A list cut short is refused, not read past its end.
        assert!(each_adj_entry(&bytes[..bytes.len() - 3], |_| Ok(())).is_err());
        assert!(each_adj_entry(&[], |_| Ok(())).is_err());
    }

    #[test]
    fn a_value_encoded_through_a_scratch_buffer_is_its_encoding_whatever_came_before() {
        let mut scratch = Vec::new();
        let long: Vec<u64> = (0..1000).collect();
        let values: [&[u64]; 4] = [&[1, 2, 3], &long, &[], &[u64::MAX]];
        for v in values {
            let bytes = encode_in(&v, &mut scratch).unwrap();
            assert_eq!(bytes, encode(&v).unwrap());
            assert_eq!(bytes.capacity(), bytes.len(), "copied out at its length");
        }
        assert!(scratch.capacity() >= encode(&long).unwrap().len(), "the buffer kept its room");
    }

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
        assert!(Page::decode(&[3, 0, 1, 0]).is_err());
        assert!(Page::slot(&[1, 0, 200, 0, 0, 0], 0).is_err());
        assert!(Page::slot(&[1], 0).is_err());
    }

    #[test]
    fn name_buckets_round_trip() {
        let mut m = std::collections::BTreeMap::new();
        m.insert("trump".to_string(), vec![3, 9]);
        m.insert("irna".to_string(), vec![1]);
        m.insert("gone".to_string(), vec![]);
        let b = bucket::encode(m.iter().map(|(n, ids)| (n.as_str(), ids.as_slice())));
        assert_eq!(bucket::lookup(&b, "trump").unwrap(), Some(vec![3, 9]));
        assert_eq!(bucket::lookup(&b, "gone").unwrap(), None);
        assert_eq!(bucket::lookup(&b, "trum").unwrap(), None);
        m.remove("gone");
        assert_eq!(bucket::decode(&b).unwrap(), m);
        assert!(bucket::lookup(&b[..b.len() - 3], "trump").is_err());
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

//! The key layout: the one place that knows how keys are built.
//!
//! Every key starts with a one-byte type tag, then big-endian ids, so keys sort by
//! type, then by id, and every access path is a prefix scan or a point get. The whole
//! store lives in one sled tree, which is what makes a batch atomic (sled applies a
//! batch atomically within one tree).
//!
//! | tag | key | value |
//! |-----|-----|-------|
//! | `M` | `M name` | metadata: format version, id counters, counts |
//! | `E` | `E block` (eid >> 10) | a block of up to 1,024 entity records |
//! | `S` | `S block` (sid >> 10) | a block of up to 1,024 statement records (format 2: without their quotes) |
//! | `Q` | `Q block` (sid >> 10) | format 2 on: the quotes of the same statements, each record its evidence's quotes in order (format 3: packed in LZ4, `kv/packed.rs`) |
//! | `X` | `X eid` | a document's full text |
//! | `N` | `N bucket` (u16) | the names hashing to that bucket, each with its entity ids |
//! | `L` | `L relation-name` | relation id |
//! | `l` | `l relation-id` | relation name |
//! | `A` | `A node-kind dir block` (id >> 8) | adjacency lists of 256 consecutive nodes |
//! | `D` | `D block` (eid >> 8) | statements citing each of 256 consecutive documents |
//! | `T` | `T block` (eid >> 8) | statements attributed to each of 256 consecutive entities |
//! | `R` | `R relation-id` | statements with that relation |
//! | `K` | `K kind 0x00` | entities of that kind |
//! | `Y` | `Y key` | a property key some entity or statement has had, and on which (`KEY_ON_NODES`, `KEY_ON_DOCUMENTS`; see `META_PROPERTY_KEYS`) |
//! | `U` | `U key` | while a transaction spills (see `txn.rs`): what `key` held before it, `0` (absent) or `1` + the old value |
//!
//! Why blocks: sled 0.34 pays dearly per key (measured here: one batch of 720,000
//! small values takes 14.6 s and 384 MB; the same bytes as 4,000 values of 30 KB take
//! 0.25 s and 123 MB), so small records that are read together are stored together.
//! A block value is a `codec::Page`: a slot table then the records, so one record is
//! read without decoding its neighbours. A node is `0` (entity) or `1` (statement).
//!
//! Why quotes apart (format 2): a statement's quotes are four fifths of its record,
//! and most reads of a statement (a hop, a pattern, a relation's properties, a count
//! of sources) need its ends and documents only. The engine's cache keeps blocks
//! decompressed, so a walk over a hub's statements held every statement block whole;
//! with the quotes in blocks of their own it holds a fifth as much, and reads the
//! quotes only for answers that show them.

use crate::model::{Direction, EntityId, Node, StatementId};

/// Tag of metadata keys.
pub const META: u8 = b'M';
/// Tag of entity blocks.
pub const ENTITY: u8 = b'E';
/// Tag of statement blocks.
pub const STATEMENT: u8 = b'S';
/// Tag of the statements' quotes, apart from their records (format 2).
pub const QUOTES: u8 = b'Q';
/// Tag of document texts.
pub const TEXT: u8 = b'X';
/// Tag of the name buckets.
pub const NAME: u8 = b'N';
/// Tag of relation name → id.
pub const RELATION_BY_NAME: u8 = b'L';
/// Tag of relation id → name.
pub const RELATION_BY_ID: u8 = b'l';
/// Tag of adjacency blocks.
pub const ADJACENCY: u8 = b'A';
/// Tag of the by-relation lists.
pub const BY_RELATION: u8 = b'R';
/// Tag of the by-document blocks.
pub const BY_DOCUMENT: u8 = b'D';
/// Tag of the by-attribution blocks.
pub const BY_ATTRIBUTION: u8 = b'T';
/// Tag of the by-participant blocks (statements naming an entity in a role).
pub const BY_PARTICIPANT: u8 = b'P';
/// Tag of the by-kind lists.
pub const BY_KIND: u8 = b'K';
/// Tag of the property keys in use.
pub const PROPERTY_KEY: u8 = b'Y';
/// A `Y` key's flag: the key is on an entity that is no document, or a statement.
pub const KEY_ON_NODES: u8 = 1;
/// A `Y` key's flag: the key is on a document.
pub const KEY_ON_DOCUMENTS: u8 = 2;
/// Tag of the undo journal of a transaction that has written part of itself ahead of
/// its commit. Present only while such a transaction runs (or after it was killed).
pub const UNDO: u8 = b'U';

/// Records per entity or statement block (as a shift).
pub const RECORD_BITS: u32 = 10;
/// Lists per adjacency, document or attribution block (as a shift).
pub const LIST_BITS: u32 = 8;
/// Number of name buckets. Fixed by the format: at 3.5 million spellings a bucket
/// holds about 3,400 names (~100 KB), still one read and a byte scan.
pub const NAME_BUCKETS: u64 = 1024;

/// Metadata key for the format version.
pub const META_FORMAT: &[u8] = b"Mformat";
/// Metadata key for the next entity id.
pub const META_NEXT_ENTITY: &[u8] = b"Mnext_entity";
/// Metadata key for the next statement id.
pub const META_NEXT_STATEMENT: &[u8] = b"Mnext_statement";
/// Metadata key for the next relation id.
pub const META_NEXT_RELATION: &[u8] = b"Mnext_relation";
/// Metadata key for the number of entities.
pub const META_COUNT_ENTITIES: &[u8] = b"Mcount_entities";
/// Metadata key for the number of statements.
pub const META_COUNT_STATEMENTS: &[u8] = b"Mcount_statements";
/// Metadata key for the number of pieces of evidence.
pub const META_COUNT_EVIDENCE: &[u8] = b"Mcount_evidence";
/// Metadata key for the number of commits so far (from format 1 stores that lack it: 0),
/// which stamps structures derived from the data and kept on disk.
pub const META_COMMITS: &[u8] = b"Mcommits";
/// Metadata key present while a transaction has written part of itself ahead of its
/// commit: an open that finds it rolls that transaction back from the `U` journal.
pub const META_SPILLING: &[u8] = b"Mspilling";

/// Metadata key saying the `Y` keys list every property key the store's nodes and
/// relationships have had: it holds the commit count at which they last did. Every
/// commit of a build that keeps them moves it on with the count (one that would pass
/// `txn::MAX_PROPERTY_KEYS` removes it); a store made before they were kept has none,
/// and one written since by such a build has a count behind `Mcommits`: either way
/// the list is not taken as whole.
pub const META_PROPERTY_KEYS: &[u8] = b"Mproperty_keys";

/// Metadata key present from a transaction's first write ahead of its commit until
/// its journal is gone (`Store::settle_journal`): an open that finds neither this nor
/// `Mspilling` has no journal to look for, and reads none (scanning for one read and
/// decompressed a whole engine page, a third of a warm open at 1,000,000 statements).
pub const META_JOURNAL: &[u8] = b"Mjournal";

/// `U key`: where the undo journal keeps what `key` held before a spill.
pub fn undo(key: &[u8]) -> Vec<u8> {
    tagged(UNDO, key)
}

fn tagged(tag: u8, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + rest.len());
    k.push(tag);
    k.extend_from_slice(rest);
    k
}

/// Where one record or list lives: a block key and a slot in it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slot {
    /// The sled key of the block.
    pub block: Vec<u8>,
    /// The slot within the block.
    pub slot: usize,
}

fn blocked(prefix: &[u8], id: u64, bits: u32) -> Slot {
    let mut block = Vec::with_capacity(prefix.len() + 8);
    block.extend_from_slice(prefix);
    block.extend_from_slice(&(id >> bits).to_be_bytes());
    Slot { block, slot: (id & ((1 << bits) - 1)) as usize }
}

/// The id stored in `slot` of the block with key `block` under `prefix`.
pub fn id_of(prefix_len: usize, block: &[u8], slot: usize, bits: u32) -> Option<u64> {
    let b = u64::from_be_bytes(block.get(prefix_len..prefix_len + 8)?.try_into().ok()?);
    Some((b << bits) | slot as u64)
}

/// Where an entity record lives.
pub fn entity(id: EntityId) -> Slot {
    blocked(&[ENTITY], id.0, RECORD_BITS)
}

/// Where a statement record lives.
pub fn statement(id: StatementId) -> Slot {
    blocked(&[STATEMENT], id.0, RECORD_BITS)
}

/// The key of record block `block` under `tag` (`STATEMENT`, `QUOTES`, `ENTITY`),
/// made on the stack: a point question reads a few statements, and each key allocated
/// was a tenth of reading one.
pub fn record_block_key(tag: u8, block: u64) -> [u8; 9] {
    let mut key = [tag, 0, 0, 0, 0, 0, 0, 0, 0];
    key[1..].copy_from_slice(&block.to_be_bytes());
    key
}

/// The block and slot of record `id` (an entity or statement id).
pub fn record_place(id: u64) -> (u64, usize) {
    (id >> RECORD_BITS, (id & ((1 << RECORD_BITS) - 1)) as usize)
}

/// Where a statement's quotes live (format 2): the slot of its record, in a block of
/// its own.
pub fn quotes(id: StatementId) -> Slot {
    blocked(&[QUOTES], id.0, RECORD_BITS)
}

/// `X eid`.
pub fn text(id: EntityId) -> Vec<u8> {
    tagged(TEXT, &id.0.to_be_bytes())
}

/// The bucket key of a normalised name (FNV-1a, stable across runs and versions).
pub fn name_bucket(normalised: &str) -> Vec<u8> {
    name_bucket_key(name_bucket_index(normalised))
}

/// The number of the bucket a normalised name hashes to (FNV-1a).
pub fn name_bucket_index(normalised: &str) -> u16 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in normalised.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % NAME_BUCKETS) as u16
}

/// `N bucket`, for a bucket's number.
pub fn name_bucket_key(bucket: u16) -> Vec<u8> {
    tagged(NAME, &bucket.to_be_bytes())
}

/// `L name`.
pub fn relation_by_name(name: &str) -> Vec<u8> {
    tagged(RELATION_BY_NAME, name.as_bytes())
}

/// `l id`.
pub fn relation_by_id(id: u32) -> Vec<u8> {
    tagged(RELATION_BY_ID, &id.to_be_bytes())
}

/// `Y key`.
pub fn property_key(key: &str) -> Vec<u8> {
    tagged(PROPERTY_KEY, key.as_bytes())
}

/// The prefix of a node's adjacency blocks in one direction: `A kind dir`.
pub fn adjacency_prefix(node_kind: u8, dir: Direction) -> [u8; 3] {
    [ADJACENCY, node_kind, dir_byte(dir)]
}

fn dir_byte(dir: Direction) -> u8 {
    match dir {
        Direction::Out => 0,
        Direction::In => 1,
    }
}

/// A node's kind byte and id.
pub fn node_parts(node: Node) -> (u8, u64) {
    match node {
        Node::Entity(e) => (0, e.0),
        Node::Statement(s) => (1, s.0),
    }
}

/// The node of a kind byte and id.
pub fn node_from(kind: u8, id: u64) -> Option<Node> {
    match kind {
        0 => Some(Node::Entity(EntityId(id))),
        1 => Some(Node::Statement(StatementId(id))),
        _ => None,
    }
}

/// Which posting list: every list of ids the store keeps.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum List {
    /// Statements with a node at one end, as adjacency entries.
    Adjacency(Node, Direction),
    /// Statements with a relation.
    Relation(u32),
    /// Statements citing a document.
    Document(EntityId),
    /// Statements attributed to an entity.
    Attribution(EntityId),
    /// Statements naming an entity as a participant (a role argument).
    Participant(EntityId),
    /// Entities of a kind.
    Kind(String),
}

impl List {
    /// Where the list lives.
    pub fn slot(&self) -> Slot {
        match self {
            List::Adjacency(node, dir) => {
                let (kind, id) = node_parts(*node);
                blocked(&adjacency_prefix(kind, *dir), id, LIST_BITS)
            }
            List::Relation(rel) => Slot { block: tagged(BY_RELATION, &rel.to_be_bytes()), slot: 0 },
            List::Document(d) => blocked(&[BY_DOCUMENT], d.0, LIST_BITS),
            List::Attribution(a) => blocked(&[BY_ATTRIBUTION], a.0, LIST_BITS),
            List::Participant(p) => blocked(&[BY_PARTICIPANT], p.0, LIST_BITS),
            // Kinds end with a 0 byte so "Person" is not a prefix of "PersonX".
            List::Kind(kind) => {
                let mut k = tagged(BY_KIND, kind.as_bytes());
                k.push(0);
                Slot { block: k, slot: 0 }
            }
        }
    }
}

/// The kind a `K kind 0x00` key names; `None` for a key of another shape.
pub fn kind_of(key: &[u8]) -> Option<String> {
    match key {
        [BY_KIND, kind @ .., 0] => String::from_utf8(kind.to_vec()).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_numerically_and_share_blocks() {
        let per_block = 1u64 << RECORD_BITS;
        assert!(entity(EntityId(2)).block < entity(EntityId(per_block)).block);
        assert_eq!(entity(EntityId(2)).block, entity(EntityId(per_block - 1)).block);
        assert_eq!(statement(StatementId(per_block + 1)).slot, 1);
        let id = (1 << LIST_BITS) + 6;
        let a = List::Adjacency(Node::Entity(EntityId(id)), Direction::Out).slot();
        assert_eq!(a.slot, 6);
        assert_eq!(id_of(3, &a.block, a.slot, LIST_BITS), Some(id));
    }

    #[test]
    fn participant_lists_have_blocks_of_their_own() {
        let id = (1 << LIST_BITS) + 5;
        let p = List::Participant(EntityId(id)).slot();
        assert_eq!(p.block[0], BY_PARTICIPANT);
        assert_eq!(id_of(1, &p.block, p.slot, LIST_BITS), Some(id));
        assert_ne!(p.block, List::Attribution(EntityId(id)).slot().block, "not the attribution list");
    }

    #[test]
    fn nodes_round_trip() {
        for n in [Node::Entity(EntityId(0)), Node::Statement(StatementId(u64::MAX))] {
            let (k, id) = node_parts(n);
            assert_eq!(node_from(k, id), Some(n));
        }
        assert_eq!(node_from(9, 1), None);
    }

    #[test]
    fn kinds_round_trip_and_short_keys_name_none() {
        assert_eq!(kind_of(&List::Kind("Person".into()).slot().block).as_deref(), Some("Person"));
        assert_eq!(kind_of(&[BY_KIND]), None);
        assert_eq!(kind_of(&[BY_KIND, b'x']), None);
        assert_eq!(kind_of(&[BY_KIND, 0]).as_deref(), Some(""));
    }

    #[test]
    fn kind_lists_are_prefix_free() {
        let a = List::Kind("Person".into()).slot().block;
        let b = List::Kind("PersonX".into()).slot().block;
        assert!(!b.starts_with(&a));
    }

    #[test]
    fn name_buckets_are_stable() {
        assert_eq!(name_bucket("trump"), name_bucket("trump"));
        assert_eq!(name_bucket("trump").len(), 3);
    }
}

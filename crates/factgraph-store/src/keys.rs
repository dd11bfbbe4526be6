//! The key layout: the one place that knows how keys are built.
//!
//! Every key starts with a one-byte type tag, then big-endian ids, so keys sort by
//! type, then by id, and every access path is a prefix scan or a point get. The whole
//! store lives in one sled tree, which is what makes a batch atomic (sled applies a
//! batch atomically within one tree).
//!
//! | tag | key | value |
//! |-----|-----|-------|
//! | `M` | `M name` | metadata: format version, id counters |
//! | `E` | `E eid` | entity record |
//! | `S` | `S page` (sid >> 5) | a page of up to 32 statement records |
//! | `X` | `X eid` | a document's full text |
//! | `N` | `N normalised-name` | ids of the entities with that spelling |
//! | `L` | `L relation-name` | relation id |
//! | `l` | `l relation-id` | relation name |
//! | `A` | `A node dir chunk` | adjacency chunk: (relation, other end, sid) entries |
//! | `R` | `R relation-id chunk` | statements with that relation |
//! | `D` | `D eid chunk` | statements with evidence from that document |
//! | `T` | `T eid chunk` | statements with evidence attributed to that entity |
//! | `K` | `K kind 0x00 chunk` | entities of that kind |
//!
//! A node is encoded as a tag byte (`0` entity, `1` statement) and a big-endian id.
//! Posting lists (the `A R D T K` families) are split into chunks of at most
//! `CHUNK_CAP` entries under consecutive big-endian chunk numbers, so a hub's list
//! is a short run of keys and a small entity's list is one key.

use crate::model::{Direction, EntityId, Node, StatementId};

/// Tag of metadata keys.
pub const META: u8 = b'M';
/// Tag of entity records.
pub const ENTITY: u8 = b'E';
/// Tag of statement pages.
pub const STATEMENT_PAGE: u8 = b'S';
/// Tag of document texts.
pub const TEXT: u8 = b'X';
/// Tag of the name index.
pub const NAME: u8 = b'N';
/// Tag of relation name → id.
pub const RELATION_BY_NAME: u8 = b'L';
/// Tag of relation id → name.
pub const RELATION_BY_ID: u8 = b'l';
/// Tag of adjacency chunks.
pub const ADJACENCY: u8 = b'A';
/// Tag of the by-relation posting lists.
pub const BY_RELATION: u8 = b'R';
/// Tag of the by-document posting lists.
pub const BY_DOCUMENT: u8 = b'D';
/// Tag of the by-attribution posting lists.
pub const BY_ATTRIBUTION: u8 = b'T';
/// Tag of the by-kind posting lists.
pub const BY_KIND: u8 = b'K';

/// Statements per page: a page key holds sids `page*32 .. page*32+31`.
pub const PAGE_BITS: u32 = 5;
/// Entries per posting-list chunk.
pub const CHUNK_CAP: usize = 512;

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

fn tagged(tag: u8, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + rest.len());
    k.push(tag);
    k.extend_from_slice(rest);
    k
}

/// `E eid`.
pub fn entity(id: EntityId) -> Vec<u8> {
    tagged(ENTITY, &id.0.to_be_bytes())
}

/// The page number and slot of a statement.
pub fn page_of(id: StatementId) -> (u64, usize) {
    (id.0 >> PAGE_BITS, (id.0 & ((1 << PAGE_BITS) - 1)) as usize)
}

/// `S page`.
pub fn statement_page(page: u64) -> Vec<u8> {
    tagged(STATEMENT_PAGE, &page.to_be_bytes())
}

/// `X eid`.
pub fn text(id: EntityId) -> Vec<u8> {
    tagged(TEXT, &id.0.to_be_bytes())
}

/// `N normalised`.
pub fn name(normalised: &str) -> Vec<u8> {
    tagged(NAME, normalised.as_bytes())
}

/// `L name`.
pub fn relation_by_name(name: &str) -> Vec<u8> {
    tagged(RELATION_BY_NAME, name.as_bytes())
}

/// `l id`.
pub fn relation_by_id(id: u32) -> Vec<u8> {
    tagged(RELATION_BY_ID, &id.to_be_bytes())
}

/// Encodes a node as 9 bytes: kind tag then big-endian id.
pub fn node_bytes(node: Node) -> [u8; 9] {
    let (tag, id) = match node {
        Node::Entity(e) => (0u8, e.0),
        Node::Statement(s) => (1u8, s.0),
    };
    let mut out = [0u8; 9];
    out[0] = tag;
    out[1..].copy_from_slice(&id.to_be_bytes());
    out
}

/// Decodes `node_bytes`.
pub fn decode_node(bytes: &[u8]) -> Option<Node> {
    let id = u64::from_be_bytes(bytes.get(1..9)?.try_into().ok()?);
    match bytes.first()? {
        0 => Some(Node::Entity(EntityId(id))),
        1 => Some(Node::Statement(StatementId(id))),
        _ => None,
    }
}

/// The prefix of a posting list; the chunk number follows it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ListKey(pub Vec<u8>);

impl ListKey {
    /// Adjacency of a node in one direction.
    pub fn adjacency(node: Node, dir: Direction) -> ListKey {
        let mut k = tagged(ADJACENCY, &node_bytes(node));
        k.push(match dir {
            Direction::Out => 0,
            Direction::In => 1,
        });
        ListKey(k)
    }

    /// Statements with a relation.
    pub fn relation(rel: u32) -> ListKey {
        ListKey(tagged(BY_RELATION, &rel.to_be_bytes()))
    }

    /// Statements citing a document.
    pub fn document(doc: EntityId) -> ListKey {
        ListKey(tagged(BY_DOCUMENT, &doc.0.to_be_bytes()))
    }

    /// Statements attributed to an entity.
    pub fn attribution(who: EntityId) -> ListKey {
        ListKey(tagged(BY_ATTRIBUTION, &who.0.to_be_bytes()))
    }

    /// Entities of a kind. Kinds end with a 0 byte so "Person" is not a prefix of
    /// "PersonX"'s chunks.
    pub fn kind(kind: &str) -> ListKey {
        let mut k = tagged(BY_KIND, kind.as_bytes());
        k.push(0);
        ListKey(k)
    }

    /// The key of chunk `n`.
    pub fn chunk(&self, n: u32) -> Vec<u8> {
        let mut k = Vec::with_capacity(self.0.len() + 4);
        k.extend_from_slice(&self.0);
        k.extend_from_slice(&n.to_be_bytes());
        k
    }

    /// The chunk number of a full key under this prefix.
    pub fn chunk_no(&self, key: &[u8]) -> Option<u32> {
        let rest = key.strip_prefix(self.0.as_slice())?;
        Some(u32::from_be_bytes(rest.try_into().ok()?))
    }

    /// The tag byte, which says which family this list belongs to.
    pub fn tag(&self) -> u8 {
        self.0[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_numerically() {
        assert!(entity(EntityId(2)) < entity(EntityId(256)));
        assert!(statement_page(1) < statement_page(1 << 40));
        let a = ListKey::adjacency(Node::Entity(EntityId(7)), Direction::Out);
        assert!(a.chunk(1) < a.chunk(256));
        assert_eq!(a.chunk_no(&a.chunk(300)), Some(300));
    }

    #[test]
    fn nodes_round_trip() {
        for n in [Node::Entity(EntityId(0)), Node::Statement(StatementId(u64::MAX))] {
            assert_eq!(decode_node(&node_bytes(n)), Some(n));
        }
        assert_eq!(decode_node(&[9; 9]), None);
        assert_eq!(decode_node(&[0; 3]), None);
    }

    #[test]
    fn kind_lists_are_prefix_free() {
        let a = ListKey::kind("Person");
        let b = ListKey::kind("PersonX");
        assert!(!b.chunk(0).starts_with(&a.0));
    }

    #[test]
    fn pages_hold_thirty_two_statements() {
        assert_eq!(page_of(StatementId(31)), (0, 31));
        assert_eq!(page_of(StatementId(32)), (1, 0));
    }
}

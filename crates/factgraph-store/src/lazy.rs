//! An entity's properties as an answer shows them: a map decoded already, or the
//! bytes of the record they were read from, checked and decoded when first looked at.
//!
//! A long answer shows tens of thousands of documents (the hub's `who reported` at
//! 1,000,000 statements reads 112,594 document records), and a document's properties
//! made a map, with a string per key and per text value, for each; most answers are
//! read for their names (a table, tab-separated values) and never look inside. A
//! record's properties are checked as they are read (`entity_shown`: damage is an
//! error there, as decoding would make it) and kept as a copy of their bytes, one
//! allocation; the map is made once, by whoever first reads it.

use std::sync::{Arc, OnceLock};

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::model::{Date, EntityId, Properties, Temporal, Value};

/// Properties decoded, or kept as stored until first read (see the module's doc).
/// Reads as the map (`Deref`); compares, prints and serialises as the map.
#[derive(Clone)]
pub struct LazyProperties(Repr);

#[derive(Clone)]
enum Repr {
    Decoded(Arc<Properties>),
    Stored(Arc<Stored>),
}

/// Properties as stored: checked when read from their record, so decoding them
/// again cannot fail.
struct Stored {
    /// Held beside the rest when short, as a document's are (a title, a date, an
    /// outlet): one allocation instead of two for each document a long answer reads.
    bytes: smallvec::SmallVec<[u8; STORED_INLINE]>,
    /// Entries in `bytes`, for `heap_bytes`.
    entries: usize,
    decoded: OnceLock<Properties>,
}

/// Bytes of stored properties kept beside the rest of `Stored` (past it, in an
/// allocation of their own): the synthetic benchmark's documents have about 100 (a
/// date, a title of some forty letters and a URL), and at 96 four in five took a
/// second allocation.
const STORED_INLINE: usize = 128;

impl LazyProperties {
    /// Properties already decoded, shared.
    pub fn decoded(properties: Arc<Properties>) -> LazyProperties {
        LazyProperties(Repr::Decoded(properties))
    }

    /// Whether there are none, without decoding them.
    pub fn is_empty(&self) -> bool {
        match &self.0 {
            Repr::Decoded(p) => p.is_empty(),
            Repr::Stored(s) => s.entries == 0,
        }
    }

    /// Whether the map has been made (the properties were decoded when read, or have
    /// been looked at since).
    pub fn is_decoded(&self) -> bool {
        match &self.0 {
            Repr::Decoded(_) => true,
            Repr::Stored(s) => s.decoded.get().is_some(),
        }
    }

    /// Bytes these properties take in memory, at most, decoded: each entry's key and
    /// value slots and their texts. Kept as stored, the stored bytes and a bound on
    /// the map they make (whose texts are the stored ones), whether or not it is made
    /// yet: a budget that counted them when they were read releases the same count.
    pub fn heap_bytes(&self) -> usize {
        let slots = std::mem::size_of::<String>() + std::mem::size_of::<Value>();
        match &self.0 {
            Repr::Decoded(p) => p
                .iter()
                .map(|(k, v)| {
                    slots
                        + k.len()
                        + match v {
                            Value::Str(s) => s.len(),
                            _ => 0,
                        }
                })
                .sum(),
            Repr::Stored(s) => s.entries * slots + 2 * s.bytes.len(),
        }
    }
}

impl std::ops::Deref for LazyProperties {
    type Target = Properties;

    fn deref(&self) -> &Properties {
        match &self.0 {
            Repr::Decoded(p) => p,
            // Checked when read (`checked`): a failure here would be a decoder that
            // reads the same bytes two ways, and shows as no properties, not a panic.
            Repr::Stored(s) => s.decoded.get_or_init(|| {
                let decoded = postcard::from_bytes(&s.bytes);
                debug_assert!(decoded.is_ok(), "checked properties failed to decode: {decoded:?}");
                decoded.unwrap_or_default()
            }),
        }
    }
}

impl Default for LazyProperties {
    fn default() -> LazyProperties {
        LazyProperties::decoded(Arc::default())
    }
}

impl From<Properties> for LazyProperties {
    fn from(p: Properties) -> LazyProperties {
        LazyProperties::decoded(Arc::new(p))
    }
}

impl From<Arc<Properties>> for LazyProperties {
    fn from(p: Arc<Properties>) -> LazyProperties {
        LazyProperties::decoded(p)
    }
}

impl PartialEq for LazyProperties {
    fn eq(&self, other: &LazyProperties) -> bool {
        **self == **other
    }
}

impl std::fmt::Debug for LazyProperties {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl serde::Serialize for LazyProperties {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

/// What `Store::entity_shown` hands on of an entity's record, borrowed from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShownRecord<'r, const N: usize> {
    /// Its name.
    pub name: &'r str,
    /// Its kind.
    pub kind: &'r str,
    /// The text of each property asked for, in the order asked (`None`: it has none,
    /// or it is not text).
    pub texts: [Option<&'r str>; N],
}

/// Reads an entity record without its aliases: its name and kind, the texts of the
/// properties `wanted`, and its properties checked and kept as stored.
pub(crate) fn entity_shown<'r, const N: usize>(
    record: &'r [u8],
    wanted: [&str; N],
) -> Result<(ShownRecord<'r, N>, LazyProperties), postcard::Error> {
    /// The fields an entity record starts with (`Entity`'s order), borrowed; the
    /// properties follow.
    #[derive(Deserialize)]
    struct Head<'a> {
        #[allow(dead_code)]
        id: EntityId,
        name: &'a str,
        kind: &'a str,
        #[allow(dead_code)]
        aliases: Vec<AliasRef<'a>>,
    }
    let (head, rest): (Head<'_>, _) = postcard::take_from_bytes(record)?;
    let mut de = postcard::Deserializer::from_bytes(rest);
    let mut texts = [None; N];
    let entries = (&mut de).deserialize_map(Check { wanted, texts: &mut texts })?;
    let after = de.finalize()?;
    let shown = ShownRecord { name: head.name, kind: head.kind, texts };
    // None: one empty map, not an allocation of stored room each.
    if entries == 0 {
        return Ok((shown, LazyProperties::default()));
    }
    let bytes = &rest[..rest.len() - after.len()];
    let stored = Stored { bytes: bytes.into(), entries, decoded: OnceLock::new() };
    Ok((shown, LazyProperties(Repr::Stored(Arc::new(stored)))))
}

/// An alias as stored, passed over: empty for most documents, so unallocated.
#[derive(Deserialize)]
struct AliasRef<'a> {
    #[allow(dead_code)]
    text: &'a str,
    #[allow(dead_code)]
    documents: Vec<EntityId>,
}

/// A map of properties read through, borrowed, to check it and to find the texts
/// wanted; its entries counted. A key twice (no store writes one) is read as a map
/// decoded whole reads it: the later value.
struct Check<'w, 't, 'r, const N: usize> {
    wanted: [&'w str; N],
    texts: &'t mut [Option<&'r str>; N],
}

impl<'de, const N: usize> Visitor<'de> for Check<'_, '_, 'de, N> {
    type Value = usize;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a map of properties")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<usize, M::Error> {
        let mut entries = 0;
        while let Some((key, value)) = map.next_entry::<&'de str, ValueRef<'de>>()? {
            entries += 1;
            if let Some(at) = self.wanted.iter().position(|w| *w == key) {
                self.texts[at] = match value {
                    ValueRef::Str(s) => Some(s),
                    _ => None,
                };
            }
        }
        Ok(entries)
    }
}

/// A `Value` as stored, its text borrowed from the record. The variants are
/// `Value`'s, in its order: the encoding names a variant by its place.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
enum ValueRef<'a> {
    Str(&'a str),
    Int(i64),
    Float(f64),
    Bool(bool),
    Date(Date),
    Temporal(Temporal),
    List(Vec<Value>),
    Entity(EntityId),
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An entity record with `properties`, encoded as the store encodes it.
    fn record(properties: &Properties) -> Vec<u8> {
        let entity = crate::model::Entity {
            id: EntityId(9),
            name: "name".into(),
            kind: "Document".into(),
            aliases: vec![crate::model::Alias { text: "alias".into(), documents: vec![EntityId(3)] }],
            properties: properties.clone(),
        };
        postcard::to_allocvec(&entity).unwrap()
    }

    fn every_kind() -> Properties {
        let mut p = Properties::new();
        p.insert("a text".into(), Value::Str("words".into()));
        p.insert("b int".into(), Value::Int(-42));
        p.insert("c float".into(), Value::Float(2.5));
        p.insert("d bool".into(), Value::Bool(true));
        p.insert("e date".into(), Value::Date(Date::new(2020, 1, 3).unwrap()));
        p.insert(
            "f temporal".into(),
            Value::Temporal(Temporal { kind: crate::model::TemporalKind::Time, text: "12:31:14.645".into() }),
        );
        p.insert("g list".into(), Value::List(vec![Value::Int(1), Value::Str("two".into())]));
        p.insert("h entity".into(), Value::Entity(EntityId(7)));
        p
    }

    /// Names every variant of `Value`, so that a new one fails to compile here until
    /// `ValueRef` has it too (in its place: the encoding names a variant by its place).
    fn mirrored(v: &Value) -> usize {
        match v {
            Value::Str(_) => 0,
            Value::Int(_) => 1,
            Value::Float(_) => 2,
            Value::Bool(_) => 3,
            Value::Date(_) => 4,
            Value::Temporal(_) => 5,
            Value::List(_) => 6,
            Value::Entity(_) => 7,
        }
    }

    #[test]
    fn every_kind_of_value_reads_as_the_map_decoded_whole() {
        let stored = every_kind();
        let mut places: Vec<usize> = stored.values().map(mirrored).collect();
        places.sort_unstable();
        assert_eq!(places, (0..8).collect::<Vec<_>>(), "every variant once");
        let bytes = record(&stored);
        let (shown, lazy) = entity_shown(&bytes, ["a text", "b int", "nothing"]).unwrap();
        assert_eq!((shown.name, shown.kind), ("name", "Document"));
        assert_eq!(shown.texts, [Some("words"), None, None], "only texts are handed on");
        assert!(!lazy.is_decoded() && !lazy.is_empty());
        assert_eq!(*lazy, stored);
        assert!(lazy.is_decoded(), "made once, when first read");
    }

    /// What `heap_bytes` says of properties kept as stored is no less than what they
    /// take decoded, and the same before and after they are.
    #[test]
    fn stored_properties_count_no_fewer_bytes_than_decoded_ones() {
        for p in [every_kind(), Properties::new(), [("title".to_owned(), Value::Str("x".repeat(300)))].into()] {
            let bytes = record(&p);
            let (_, lazy) = entity_shown(&bytes, []).unwrap();
            let decoded = LazyProperties::from(p.clone()).heap_bytes();
            let before = lazy.heap_bytes();
            assert!(before >= decoded, "{p:?}");
            assert_eq!(lazy.is_empty(), p.is_empty());
            assert_eq!(lazy.len(), p.len());
            assert_eq!(lazy.heap_bytes(), before, "the same count, decoded or not");
        }
    }

    /// A damaged record is an error, whatever it cut or changed, never a panic.
    #[test]
    fn a_damaged_record_is_an_error() {
        let bytes = record(&every_kind());
        for cut in 0..bytes.len() {
            assert!(entity_shown(&bytes[..cut], ["a text"]).is_err(), "cut at {cut}");
        }
        // A value naming a variant past the last: the record ends with the one
        // property's variant (1, `Int`) and its number (5, zigzag 10).
        let mut bad = record(&[("k".to_owned(), Value::Int(5))].into());
        let n = bad.len();
        assert_eq!(bad[n - 2..], [1, 10]);
        bad[n - 2] = 99;
        assert!(entity_shown(&bad, []).is_err());
    }

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            "[a-z ]{0,12}".prop_map(Value::Str),
            any::<i64>().prop_map(Value::Int),
            (-1e9f64..1e9).prop_map(Value::Float),
            "[0-9:.]{1,12}".prop_map(|text| Value::Temporal(Temporal { kind: crate::model::TemporalKind::Time, text })),
            any::<bool>().prop_map(Value::Bool),
            (1i32..9999, 1u8..13, 1u8..29).prop_map(|(y, m, d)| Value::Date(Date::new(y, m, d).unwrap())),
            any::<u64>().prop_map(|e| Value::Entity(EntityId(e))),
            proptest::collection::vec(any::<i64>().prop_map(Value::Int), 0..3).prop_map(Value::List),
        ]
    }

    fn properties() -> impl Strategy<Value = Properties> {
        proptest::collection::btree_map("[a-e]{1,2}", value(), 0..6)
    }

    proptest! {
        /// Properties kept as stored read as the record decoded whole.
        #[test]
        fn stored_properties_read_as_the_record_decoded_whole(stored in properties()) {
            let bytes = record(&stored);
            let whole: crate::model::Entity = postcard::from_bytes(&bytes).unwrap();
            let (shown, lazy) = entity_shown(&bytes, ["a", "b"]).unwrap();
            let text = |k: &str| match whole.properties.get(k) {
                Some(Value::Str(s)) => Some(s.as_str()),
                _ => None,
            };
            prop_assert_eq!(shown.texts, [text("a"), text("b")]);
            prop_assert_eq!(&*lazy, &whole.properties);
        }

        /// A map stored out of key order, or with a key twice (no store writes one),
        /// reads as a map decoded whole reads it: the later value, for the texts too.
        #[test]
        fn entries_out_of_order_read_as_a_map_decoded_whole(
            entries in proptest::collection::vec(("[a-c]", value()), 0..6),
        ) {
            #[derive(serde::Serialize)]
            struct Raw<'e> {
                id: EntityId,
                name: &'e str,
                kind: &'e str,
                aliases: Vec<crate::model::Alias>,
                #[serde(serialize_with = "as_map")]
                properties: &'e [(String, Value)],
            }
            fn as_map<S: serde::Serializer>(e: &&[(String, Value)], s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(e.iter().map(|(k, v)| (k, v)))
            }
            let raw = Raw { id: EntityId(1), name: "n", kind: "k", aliases: vec![], properties: &entries };
            let bytes = postcard::to_allocvec(&raw).unwrap();
            let whole: crate::model::Entity = postcard::from_bytes(&bytes).unwrap();
            let (shown, lazy) = entity_shown(&bytes, ["a"]).unwrap();
            let text = match whole.properties.get("a") {
                Some(Value::Str(s)) => Some(s.as_str()),
                _ => None,
            };
            prop_assert_eq!(shown.texts, [text]);
            prop_assert_eq!(&*lazy, &whole.properties);
        }
    }
}

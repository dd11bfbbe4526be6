//! Properties decoded into a map decoded before, in the room it has: its keys, its
//! node and its texts are kept where the record's keys are the map's.
//!
//! A long answer shows tens of thousands of documents, each decoded afresh (the hub's
//! `who reported` at 1,000,000 statements decodes 112,594), and a document's
//! properties made a map, a string per key and per text value: eight allocations of
//! the eleven each decode made, and the largest part of the answer's time. A map
//! whose rows are gone is filled again instead (`Store::entity_shown`).

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::model::{Date, EntityId, Properties, Temporal, Value};

/// A `Value` as stored, its text borrowed from the record. The variants are
/// `Value`'s, in its order: the encoding names a variant by its place.
#[derive(Debug, Deserialize)]
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

impl ValueRef<'_> {
    fn into_value(self) -> Value {
        match self {
            ValueRef::Str(s) => Value::Str(s.to_owned()),
            ValueRef::Int(i) => Value::Int(i),
            ValueRef::Float(f) => Value::Float(f),
            ValueRef::Bool(b) => Value::Bool(b),
            ValueRef::Date(d) => Value::Date(d),
            ValueRef::Temporal(t) => Value::Temporal(t),
            ValueRef::List(l) => Value::List(l),
            ValueRef::Entity(e) => Value::Entity(e),
        }
    }

    /// Puts this value in `slot`; a text in the room of the text it held.
    fn assign(self, slot: &mut Value) {
        match (slot, self) {
            (Value::Str(held), ValueRef::Str(s)) => {
                held.clear();
                held.push_str(s);
            }
            (slot, v) => *slot = v.into_value(),
        }
    }
}

/// Decodes an entity record's properties into `into`, and hands back its name and
/// kind, borrowed from the record (its aliases are passed over).
pub(crate) fn entity_shown_into<'a>(
    record: &'a [u8],
    into: &mut Properties,
) -> std::result::Result<(&'a str, &'a str), postcard::Error> {
    let mut de = postcard::Deserializer::from_bytes(record);
    serde::de::DeserializeSeed::deserialize(Shown(into), &mut de)
}

/// An entity record (`Entity`'s fields in order) read for `entity_shown_into`.
struct Shown<'p>(&'p mut Properties);

impl<'de, 'p> serde::de::DeserializeSeed<'de> for Shown<'p> {
    type Value = (&'de str, &'de str);

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_struct("Entity", &["id", "name", "kind", "aliases", "properties"], self)
    }
}

/// An alias as stored, passed over: empty for most documents, so unallocated.
#[derive(Deserialize)]
struct AliasRef<'a> {
    #[allow(dead_code)]
    text: &'a str,
    #[allow(dead_code)]
    documents: Vec<EntityId>,
}

impl<'de, 'p> Visitor<'de> for Shown<'p> {
    type Value = (&'de str, &'de str);

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an entity record")
    }

    fn visit_seq<S: serde::de::SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
        let missing = |i| serde::de::Error::invalid_length(i, &"an entity record's five fields");
        seq.next_element::<EntityId>()?.ok_or_else(|| missing(0))?;
        let name: &'de str = seq.next_element()?.ok_or_else(|| missing(1))?;
        let kind: &'de str = seq.next_element()?.ok_or_else(|| missing(2))?;
        seq.next_element::<Vec<AliasRef<'de>>>()?.ok_or_else(|| missing(3))?;
        seq.next_element_seed(Refill(self.0))?.ok_or_else(|| missing(4))?;
        Ok((name, kind))
    }
}

/// A map of properties decoded into the one held.
struct Refill<'p>(&'p mut Properties);

impl<'de, 'p> serde::de::DeserializeSeed<'de> for Refill<'p> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, 'p> Visitor<'de> for Refill<'p> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a map of properties")
    }

    /// The entries fill the held map's in place while their keys are its keys, in
    /// order (a stored map is in key order, so a document's are most often its last
    /// one's); from the first that is not, the held map keeps the entries filled and
    /// the rest are inserted as a map decoded whole would have them (a key twice: the
    /// later value).
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        let into = self.0;
        // A new map (none was let go of), filled as a map is decoded whole.
        if into.is_empty() {
            while let Some((key, value)) = map.next_entry::<&'de str, ValueRef<'de>>()? {
                into.insert(key.to_owned(), value.into_value());
            }
            return Ok(());
        }
        let mut filled = 0;
        let mut rest: Vec<(String, Value)> = Vec::new();
        {
            let mut held = into.iter_mut();
            while let Some((key, value)) = map.next_entry::<&'de str, ValueRef<'de>>()? {
                if !rest.is_empty() {
                    rest.push((key.to_owned(), value.into_value()));
                    continue;
                }
                match held.next() {
                    Some((k, slot)) if k == key => {
                        value.assign(slot);
                        filled += 1;
                    }
                    _ => rest.push((key.to_owned(), value.into_value())),
                }
            }
        }
        if filled < into.len() {
            let first_not_filled = into.keys().nth(filled).cloned().expect("fewer filled than held");
            into.split_off(&first_not_filled);
        }
        into.extend(rest);
        Ok(())
    }
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

    fn refilled(held: &Properties, stored: &Properties) -> Properties {
        let bytes = record(stored);
        let mut into = held.clone();
        assert_eq!(entity_shown_into(&bytes, &mut into).unwrap(), ("name", "Document"));
        into
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
        assert_eq!(refilled(&Properties::new(), &stored), stored, "into an empty map");
        assert_eq!(refilled(&stored, &stored), stored, "into a map of the same keys");
    }

    #[test]
    fn a_map_of_the_same_keys_is_filled_in_the_room_of_its_texts() {
        let held: Properties = [("title".to_owned(), Value::Str("a much longer title than the next".into()))].into();
        let stored: Properties = [("title".to_owned(), Value::Str("short".into()))].into();
        let bytes = record(&stored);
        let mut into = held;
        let room = match &into["title"] {
            Value::Str(s) => s.as_ptr(),
            _ => unreachable!(),
        };
        entity_shown_into(&bytes, &mut into).unwrap();
        assert_eq!(into, stored);
        match &into["title"] {
            Value::Str(s) => assert_eq!(s.as_ptr(), room, "the text was written where the last one was"),
            other => panic!("{other:?}"),
        }
    }

    /// A damaged record is an error, whatever it cut or changed, never a panic.
    #[test]
    fn a_damaged_record_is_an_error() {
        let bytes = record(&every_kind());
        for cut in 0..bytes.len() {
            let mut into = every_kind();
            assert!(entity_shown_into(&bytes[..cut], &mut into).is_err(), "cut at {cut}");
        }
        // A value naming a variant past the last: the record ends with the one
        // property's variant (1, `Int`) and its number (5, zigzag 10).
        let mut bad = record(&[("k".to_owned(), Value::Int(5))].into());
        let n = bad.len();
        assert_eq!(bad[n - 2..], [1, 10]);
        bad[n - 2] = 99;
        assert!(entity_shown_into(&bad, &mut every_kind()).is_err());
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
        /// Whatever the map held, it ends as the stored properties decoded whole.
        #[test]
        fn a_refilled_map_is_the_map_decoded_whole(held in properties(), stored in properties()) {
            let whole: crate::model::Entity = postcard::from_bytes(&record(&stored)).unwrap();
            prop_assert_eq!(refilled(&held, &stored), whole.properties);
        }

        /// A map stored out of key order, or with a key twice (no store writes one),
        /// reads as a map decoded whole reads it, whatever was held.
        #[test]
        fn entries_out_of_order_read_as_a_map_decoded_whole(
            held in properties(),
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
            let mut into = held;
            entity_shown_into(&bytes, &mut into).unwrap();
            prop_assert_eq!(into, whole.properties);
        }
    }
}

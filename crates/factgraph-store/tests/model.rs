//! Property test: random sequences of operations, in random batches (some committed,
//! some abandoned), applied to the store and to a plain in-memory model; after every
//! batch every index of the store must answer what the model says.

use std::collections::{BTreeMap, BTreeSet};

use factgraph_store::*;
use proptest::prelude::*;

const NAMES: [&str; 8] =
    ["Trump", "Donald Trump", "IRNA", "Soleimani", "Qasem Soleimani", "Interpol", "TRUMP", "Soleimaní"];
const KINDS: [&str; 3] = ["Person", "Organization", "Concept"];
const RELS: [&str; 3] = ["accused", "reported-by", "forbids"];

#[derive(Clone, Debug)]
enum Op {
    Entity {
        name: usize,
        kind: usize,
    },
    Alias {
        entity: usize,
        name: usize,
    },
    Statement {
        s: usize,
        about: bool,
        rel: usize,
        o: usize,
        lit: Option<i64>,
        qual: bool,
        doc: usize,
        quote: usize,
    },
    Retract {
        statement: usize,
    },
    Delete {
        entity: usize,
    },
    Rename {
        entity: usize,
        name: usize,
    },
    /// A lookup inside the transaction, checked against the model there.
    Lookup {
        name: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..NAMES.len(), 0..KINDS.len()).prop_map(|(name, kind)| Op::Entity { name, kind }),
        (0..8usize, 0..NAMES.len()).prop_map(|(entity, name)| Op::Alias { entity, name }),
        (
            0..8usize,
            any::<bool>(),
            0..RELS.len(),
            0..8usize,
            proptest::option::of(0..3i64),
            any::<bool>(),
            0..2usize,
            0..3usize
        )
            .prop_map(|(s, about, rel, o, lit, qual, doc, quote)| Op::Statement {
                s,
                about,
                rel,
                o,
                lit,
                qual,
                doc,
                quote
            }),
        (0..8usize).prop_map(|statement| Op::Retract { statement }),
        (0..8usize).prop_map(|entity| Op::Delete { entity }),
        (0..8usize, 0..NAMES.len()).prop_map(|(entity, name)| Op::Rename { entity, name }),
        (0..NAMES.len()).prop_map(|name| Op::Lookup { name }),
    ]
}

#[derive(Clone, Debug, Default)]
struct Model {
    entities: BTreeMap<EntityId, (String, String, BTreeSet<String>)>,
    statements: BTreeMap<StatementId, (Node, String, Object, Qualifiers, Vec<Evidence>)>,
}

impl Model {
    fn nth_entity(&self, i: usize) -> Option<EntityId> {
        let plain: Vec<EntityId> = self.entities.iter().filter(|(_, e)| e.1 != "Document").map(|(id, _)| *id).collect();
        (!plain.is_empty()).then(|| plain[i % plain.len()])
    }
    fn nth_statement(&self, i: usize) -> Option<StatementId> {
        let ids: Vec<StatementId> = self.statements.keys().copied().collect();
        (!ids.is_empty()).then(|| ids[i % ids.len()])
    }
}

/// The entities a name finds in the model: by canonical name or alias, by id.
fn found(m: &Model, name: &str) -> Vec<EntityId> {
    m.entities
        .iter()
        .filter(|(_, e)| normalize(&e.0) == normalize(name) || e.2.iter().any(|a| normalize(a) == normalize(name)))
        .map(|(id, _)| *id)
        .collect()
}

fn apply(tx: &mut Transaction<'_>, m: &mut Model, docs: &[EntityId], op: &Op) {
    match *op {
        Op::Entity { name, kind } => {
            let id = tx.create_entity(NAMES[name], KINDS[kind]).unwrap();
            m.entities.insert(id, (NAMES[name].into(), KINDS[kind].into(), BTreeSet::new()));
        }
        Op::Alias { entity, name } => {
            if let Some(id) = m.nth_entity(entity) {
                tx.add_alias(id, NAMES[name], Some(docs[0])).unwrap();
                m.entities.get_mut(&id).unwrap().2.insert(NAMES[name].into());
            }
        }
        Op::Statement { s, about, rel, o, lit, qual, doc, quote } => {
            let subject: Node = match (about, m.nth_statement(s), m.nth_entity(s)) {
                (true, Some(st), _) => st.into(),
                (_, _, Some(e)) => e.into(),
                _ => return,
            };
            let object: Object = match (lit, m.nth_entity(o)) {
                (Some(v), _) => Value::Int(v).into(),
                (None, Some(e)) => e.into(),
                (None, None) => return,
            };
            let mut q = Qualifiers::new();
            if qual {
                q.insert("count".into(), Value::Int(36));
            }
            let ev = Evidence::new(docs[doc], format!("quote {quote}"));
            let new = NewStatement {
                subject,
                relation: RELS[rel].into(),
                object: object.clone(),
                qualifiers: q.clone(),
                evidence: vec![ev.clone()],
            };
            match tx.add_statement(new).unwrap() {
                Added::Created(id) => {
                    assert!(!m
                        .statements
                        .values()
                        .any(|x| x.0 == subject && x.1 == RELS[rel] && x.2 == object && x.3 == q));
                    m.statements.insert(id, (subject, RELS[rel].into(), object, q, vec![ev]));
                }
                Added::Merged { id, new_evidence } => {
                    let st = m.statements.get_mut(&id).unwrap();
                    assert_eq!((st.0, st.1.as_str(), &st.2, &st.3), (subject, RELS[rel], &object, &q));
                    let dup = st.4.iter().any(|e| e.document == ev.document && e.quote == ev.quote);
                    assert_eq!(new_evidence, usize::from(!dup));
                    if !dup {
                        st.4.push(ev);
                    }
                }
            }
        }
        Op::Retract { statement } => {
            if let Some(id) = m.nth_statement(statement) {
                let mut gone = BTreeSet::from([id]);
                loop {
                    let more: Vec<StatementId> = m
                        .statements
                        .iter()
                        .filter(|(sid, st)| {
                            !gone.contains(sid)
                                && (matches!(st.0, Node::Statement(x) if gone.contains(&x))
                                    || matches!(st.2, Object::Node(Node::Statement(x)) if gone.contains(&x)))
                        })
                        .map(|(sid, _)| *sid)
                        .collect();
                    if more.is_empty() {
                        break;
                    }
                    gone.extend(more);
                }
                assert_eq!(tx.retract(id).unwrap(), gone.len());
                for g in gone {
                    m.statements.remove(&g);
                }
            }
        }
        Op::Rename { entity, name } => {
            if let Some(id) = m.nth_entity(entity) {
                tx.rename_entity(id, NAMES[name]).unwrap();
                m.entities.get_mut(&id).unwrap().0 = NAMES[name].into();
            }
        }
        Op::Lookup { name } => {
            assert_eq!(
                tx.lookup(NAMES[name]).unwrap(),
                found(m, NAMES[name]),
                "lookup {} in the transaction",
                NAMES[name]
            );
        }
        Op::Delete { entity } => {
            if let Some(id) = m.nth_entity(entity) {
                let used =
                    m.statements.values().any(|st| st.0 == Node::Entity(id) || st.2 == Object::Node(Node::Entity(id)));
                match tx.delete_entity(id) {
                    Ok(()) => {
                        assert!(!used);
                        m.entities.remove(&id);
                    }
                    Err(StoreError::InUseEntity(_)) => assert!(used),
                    Err(e) => panic!("{e}"),
                }
            }
        }
    }
}

fn compare(store: &Store, m: &Model) {
    for name in NAMES {
        assert_eq!(store.lookup(name).unwrap(), found(m, name), "lookup {name}");
    }
    for (id, (name, kind, _)) in &m.entities {
        let e = store.entity(*id).unwrap().unwrap();
        assert_eq!((&e.name, &e.kind), (name, kind));
        for (dir, want) in [
            (
                Direction::Out,
                m.statements.iter().filter(|s| s.1 .0 == Node::Entity(*id)).map(|s| *s.0).collect::<Vec<_>>(),
            ),
            (
                Direction::In,
                m.statements.iter().filter(|s| s.1 .2 == Object::Node(Node::Entity(*id))).map(|s| *s.0).collect(),
            ),
        ] {
            let mut got = store.statements_of(Node::Entity(*id), dir).unwrap();
            got.sort();
            assert_eq!(got, want, "{dir:?} of {id}");
        }
    }
    for (id, st) in &m.statements {
        let got = store.statement(*id).unwrap().unwrap();
        assert_eq!((got.subject, &got.relation, &got.object, &got.qualifiers), (st.0, &st.1, &st.2, &st.3));
        let quotes: Vec<&str> = got.evidence.iter().map(|e| e.quote.as_str()).collect();
        let want: Vec<&str> = st.4.iter().map(|e| e.quote.as_str()).collect();
        assert_eq!(quotes, want);
    }
    for rel in RELS {
        let mut got = store.statements_with_relation(rel).unwrap();
        got.sort();
        let want: Vec<StatementId> = m.statements.iter().filter(|s| s.1 .1 == rel).map(|s| *s.0).collect();
        assert_eq!(got, want, "relation {rel}");
    }
    for kind in KINDS {
        let want: Vec<EntityId> = m.entities.iter().filter(|e| e.1 .1 == kind).map(|e| *e.0).collect();
        let mut got = store.entities_of_kind(kind).unwrap();
        got.sort();
        assert_eq!(got, want, "kind {kind}");
    }
    let counts = store.counts().unwrap();
    assert_eq!(counts.statements as usize, m.statements.len());
    assert_eq!(counts.entities as usize, m.entities.len());
    let report = store.check().unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The same operations give the same answers on every engine, whether batches
    /// hold their records until the commit or spill them ahead of it (before every
    /// operation, or now and then), and whether they are committed or dropped.
    #[test]
    fn store_matches_model(
        batches in prop::collection::vec((prop::collection::vec(op(), 1..12), any::<bool>()), 1..6),
        on_disk in any::<bool>(),
        spill in prop_oneof![Just(usize::MAX), Just(0), Just(300)],
    ) {
        let dir = tempfile::tempdir().unwrap();
        let store = if on_disk {
            Store::open(dir.path().join("db"), &OpenOptions::default()).unwrap()
        } else {
            Store::in_memory().unwrap()
        };
        let mut model = Model::default();
        let mut docs = Vec::new();
        {
            let mut tx = store.transaction().unwrap();
            for name in ["doc-a", "doc-b"] {
                let id = tx.create_document(name, Properties::new(), None).unwrap();
                model.entities.insert(id, (name.into(), "Document".into(), BTreeSet::new()));
                docs.push(id);
            }
            tx.commit().unwrap();
        }
        for (ops, commit) in &batches {
            let mut scratch = model.clone();
            let mut tx = store.transaction().unwrap();
            tx.set_spill_bytes(spill);
            for op in ops {
                apply(&mut tx, &mut scratch, &docs, op);
            }
            if *commit {
                tx.commit().unwrap();
                model = scratch;
            } else {
                drop(tx);
            }
            compare(&store, &model);
        }
    }
}

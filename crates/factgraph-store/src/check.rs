//! `Store::check`: rebuild every index from the primary records (entities and
//! statements) in memory and compare it with what is stored.

use std::collections::{BTreeMap, BTreeSet};

use crate::codec::{AdjEntry, Other, Page};
use crate::error::{Result, StoreError};
use crate::keys::{self, List};
use crate::kv::Kv as _;
use crate::model::{Direction, EntityId, Node, Object};
use crate::normalize::normalize;
use crate::store::{Counts, Store};

/// What `Store::check` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Entities read.
    pub entities: u64,
    /// Statements read.
    pub statements: u64,
    /// Evidence read.
    pub evidence: u64,
    /// Index entries compared.
    pub index_entries: u64,
    /// Every inconsistency, in words. Empty means the store is sound.
    pub problems: Vec<String>,
}

impl CheckReport {
    /// True when nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

type Lists = BTreeMap<List, Vec<u64>>;

impl Store {
    /// Walks every record and every index and reports each disagreement. Reads the
    /// whole store; memory grows with the number of index entries.
    pub fn check(&self) -> Result<CheckReport> {
        let mut report = CheckReport::default();
        let mut names: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
        let mut kinds: Lists = BTreeMap::new();
        let mut entity_kinds: BTreeMap<u64, bool> = BTreeMap::new();
        let mut property_keys: BTreeSet<String> = BTreeSet::new();
        for e in self.entities() {
            let e = e?;
            report.entities += 1;
            if !e.name.is_empty() {
                property_keys.insert("name".into());
            }
            property_keys.extend(e.properties.keys().cloned());
            entity_kinds.insert(e.id.0, e.is_document());
            for s in e.spellings() {
                names.entry(normalize(s)).or_default().insert(e.id.0);
            }
            for label in crate::model::kind_labels(&e.kind) {
                kinds.entry(List::Kind(label.to_owned())).or_default().push(e.id.0);
            }
        }
        let mut adjacency: BTreeMap<(Node, Direction), Vec<AdjEntry>> = BTreeMap::new();
        let mut postings: Lists = BTreeMap::new();
        let mut statement_ids = BTreeSet::new();
        let mut rows = Vec::new();
        for st in self.statements() {
            let st = st?;
            report.statements += 1;
            report.evidence += st.evidence.len() as u64;
            statement_ids.insert(st.id.0);
            property_keys.extend(st.qualifiers.keys().cloned());
            rows.push(st);
        }
        // The property keys, where the store keeps them, list every key in use (more
        // is right: a key stays when its last value goes).
        if self.property_keys(true).is_some() {
            let mut kept = BTreeSet::new();
            for pair in self.kv.scan_prefix(&[keys::PROPERTY_KEY]) {
                kept.insert(pair?.0[1..].to_vec());
            }
            for key in property_keys.iter().filter(|k| !kept.contains(k.as_bytes())) {
                report.problems.push(format!("property key {key:?} is in use but not listed"));
            }
            report.index_entries += property_keys.len() as u64;
        }
        // Format 2: every statement's quotes were read with it above; quotes whose
        // statement is gone are kept for nothing.
        if self.quotes_apart() {
            for pair in self.kv.scan_prefix(&[keys::QUOTES]) {
                let (key, value) = pair?;
                let page = Page::decode(&value)?;
                for (slot, _) in page.slots.iter().enumerate().filter(|(_, rec)| !rec.is_empty()) {
                    let id = keys::id_of(1, &key, slot, keys::RECORD_BITS)
                        .ok_or_else(|| StoreError::Corrupt("a quotes block's key".into()))?;
                    if !statement_ids.contains(&id) {
                        report.problems.push(format!("s{id}: quotes without their statement"));
                    }
                }
            }
        }
        for st in &rows {
            let exists = |n: Node| match n {
                Node::Entity(e) => entity_kinds.contains_key(&e.0),
                Node::Statement(s) => statement_ids.contains(&s.0),
            };
            if !exists(st.subject) {
                report.problems.push(format!("{}: subject {} does not exist", st.id, st.subject));
            }
            if let Some(n) = st.object.node() {
                if !exists(n) {
                    report.problems.push(format!("{}: object {} does not exist", st.id, n));
                }
            }
            if st.evidence.is_empty() {
                report.problems.push(format!("{}: no evidence", st.id));
            }
            let Some(rel) = self.relation_id(&st.relation) else {
                report.problems.push(format!("{}: relation {:?} is not interned", st.id, st.relation));
                continue;
            };
            let other = Other::of_object(&st.object);
            adjacency.entry((st.subject, Direction::Out)).or_default().push(AdjEntry { rel, other, sid: st.id.0 });
            if let Object::Node(n) = st.object {
                adjacency.entry((n, Direction::In)).or_default().push(AdjEntry {
                    rel,
                    other: Other::of_node(st.subject),
                    sid: st.id.0,
                });
            }
            postings.entry(List::Relation(rel)).or_default().push(st.id.0);
            let docs: BTreeSet<EntityId> = st.evidence.iter().map(|e| e.document).collect();
            let whos: BTreeSet<EntityId> = st.evidence.iter().filter_map(|e| e.attribution).collect();
            for d in docs {
                if entity_kinds.get(&d.0) != Some(&true) {
                    report.problems.push(format!("{}: evidence cites {d}, which is not a document", st.id));
                }
                postings.entry(List::Document(d)).or_default().push(st.id.0);
            }
            for a in whos {
                if !entity_kinds.contains_key(&a.0) {
                    report.problems.push(format!("{}: evidence is attributed to missing {a}", st.id));
                }
                postings.entry(List::Attribution(a)).or_default().push(st.id.0);
            }
            for p in crate::model::participants(&st.qualifiers) {
                if entity_kinds.get(&p.0) != Some(&false) {
                    report
                        .problems
                        .push(format!("{}: names {p} as a participant, which is no entity of the graph", st.id));
                }
                postings.entry(List::Participant(p)).or_default().push(st.id.0);
            }
        }
        postings.append(&mut kinds);

        // Names.
        let mut stored_names: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
        for (n, ids) in self.names()? {
            report.index_entries += ids.len() as u64;
            stored_names.insert(n, ids.into_iter().map(|e| e.0).collect());
        }
        compare(&mut report, "name index", &names, &stored_names);

        // Adjacency.
        let mut stored_adj: BTreeMap<(Node, Direction), Vec<AdjEntry>> = BTreeMap::new();
        for (key, mut list) in self.all_adjacency(false)? {
            report.index_entries += list.len() as u64;
            stored_adj.entry(key).or_default().append(&mut list);
        }
        let sort = |m: &mut BTreeMap<(Node, Direction), Vec<AdjEntry>>| {
            for v in m.values_mut() {
                v.sort_by_key(|a| (a.sid, a.rel));
            }
        };
        sort(&mut adjacency);
        sort(&mut stored_adj);
        compare(&mut report, "adjacency index", &adjacency, &stored_adj);

        // Relation, document, attribution and kind postings.
        let mut stored_postings: Lists = BTreeMap::new();
        for (list, mut ids) in self.all_id_lists()? {
            report.index_entries += ids.len() as u64;
            stored_postings.entry(list).or_default().append(&mut ids);
        }
        for v in postings.values_mut().chain(stored_postings.values_mut()) {
            v.sort_unstable();
        }
        compare(&mut report, "posting lists", &postings, &stored_postings);

        let counts = self.counts()?;
        let found = Counts { entities: report.entities, statements: report.statements, evidence: report.evidence };
        if counts != found {
            report.problems.push(format!("stored counts {counts:?} disagree with the records {found:?}"));
        }
        Ok(report)
    }
}

fn compare<K: Ord + std::fmt::Debug, V: PartialEq + std::fmt::Debug>(
    report: &mut CheckReport,
    what: &str,
    expected: &BTreeMap<K, V>,
    stored: &BTreeMap<K, V>,
) {
    const MAX_REPORTED: usize = 20;
    let mut n = 0;
    for (k, v) in expected {
        match stored.get(k) {
            Some(s) if s == v => {}
            Some(s) => {
                n += 1;
                if n <= MAX_REPORTED {
                    report.problems.push(format!("{what}: {k:?} holds {s:?}, expected {v:?}"));
                }
            }
            None => {
                n += 1;
                if n <= MAX_REPORTED {
                    report.problems.push(format!("{what}: {k:?} is missing (expected {v:?})"));
                }
            }
        }
    }
    for k in stored.keys().filter(|k| !expected.contains_key(k)) {
        n += 1;
        if n <= MAX_REPORTED {
            report.problems.push(format!("{what}: {k:?} is stored but nothing refers to it"));
        }
    }
    if n > MAX_REPORTED {
        report.problems.push(format!("{what}: {} more problems", n - MAX_REPORTED));
    }
}

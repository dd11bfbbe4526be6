//! Every statement's sources by name, for counting distinct sources without reading
//! statements: `unwind sources(r) as s return count(distinct s)` over the 87,000
//! relationships of a hub read each statement and each source's name (433 ms at
//! 1,000,000 statements); with this, it reads a few integers per relationship.
//!
//! `sources(r)` is the names of the documents and the credited agents of `r`'s
//! evidence, and `count(distinct s)` compares those names, so two sources with one
//! name are one. Each distinct name is a class (a small integer), and each statement
//! has the sorted classes of its sources. Built from the store's document and
//! attribution indexes (no statement decoded) and the sources' names, once per
//! commit, and kept beside the store (`kept-source-names`) for later processes.

use rustc_hash::FxHashMap;

use factgraph_store::{EntityId, StatementId, Store};

/// The name this is kept under beside the store (`Store::keep`).
const KEPT_AS: &str = "source-names";

/// The layout's version, first in what is kept: move it when the layout or what a
/// source is changes, so that a file kept by an earlier build is derived again.
const LAYOUT: u64 = 1;

/// A load's last step, beside the adjacency and the withdrawn set: the index built now
/// and kept beside the store, so that a later read-only process (which cannot keep
/// it) counting a hub's sources reads it instead of building it (about 70 ms at
/// 1,000,000 statements, against a load of seconds).
pub(crate) fn prepare_source_names(store: &Store) -> factgraph_store::Result<()> {
    SourceNames::get(store).map(drop)
}

/// See the module docs.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct SourceNames {
    /// For statement id `i`, `offsets[i]..offsets[i + 1]` in `classes`; a statement
    /// past the end has no sources.
    offsets: Vec<u32>,
    /// Each statement's classes, sorted, each once.
    classes: Vec<u32>,
    /// Each class's name, by class.
    names: Vec<String>,
}

impl SourceNames {
    /// The structure for the store as committed now: built on first use after each
    /// commit (kept by the store until the next), read from what a process before
    /// kept at this commit if it did, else built from the indexes and kept.
    pub(crate) fn get(store: &Store) -> factgraph_store::Result<std::sync::Arc<SourceNames>> {
        store.derived(|store| {
            let stamp = store.commit_stamp()?;
            if let Some(found) = store.kept(KEPT_AS, stamp).and_then(|b| SourceNames::decode(&b)) {
                return Ok(found);
            }
            let built = SourceNames::build(store)?;
            store.keep(KEPT_AS, stamp, &built.encode());
            Ok(built)
        })
    }

    /// The structure if this process has it for the store as committed now.
    pub(crate) fn at_hand(store: &Store) -> Option<std::sync::Arc<SourceNames>> {
        store.derived_if_built::<SourceNames>()
    }

    /// How many distinct source names there are.
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// The classes of a statement's sources.
    pub(crate) fn of(&self, id: StatementId) -> &[u32] {
        let Ok(i) = usize::try_from(id.0) else { return &[] };
        match (self.offsets.get(i), i.checked_add(1).and_then(|j| self.offsets.get(j))) {
            (Some(&a), Some(&b)) => &self.classes[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Each name with its class.
    pub(crate) fn name_classes(&self) -> FxHashMap<&str, u32> {
        self.names.iter().enumerate().map(|(i, n)| (n.as_str(), i as u32)).collect()
    }

    /// From the document and attribution indexes and each source's name.
    fn build(store: &Store) -> factgraph_store::Result<SourceNames> {
        let lists = store.all_evidence_sources()?;
        // The table is as long as the largest statement id the lists hold, below the
        // store's next id: an id the store has not given out yet (a damaged index) is
        // left out, and a damaged counter does not size the table.
        let next = store.next_ids()?.1;
        let len = lists.iter().flat_map(|(_, s)| s).map(|s| s.0).filter(|&s| s < next).max().map_or(0, |m| m + 1);
        let mut class_of_entity: FxHashMap<EntityId, u32> = FxHashMap::default();
        let mut class_of_name: FxHashMap<String, u32> = FxHashMap::default();
        let mut names: Vec<String> = Vec::new();
        // First the class of each list's entity, then how many entries each
        // statement gets.
        let mut list_class = Vec::with_capacity(lists.len());
        let mut counts = vec![0u32; len as usize];
        for (entity, statements) in &lists {
            let class = match class_of_entity.get(entity) {
                Some(c) => *c,
                None => {
                    let name = store.require_entity(*entity)?.name;
                    let c = match class_of_name.get(&name) {
                        Some(c) => *c,
                        None => {
                            let c = names.len() as u32;
                            class_of_name.insert(name.clone(), c);
                            names.push(name);
                            c
                        }
                    };
                    class_of_entity.insert(*entity, c);
                    c
                }
            };
            list_class.push(class);
            for s in statements.iter().filter(|s| s.0 < len) {
                counts[s.0 as usize] += 1;
            }
        }
        let mut offsets = Vec::with_capacity(counts.len() + 1);
        let mut total = 0u64;
        offsets.push(0u32);
        for c in &counts {
            total += u64::from(*c);
            offsets.push(u32::try_from(total).map_err(|_| too_large())?);
        }
        let mut fill: Vec<u32> = offsets[..offsets.len() - 1].to_vec();
        let mut classes = vec![0u32; total as usize];
        for ((_, statements), class) in lists.iter().zip(list_class) {
            for s in statements.iter().filter(|s| s.0 < len) {
                let at = &mut fill[s.0 as usize];
                classes[*at as usize] = class;
                *at += 1;
            }
        }
        // Each statement's classes sorted and each once (a document and its credited
        // agent may share a name; two quotes in one document name it twice).
        let mut compact = Vec::with_capacity(classes.len());
        let mut kept_offsets = Vec::with_capacity(offsets.len());
        kept_offsets.push(0u32);
        for w in offsets.windows(2) {
            let part = &mut classes[w[0] as usize..w[1] as usize];
            part.sort_unstable();
            let start = compact.len();
            for &c in part.iter() {
                if compact.len() == start || compact.last() != Some(&c) {
                    compact.push(c);
                }
            }
            kept_offsets.push(compact.len() as u32);
        }
        Ok(SourceNames { offsets: kept_offsets, classes: compact, names })
    }

    /// `LAYOUT`, then the counts of offsets, classes and names (eight bytes each),
    /// then offsets and classes (four bytes each), then each name as four bytes of
    /// length and its UTF-8; all little-endian.
    fn encode(&self) -> Vec<u8> {
        let text: usize = self.names.iter().map(|n| 4 + n.len()).sum();
        let mut out = Vec::with_capacity(32 + 4 * (self.offsets.len() + self.classes.len()) + text);
        for n in [LAYOUT, self.offsets.len() as u64, self.classes.len() as u64, self.names.len() as u64] {
            out.extend_from_slice(&n.to_le_bytes());
        }
        for n in self.offsets.iter().chain(&self.classes) {
            out.extend_from_slice(&n.to_le_bytes());
        }
        for name in &self.names {
            out.extend_from_slice(&(name.len() as u32).to_le_bytes());
            out.extend_from_slice(name.as_bytes());
        }
        out
    }

    /// What `encode` wrote, checked whole: `None` for anything else (the store checks
    /// the file's CRC first; this is the second guard, so that no index read later
    /// can fall outside the arrays).
    fn decode(bytes: &[u8]) -> Option<SourceNames> {
        let mut at = 0usize;
        let mut take = |n: usize| -> Option<&[u8]> {
            let part = bytes.get(at..at.checked_add(n)?)?;
            at += n;
            Some(part)
        };
        let mut word = || -> Option<u64> { Some(u64::from_le_bytes(take(8)?.try_into().ok()?)) };
        let (layout, n_offsets, n_classes, n_names) = (word()?, word()?, word()?, word()?);
        if layout != LAYOUT || n_offsets == 0 {
            return None;
        }
        let (n_offsets, n_classes, n_names) =
            (usize::try_from(n_offsets).ok()?, usize::try_from(n_classes).ok()?, usize::try_from(n_names).ok()?);
        // The counts are checked against the bytes there are before anything is
        // allocated from them.
        if n_offsets.checked_add(n_classes)?.checked_mul(4)?.checked_add(32)? > bytes.len()
            || n_names.checked_mul(4)? > bytes.len()
        {
            return None;
        }
        let mut words = |n: usize| -> Option<Vec<u32>> {
            let part = take(n.checked_mul(4)?)?;
            Some(part.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
        };
        let offsets = words(n_offsets)?;
        let classes = words(n_classes)?;
        let mut names = Vec::with_capacity(n_names);
        for _ in 0..n_names {
            let len = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
            names.push(std::str::from_utf8(take(len)?).ok()?.to_owned());
        }
        let whole = at == bytes.len();
        let ordered = offsets[0] == 0
            && offsets.windows(2).all(|w| w[0] <= w[1])
            && offsets.last().is_some_and(|&l| l as usize == classes.len());
        let in_range = classes.iter().all(|&c| (c as usize) < names.len());
        (whole && ordered && in_range).then_some(SourceNames { offsets, classes, names })
    }
}

fn too_large() -> factgraph_store::StoreError {
    factgraph_store::StoreError::Corrupt("more than 4,294,967,295 sources of statements to index".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SourceNames {
        SourceNames {
            offsets: vec![0, 0, 2, 3, 3],
            classes: vec![0, 1, 1],
            names: vec!["IRNA".into(), "Reuters (Tehran)".into()],
        }
    }

    #[test]
    fn what_is_encoded_decodes_to_the_same() {
        let s = sample();
        assert_eq!(SourceNames::decode(&s.encode()), Some(s));
    }

    #[test]
    fn a_statement_past_the_end_has_no_sources() {
        let s = sample();
        assert_eq!(s.of(StatementId(1)), &[0, 1]);
        assert_eq!(s.of(StatementId(2)), &[1]);
        assert!(s.of(StatementId(3)).is_empty());
        assert!(s.of(StatementId(4)).is_empty());
        assert!(s.of(StatementId(u64::MAX)).is_empty());
    }

    #[test]
    fn cut_or_altered_bytes_are_refused() {
        let bytes = sample().encode();
        for cut in 0..bytes.len() {
            assert_eq!(SourceNames::decode(&bytes[..cut]), None, "cut at {cut}");
        }
        // Another layout, an offset past the classes, a class past the names.
        let mut other = bytes.clone();
        other[0] = 2;
        assert_eq!(SourceNames::decode(&other), None);
        let mut bad = sample();
        bad.offsets[4] = 9;
        assert_eq!(SourceNames::decode(&bad.encode()), None);
        let mut bad = sample();
        bad.classes[0] = 7;
        assert_eq!(SourceNames::decode(&bad.encode()), None);
        // A huge count does not allocate: it is refused against the length.
        let mut huge = bytes;
        huge[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(SourceNames::decode(&huge), None);
    }
}

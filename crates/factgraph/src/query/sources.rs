//! Every statement's sources by name, for counting distinct sources without reading
//! statements: `unwind sources(r) as s return count(distinct s)` over the 87,000
//! relationships of a hub read each statement and each source's name (433 ms at
//! 1,000,000 statements); with this, it reads a few integers per relationship.
//!
//! `sources(r)` is the names of the documents and the credited agents of `r`'s
//! evidence, and `count(distinct s)` compares those names, so two sources with one
//! name are one. Each distinct name is a class (a small integer), and each statement
//! has the sorted classes of its sources: most statements have one, kept in the
//! statement's own word, and the others a run of several, kept apart. Built from the
//! store's document and attribution indexes (no statement decoded) and the sources'
//! names, once per commit, and kept beside the store (`kept-source-names`) for later
//! processes.

use std::io::Write as _;

use rustc_hash::FxHashMap;

use factgraph_store::{EntityId, StatementId, Store};

/// The name this is kept under beside the store (`Store::keep`).
const KEPT_AS: &str = "source-names";

/// The layout's version, first in what is kept: move it when the layout or what a
/// source is changes, so that a file kept by an earlier build is derived again.
const LAYOUT: u64 = 2;

/// A statement's word (`SourceNames::first`) when it has no sources.
const NONE: u32 = u32::MAX;
/// Set in a statement's word when its classes are a run in `SourceNames::many`, the
/// rest of the word being the run's number. A class is below it.
const MANY: u32 = 1 << 31;
/// A statement's word while the build has counted one source and not yet placed it.
const PENDING: u32 = MANY - 1;

/// A load's last step, beside the adjacency and the withdrawn set: the index built now
/// and kept beside the store, so that a later read-only process (which cannot keep
/// it) counting a hub's sources reads it instead of building it (about 70 ms at
/// 1,000,000 statements, against a load of seconds).
pub(crate) fn prepare_source_names(store: &Store) -> factgraph_store::Result<()> {
    // Where it can be kept, it is built, kept and let go: the loading process seldom
    // counts sources next, and held it would stay on top of the load's memory.
    if !store.keeps_derived() {
        return SourceNames::get(store).map(drop);
    }
    if SourceNames::at_hand(store).is_some() {
        return Ok(());
    }
    let stamp = store.commit_stamp()?;
    let built = SourceNames::build(store)?;
    store.keep_written(KEPT_AS, stamp, built.encoded_len(), &mut |w| built.write(w));
    Ok(())
}

/// See the module docs.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct SourceNames {
    /// By statement id: `NONE`, the class of a statement whose sources have one name,
    /// or `MANY | r` for one whose classes are run `r` of `many`. A statement past the
    /// end has no sources. (Offsets for every statement and a class list beside them
    /// took 215 MB at 30,000,000 statements, where most statements have one source
    /// name: these take 127, and the kept file with the names 179 MB instead of 267,
    /// which was close to what a kept file may be.)
    first: Vec<u32>,
    /// Where each run ends in `many` (the first begins at 0).
    ends: Vec<u32>,
    /// The runs: the classes of the statements with several, each run sorted and
    /// each class in it once.
    many: Vec<u32>,
    /// Each class's name, by class.
    names: Names,
}

/// Names in one buffer, each known by where it ends: a `String` apiece took 56 bytes
/// for a document's 31-byte URL (1.5 million documents at 30,000,000 statements: 84
/// MB, against 52 here).
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Names {
    text: String,
    ends: Vec<u32>,
}

impl Names {
    /// Adds `name` as the next one; `None` past 4 GiB of names.
    fn push(&mut self, name: &str) -> Option<()> {
        let end = u32::try_from(self.text.len().checked_add(name.len())?).ok()?;
        self.text.push_str(name);
        self.ends.push(end);
        Some(())
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> &str {
        let start = match i {
            0 => 0,
            _ => self.ends[i - 1] as usize,
        };
        &self.text[start..self.ends[i] as usize]
    }

    fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

impl SourceNames {
    /// The structure for the store as committed now: built on first use after each
    /// commit (kept by the store until the next), read from what a process before
    /// kept at this commit if it did, else built from the indexes and kept.
    pub(crate) fn get(store: &Store) -> factgraph_store::Result<std::sync::Arc<SourceNames>> {
        store.derived(|store| {
            let stamp = store.commit_stamp()?;
            if let Some(found) = store.kept_read(KEPT_AS, stamp, &mut SourceNames::read_from) {
                return Ok(found);
            }
            let built = SourceNames::build(store)?;
            store.keep_written(KEPT_AS, stamp, built.encoded_len(), &mut |w| built.write(w));
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
        let Some(word) = usize::try_from(id.0).ok().and_then(|i| self.first.get(i)) else { return &[] };
        match *word {
            NONE => &[],
            w if w & MANY != 0 => self.run((w & !MANY) as usize),
            _ => std::slice::from_ref(word),
        }
    }

    /// Run `r` of `many` (checked when built or read: never out of range, but an
    /// empty run rather than a panic if it were).
    fn run(&self, r: usize) -> &[u32] {
        let start = match r {
            0 => 0,
            _ => self.ends.get(r - 1).map_or(0, |&e| e as usize),
        };
        let end = self.ends.get(r).map_or(start, |&e| e as usize);
        self.many.get(start..end).unwrap_or_default()
    }

    /// Each name with its class.
    pub(crate) fn name_classes(&self) -> FxHashMap<&str, u32> {
        self.names.iter().enumerate().map(|(i, n)| (n, i as u32)).collect()
    }

    /// From the document and attribution indexes and each source's name, in two
    /// scans of them: the first names each list's class and counts each statement's
    /// entries, the second places each entry (the statement's count, kept where its
    /// offset goes, counted down to it). At 10,000,000 statements every list held at
    /// once and copies of the table took 230 MB at the end of a load; this holds the
    /// table and the names. A commit between the scans (another thread's) changes
    /// the commit stamp, and the build starts again.
    fn build(store: &Store) -> factgraph_store::Result<SourceNames> {
        for _ in 0..3 {
            if let Some(built) = SourceNames::build_once(store)? {
                return Ok(built);
            }
        }
        Err(factgraph_store::StoreError::Engine("the store kept changing while its sources were indexed".into()))
    }

    fn build_once(store: &Store) -> factgraph_store::Result<Option<SourceNames>> {
        // The table is as long as the largest statement id the lists hold, below the
        // store's next id: an id the store has not given out yet (a damaged index) is
        // left out, and a damaged counter does not size the table.
        let (next_entity, next) = store.next_ids()?;
        let stamp = store.commit_stamp()?;
        let mut class_of_entity = Classes::new(next_entity);
        let mut class_of_name = NameClasses::default();
        let mut names = Names::default();
        // Each statement's entries counted in a byte (a statement counted 255 times or
        // more has its count in `more`): the table of words is made from them once
        // the scan is done, and they are let go before the second.
        let mut counts: Vec<u8> = Vec::new();
        let mut more: FxHashMap<usize, u64> = FxHashMap::default();
        // Room for every statement id the store has given out, made once, as long as
        // the ids are not many more than the statements the store counts (a damaged
        // counter sizes nothing: past that, the table grows as the ids are met).
        let counted = store.counts()?.statements;
        if next <= counted.saturating_add(counted / 8).saturating_add(1024) {
            counts.reserve_exact(usize::try_from(next).unwrap_or(0));
        }
        store.each_evidence_source(|entity, statements| {
            if class_of_entity.get(entity).is_none() {
                // The name alone is read, not the whole record (a document's
                // properties and text).
                let name = store.entity_name(entity)?.ok_or(factgraph_store::StoreError::NoSuchEntity(entity))?;
                let c = class_of_name.class(&name, &mut names).ok_or_else(too_large)?;
                class_of_entity.set(entity, c);
            }
            for s in statements.iter().filter(|s| s.0 < next) {
                let i = s.0 as usize;
                if i >= counts.len() {
                    // Doubled as a vector grows, but never past the store's next id,
                    // which no listed id reaches: grown freely it took up to twice the
                    // table, at the peak of the load that builds it.
                    let room = (2 * counts.len()).clamp(i + 1, (i + 1).max(next as usize));
                    counts.reserve_exact(room - counts.len());
                    counts.resize(i + 1, 0);
                }
                match counts[i] {
                    u8::MAX => *more.entry(i).or_insert(u64::from(u8::MAX)) += 1,
                    c => counts[i] = c + 1,
                }
            }
            Ok(())
        })?;
        drop(class_of_name);
        // The names' buffers grew by doubling: what they hold now is all they will.
        names.text.shrink_to_fit();
        names.ends.shrink_to_fit();
        if names.len() >= PENDING as usize {
            return Err(too_large());
        }
        // Each statement's word: none, one to place, or a run, whose end is kept
        // where its entries go, counted down to its start as they are placed.
        let mut first: Vec<u32> = Vec::with_capacity(counts.len());
        let mut ends: Vec<u32> = Vec::new();
        let (mut total, mut singles) = (0u64, 0u64);
        for (i, &c) in counts.iter().enumerate() {
            let c = match c {
                u8::MAX => more.get(&i).copied().unwrap_or(u64::from(u8::MAX)),
                c => u64::from(c),
            };
            first.push(match c {
                0 => NONE,
                1 => {
                    singles += 1;
                    PENDING
                }
                _ => {
                    total += c;
                    let run = u32::try_from(ends.len()).ok().filter(|&r| r < PENDING).ok_or_else(too_large)?;
                    ends.push(u32::try_from(total).map_err(|_| too_large())?);
                    MANY | run
                }
            });
        }
        drop((counts, more));
        let mut many = vec![0u32; total as usize];
        let mut placed = 0u64;
        let mut changed = false;
        store.each_evidence_source(|entity, statements| {
            let Some(class) = class_of_entity.get(entity) else {
                changed = true;
                return Ok(());
            };
            for s in statements.iter().filter(|s| s.0 < next) {
                match first.get_mut(s.0 as usize) {
                    Some(w) if *w == PENDING => *w = class,
                    Some(&mut w) if w != NONE && w & MANY != 0 => match ends.get_mut((w & !MANY) as usize) {
                        Some(end) if *end > 0 => {
                            *end -= 1;
                            many[*end as usize] = class;
                        }
                        _ => changed = true,
                    },
                    _ => changed = true,
                }
                placed += 1;
            }
            Ok(())
        })?;
        // The lists both scans read were the same only if no commit came between.
        if changed || placed != singles + total || store.commit_stamp()? != stamp {
            return Ok(None);
        }
        // Each run sorted and each class once (a document and its credited agent may
        // share a name; two quotes in one document name it twice), packed down in
        // place, runs numbered again in order; a run left with one class becomes the
        // statement's word.
        let (mut kept, mut runs) = (0usize, 0usize);
        for w in first.iter_mut().filter(|w| **w != NONE && **w & MANY != 0) {
            let r = (*w & !MANY) as usize;
            // Placed, each run's end is its start; the next run's start is its end.
            let (from, to) = (ends[r] as usize, ends.get(r + 1).map_or(many.len(), |&e| e as usize));
            many[from..to].sort_unstable();
            let start = kept;
            let mut last = None;
            for i in from..to {
                let c = many[i];
                if last != Some(c) {
                    many[kept] = c;
                    kept += 1;
                    last = Some(c);
                }
            }
            if kept - start == 1 {
                kept = start;
                *w = many[start];
            } else {
                ends[runs] = kept as u32;
                *w = MANY | runs as u32;
                runs += 1;
            }
        }
        ends.truncate(runs);
        ends.shrink_to_fit();
        many.truncate(kept);
        many.shrink_to_fit();
        Ok(Some(SourceNames { first, ends, many, names }))
    }

    /// `LAYOUT`, then the counts of words, run ends, run classes and names (eight
    /// bytes each), then those three arrays (four bytes each), then each name as four bytes of
    /// length and its UTF-8; all little-endian.
    #[cfg(test)]
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len() as usize);
        self.write(&mut out).expect("writing to memory");
        out
    }

    /// How long `encode`'s form is.
    fn encoded_len(&self) -> u64 {
        let text: u64 = 4 * self.names.len() as u64 + self.names.text.len() as u64;
        40 + 4 * (self.first.len() + self.ends.len() + self.many.len()) as u64 + text
    }

    /// Writes `encode`'s form as it goes (kept at the end of a load, where a copy of
    /// it in memory was 66 MB at 10,000,000 statements).
    fn write(&self, to: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, to);
        let counts = [self.first.len(), self.ends.len(), self.many.len(), self.names.len()];
        for n in std::iter::once(LAYOUT).chain(counts.map(|n| n as u64)) {
            out.write_all(&n.to_le_bytes())?;
        }
        for n in self.first.iter().chain(&self.ends).chain(&self.many) {
            out.write_all(&n.to_le_bytes())?;
        }
        for name in self.names.iter() {
            out.write_all(&(name.len() as u32).to_le_bytes())?;
            out.write_all(name.as_bytes())?;
        }
        out.flush()
    }

    /// What `encode` wrote, checked whole: `None` for anything else (the store checks
    /// the file's CRC as well; this is the second guard, so that no index read later
    /// can fall outside the arrays).
    #[cfg(test)]
    fn decode(bytes: &[u8]) -> Option<SourceNames> {
        SourceNames::read_from(&mut &bytes[..], bytes.len() as u64)
    }

    /// `decode` from the `len` bytes `from` reads, each array read straight into its
    /// vector (the kept file is not held beside what is made of it).
    fn read_from(from: &mut dyn std::io::Read, len: u64) -> Option<SourceNames> {
        let mut word = || -> Option<u64> {
            let mut w = [0u8; 8];
            from.read_exact(&mut w).ok()?;
            Some(u64::from_le_bytes(w))
        };
        let layout = word()?;
        let counts = [word()?, word()?, word()?, word()?];
        if layout != LAYOUT {
            return None;
        }
        let [n_first, n_ends, n_many, n_names] = counts.map(|n| usize::try_from(n).ok());
        let (n_first, n_ends, n_many, n_names) = (n_first?, n_ends?, n_many?, n_names?);
        // The counts are checked against the bytes there are before anything is
        // allocated from them.
        let len = usize::try_from(len).ok()?;
        let arrays = n_first.checked_add(n_ends)?.checked_add(n_many)?.checked_mul(4)?.checked_add(40)?;
        if arrays > len || n_names.checked_mul(4)? > len - arrays {
            return None;
        }
        let mut buf = vec![0u8; 1 << 16];
        let mut words = |n: usize| -> Option<Vec<u32>> {
            let mut out = Vec::with_capacity(n);
            while out.len() < n {
                let part = &mut buf[..(4 * (n - out.len())).min(1 << 16)];
                from.read_exact(part).ok()?;
                out.extend(part.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])));
            }
            Some(out)
        };
        let first = words(n_first)?;
        let ends = words(n_ends)?;
        let many = words(n_many)?;
        let mut names = Names { text: String::new(), ends: Vec::with_capacity(n_names) };
        let mut at = arrays;
        for _ in 0..n_names {
            let mut l = [0u8; 4];
            from.read_exact(&mut l).ok()?;
            let n = u32::from_le_bytes(l) as usize;
            at = at.checked_add(4)?.checked_add(n)?;
            if at > len {
                return None;
            }
            if buf.len() < n {
                // Bounded by the length checked above.
                buf.resize(n, 0);
            }
            let name = &mut buf[..n];
            from.read_exact(name).ok()?;
            names.push(std::str::from_utf8(name).ok()?)?;
        }
        // Nothing after the names (a byte more would be read as the end of the file).
        let whole = at == len && from.read(&mut [0u8; 1]).ok()? == 0;
        let class = |c: u32| (c as usize) < names.len() && c < PENDING;
        let words_fit =
            first.iter().all(|&w| w == NONE || class(w) || (w & MANY != 0 && ((w & !MANY) as usize) < n_ends));
        // Runs of two classes or more, in order, the last ending at the end.
        let runs_fit =
            ends.iter().try_fold(0u32, |start, &end| (end >= start.checked_add(2)?).then_some(end)).is_some()
                && ends.last().map_or(0, |&l| l as usize) == many.len();
        let in_range = many.iter().all(|&c| class(c));
        (whole && words_fit && runs_fit && in_range).then_some(SourceNames { first, ends, many, names })
    }
}

fn too_large() -> factgraph_store::StoreError {
    factgraph_store::StoreError::Corrupt("more than 4,294,967,295 sources of statements to index".into())
}

/// Each source entity's class while the index is built: a vector by entity id for
/// the ids the store has given out (ids are dense), a map for any other (a damaged
/// index), so that half a million documents take 4 bytes each rather than a map's
/// entry.
struct Classes {
    dense: Vec<u32>,
    bound: u64,
    others: FxHashMap<EntityId, u32>,
}

impl Classes {
    const NONE: u32 = u32::MAX;
    /// Past this many ids, the vector stops growing (1 GiB of it).
    const DENSE: u64 = 1 << 28;

    fn new(next_entity: u64) -> Classes {
        Classes { dense: Vec::new(), bound: next_entity.min(Classes::DENSE), others: FxHashMap::default() }
    }

    fn get(&self, e: EntityId) -> Option<u32> {
        if e.0 < self.bound {
            return self.dense.get(e.0 as usize).copied().filter(|&c| c != Classes::NONE);
        }
        self.others.get(&e).copied()
    }

    fn set(&mut self, e: EntityId, class: u32) {
        if e.0 < self.bound {
            let i = e.0 as usize;
            if i >= self.dense.len() {
                // Exactly that: grown by `resize` alone the vector doubled its room
                // past the bound (4.5 million ids at 30,000,000 statements took 34 MB
                // instead of 18).
                let len = (i + 1).next_power_of_two().min(self.bound as usize);
                self.dense.reserve_exact(len - self.dense.len());
                self.dense.resize(len, Classes::NONE);
            }
            self.dense[i] = class;
        } else {
            self.others.insert(e, class);
        }
    }
}

/// The class of each distinct name while the index is built, by the name's hash: the
/// names themselves are kept once, in the index's list (a map keyed by name held
/// each a second time, 40 MB at 10,000,000 statements). Two names with one hash are
/// told apart by a map of the later ones.
#[derive(Default)]
struct NameClasses {
    by_hash: FxHashMap<u64, u32>,
    collided: FxHashMap<String, u32>,
}

impl NameClasses {
    /// `name`'s class, a new one (pushed onto `names`) the first time it is seen;
    /// `None` past 4 GiB of names or 2^32 classes.
    fn class(&mut self, name: &str, names: &mut Names) -> Option<u32> {
        use std::hash::BuildHasher;
        let hash = rustc_hash::FxBuildHasher.hash_one(name);
        let new = |names: &mut Names| {
            let c = u32::try_from(names.len()).ok()?;
            names.push(name)?;
            Some(c)
        };
        Some(match self.by_hash.get(&hash) {
            Some(&c) if names.get(c as usize) == name => c,
            Some(_) => match self.collided.get(name) {
                Some(&c) => c,
                None => {
                    let c = new(names)?;
                    self.collided.insert(name.to_owned(), c);
                    c
                }
            },
            None => {
                let c = new(names)?;
                self.by_hash.insert(hash, c);
                c
            }
        })
    }
}

#[cfg(test)]
impl Names {
    fn of(names: &[&str]) -> Names {
        let mut out = Names::default();
        for n in names {
            out.push(n).expect("a test's few names");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names get one class each, kept once; a name whose hash another name has
    /// (forced here) still gets a class of its own, and the same one again.
    #[test]
    fn name_classes_tell_names_apart_even_when_their_hashes_collide() {
        use std::hash::BuildHasher;
        let mut classes = NameClasses::default();
        let mut names = Names::default();
        assert_eq!(classes.class("IRNA", &mut names), Some(0));
        assert_eq!(classes.class("Reuters", &mut names), Some(1));
        assert_eq!(classes.class("IRNA", &mut names), Some(0));
        // "Sky" collides with "IRNA"'s class in the table of hashes.
        classes.by_hash.insert(rustc_hash::FxBuildHasher.hash_one("Sky"), 0);
        assert_eq!(classes.class("Sky", &mut names), Some(2));
        assert_eq!(classes.class("Sky", &mut names), Some(2));
        assert_eq!(classes.class("IRNA", &mut names), Some(0));
        assert_eq!(names.iter().collect::<Vec<_>>(), ["IRNA", "Reuters", "Sky"]);
    }

    /// Entities' classes by dense id below the store's next id, by map past it.
    #[test]
    fn entity_classes_hold_dense_ids_and_others() {
        let mut classes = Classes::new(100);
        for (e, c) in [(0, 5), (99, 6), (100, 7), (u64::MAX, 8), (40, 9)] {
            assert_eq!(classes.get(EntityId(e)), None);
            classes.set(EntityId(e), c);
            assert_eq!(classes.get(EntityId(e)), Some(c));
        }
        assert_eq!(classes.get(EntityId(41)), None);
        assert!(classes.dense.len() <= 100, "the vector stops at the store's next id");
    }

    fn sample() -> SourceNames {
        SourceNames {
            first: vec![NONE, MANY, 1, NONE],
            ends: vec![2],
            many: vec![0, 1],
            names: Names::of(&["IRNA", "Reuters (Tehran)"]),
        }
    }

    /// The two-scan build names each statement's sources as its evidence does: the
    /// documents and the credited agents, by name (two sources of one name are one),
    /// each once.
    #[test]
    fn the_build_gives_each_statement_the_names_of_its_sources() {
        use factgraph_store::{Evidence, NewStatement, Properties};
        let store = Store::in_memory().unwrap();
        let mut tx = store.transaction().unwrap();
        let docs: Vec<EntityId> = ["IRNA", "Reuters", "IRNA", "AP"]
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let mut props = Properties::new();
                props.insert("n".into(), factgraph_store::Value::Int(i as i64));
                tx.create_document(n, props, None).unwrap()
            })
            .collect();
        let people: Vec<EntityId> =
            ["Trump", "AP", "Soleimani"].iter().map(|n| tx.create_entity(n, "Person").unwrap()).collect();
        let mut ids = Vec::new();
        for i in 0..40usize {
            let (s, o) = (people[i % 3], people[(i / 3) % 3]);
            let mut st = NewStatement::new(s, format!("r{}", i % 5), o, Evidence::new(docs[i % 4], format!("q{i}")));
            if i % 3 == 0 {
                st.evidence.push(Evidence::new(docs[(i + 1) % 4], "again").by(people[i % 3]));
            }
            if i % 7 == 0 {
                st.evidence.push(Evidence::new(docs[i % 4], "twice"));
            }
            ids.push(tx.add_statement(st).unwrap().id());
        }
        tx.commit().unwrap();
        let built = SourceNames::build(&store).unwrap();
        for id in ids {
            let mut want: Vec<String> = Vec::new();
            for e in store.statement(id).unwrap().unwrap().evidence {
                want.push(store.require_entity(e.document).unwrap().name);
                if let Some(a) = e.attribution {
                    want.push(store.require_entity(a).unwrap().name);
                }
            }
            want.sort();
            want.dedup();
            let mut got: Vec<String> = built.of(id).iter().map(|&c| built.names.get(c as usize).to_owned()).collect();
            got.sort();
            assert_eq!(got, want, "statement {id:?}");
            assert!(built.of(id).windows(2).all(|w| w[0] < w[1]), "classes sorted, each once");
        }
        assert_eq!(built.len(), 4, "IRNA, Reuters, AP, and Trump (credited)");
    }

    /// A statement's entries are counted in a byte during the build: one cited
    /// hundreds of times, by as many sources or by one again and again, is counted
    /// past it and named by each of its sources once.
    #[test]
    fn a_statement_cited_hundreds_of_times_is_named_by_each_source_once() {
        use factgraph_store::{Evidence, NewStatement, Properties};
        let store = Store::in_memory().unwrap();
        let mut tx = store.transaction().unwrap();
        let docs: Vec<EntityId> =
            (0..300).map(|i| tx.create_document(&format!("doc {i}"), Properties::new(), None).unwrap()).collect();
        let (a, b) = (tx.create_entity("A", "Person").unwrap(), tx.create_entity("B", "Person").unwrap());
        let many = NewStatement {
            evidence: docs.iter().map(|&d| Evidence::new(d, "said")).collect(),
            ..NewStatement::new(a, "met", b, Evidence::new(docs[0], "said"))
        };
        let many = tx.add_statement(many).unwrap().id();
        let one = NewStatement {
            evidence: (0..280).map(|i| Evidence::new(docs[7], format!("again {i}"))).collect(),
            ..NewStatement::new(b, "met", a, Evidence::new(docs[7], "again"))
        };
        let one = tx.add_statement(one).unwrap().id();
        tx.commit().unwrap();
        let built = SourceNames::build(&store).unwrap();
        let names = |id| -> Vec<&str> { built.of(id).iter().map(|&c| built.names.get(c as usize)).collect() };
        let mut want: Vec<String> = (0..300).map(|i| format!("doc {i}")).collect();
        want.sort();
        let mut got = names(many);
        got.sort();
        assert_eq!(got, want);
        assert_eq!(names(one), ["doc 7"]);
        assert_eq!(SourceNames::decode(&built.encode()).as_ref(), Some(&built));
    }

    /// Kept beside the store at the end of a load and read back as it arrives, the
    /// index is the one built, the longest name there can be included.
    #[test]
    fn the_kept_index_is_read_back_as_built() {
        use factgraph_store::{Evidence, NewStatement, OpenOptions, Properties};
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("db"), &OpenOptions::default()).unwrap();
        let mut tx = store.transaction().unwrap();
        // As long as a name may be (65,536 bytes), the size of the reader's buffer.
        let long = format!("https://example.org/{}", "x".repeat(65_536 - 20));
        let docs: Vec<EntityId> = ["IRNA", long.as_str(), "AP"]
            .iter()
            .map(|n| tx.create_document(n, Properties::new(), None).unwrap())
            .collect();
        let a = tx.create_entity("A", "Person").unwrap();
        for (i, d) in docs.iter().enumerate() {
            let mut st = NewStatement::new(a, format!("r{i}"), a, Evidence::new(*d, "q"));
            st.evidence.push(Evidence::new(docs[(i + 1) % 3], "again"));
            tx.add_statement(st).unwrap();
        }
        tx.commit().unwrap();
        prepare_source_names(&store).unwrap();
        let built = SourceNames::build(&store).unwrap();
        let stamp = store.commit_stamp().unwrap();
        let read = store.kept_read(KEPT_AS, stamp, &mut SourceNames::read_from);
        assert_eq!(read.as_ref(), Some(&built));
        assert_eq!(built.len(), 3);
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
        // Another layout; a run past the runs, a run's end past the classes, a run of
        // one, a class past the names (in a word, in a run).
        let mut other = bytes.clone();
        other[0] = 1;
        assert_eq!(SourceNames::decode(&other), None);
        let broken: [fn(&mut SourceNames); 5] =
            [|s| s.first[1] = MANY | 1, |s| s.ends[0] = 3, |s| s.ends[0] = 1, |s| s.first[2] = 2, |s| s.many[0] = 7];
        for (i, breaks) in broken.iter().enumerate() {
            let mut bad = sample();
            breaks(&mut bad);
            assert_eq!(SourceNames::decode(&bad.encode()), None, "change {i}");
        }
        // A huge count does not allocate: it is refused against the length.
        let mut huge = bytes;
        huge[24..32].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(SourceNames::decode(&huge), None);
    }
}

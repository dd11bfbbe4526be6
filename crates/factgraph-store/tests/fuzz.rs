//! Mutation "fuzzing" with proptest, in every `cargo test`: a valid JSON Lines export
//! and a valid store directory, damaged at random (bytes flipped, cut, inserted, lines
//! dropped, repeated or swapped, files removed, emptied or replaced), must give a
//! clean error or a consistent store, never a panic; an import is all or nothing.
//! Each failure proptest finds is shrunk to a small case and printed to replay.
//!
//! Coverage-guided fuzzing lives beside this: `fuzz/` is a cargo-fuzz project (built on
//! the stable toolchain with `cargo fuzz build --sanitizer none`; see `fuzz/README.md`)
//! whose targets (`parse`, `script`, `jsonl`, `tsv`, `open`) call
//! `crates/factgraph-fuzz`, and `crates/factgraph-fuzz/tests/corpus.rs` replays their
//! checked-in corpora in every `cargo test`. These random mutations stay: they reach
//! damage (many mutations at once, whole files replaced) from a fixed seed in seconds,
//! with shrinking, where the fuzzer needs its corpus and time.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use factgraph_store::*;
use proptest::prelude::*;
use proptest::sample::Index;

/// A small graph with a document text, aliases, qualifiers and a statement about a
/// statement: every kind of line and record.
fn seed(store: &Store) {
    let mut tx = store.transaction().unwrap();
    let doc =
        tx.create_document("sky", Properties::new(), Some("Alice met Bob in Lyon, the paper said.".into())).unwrap();
    let alice = tx.create_entity("Alice", "Person").unwrap();
    tx.add_alias(alice, "Ali", Some(doc)).unwrap();
    let bob = tx.create_entity("Bob", "Person").unwrap();
    let paper = tx.create_entity("The Paper", "Organization").unwrap();
    let met = tx
        .add_statement(
            NewStatement::new(alice, "met", bob, Evidence::new(doc, "Alice met Bob")).qualifier("in", "Lyon"),
        )
        .unwrap()
        .id();
    tx.add_statement(NewStatement::new(met, "reported-by", paper, Evidence::new(doc, "the paper said"))).unwrap();
    tx.commit().unwrap();
}

/// The export of the seeded store, made once.
fn export() -> &'static [u8] {
    static EXPORT: OnceLock<Vec<u8>> = OnceLock::new();
    EXPORT.get_or_init(|| {
        let store = Store::in_memory().unwrap();
        seed(&store);
        let mut out = Vec::new();
        export_jsonl(&store, &mut out).unwrap();
        out
    })
}

#[derive(Clone, Debug)]
enum Mutation {
    /// XOR one byte with a non-zero value.
    Flip(Index, u8),
    /// Keep only the first part.
    Truncate(Index),
    /// Insert bytes at a place.
    Insert(Index, Vec<u8>),
    /// Drop, repeat, or swap whole lines.
    DropLine(Index),
    RepeatLine(Index),
    SwapLines(Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 1..=255u8).prop_map(|(i, x)| Mutation::Flip(i, x)),
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..8)).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<Index>().prop_map(Mutation::DropLine),
        any::<Index>().prop_map(Mutation::RepeatLine),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let lines = |b: &[u8]| -> Vec<Vec<u8>> { b.split_inclusive(|&c| c == b'\n').map(<[u8]>::to_vec).collect() };
    match m {
        Mutation::Flip(i, x) if !bytes.is_empty() => {
            let at = i.index(bytes.len());
            bytes[at] ^= x;
        }
        Mutation::Truncate(i) => bytes.truncate(i.index(bytes.len() + 1)),
        Mutation::Insert(i, b) => {
            let at = i.index(bytes.len() + 1);
            bytes.splice(at..at, b.iter().copied());
        }
        Mutation::DropLine(i) | Mutation::RepeatLine(i) | Mutation::SwapLines(i, _) => {
            let mut ls = lines(bytes);
            if ls.is_empty() {
                return;
            }
            let a = i.index(ls.len());
            match m {
                Mutation::DropLine(_) => drop(ls.remove(a)),
                Mutation::RepeatLine(_) => ls.insert(a, ls[a].clone()),
                Mutation::SwapLines(_, j) => {
                    let b = j.index(ls.len());
                    ls.swap(a, b);
                }
                _ => unreachable!("matched above"),
            }
            *bytes = ls.concat();
        }
        Mutation::Flip(..) => {}
    }
}

/// Reads everything a store holds, as a reader of it would; errors are fine, panics
/// are not.
fn read_everything(store: &Store) {
    let _ = store.counts();
    for e in store.entities().flatten() {
        let _ = store.document_text(e.id);
        let _ = store.lookup(&e.name);
    }
    for st in store.statements().flatten() {
        let _ = store.statements_about(st.id);
    }
    let _ = store.check();
    let _ = store.adjacency();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// A damaged export imports whole or not at all: an error leaves the store empty;
    /// a success (a change the checksum cannot see, such as a blank line) leaves a
    /// store whose indexes agree with its records.
    #[test]
    fn a_damaged_export_imports_all_or_nothing_and_never_panics(
        mutations in prop::collection::vec(mutation(), 1..4)
    ) {
        let mut bytes = export().to_vec();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let store = Store::in_memory().unwrap();
        match import_jsonl(&store, bytes.as_slice()) {
            Ok(_) => {
                let report = store.check().unwrap();
                prop_assert!(report.is_ok(), "{:?}", report.problems);
                read_everything(&store);
            }
            Err(e) => {
                prop_assert_eq!(store.counts().unwrap(), Counts::default(), "{}", e);
                // The message is for people: never a debug dump, never empty.
                let text = e.to_string();
                prop_assert!(!text.is_empty() && !text.contains("Os {"), "{}", text);
            }
        }
    }
}

/// A store directory holding the seeded graph, opened twice so that sled has
/// written a snapshot to damage too.
fn pristine(dir: &Path) -> PathBuf {
    let db = dir.join("db");
    let store = Store::open(&db, &OpenOptions { cache_bytes: Some(1 << 20), ..Default::default() }).unwrap();
    seed(&store);
    drop(store);
    drop(Store::open(&db, &OpenOptions { create: false, cache_bytes: Some(1 << 20), ..Default::default() }).unwrap());
    db
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The files of a directory, recursively, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.file_type().unwrap().is_dir() {
            out.extend(files(&entry.path()));
        } else {
            out.push(entry.path());
        }
    }
    out.sort();
    out
}

#[derive(Clone, Debug)]
enum Damage {
    /// Flip a byte; `near` puts it in the first 64 KiB, where sled's records are.
    Flip { file: Index, at: Index, near: bool, x: u8 },
    /// Cut a file.
    Truncate { file: Index, at: Index },
    /// Zero a stretch of a file, as a lost write would.
    Zero { file: Index, at: Index, len: u16 },
    /// Remove a file.
    Remove { file: Index },
    /// Replace a file's content with bytes.
    Replace { file: Index, bytes: Vec<u8> },
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        4 => (any::<Index>(), any::<Index>(), any::<bool>(), 1..=255u8)
            .prop_map(|(file, at, near, x)| Damage::Flip { file, at, near, x }),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(file, at)| Damage::Truncate { file, at }),
        2 => (any::<Index>(), any::<Index>(), any::<u16>()).prop_map(|(file, at, len)| Damage::Zero { file, at, len }),
        1 => any::<Index>().prop_map(|file| Damage::Remove { file }),
        1 => (any::<Index>(), prop::collection::vec(any::<u8>(), 0..64))
            .prop_map(|(file, bytes)| Damage::Replace { file, bytes }),
    ]
}

fn inflict(dir: &Path, d: &Damage) {
    let all = files(dir);
    if all.is_empty() {
        return;
    }
    let pick = |i: &Index| all[i.index(all.len())].clone();
    match d {
        Damage::Flip { file, at, near, x } => {
            let path = pick(file);
            let mut bytes = std::fs::read(&path).unwrap();
            if !bytes.is_empty() {
                let span = if *near { bytes.len().min(64 * 1024) } else { bytes.len() };
                bytes[at.index(span)] ^= x;
                std::fs::write(&path, bytes).unwrap();
            }
        }
        Damage::Truncate { file, at } => {
            let path = pick(file);
            let len = std::fs::metadata(&path).unwrap().len();
            let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
            f.set_len(at.index(len as usize + 1) as u64).unwrap();
        }
        Damage::Zero { file, at, len } => {
            let path = pick(file);
            let mut bytes = std::fs::read(&path).unwrap();
            if !bytes.is_empty() {
                let start = at.index(bytes.len().min(64 * 1024));
                let end = (start + *len as usize).min(bytes.len());
                bytes[start..end].fill(0);
                std::fs::write(&path, bytes).unwrap();
            }
        }
        Damage::Remove { file } => std::fs::remove_file(pick(file)).unwrap(),
        Damage::Replace { file, bytes } => std::fs::write(pick(file), bytes).unwrap(),
    }
}

/// A damaged store directory opens with an error, or opens and can be read to the
/// end (with errors where records are damaged), never with a panic.
#[test]
fn a_damaged_store_directory_opens_with_an_error_or_reads_without_panic() {
    let base = tempfile::tempdir().unwrap();
    let pristine = pristine(base.path());
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig { cases: 160, ..ProptestConfig::default() });
    let result = runner.run(&(prop::collection::vec(damage(), 1..3), any::<bool>()), |(damages, read_only)| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        copy_dir(&pristine, &db);
        for d in &damages {
            inflict(&db, d);
        }
        let options = OpenOptions { create: false, read_only, cache_bytes: Some(1 << 20), ..Default::default() };
        match Store::open(&db, &options) {
            Ok(store) => read_everything(&store),
            Err(e) => {
                let text = e.to_string();
                prop_assert!(!text.is_empty() && !text.contains("panicked"), "{}", text);
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

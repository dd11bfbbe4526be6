#![doc = include_str!("../README.md")]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use factgraph::{Counts, Direction, Graph, Limits, Node};

/// The names of the targets, in the order `fuzz/Cargo.toml` lists them; each is a
/// function here and a folder of `fuzz/corpus/`.
pub const TARGETS: [&str; 5] = ["parse", "script", "jsonl", "tsv", "open"];

/// Runs one input through the target called `name`; false for an unknown name.
pub fn run(name: &str, data: &[u8]) -> bool {
    match name {
        "parse" => parse(data),
        "script" => script(data),
        "jsonl" => jsonl(data),
        "tsv" => tsv(data),
        "open" => open(data),
        _ => return false,
    }
    true
}

/// Small bounds, so one input is quick whatever it asks for: the fuzzer looks for
/// panics, not for long answers (the default limits are tested elsewhere).
fn limits() -> Limits {
    Limits { max_rows: 1_000, max_hops: 4, max_depth: 2, deadline: Some(Duration::from_secs(2)), ..Limits::default() }
}

/// A small graph that names resolve against: entities with an alias, a document, a
/// statement with a qualifier, a statement about it and one with a literal object.
const SEED_SCRIPT: &str = r#"
document sky { title: "Iran issues arrest warrant for Trump", outlet: "Sky News", published: 2020-06-29 };
entity "Alice": Person aka "Ali" in sky;
entity "Bob": Person;
entity "The Paper": Organization;
assert @met = Alice met Bob { in: "Lyon" } from sky "Alice met Bob in Lyon";
assert @met reported-by "The Paper" from sky "the paper said";
assert Alice says text "hello" from sky "hello"
"#;

fn seeded() -> Graph {
    let graph = Graph::in_memory().expect("an in-memory graph");
    // The seed is ours: if it stops running, the targets lose their names to resolve.
    graph.query(SEED_SCRIPT).expect("the seed script runs");
    graph
}

/// Any text to the parser, the tree printer, `writes` and `Graph::validate` (names
/// resolved against a small graph). Errors are answers; only a panic is a finding.
pub fn parse(data: &[u8]) {
    static GRAPH: OnceLock<Graph> = OnceLock::new();
    let Ok(text) = std::str::from_utf8(data) else { return };
    let graph = GRAPH.get_or_init(seeded);
    let _ = factgraph::syntax_tree(text);
    let _ = factgraph::writes(text, &factgraph::Params::new());
    if let Err(e) = graph.validate(text) {
        // Messages are for people: never empty. Building the text also exercises
        // every error's `Display` with the input's spans.
        assert!(!e.to_string().is_empty());
    }
}

/// A `.fg` script (writes and questions) run against a small in-memory graph under
/// small limits; whatever it did or refused, the store's indexes must agree with its
/// records afterwards (a failed script must have left nothing behind).
pub fn script(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let graph = seeded();
    let before = graph.counts().expect("counts");
    match graph.query_with(text, &limits()) {
        Ok(results) => {
            for r in &results {
                let _ = format!("{r:?}");
            }
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            assert_eq!(graph.counts().expect("counts"), before, "a failed script changed the store: {e}");
        }
    }
    sound(&graph);
    read_everything(&graph);
}

/// A JSON Lines import into an empty in-memory store: all of it or nothing, never a
/// panic; a store that took it is sound.
pub fn jsonl(data: &[u8]) {
    let graph = Graph::in_memory().expect("an in-memory graph");
    match graph.import_jsonl(data) {
        Ok(_) => {
            sound(&graph);
            read_everything(&graph);
            let mut out = Vec::new();
            graph.export_jsonl(&mut out).expect("an import that succeeded exports");
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            assert_eq!(graph.counts().expect("counts"), Counts::default(), "a refused import left data: {e}");
        }
    }
}

/// The byte that separates the four files in a `tsv` input.
pub const TSV_SEPARATOR: u8 = 0x1e;

/// The four files of a benchmark TSV directory, in this order, cut from one input at
/// `TSV_SEPARATOR`; an input with fewer parts leaves the last files missing.
pub const TSV_FILES: [&str; 4] = ["entities.tsv", "aliases.tsv", "sources.tsv", "statements.tsv"];

/// A TSV directory loaded with `Graph::load_tsv_dir`: all of it or nothing, and a
/// store that took it is sound.
pub fn tsv(data: &[u8]) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (name, part) in TSV_FILES.iter().zip(data.splitn(4, |&b| b == TSV_SEPARATOR)) {
        std::fs::write(dir.path().join(name), part).expect("writing a TSV file");
    }
    let graph = Graph::in_memory().expect("an in-memory graph");
    match graph.load_tsv_dir(dir.path(), &mut |_, _, _| {}) {
        Ok(_) => {
            sound(&graph);
            read_everything(&graph);
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            assert_eq!(graph.counts().expect("counts"), Counts::default(), "a refused load left data: {e}");
        }
    }
}

/// A real store directory (the seed graph, written once per process and opened twice
/// so that sled has a snapshot), copied, damaged as `data` says, then opened, read
/// and checked: an error or answers, never a panic or a hang.
///
/// `data` is a list of 8-byte damages: file (index into the directory's files,
/// sorted, modulo their number), kind, offset (u32, little-endian, modulo the file's
/// length) and an argument (u16, little-endian). Kinds, modulo 6: 0 XOR the byte at
/// the offset with the argument's low byte (or 1), 1 set it to that byte, 2 zero
/// `argument` bytes from the offset, 3 cut the file at the offset, 4 remove the file,
/// 5 replace the file with the rest of `data` (which ends the list). The first byte
/// of an input of odd length opens read-only when it is odd, and is not a damage.
pub fn open(data: &[u8]) {
    let pristine = pristine_store();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("db");
    copy_dir(pristine, &db);
    let (read_only, mut rest) = match data.len() % 2 {
        1 => (data[0] % 2 == 1, &data[1..]),
        _ => (false, data),
    };
    let files = files(&db);
    let mut damages = 0;
    while rest.len() >= 8 && damages < 16 && !files.is_empty() {
        let d = &rest[..8];
        rest = &rest[8..];
        damages += 1;
        let path = &files[d[0] as usize % files.len()];
        let at = u32::from_le_bytes([d[2], d[3], d[4], d[5]]) as usize;
        let arg = u16::from_le_bytes([d[6], d[7]]);
        // A file an earlier damage removed stays removed.
        let Ok(mut bytes) = std::fs::read(path) else { continue };
        match d[1] % 6 {
            0..=3 if bytes.is_empty() => continue,
            0 => {
                let i = at % bytes.len();
                bytes[i] ^= (arg as u8).max(1);
            }
            1 => {
                let i = at % bytes.len();
                bytes[i] = arg as u8;
            }
            2 => {
                let i = at % bytes.len();
                let end = (i + arg as usize).min(bytes.len());
                bytes[i..end].fill(0);
            }
            3 => bytes.truncate(at % bytes.len()),
            4 => {
                std::fs::remove_file(path).expect("removing a file");
                continue;
            }
            _ => {
                bytes = rest.to_vec();
                rest = &[];
            }
        }
        std::fs::write(path, bytes).expect("damaging a file");
    }
    let opened = if read_only { Graph::open_read_only(&db) } else { Graph::open_existing(&db) };
    match opened {
        Ok(graph) => {
            // Damage the engine does not see is found by `check`; either is fine,
            // as long as nothing panics.
            let _ = graph.check();
            read_everything(&graph);
            if !read_only {
                if let Ok(mut tx) = graph.transaction() {
                    let _ = tx.create_entity("Zed", "Person");
                    let _ = tx.commit();
                }
            }
        }
        Err(e) => {
            let text = e.to_string();
            assert!(!text.is_empty() && !text.contains("panicked"), "{text}");
        }
    }
}

/// The seed store's directory, built once per process.
fn pristine_store() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, db) = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = dir.path().join("db");
        let graph = Graph::open(&db).expect("creating the seed store");
        graph.query(SEED_SCRIPT).expect("the seed script runs");
        drop(graph);
        drop(Graph::open_existing(&db).expect("reopening the seed store"));
        (dir, db)
    });
    db
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("creating a directory");
    for entry in std::fs::read_dir(from).expect("reading a directory").flatten() {
        let target = to.join(entry.file_name());
        let kind = entry.file_type().expect("a file type");
        if kind.is_dir() {
            copy_dir(&entry.path(), &target);
        } else if kind.is_file() {
            // Not `fs::copy`: its `copy_file_range` gives up on EINTR, which libFuzzer's
            // timer signal causes (the only crash of the first runs); `read` and
            // `write` retry.
            let bytes = std::fs::read(entry.path()).expect("reading a file");
            std::fs::write(&target, bytes).expect("copying a file");
        }
    }
}

/// The regular files under `dir`, sorted, so that a damage's file index means the
/// same file in every run.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("reading a directory").flatten() {
        let kind = entry.file_type().expect("a file type");
        if kind.is_dir() {
            out.extend(files(&entry.path()));
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
    out.sort();
    out
}

/// After a write that succeeded, or one refused, the store's indexes agree with its
/// records.
fn sound(graph: &Graph) {
    let report = graph.check().expect("check runs on an in-memory store");
    assert!(report.is_ok(), "{:?}", report.problems);
}

/// Reads everything a store holds, as a reader of it would; errors are fine (a
/// damaged store may have them), panics are not.
fn read_everything(graph: &Graph) {
    let _ = graph.counts();
    let _ = graph.kinds();
    for e in graph.entities().take(10_000).flatten() {
        let _ = graph.document_text(e.id);
        let _ = graph.lookup(&e.name);
        let _ = graph.edges(Node::Entity(e.id), Direction::Out);
        let _ = graph.edges(Node::Entity(e.id), Direction::In);
        let _ = graph.neighbourhood(Node::Entity(e.id), 2);
    }
    for relation in graph.relations() {
        for id in graph.statements_with_relation(&relation).into_iter().flatten().take(10_000) {
            let _ = graph.statement(id);
            let _ = graph.evidence(id);
            let _ = graph.statements_about(id);
        }
    }
    let _ = graph.adjacency();
}

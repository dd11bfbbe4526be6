//! A store written by an earlier build (format 1) still opens and answers.

use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A copy of the format-1 showcase store in a new temporary directory (opening a
/// store writes to it), and its path.
fn fixture_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let fixture = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/showcase-v1"));
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("showcase-v1");
    copy_dir(fixture, &store);
    (tmp, store)
}

#[test]
fn the_format_1_showcase_store_opens_checks_and_answers() {
    let (_tmp, store) = fixture_copy();
    let g = factgraph::Graph::open_existing(&store).unwrap();
    let c = g.counts().unwrap();
    assert_eq!((c.statements, c.evidence), (76, 119));
    assert!(g.check().unwrap().is_ok());
    let r = g.query("who accused \"Qasi Mehr\"").unwrap_or_else(|e| panic!("{e}"));
    assert!(r[0].rows.is_empty(), "Qasi Mehr accused nobody; he is the accuser");
    let r = g.query("who accused Trump").unwrap();
    assert_eq!(r[0].rows.len(), 3);
    let v = g.query("verify").unwrap();
    assert!(v[0].note.as_deref().unwrap_or("").contains("119 match"), "{:?}", v[0].note);
}

/// A store in format 1 takes writes in format 1 (its records keep their quotes), and
/// moves to the newest format (3: quotes apart, their blocks in LZ4) by an export
/// imported into a new store, which answers as it did, quotes included.
#[test]
fn a_format_1_store_writes_in_format_1_and_moves_to_the_newest_format_by_export_and_import() {
    let (tmp, old_path) = fixture_copy();
    let marker = |p: &Path| std::fs::read_to_string(p.join("FACTGRAPH")).unwrap();
    let old = factgraph::Graph::open_existing(&old_path).unwrap();
    let questions = ["who reported \"red notice\"", "who accused Trump", "describe Trump", "verify"];
    let before: Vec<_> = questions.iter().map(|q| old.query(q).unwrap_or_else(|e| panic!("{q}: {e}"))).collect();
    assert!(before[0][0].rows.iter().any(|r| !r.provenance.is_empty() && !r.provenance[0].quote.is_empty()));
    let mut jsonl = Vec::new();
    old.export_jsonl(&mut jsonl).unwrap();
    drop(old);
    let new_path = tmp.path().join("format-3");
    let new = factgraph::Graph::create_with(&new_path, |g| g.import_jsonl(jsonl.as_slice()).map(|_| ())).unwrap();
    assert!(marker(&new_path).contains("format 3"), "{}", marker(&new_path));
    assert!(new.check().unwrap().is_ok());
    for (q, want) in questions.iter().zip(&before) {
        assert_eq!(&new.query(q).unwrap(), want, "{q}");
    }
    // Written to as it is, the old store stays in format 1 and keeps every quote.
    let old = factgraph::Graph::open_existing(&old_path).unwrap();
    let script = tmp.path().join("more.fg");
    std::fs::write(
        &script,
        "document \"fixture note\" { title: \"A note\" };\n\
         assert Trump said Interpol from \"fixture note\" \"words written in format 1\";\n",
    )
    .unwrap();
    old.load_scripts(&[script]).unwrap();
    drop(old);
    let old = factgraph::Graph::open_existing(&old_path).unwrap();
    assert!(marker(&old_path).contains("format 1"));
    assert!(old.check().unwrap().is_ok());
    let found = old.query("who reported \"written in format 1\"").unwrap();
    assert_eq!(found[0].rows.len(), 1, "{:?}", found[0].rows);
    assert_eq!(&*found[0].rows[0].provenance[0].quote, "words written in format 1");
    assert_eq!(&old.query(questions[0]).unwrap(), &before[0], "after a write");
}

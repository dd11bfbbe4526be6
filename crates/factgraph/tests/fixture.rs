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

#[test]
fn the_format_1_showcase_store_opens_checks_and_answers() {
    let fixture = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/showcase-v1"));
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("showcase-v1");
    copy_dir(fixture, &store);
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

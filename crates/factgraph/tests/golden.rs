//! Golden queries on the showcase data: every `tests/queries/ok/*.fg` must run clean
//! and its output is snapshotted (unordered rows sorted); every
//! `tests/queries/err/*.fg` must fail and its message is snapshotted.

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use factgraph::Graph;

fn showcase() -> &'static Graph {
    static GRAPH: OnceLock<Graph> = OnceLock::new();
    GRAPH.get_or_init(|| {
        let data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data"));
        let mut scripts: Vec<PathBuf> = std::fs::read_dir(&data)
            .expect("data/ exists")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "fg"))
            .collect();
        scripts.sort();
        assert!(!scripts.is_empty(), "data/ holds no .fg scripts");
        let g = Graph::in_memory().expect("temporary graph");
        g.load_scripts(&scripts).unwrap_or_else(|e| panic!("the showcase does not load: {e}"));
        g
    })
}

#[test]
fn ok_queries() {
    insta::glob!("../../../tests/queries/ok", "*.fg", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let results = showcase().query(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!results.is_empty(), "{} produced no result", path.display());
        insta::assert_snapshot!(format!("{}\n---\n{}", text.trim(), common::render(&results, true)));
    });
}

#[test]
fn err_queries() {
    insta::glob!("../../../tests/queries/err", "*.fg", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let err = match showcase().query(&text) {
            Ok(r) => panic!("{} should fail but gave {}", path.display(), common::render(&r, true)),
            Err(e) => e,
        };
        let span = match &err {
            factgraph::Error::Parse(p) => Some(p.span),
            factgraph::Error::Query(q) => q.span(),
            _ => None,
        };
        let pointed = span
            .map(|s| format!("at {}..{}: {:?}", s.start, s.end, &text[s.start.min(text.len())..s.end.min(text.len())]));
        insta::assert_snapshot!(format!("{}\n---\n{err}\n{}", text.trim(), pointed.unwrap_or_default()));
    });
}

#[test]
fn the_showcase_loads_twice_without_adding_anything() {
    let data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data"));
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&data)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "fg"))
        .collect();
    scripts.sort();
    let g = Graph::in_memory().unwrap();
    let first = g.load_scripts(&scripts).unwrap();
    assert!(first.statements >= 150, "{first:?}");
    let counts = g.counts().unwrap();
    let second = g.load_scripts(&scripts).unwrap();
    assert_eq!((second.statements, second.evidence, second.entities), (0, 0, 0), "{second:?}");
    assert_eq!(g.counts().unwrap(), counts);
    assert!(g.check().unwrap().is_ok());
}

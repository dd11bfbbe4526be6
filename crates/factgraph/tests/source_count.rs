//! Counting distinct sources (`unwind sources(r) as s return count(distinct s)`):
//! answered from an index of every statement's sources by name once a match has many
//! relationships (`query/sources.rs`), and as written for the first ones. Both ways,
//! in one process or a new one, before and after a commit, must give what the same
//! question gives when it is written so that no shortcut applies (`size(collect(distinct
//! s))`).

use std::path::Path;

use factgraph::Graph;

/// More relationships at the hub than the count answers as written before it turns
/// to the index (`SOURCES_BY_INDEX`, 2,048).
const HUB_DEGREE: usize = 3000;

/// A TSV store: a hub `E0` with `HUB_DEGREE` statements, a few small entities, and
/// sources whose URLs repeat (two documents with one name are one source by name).
fn write_tsv(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let mut entities = String::from("id\tname\ttype\n");
    for i in 0..40 {
        entities.push_str(&format!("{i}\tE{i}\tPerson\n"));
    }
    let mut sources = String::from("id\turl\tdate\ttitle\n");
    for i in 0..500 {
        // 500 documents, 300 names.
        sources.push_str(&format!("{i}\thttp://s/{}\t2024-01-01\tT{i}\n", i % 300));
    }
    let mut statements = String::from("id\tsubject_id\tpredicate\tobject_id\tsource_id\tquote\n");
    let mut x: u64 = 7;
    let mut next = || {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (x >> 33) as usize
    };
    for i in 0..HUB_DEGREE {
        let other = 1 + next() % 39;
        // Some statements said twice, from two sources.
        let (s, o) = if i % 2 == 0 { (0, other) } else { (other, 0) };
        let pred = ["met", "saw", "said"][next() % 3];
        statements.push_str(&format!("{i}\t{s}\t{pred}\t{o}\t{}\tq{i}\n", next() % 500));
    }
    for i in 0..60 {
        let (s, o) = (1 + next() % 39, 1 + next() % 39);
        statements.push_str(&format!("{}\t{s}\tknew\t{o}\t{}\tk{i}\n", HUB_DEGREE + i, next() % 500));
    }
    for (name, text) in [
        ("entities.tsv", entities),
        ("aliases.tsv", "entity_id\talias\n".to_owned()),
        ("sources.tsv", sources),
        ("statements.tsv", statements),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn count(g: &Graph, q: &str) -> i64 {
    let r = g.query(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    r[0].rows[0].cells[0].as_int().unwrap_or_else(|| panic!("{q}: not a count"))
}

/// Each question counted the short way and as written, which must agree; returns
/// the counts.
fn both_ways(g: &Graph) -> Vec<i64> {
    let mut out = Vec::new();
    for m in [
        "match (x {name: 'E0'})-[r]-()",
        "match (x {name: 'E5'})-[r]-()",
        "match (x {name: 'E0'})-[r:met]->()",
        "match (x {name: 'E5'})-[r*1..2]-()",
        "match ()-[r:knew]->()",
        "optional match (x {name: 'nobody'})-[r]-()",
        "match (x {name: 'E0'})-[r]-(y) where y.name <> 'E1'",
    ] {
        let short = count(g, &format!("{m} unwind sources(r) as s return count(distinct s)"));
        let written = count(g, &format!("{m} unwind sources(r) as s return size(collect(distinct s))"));
        assert_eq!(short, written, "{m}");
        out.push(short);
    }
    out
}

#[test]
fn counting_sources_from_the_index_agrees_with_reading_them() {
    let dir = tempfile::tempdir().unwrap();
    write_tsv(&dir.path().join("tsv"));
    let path = dir.path().join("store");
    let g = Graph::open(&path).unwrap();
    g.load_tsv_dir(&dir.path().join("tsv"), &mut |_, _, _| {}).unwrap();
    let first = both_ways(&g);
    // Two documents share each name below 200: the hub's sources are at most 300.
    assert!(first[0] > 250 && first[0] <= 300, "the hub's sources by name: {}", first[0]);
    assert_eq!(first[5], 0, "no relationship, no source");
    // Again in the same process, the index at hand from the first row.
    assert_eq!(both_ways(&g), first);
    drop(g);
    assert!(path.join("kept-source-names").is_file(), "the load keeps the index");

    // A new read-only process reads what was kept.
    let g = Graph::open_read_only(&path).unwrap();
    assert_eq!(both_ways(&g), first);
    drop(g);

    // A damaged kept file is not used.
    let kept = path.join("kept-source-names");
    let mut bytes = std::fs::read(&kept).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x5a;
    std::fs::write(&kept, &bytes).unwrap();
    let g = Graph::open_read_only(&path).unwrap();
    assert_eq!(both_ways(&g), first);
}

/// The index is of one commit: a source added to the hub's statements afterwards
/// counts at once, in the process that has the index at hand.
#[test]
fn a_source_added_after_the_index_was_built_counts() {
    let dir = tempfile::tempdir().unwrap();
    write_tsv(&dir.path().join("tsv"));
    let g = Graph::open(dir.path().join("store")).unwrap();
    g.load_tsv_dir(&dir.path().join("tsv"), &mut |_, _, _| {}).unwrap();
    let before = both_ways(&g);
    g.query(
        r#"document "a new source" { title: "New" };
assert E0 met E1 from "a new source" "E0 met E1, newly" by E2"#,
    )
    .unwrap();
    let after = both_ways(&g);
    // The hub gains the document and the credited agent.
    assert_eq!(after[0], before[0] + 2);
    assert_eq!(after[2], before[2] + 2);
}

//! A statement its source denies (`polarity: negated`) or declines to confirm
//! (`polarity: not-confirmed`) is not a positive answer: questions and patterns skip it
//! unless they end in `including negated`, while `describe`, `why` and `conflicts`,
//! which are about what was said, show it with its status (docs/data-model.md,
//! "Epistemic status"; docs/language.md, "Negated and unconfirmed statements").

use factgraph::vocabulary::{affirms, POLARITIES};
use factgraph::{Graph, Qualifiers, Value};

/// A note, A, B and C; "A said B" negated, "A met C" affirmed, "B said C" unconfirmed,
/// and "A said D" affirmed by a second note, so `conflicts about A` has two versions.
fn small() -> Graph {
    let g = Graph::in_memory().unwrap();
    g.query(
        r#"document note { title: "A note", outlet: "unknown" };
document other { title: "Another note", outlet: "unknown" };
entity A: Person; entity B: Person; entity C: Person; entity D: Person;
assert A said B { polarity: "negated" } from note "A did not say B";
assert A met C from note "A met C";
assert B said C { polarity: "not-confirmed" } from note "B may have said C";
assert A said D from other "A said D""#,
    )
    .unwrap();
    g
}

/// The showcase in `data/`, loaded once.
fn showcase() -> &'static Graph {
    static GRAPH: std::sync::OnceLock<Graph> = std::sync::OnceLock::new();
    GRAPH.get_or_init(|| {
        let data = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data"));
        let mut scripts: Vec<std::path::PathBuf> = std::fs::read_dir(&data)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "fg"))
            .collect();
        scripts.sort();
        let g = Graph::in_memory().unwrap();
        g.load_scripts(&scripts).unwrap();
        g
    })
}

/// The first column of every row, as text, sorted.
fn firsts(g: &Graph, q: &str) -> Vec<String> {
    let r = g.query(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    let mut out: Vec<String> = r[0].rows.iter().map(|row| row.cells[0].to_string()).collect();
    out.sort();
    out
}

/// Every row of the first result, each as its cells joined by " | ".
fn rows(g: &Graph, q: &str) -> Vec<String> {
    let r = g.query(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    r[0].rows.iter().map(|row| row.cells.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" | ")).collect()
}

// ---- the showcase's wrong answers ----------------------------------------------------

#[test]
fn a_statement_interpol_did_not_confirm_does_not_answer_a_confirmed_by_pattern() {
    let g = showcase();
    assert_eq!(firsts(g, "match (s)-[r:confirmed-by]->(o) return o.name"), Vec::<String>::new());
}

#[test]
fn a_statement_interpol_did_not_confirm_does_not_answer_who_confirmed() {
    let g = showcase();
    let confirmers = firsts(g, "match (s)-[r:confirmed-by]-(o {name: 'Interpol'}) return o.name");
    assert!(confirmers.is_empty(), "{confirmers:?}");
    let who = firsts(g, "who confirmed-by Interpol");
    assert!(who.is_empty(), "{who:?}");
}

#[test]
fn interpol_usually_does_not_act_on_political_matters_does_not_answer_what_interpol_acts_on() {
    let g = showcase();
    assert_eq!(firsts(g, "what does Interpol acts-on"), Vec::<String>::new());
    assert_eq!(firsts(g, "match (i {name: 'Interpol'})-[r:acts-on]->(x) return r.polarity"), Vec::<String>::new());
}

#[test]
fn including_negated_brings_the_unconfirmed_confirmation_back_with_its_status() {
    let g = showcase();
    let r = rows(g, "match (s)-[r:confirmed-by]->(o) return o.name, r.polarity including negated");
    assert_eq!(r, ["Interpol | not-confirmed"]);
    let who = rows(g, "who confirmed-by Interpol including negated");
    assert_eq!(who.len(), 1, "{who:?}");
    assert!(who[0].contains("polarity: not-confirmed"), "{who:?}");
}

#[test]
fn describe_and_why_show_the_unconfirmed_confirmation_with_its_status() {
    let g = showcase();
    let describe = rows(g, "describe Interpol");
    assert!(
        describe.iter().any(|r| r.starts_with("← confirmed-by") && r.contains("polarity: not-confirmed")),
        "{describe:#?}"
    );
    assert!(describe.iter().any(|r| r.starts_with("→ acts-on") && r.contains("polarity: negated")), "{describe:#?}");
    let why = rows(g, "why what does Interpol acts-on");
    assert_eq!(why.len(), 1, "{why:#?}");
    assert!(why[0].contains("polarity: negated") && why[0].contains("usually does not act on"), "{why:#?}");
}

// ---- every question form, on a small graph -------------------------------------------

#[test]
fn a_negated_statement_does_not_answer_who() {
    let g = small();
    assert_eq!(firsts(&g, "who said B"), Vec::<String>::new());
    assert_eq!(firsts(&g, "who said B including negated"), ["A"]);
}

#[test]
fn an_unconfirmed_statement_does_not_answer_who() {
    let g = small();
    assert_eq!(firsts(&g, "who said C"), Vec::<String>::new());
    assert_eq!(firsts(&g, "who said C including negated"), ["B"]);
}

#[test]
fn a_negated_statement_does_not_answer_what() {
    let g = small();
    assert_eq!(firsts(&g, "what does A said"), ["D"]);
    assert_eq!(firsts(&g, "what does A said including negated"), ["B", "D"]);
}

#[test]
fn a_negated_statement_does_not_answer_according_to_its_document() {
    let g = small();
    assert_eq!(firsts(&g, "according to note who said B"), Vec::<String>::new());
    assert_eq!(firsts(&g, "according to note who said B including negated"), ["A"]);
}

#[test]
fn a_negated_statement_is_not_reported() {
    let g = small();
    assert_eq!(firsts(&g, "who reported B"), Vec::<String>::new());
    assert_eq!(firsts(&g, "who reported \"did not say\""), Vec::<String>::new());
    // Both statements involving B: the negated one and the unconfirmed one.
    assert_eq!(firsts(&g, "who reported B including negated"), ["note", "note"]);
}

#[test]
fn a_negated_statement_is_not_a_step_of_a_path() {
    let g = small();
    let r = &g.query("path from A to B").unwrap()[0];
    assert!(r.rows.is_empty(), "{:?}", r.rows);
    assert_eq!(r.note.as_deref(), Some("no path within 32 statements"));
    assert_eq!(g.query("path from A to B including negated").unwrap()[0].rows.len(), 1);
}

#[test]
fn a_path_goes_round_a_negated_statement() {
    let g = small();
    // A met C (affirmed), B said C (unconfirmed), A said B (negated): no positive path
    // from C to B, and the one from A to C is the meeting.
    assert!(g.query("path from C to B").unwrap()[0].rows.is_empty());
    let r = rows(&g, "path from A to C");
    assert_eq!(r.len(), 1);
    assert!(r[0].contains("met"), "{r:?}");
}

#[test]
fn a_negated_statement_does_not_make_a_neighbour() {
    let g = small();
    assert_eq!(firsts(&g, "neighbours of A"), ["C", "D"]);
    assert_eq!(firsts(&g, "neighbours of A including negated"), ["B", "C", "D"]);
}

#[test]
fn a_negated_statement_has_no_sources() {
    let g = small();
    assert_eq!(firsts(&g, "sources of B"), Vec::<String>::new());
    assert_eq!(firsts(&g, "sources of B including negated"), ["note"]);
}

#[test]
fn describe_shows_a_negated_statement_with_its_status() {
    let g = small();
    let d = rows(&g, "describe A");
    assert!(d.iter().any(|r| r.starts_with("→ said | B {polarity: negated}")), "{d:#?}");
}

#[test]
fn why_shows_a_negated_statement_with_its_status() {
    let g = small();
    let w = rows(&g, "why who said B");
    assert_eq!(w.len(), 1, "{w:#?}");
    assert!(w[0].contains("A said B {polarity: negated}") && w[0].contains("A did not say B"), "{w:#?}");
}

#[test]
fn conflicts_show_a_negated_version() {
    let g = small();
    let c = rows(&g, "conflicts about A");
    assert!(c.iter().any(|r| r.contains("polarity: negated")), "{c:#?}");
}

// ---- patterns ------------------------------------------------------------------------

#[test]
fn a_negated_statement_does_not_match_a_pattern() {
    let g = small();
    assert_eq!(firsts(&g, "match (a)-[r:said]->(b) return b.name"), ["D"]);
    assert_eq!(firsts(&g, "match (a)-[r]->(b) return b.name"), ["C", "D"]);
    assert_eq!(firsts(&g, "match (a)-[r:said]->(b) return b.name including negated"), ["B", "C", "D"]);
}

#[test]
fn a_pattern_that_names_a_polarity_asks_for_it() {
    let g = small();
    assert_eq!(firsts(&g, "match (a)-[r:said {polarity: 'negated'}]->(b) return b.name"), ["B"]);
    assert_eq!(firsts(&g, "match (a)-[r {polarity: 'not-confirmed'}]->(b) return b.name"), ["C"]);
    // A `where` is a filter on what the pattern matched, not a request.
    assert_eq!(firsts(&g, "match (a)-[r]->(b) where r.polarity = 'negated' return b.name"), Vec::<String>::new());
}

#[test]
fn a_negated_statement_is_not_a_step_of_a_variable_length_pattern() {
    let g = small();
    let ends = "match (a {name: 'A'})-[*1..3]-(b) return distinct b.name";
    assert_eq!(firsts(&g, ends), ["C", "D"]);
    let count = "match (a {name: 'A'})-[*1..3]-(b) return count(distinct b)";
    assert_eq!(firsts(&g, count), ["2"]);
    assert_eq!(firsts(&g, &format!("{ends} including negated")), ["A", "B", "C", "D"]);
    let trails = "match (a {name: 'A'})-[rs*1..3]-(b) return b.name";
    assert_eq!(firsts(&g, trails), ["C", "D"]);
}

#[test]
fn a_union_including_negated_includes_them_on_both_sides() {
    let g = small();
    let q = "match (a)-[r:said]->(b) return b.name as n union match (a)-[r:met]->(b) return b.name as n";
    assert_eq!(firsts(&g, q), ["C", "D"]);
    assert_eq!(firsts(&g, &format!("{q} including negated")), ["B", "C", "D"]);
}

// ---- the rule ------------------------------------------------------------------------

#[test]
fn only_an_affirmed_polarity_is_positive() {
    let with = |p: Option<&str>| {
        let mut q = Qualifiers::new();
        if let Some(p) = p {
            q.insert("polarity".into(), Value::Str(p.into()));
        }
        q
    };
    assert!(affirms(&with(None)), "no polarity is affirmed");
    for p in POLARITIES {
        assert_eq!(affirms(&with(Some(p))), *p == "affirmed", "{p}");
    }
    let mut hedged = with(None);
    hedged.insert("modality".into(), Value::Str("unlikely".into()));
    assert!(affirms(&hedged), "a modality weighs a claim; it does not withdraw it");
}

#[test]
fn a_modality_does_not_withdraw_a_claim() {
    let g = showcase();
    assert!(!firsts(g, "what does Interpol unlikely-to-grant").is_empty());
    let compels = rows(g, "what does \"red notice\" compels");
    assert_eq!(compels.len(), 1, "{compels:?}");
    assert!(compels[0].contains("modality: not-necessarily"), "{compels:?}");
}

#[test]
fn an_agency_that_did_not_report_a_claim_is_not_its_source() {
    let g = Graph::in_memory().unwrap();
    g.query(
        r#"document note { title: "A note", outlet: "unknown" };
entity A: Person; entity B: Person; entity C: Organization;
assert @s = A said B from note "A said B";
assert @s reported-by C { polarity: "negated" } from note "C did not report that A said B""#,
    )
    .unwrap();
    assert_eq!(firsts(&g, "according to C who said B"), Vec::<String>::new());
    let why = rows(&g, "why who said B");
    assert_eq!(why.len(), 1, "{why:?}");
    assert!(!why[0].contains("reported by C"), "{why:?}");
    assert!(!firsts(&g, "who reported B").contains(&"C".to_owned()));
}

#[test]
fn a_statement_withdrawn_after_a_first_walk_is_stepped_over_too() {
    let g = Graph::in_memory().unwrap();
    g.query(
        "document note { title: \"A note\" }; entity A: Person; entity C: Person; assert A met C from note \"A met C\"",
    )
    .unwrap();
    assert_eq!(firsts(&g, "neighbours of A"), ["C"]);
    // The set of withdrawn statements is kept until the next commit, not longer.
    g.query("entity B: Person; assert A said B { polarity: \"negated\" } from note \"A did not say B\"").unwrap();
    assert_eq!(firsts(&g, "neighbours of A"), ["C"]);
    assert_eq!(firsts(&g, "match (a {name: 'A'})-[*1..2]-(b) return distinct b.name"), ["C"]);
    assert_eq!(firsts(&g, "neighbours of A including negated"), ["B", "C"]);
}

#[test]
fn explain_says_including_negated() {
    let g = small();
    let words = g.explain("who said B including negated").unwrap().join("\n");
    assert!(words.contains("including statements their sources deny or do not confirm"), "{words}");
    let plain = g.explain("who said B").unwrap().join("\n");
    assert!(!plain.contains("including statements"), "{plain}");
}

// ---- what a new process knows -------------------------------------------------------

/// The answer a new process gives from the withdrawn set kept beside the store is the
/// one a full scan gives: at the commit it was kept at, and never after another
/// commit, a damaged file or on a read-only store that could not keep it.
#[test]
fn a_new_process_skips_the_same_withdrawn_statements_as_the_one_that_kept_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let said = "match (a {name: 'A'})-[r:said]->(b) return b.name";
    let script = r#"document note { title: "A note" };
entity A: Person; entity B: Person; entity D: Person;
assert A said B { polarity: "negated" } from note "A did not say B";
assert A said D from note "A said D""#;
    let g = Graph::open(&path).unwrap();
    g.query(script).unwrap();
    assert_eq!(firsts(&g, said), ["D"]);
    drop(g);
    let kept = path.join("kept-withdrawn");
    assert!(kept.is_file(), "the process that scanned kept the set");

    // Read back by a new process, read-only or not.
    let g = Graph::open_read_only(&path).unwrap();
    assert_eq!(firsts(&g, said), ["D"]);
    drop(g);

    // A commit since: the kept set is stale, found so, and found again.
    let g = Graph::open(&path).unwrap();
    g.query(r#"entity E: Person; assert A said E { polarity: "not-confirmed" } from note "A may have said E""#)
        .unwrap();
    drop(g);
    let g = Graph::open(&path).unwrap();
    assert_eq!(firsts(&g, said), ["D"], "E is withdrawn too");
    drop(g);

    // A damaged file is not used.
    let mut bytes = std::fs::read(&kept).unwrap();
    let last = bytes.len() - 9;
    bytes[last] ^= 0xff;
    std::fs::write(&kept, &bytes).unwrap();
    let g = Graph::open_read_only(&path).unwrap();
    assert_eq!(firsts(&g, said), ["D"]);
    assert_eq!(firsts(&g, &format!("{said} including negated")), ["B", "D", "E"]);
}

/// A load leaves what a later process's first pattern needs beside the store: one-off
/// queries open the store read-only, cannot keep the withdrawn statements themselves,
/// and read every statement to find them each time otherwise.
#[test]
fn a_load_keeps_the_withdrawn_statements_for_read_only_processes() {
    let dir = tempfile::tempdir().unwrap();
    // A TSV load into an empty store: none withdrawn, and none read to know it.
    let tsv = dir.path().join("tsv");
    std::fs::create_dir(&tsv).unwrap();
    let files = [
        ("entities.tsv", "id\tname\ttype\n0\tAnn\tPerson\n1\tBo\tPerson\n"),
        ("aliases.tsv", "entity_id\talias\n"),
        ("sources.tsv", "id\turl\tdate\ttitle\n0\thttp://a\t2024-01-01\tA\n"),
        ("statements.tsv", "id\tsubject_id\tpredicate\tobject_id\tsource_id\tquote\n0\t0\tmet\t1\t0\tAnn met Bo\n"),
    ];
    for (name, text) in files {
        std::fs::write(tsv.join(name), text).unwrap();
    }
    let path = dir.path().join("from-tsv");
    let g = Graph::open(&path).unwrap();
    g.load_tsv_dir(&tsv, &mut |_, _, _| {}).unwrap();
    drop(g);
    assert!(path.join("kept-withdrawn").is_file() && path.join("adjacency.csr").is_file());
    let g = Graph::open_read_only(&path).unwrap();
    assert_eq!(firsts(&g, "match (a {name: 'Ann'})-[:met]->(b) return b.name"), ["Bo"]);
    drop(g);

    // A script load, with a withdrawn statement: found by reading, and kept.
    let script = dir.path().join("a.fg");
    std::fs::write(
        &script,
        r#"document note { title: "A note" };
entity A: Person; entity B: Person; entity D: Person;
assert A said B { polarity: "negated" } from note "A did not say B";
assert A said D from note "A said D""#,
    )
    .unwrap();
    let path = dir.path().join("from-script");
    let g = Graph::open(&path).unwrap();
    g.load_scripts(std::slice::from_ref(&script)).unwrap();
    drop(g);
    assert!(path.join("kept-withdrawn").is_file());
    let g = Graph::open_read_only(&path).unwrap();
    assert_eq!(firsts(&g, "match (a {name: 'A'})-[:said]->(b) return b.name"), ["D"]);

    // The same TSV into a store that already holds a withdrawn statement: read, not
    // assumed away.
    drop(g);
    let g = Graph::open(&path).unwrap();
    g.load_tsv_dir(&tsv, &mut |_, _, _| {}).unwrap();
    drop(g);
    let g = Graph::open_read_only(&path).unwrap();
    assert_eq!(firsts(&g, "match (a {name: 'A'})-[:said]->(b) return b.name"), ["D"]);
    assert_eq!(firsts(&g, "match (a {name: 'A'})-[:said]->(b) return b.name including negated"), ["B", "D"]);
}

/// A store created in an existing empty directory with a load in it (`import` into a
/// new store): the load's derived files went into the creation's temporary, which an
/// in-place creation does not move whole, and left `.creating-PID` behind for good.
#[test]
fn creating_a_store_with_a_load_in_it_leaves_no_temporary_behind() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("a.fg");
    std::fs::write(&script, r#"document note { title: "A note" }; entity A: Person; entity B: Person; assert A said B { polarity: "negated" } from note "A did not say B""#).unwrap();
    for in_place in [true, false] {
        let path = dir.path().join(if in_place { "empty-dir" } else { "new" });
        if in_place {
            std::fs::create_dir(&path).unwrap();
        }
        let g = Graph::create_with(&path, |g| g.load_scripts(std::slice::from_ref(&script)).map(|_| ())).unwrap();
        assert_eq!(firsts(&g, "match (a {name: 'A'})-[:said]->(b) return b.name"), Vec::<String>::new());
        drop(g);
        let mut names: Vec<String> =
            std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        assert!(names.iter().all(|n| !n.starts_with('.')), "in place: {in_place}: {names:?}");
        let parent: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(parent.iter().all(|n| !n.starts_with('.')), "in place: {in_place}: {parent:?}");
        let g = Graph::open_read_only(&path).unwrap();
        assert_eq!(firsts(&g, "match (a {name: 'A'})-[:said]->(b) return b.name including negated"), ["B"]);
    }
}

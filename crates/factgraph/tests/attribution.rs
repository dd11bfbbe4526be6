//! What `according to X` admits, one case of the attribution model at a time
//! (docs/data-model.md, "Attribution"): evidence whose credited agent is X, whose
//! document is X or is published by X, or whose own document names X as the agency
//! that reported the claim or the one it was told to — and nothing else, however many
//! other documents support the same claim.

use factgraph::Graph;

/// One claim, "A accused B", supported by three documents that each credit it
/// differently, and a second claim that only the blog makes:
///
/// - `paper` (outlet "Daily Paper") quotes a spokesman (`by Spokesman`) and names
///   Relay as the agency that reported it and Listener as the one it was told to;
/// - `wire` (outlet "Wire Agency") says it in its own voice;
/// - `blog` (outlet "unknown", so no outlet) says it in its own voice.
const SCRIPT: &str = r#"
document paper { title: "A accuses B", outlet: "Daily Paper" };
document wire { title: "A accuses B, wire copy", outlet: "Wire Agency" };
document blog { title: "Notes on A", outlet: "unknown" };
entity "Daily Paper": Organization aka "The Daily";
entity "Wire Agency": Organization;
entity Relay: Organization;
entity Listener: Organization;
entity Spokesman: Person;
entity Bystander: Person;
entity A: Person;
entity B: Person;
entity C: Person;
assert @claim = A accused B
  from paper "A accused B, the spokesman said" by Spokesman
  from wire "A accuses B"
  from blog "A accused B";
assert @claim reported-by Relay from paper "Relay reported";
assert @claim told-to Listener from paper "he told Listener";
assert A praised C from blog "A praised C"
"#;

fn graph() -> Graph {
    let g = Graph::in_memory().unwrap();
    g.query(SCRIPT).unwrap();
    g
}

/// The documents behind each piece of evidence `why according to SOURCE who accused
/// B` shows, sorted.
fn documents(g: &Graph, source: &str) -> Vec<String> {
    let q = format!("why according to {source} who accused B");
    let r = &g.query(&q).unwrap_or_else(|e| panic!("{q}: {e}"))[0];
    let mut docs: Vec<String> = r.records().map(|rec| rec.get("document").unwrap().to_string()).collect();
    docs.sort();
    docs
}

#[test]
fn according_to_a_credited_agent_admits_the_evidence_that_credits_it() {
    let g = graph();
    assert_eq!(documents(&g, "Spokesman"), ["paper"]);
}

#[test]
fn according_to_an_outlet_admits_the_evidence_of_the_documents_it_published() {
    let g = graph();
    assert_eq!(documents(&g, "\"Daily Paper\""), ["paper"]);
    // The outlet is named through its aliases too.
    assert_eq!(documents(&g, "\"The Daily\""), ["paper"]);
    assert_eq!(documents(&g, "\"Wire Agency\""), ["wire"]);
}

#[test]
fn according_to_a_document_admits_its_own_evidence() {
    let g = graph();
    assert_eq!(documents(&g, "blog"), ["blog"]);
    assert_eq!(documents(&g, "wire"), ["wire"]);
}

#[test]
fn according_to_a_relay_admits_only_the_document_that_names_it() {
    let g = graph();
    // The paper names Relay as its source; the wire and the blog support the same
    // claim without naming anyone, so Relay is not their source.
    assert_eq!(documents(&g, "Relay"), ["paper"]);
    let r = &g.query("according to Relay who accused B").unwrap()[0];
    assert_eq!(r.rows.len(), 1);
    assert_eq!(r.rows[0].cells[3].to_string(), "[paper]");
}

#[test]
fn according_to_the_one_told_admits_only_the_document_that_says_so() {
    let g = graph();
    assert_eq!(documents(&g, "Listener"), ["paper"]);
}

#[test]
fn according_to_a_source_that_credits_nothing_answers_nothing() {
    let g = graph();
    assert_eq!(documents(&g, "Bystander"), Vec::<String>::new());
    let r = &g.query("according to Bystander describe A").unwrap()[0];
    // Only the name and the kind: no statement about A is Bystander's.
    assert_eq!(r.rows.len(), 2, "{r:?}");
}

#[test]
fn according_to_keeps_a_statement_only_with_evidence_it_admits() {
    let g = graph();
    // The blog alone says A praised C: the paper's outlet, speaker and relay are not
    // sources of it.
    for source in ["\"Daily Paper\"", "Spokesman", "Relay", "Listener"] {
        let q = format!("according to {source} what does A praise");
        assert!(g.query(&q).unwrap()[0].rows.is_empty(), "{q}");
    }
    assert_eq!(g.query("according to blog what does A praise").unwrap()[0].rows.len(), 1);
}

#[test]
fn according_to_a_relay_shows_the_statement_that_names_it() {
    let g = graph();
    // The row naming Relay as the reporter is part of what Relay is credited with.
    let r = &g.query("according to Relay who reported B").unwrap()[0];
    let mut rows: Vec<(String, String, String)> = r
        .records()
        .map(|rec| {
            (
                rec.get("source").unwrap().to_string(),
                rec.get("role").unwrap().to_string(),
                rec.get("document").unwrap().to_string(),
            )
        })
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            ("Daily Paper".to_string(), "published".to_string(), "paper".to_string()),
            ("Relay".to_string(), "reported".to_string(), "paper".to_string()),
            ("Spokesman".to_string(), "credited".to_string(), "paper".to_string()),
        ]
    );
}

/// The agencies `who reported A` names as having reported a claim ("reported" rows).
fn reported_rows(g: &Graph) -> Vec<String> {
    let r = &g.query("who reported A").unwrap()[0];
    let mut out: Vec<String> = r
        .records()
        .filter(|rec| rec.get("role").is_some_and(|c| c.to_string() == "reported"))
        .map(|rec| rec.get("source").unwrap().to_string())
        .collect();
    out.sort();
    out
}

/// The relations that report are found once per commit and kept: one first used by a
/// later commit still answers.
#[test]
fn who_reported_sees_a_reporting_relation_a_later_commit_adds() {
    let g = Graph::in_memory().unwrap();
    g.query(
        r#"document paper { title: "A accuses B", outlet: "Daily Paper" };
entity A: Person; entity B: Person; entity Relay: Organization;
assert A accused B from paper "A accused B""#,
    )
    .unwrap();
    assert!(reported_rows(&g).is_empty());
    g.query(
        r#"assert @c = A accused B from paper "A accused B"; assert @c reported-by Relay from paper "Relay reported""#,
    )
    .unwrap();
    assert_eq!(reported_rows(&g), ["Relay"]);
}

//! `verify`'s claim-support check (`factgraph::support`, docs/data-model.md "Claims say
//! no more than their quotes"): a statement's own words must be in the quotes each of
//! its documents gives for it. It catches the showcase's old "the highest-level arrest"
//! for Newsweek's "the highest level notice", and finds nothing in the showcase now.

mod common;

use factgraph::Graph;

const ARTICLE: &str = "This would be the highest level notice that the international body can issue.";

fn verify(g: &Graph) -> (Vec<String>, String) {
    let r = g.query("verify").unwrap().pop().unwrap();
    let rows =
        r.rows.iter().map(|row| row.cells.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" | ")).collect();
    (rows, r.note.unwrap_or_default())
}

/// Two documents without text: the quote check has nothing to read, the claim check
/// needs only the quotes.
fn graph() -> Graph {
    let g = Graph::in_memory().unwrap();
    g.query(
        r#"document nw { title: "Newsweek" }; document sky { title: "Sky" };
        entity "red notice": Concept; entity Interpol: Organization"#,
    )
    .unwrap();
    g
}

#[test]
fn verify_reports_the_highest_arrest_for_the_highest_level_notice() {
    let g = graph();
    g.query(&format!(
        r#"assert "red notice" described-as text "the highest-level arrest requested by Interpol" from nw "{ARTICLE}""#
    ))
    .unwrap();
    let (rows, note) = verify(&g);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].contains("nw") && rows[0].ends_with("the claim says more than its quotes: arrest, requested, interpol"),
        "{}",
        rows[0]
    );
    assert!(note.contains("1 claims checked against their quotes: 0 supported, 1 say more"), "{note}");
}

#[test]
fn each_document_must_support_the_claim_on_its_own() {
    // Sky's quote has every word; Newsweek's, merged into the same statement, does not.
    let g = graph();
    g.query(&format!(
        r#"assert "red notice" described-as text "the highest-level arrest requested by Interpol"
             from sky "which represents the highest-level arrest requested by Interpol"
             from nw "{ARTICLE}""#
    ))
    .unwrap();
    let (rows, note) = verify(&g);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains(" | nw | "), "{}", rows[0]);
    assert!(note.contains("2 claims checked against their quotes: 1 supported, 1 say more"), "{note}");
}

#[test]
fn qualifier_words_are_checked_and_names_of_the_ends_support_the_claim() {
    let g = graph();
    // "Interpol" is the subject's name; "notice" and "level" are in the quote.
    g.query(&format!(
        r#"assert Interpol described-as text "Interpol's highest level notice" from nw "{ARTICLE}";
           assert "red notice" described-as text "a notice" {{ modality: "conditional", words: "highest level arrest" }} from nw "{ARTICLE}""#
    ))
    .unwrap();
    let (rows, _) = verify(&g);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].ends_with("the claim says more than its quotes: arrest"), "{}", rows[0]);
}

#[test]
fn the_showcase_has_no_unsupported_claim() {
    let g = common::showcase();
    let (rows, note) = verify(&g);
    assert!(rows.is_empty(), "{}", rows.join("\n"));
    assert!(note.contains("0 do not") && note.contains(", 0 say more"), "{note}");
}

#[test]
fn statements_typed_by_hand_have_no_source_to_say_more_than() {
    // openCypher writes cite the note document ("typed by hand") with the query as the
    // quote; a later `set` gives words no quote has, and no article stands behind them.
    let g = Graph::in_memory().unwrap();
    g.query(r#"create (a:Person {name: "A"})-[:KNOWS {since: "school"}]->(b:Person {name: "B"})"#).unwrap();
    g.query(r#"match (a)-[r:KNOWS]->(b) set r.where = "at work""#).unwrap();
    let (rows, note) = verify(&g);
    assert!(rows.is_empty(), "{rows:?}");
    assert!(note.contains("0 claims checked against their quotes"), "{note}");
}

//! Statements with participants (issue 11 item 3): role qualifiers (`for`,
//! `addressee`, …) name entities, resolved on load through aliases, kept as the
//! entity and indexed, so that questions, patterns and `path` reach a claim from the
//! ones it is for or addressed to (docs/data-model.md, "Participants").

use factgraph::{ErrorKind, Graph, Value};

const STORY: &str = r#"document ap { title: "Iran wants Trump arrested", outlet: "Associated Press" };
entity Iran: Country;
entity "Ali Alqasimehr": Person aka "Alqasimehr" in ap;
entity "Donald Trump": Person aka "Trump" in ap;
entity Interpol: Organization aka "the international police agency" in ap;
entity "red notice": Concept;
assert @asked = Iran requested-help-from Interpol { for: "Trump", purpose: "arrest" }
  from ap "Iran has asked Interpol for help in detaining Trump";
assert "Ali Alqasimehr" requested "red notice" { for: "Donald Trump", addressee: "the international police agency" }
  from ap "Alqasimehr asked Interpol to issue a red notice for Trump" by Alqasimehr;
"#;

fn story() -> Graph {
    let g = Graph::in_memory().unwrap();
    g.query(STORY).unwrap();
    g
}

/// The rows of the last answer, each as its cells' text joined by ` | `.
fn rows(g: &Graph, q: &str) -> Vec<String> {
    let r = g.query(q).unwrap();
    let last = r.last().unwrap();
    last.rows.iter().map(|r| r.cells.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" | ")).collect()
}

fn id(g: &Graph, name: &str) -> factgraph::EntityId {
    g.lookup_ids(name).unwrap()[0]
}

#[test]
fn a_role_names_its_entity_through_an_alias_and_is_kept_as_the_entity() {
    let g = story();
    let trump = id(&g, "Donald Trump");
    let interpol = id(&g, "Interpol");
    let asked = g.statements_with_participant(trump).unwrap();
    assert_eq!(asked.len(), 2, "both claims are for Trump");
    let st = g.statement(asked[1]).unwrap().unwrap();
    assert_eq!(st.qualifiers.get("for"), Some(&Value::Entity(trump)));
    assert_eq!(st.qualifiers.get("addressee"), Some(&Value::Entity(interpol)), "the alias names Interpol");
    // A qualifier that is not a role stays the source's words.
    let first = g.statement(asked[0]).unwrap().unwrap();
    assert_eq!(first.qualifiers.get("purpose"), Some(&Value::Str("arrest".into())));
    assert!(g.check().unwrap().is_ok());
}

#[test]
fn an_unknown_participant_is_a_load_error_at_its_value() {
    let g = story();
    let text = "assert Iran requested-help-from Interpol { for: \"Donald Trum\" } from ap \"Iran has asked Interpol\"";
    let err = g.query(text).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownName, "{err}");
    let factgraph::Error::Query(q) = &err else { panic!("{err:?}") };
    let span = q.span().expect("the error has a place");
    assert_eq!(&text[span.start..span.end], "\"Donald Trum\"", "the span is the value");
    assert!(err.to_string().contains("Donald Trum"), "{err}");
    // Nothing of the failed write is kept.
    assert_eq!(g.statements_with_participant(id(&g, "Trump")).unwrap().len(), 2);
}

#[test]
fn a_participant_is_an_entity_not_a_document_nor_a_number() {
    let g = story();
    let err =
        g.query("assert Iran requested-help-from Interpol { addressee: \"ap\" } from ap \"Iran has asked Interpol\"");
    assert_eq!(err.unwrap_err().kind(), ErrorKind::Invalid);
    let err = g.query("assert Iran requested-help-from Interpol { for: 36 } from ap \"Iran has asked Interpol\"");
    assert_eq!(err.unwrap_err().kind(), ErrorKind::Invalid);
}

#[test]
fn who_requested_shows_for_whom_and_to_whom() {
    let g = story();
    assert_eq!(
        rows(&g, "who requested \"red notice\""),
        ["Ali Alqasimehr | requested | addressee: Interpol, for: Donald Trump | [ap]"]
    );
}

#[test]
fn describe_lists_the_claims_an_entity_takes_part_in_under_its_role() {
    let g = story();
    let described = rows(&g, "describe Trump");
    let roles: Vec<&String> = described.iter().filter(|r| r.starts_with("as ")).collect();
    assert_eq!(
        roles,
        [
            "as for | Iran requested-help-from Interpol {for: Donald Trump, purpose: arrest} | [ap]",
            "as for | Ali Alqasimehr requested red notice {addressee: Interpol, for: Donald Trump} | [ap]",
        ],
        "{described:#?}"
    );
    let interpol = rows(&g, "describe Interpol");
    assert!(interpol.iter().any(|r| r.starts_with("as addressee | Ali Alqasimehr requested")), "{interpol:#?}");
}

#[test]
fn path_goes_through_the_claim_a_participant_takes_part_in() {
    let g = story();
    let steps = rows(&g, "path from Trump to \"red notice\"");
    assert_eq!(
        steps,
        [
            "1 | Donald Trump | ← for | Ali Alqasimehr requested red notice {addressee: Interpol, for: Donald Trump} | [ap]",
            "2 | Ali Alqasimehr requested red notice {addressee: Interpol, for: Donald Trump} | requested → | red notice | [ap]",
        ]
    );
}

#[test]
fn a_role_reads_as_a_relationship_property_holding_the_node() {
    let g = story();
    assert_eq!(
        rows(&g, "match (a)-[r:requested]->(n {name: 'red notice'}) return a.name, r.for.name, r.addressee"),
        ["Ali Alqasimehr | Donald Trump | Interpol"]
    );
    // A name in a relationship's pattern asks for the participant by its name, exactly
    // as a node's does; `named` by any spelling.
    assert_eq!(
        rows(&g, "match (a)-[r {for: 'Donald Trump'}]->(b) return b.name order by b.name"),
        ["Interpol", "red notice"]
    );
    assert_eq!(rows(&g, "match (a)-[r {for: 'trump'}]->(b) return count(*)"), ["0"]);
    assert_eq!(
        rows(&g, "match (a)-[r]->(b) where r.for named 'trump' return b.name order by b.name"),
        ["Interpol", "red notice"]
    );
    // And the participant is the node itself.
    assert_eq!(rows(&g, "match (t named 'Trump'), (a)-[r]->(b) where r.for = t return count(*)"), ["2"]);
    assert_eq!(rows(&g, "match ()-[r:requested]->() return keys(r)"), ["['addressee', 'for']"]);
}

#[test]
fn a_claims_participants_follow_its_changes_and_its_retraction() {
    let g = story();
    let trump = id(&g, "Trump");
    g.query("match ()-[r:requested-help-from]->() set r.for = null").unwrap();
    assert_eq!(g.statements_with_participant(trump).unwrap().len(), 1, "the role is gone from the index");
    assert!(g.check().unwrap().is_ok());
    g.query("match ()-[r:requested]->() delete r").unwrap();
    assert!(g.statements_with_participant(trump).unwrap().is_empty());
    assert!(g.check().unwrap().is_ok());
    // Nothing names Trump now, so he can go.
    g.query("match (t named 'Trump') delete t").unwrap();
}

#[test]
fn an_entity_that_takes_part_in_a_claim_cannot_be_deleted_from_under_it() {
    let g = story();
    let err = g.query("delete entity Interpol").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
    assert_eq!(g.lookup_ids("Interpol").unwrap().len(), 1);
}

#[test]
fn participants_survive_export_and_import_as_version_3() {
    let g = story();
    let mut out = Vec::new();
    g.export_jsonl(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("{\"format\":\"factgraph-jsonl\",\"version\":3"), "{}", &text[..80]);
    let h = Graph::in_memory().unwrap();
    h.import_jsonl(text.as_bytes()).unwrap();
    let trump = id(&h, "Trump");
    assert_eq!(h.statements_with_participant(trump).unwrap().len(), 2);
    assert!(h.check().unwrap().is_ok());
    let mut again = Vec::new();
    h.export_jsonl(&mut again).unwrap();
    assert_eq!(String::from_utf8(again).unwrap(), text, "the round trip changes nothing");

    // A store without participants still exports as version 2, which older builds read.
    let plain = Graph::in_memory().unwrap();
    plain.query("document d { title: \"t\" }; entity A: Person; assert A said A from d \"a\"").unwrap();
    let mut out = Vec::new();
    plain.export_jsonl(&mut out).unwrap();
    assert!(String::from_utf8(out).unwrap().starts_with("{\"format\":\"factgraph-jsonl\",\"version\":2"));
}

#[test]
fn loading_a_claim_with_participants_twice_adds_nothing() {
    let g = story();
    let before = g.counts().unwrap();
    g.query(STORY).unwrap();
    assert_eq!(g.counts().unwrap(), before);
}

#[test]
fn two_sources_naming_different_participants_are_told_apart_by_name() {
    let g = story();
    g.query(
        r#"document sky { title: "s" }; entity "Mike Pompeo": Person;
        assert Iran requested-help-from Interpol { for: "Mike Pompeo", purpose: "arrest" } from sky "Iran asked Interpol""#,
    )
    .unwrap();
    let rows = rows(&g, "conflicts all");
    assert!(
        rows.iter()
            .any(|r| r.contains("for: Donald Trump vs Mike Pompeo") || r.contains("for: Mike Pompeo vs Donald Trump")),
        "{rows:#?}"
    );
}

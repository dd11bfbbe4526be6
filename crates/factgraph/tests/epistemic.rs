//! The epistemic qualifiers `modality` and `polarity` are closed vocabularies
//! (docs/data-model.md, "Epistemic status"): a load accepts each listed value and
//! refuses any other with an error that names the allowed ones.

use factgraph::vocabulary::{MODALITIES, POLARITIES};
use factgraph::{ErrorKind, Graph};

const DOCUMENT: &str = r#"document note { title: "A note", outlet: "unknown" };
entity A: Person;
entity B: Person;
"#;

/// A graph holding the note, A and B, and the result of asserting "A said B" with
/// `qualifiers` (written as they would be in a script, braces included).
fn load_with(qualifiers: &str) -> (Graph, factgraph::Result<Vec<factgraph::QueryResult>>) {
    let g = Graph::in_memory().unwrap();
    g.query(DOCUMENT).unwrap();
    let r = g.query(&format!("assert A said B {qualifiers} from note \"A said B\""));
    (g, r)
}

fn statements(g: &Graph) -> String {
    let r = g.query("match (a)-[r:said]->(b) return count(r)").unwrap();
    r[0].rows[0].cells[0].to_string()
}

#[test]
fn every_listed_modality_is_accepted_at_load() {
    for m in MODALITIES {
        let (g, r) = load_with(&format!("{{ modality: \"{m}\" }}"));
        assert!(r.is_ok(), "{m}: {:?}", r.err());
        let back = g.query("match (a)-[r:said]->(b) return r.modality").unwrap();
        assert_eq!(back[0].rows[0].cells[0].to_string(), *m, "the modality is kept as written");
    }
}

#[test]
fn every_listed_polarity_is_accepted_at_load() {
    for p in POLARITIES {
        let (g, r) = load_with(&format!("{{ polarity: \"{p}\" }}"));
        assert!(r.is_ok(), "{p}: {:?}", r.err());
        let back = g
            .query("match (a)-[r:said]->(b) where r.polarity is not null return r.polarity including negated")
            .unwrap();
        assert_eq!(back[0].rows[0].cells[0].to_string(), *p, "the polarity is kept as written");
    }
}

#[test]
fn the_vocabularies_are_the_documented_ones() {
    // docs/data-model.md lists these; a change to either list is a change to the data
    // model, to be made in both places.
    assert_eq!(
        MODALITIES,
        [
            "asserted",
            "reportedly",
            "allegedly",
            "announced",
            "usually",
            "not-necessarily",
            "possibly",
            "conditional",
            "unlikely",
            "demanded"
        ]
    );
    assert_eq!(POLARITIES, ["affirmed", "negated", "not-confirmed"]);
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/data-model.md")).unwrap();
    for v in MODALITIES.iter().chain(POLARITIES) {
        assert!(doc.contains(&format!("| `{v}` |")), "docs/data-model.md has no row for `{v}`");
    }
}

#[test]
fn an_unknown_modality_is_refused_naming_the_allowed_values() {
    let (g, r) = load_with("{ modality: \"not confirmed\" }");
    let e = r.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    let message = e.to_string();
    assert!(message.contains("\"not confirmed\" is not a known modality"), "{message}");
    for m in MODALITIES {
        assert!(message.contains(m), "{message} should name {m}");
    }
    assert_eq!(statements(&g), "0", "nothing of the refused assert is stored");
}

#[test]
fn an_unknown_polarity_is_refused_naming_the_allowed_values() {
    let (g, r) = load_with("{ polarity: \"denied\" }");
    let message = r.unwrap_err().to_string();
    assert!(message.contains("\"denied\" is not a known polarity"), "{message}");
    assert!(message.contains("affirmed, negated, not-confirmed"), "{message}");
    assert_eq!(statements(&g), "0");
}

#[test]
fn a_modality_that_is_not_a_string_is_refused() {
    let (_, r) = load_with("{ modality: 3 }");
    let message = r.unwrap_err().to_string();
    assert!(message.contains("3 is not a known modality"), "{message}");
}

#[test]
fn the_refusal_points_at_the_qualifier() {
    let script = "assert A said B { charge: \"x\", polarity: \"maybe\" } from note \"A said B\"";
    let g = Graph::in_memory().unwrap();
    g.query(DOCUMENT).unwrap();
    let e = g.query(script).unwrap_err();
    let factgraph::Error::Query(q) = &e else { panic!("a query error, not {e:?}") };
    let span = q.span().expect("the refusal has a span");
    assert_eq!(&script[span.start..span.end], "\"maybe\"", "the value is what is wrong");
}

#[test]
fn a_create_with_an_unknown_polarity_is_refused() {
    let g = Graph::in_memory().unwrap();
    let e = g.query("create (a:A {name: \"a\"})-[:T {polarity: \"no\"}]->(b:B {name: \"b\"})").unwrap_err();
    assert!(e.to_string().contains("is not a known polarity"), "{e}");
    let ok = g.query("create (a:A {name: \"a\"})-[:T {polarity: \"negated\"}]->(b:B {name: \"b\"})");
    assert!(ok.is_ok(), "{:?}", ok.err());
}

#[test]
fn other_qualifiers_stay_free_text() {
    let (_, r) = load_with("{ charge: \"anything at all\", hedge: \"purportedly\" }");
    assert!(r.is_ok(), "{:?}", r.err());
}

#[test]
fn rows_describe_and_why_show_the_status() {
    let (g, r) = load_with("{ modality: \"usually\", polarity: \"negated\" }");
    r.unwrap();
    // Negated, it answers `who said B` only when asked for (tests/negation.rs).
    assert!(g.query("who said B").unwrap()[0].rows.is_empty());
    let who = &g.query("who said B including negated").unwrap()[0];
    assert_eq!(who.rows.len(), 1);
    assert_eq!(who.rows[0].cells[2].to_string(), "modality: usually, polarity: negated");
    let describe = g.query("describe A").unwrap()[0].rows.iter().map(|r| format!("{:?}", r.cells)).collect::<String>();
    assert!(describe.contains("polarity: negated"), "{describe}");
    let why = &g.query("why who said B").unwrap()[0];
    let claim = why.rows[0].cells[1].to_string();
    assert!(claim.contains("modality: usually") && claim.contains("polarity: negated"), "{claim}");
}

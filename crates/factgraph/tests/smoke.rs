//! The language end to end through `Graph::query` on a small script.

use factgraph::{Cell, Error, Graph, QueryError};

const SCRIPT: &str = r#"
document sky { title: "Iran issues arrest warrant", outlet: "Sky News", published: "unknown" };
document ap { title: "Iran wants Trump arrested", outlet: "Associated Press" };
entity "Sky News": Organization;
entity "Associated Press": Organization aka "AP";
entity "Donald Trump": Person aka "Trump" in sky, "Mr Trump" in sky;
entity "Ali Alqasimehr": Person aka "Alqasimehr" in sky, "Ali Qasi Mehr" in ap, "Qasi Mehr" in ap;
entity IRNA: Organization;
entity Interpol: Organization;
entity "red notice": Concept;
assert @acc = "Ali Alqasimehr" accused "Donald Trump" { charge: "murder and terrorism" }
  from sky "they face murder and terrorism charges" by "Ali Alqasimehr";
assert @acc2 = "Ali Alqasimehr" accused "Donald Trump" { charge: "murder and terrorist acts" }
  from ap "murder and terrorist acts" by "Ali Qasi Mehr";
assert @acc reported-by IRNA from sky "the state-run IRNA news agency reported";
assert @req = Iran requested "red notice" from sky "Iran requested a red notice";
assert Interpol forbids text "intervention of a political nature" from sky "guidelines forbid any intervention of a political nature";
"#;

fn graph() -> Graph {
    let g = Graph::in_memory().unwrap();
    let script = SCRIPT.replace("@req = Iran", "@req = \"Ali Alqasimehr\"");
    g.query(&script).unwrap();
    g
}

fn column(g: &Graph, q: &str, col: usize) -> Vec<String> {
    let r = g.query(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    let mut v: Vec<String> = r[0].rows.iter().map(|row| row.cells[col].to_string()).collect();
    v.sort();
    v
}

#[test]
fn who_accused_resolves_and_cites() {
    let g = graph();
    assert_eq!(column(&g, "who accused Trump", 0), ["Ali Alqasimehr", "Ali Alqasimehr"]);
    let r = &g.query("who accuses \"Mr Trump\"").unwrap()[0];
    assert_eq!(r.rows.len(), 2);
    assert!(r.rows.iter().all(|row| !row.provenance.is_empty()));
}

#[test]
fn who_reported_lists_credited_published_and_reported() {
    let g = graph();
    let r = &g.query("who reported \"Donald Trump\"").unwrap()[0];
    let mut pairs: Vec<(String, String)> =
        r.rows.iter().map(|row| (row.cells[0].to_string(), row.cells[1].to_string())).collect();
    pairs.sort();
    pairs.dedup();
    assert_eq!(
        pairs,
        [
            ("Ali Alqasimehr".to_string(), "credited".to_string()),
            ("Associated Press".into(), "published".into()),
            ("IRNA".into(), "reported".into()),
            ("Sky News".into(), "published".into()),
        ]
    );
    // A phrase that names nothing is searched for in quotes.
    let r = &g.query("who reported \"political nature\"").unwrap()[0];
    assert!(r.rows.iter().any(|row| row.cells[0].to_string() == "Sky News"));
}

#[test]
fn what_does_interpol_forbid() {
    let g = graph();
    assert_eq!(column(&g, "what does Interpol forbid", 0), ["intervention of a political nature"]);
    assert_eq!(column(&g, "what did Interpol forbade", 0), ["intervention of a political nature"]);
}

#[test]
fn describe_conflicts_sources_path_verify() {
    let g = graph();
    let d = &g.query("describe \"Qasi Mehr\"").unwrap()[0];
    assert_eq!(d.rows[0].cells[1].to_string(), "Ali Alqasimehr");
    assert!(d.rows.iter().any(|r| r.cells[0].to_string() == "alias" && r.cells[1].to_string() == "Qasi Mehr"));
    // Two wordings of one charge: a difference, not a disagreement.
    assert!(g.query("conflicts").unwrap()[0].rows.is_empty());
    let c = &g.query("conflicts all").unwrap()[0];
    assert_eq!(c.rows.len(), 2, "{c:?}");
    assert!(c.rows.iter().all(|r| r.cells[1].to_string() == "different wording"), "{c:?}");
    let p = &g.query("path from Trump to IRNA").unwrap()[0];
    assert_eq!(p.rows.len(), 2, "{p:?}");
    // The article and its outlet are one source.
    let s = column(&g, "sources of Trump", 0);
    assert!(s.contains(&"Sky News".to_string()) && !s.contains(&"sky".to_string()), "{s:?}");
    assert!(
        column(&g, "sources of Trump", 3).contains(&"[sky]".to_string()),
        "documents, after source, title and role"
    );
    let v = &g.query("verify").unwrap()[0];
    assert_eq!(v.rows.len(), 0);
    let n = column(&g, "neighbours of Trump depth 2", 0);
    assert!(n.contains(&"Ali Alqasimehr".to_string()), "{n:?}");
}

#[test]
fn according_to_restricts_to_one_source() {
    let g = graph();
    assert_eq!(column(&g, "according to AP who accused Trump", 2), ["charge: murder and terrorist acts"]);
    let why = &g.query("why who accused Trump").unwrap()[0];
    assert_eq!(why.columns, ["answer", "claim", "document", "outlet", "title", "quote", "credited"]);
    assert_eq!(why.rows.len(), 2);
}

#[test]
fn patterns_match_return_aggregate_order() {
    let g = graph();
    let r = &g
        .query("match (a:Person)-[r:accused]->(b named \"Trump\") return a.name, r.charge order by r.charge")
        .unwrap()[0];
    assert_eq!(r.columns, ["a.name", "r.charge"]);
    assert_eq!(r.rows[0].cells[1].to_string(), "murder and terrorism");
    let r = &g.query("match (a)-[r]->(b) return count(*) as n, collect(distinct type(r)) as rels").unwrap()[0];
    // Every statement is a relationship: the one about a statement starts at its
    // statement node, and the one with a text object ends at its value node.
    assert_eq!(r.rows[0].cells[0], Cell::int(5));
    let r = &g
        .query("match (a)-[r:accused]->(b) where r.charge contains \"acts\" return sources(r), evidence(r)")
        .unwrap()[0];
    assert_eq!(r.rows[0].cells[0].to_string(), "['ap', 'Ali Alqasimehr']");
    assert_eq!(r.rows[0].cells[1].to_string(), "['murder and terrorist acts']");
    let r = &g.query("match (s)-[:reported-by]->(i) return i.name").unwrap()[0];
    assert_eq!(r.rows[0].cells[0].to_string(), "IRNA");
    let r = &g.query("match (a named \"Trump\")-[*1..2]-(b) return distinct b.name order by b.name").unwrap()[0];
    assert!(!r.rows.is_empty());
}

#[test]
fn errors_point_and_suggest() {
    let g = graph();
    match g.query("describe Trumpp") {
        Err(Error::Query(QueryError::UnknownEntity { suggestions, span, .. })) => {
            assert_eq!(suggestions[0], "Donald Trump");
            assert_eq!((span.start, span.end), (9, 15));
        }
        other => panic!("{other:?}"),
    }
    match g.query("who slapped Trump") {
        Err(Error::Query(QueryError::UnknownRelation { .. })) => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(g.query("describe"), Err(Error::Parse(_))));
    // A failing script writes nothing.
    let before = g.counts().unwrap();
    let err = g.query("entity X: Person; assert X met Nobody from sky \"Iran\"").unwrap_err();
    assert!(err.to_string().contains("Nobody"), "{err}");
    assert_eq!(g.counts().unwrap(), before);
    // Loading the same script twice adds nothing.
    g.query(&SCRIPT.replace("@req = Iran", "@req = \"Ali Alqasimehr\"")).unwrap();
    assert_eq!(g.counts().unwrap(), before);
}

#[test]
fn create_makes_entities_and_statements_that_cite_a_note() {
    let g = Graph::in_memory().unwrap();
    let r = g.query("create (a:Person {name: \"Alice\", born: 1980})-[:met {date: 2020-01-03}]->(b:Person {name: \"Bob\"}), (a)-[:knows]->(b)").unwrap();
    assert!(r[0].note.as_deref().unwrap().contains("2 entities"), "{r:?}");
    let why = &g.query("why who met Bob").unwrap()[0];
    assert_eq!(why.rows.len(), 1);
    assert_eq!(why.rows[0].cells[2].to_string(), "note: typed by hand");
    assert!(why.rows[0].cells[5].to_string().starts_with("create (a:Person"));
    // `create` always creates, as openCypher's CREATE does: the same text again makes
    // two more people and two more statements (`match` is how to reach existing ones).
    let before = g.counts().unwrap();
    g.query("create (a:Person {name: \"Alice\", born: 1980})-[:met {date: 2020-01-03}]->(b:Person {name: \"Bob\"}), (a)-[:knows]->(b)").unwrap();
    let after = g.counts().unwrap();
    assert_eq!((after.entities, after.statements), (before.entities + 2, before.statements + 2));
    let r = g.query("match (a:Person {name: 'Alice'}) return count(a)").unwrap();
    assert_eq!(r[0].rows[0].cells[0].to_string(), "2");
    let before = after;
    for bad in [
        "create ({name: 1})",
        "create (a {name: \"A\"})-[r]->(b {name: \"B\"})",
        "create (a {name: \"A\"})-[:r]-(b {name: \"B\"})",
    ] {
        assert!(g.query(bad).is_err(), "{bad}");
    }
    assert_eq!(g.counts().unwrap(), before, "failed creates write nothing");
}

#[test]
fn ambiguous_names_list_their_candidates_and_queries_can_be_cancelled() {
    let g = Graph::in_memory().unwrap();
    g.query(
        "entity \"Washington\": Place; entity \"George Washington\": Person aka \"Washington DC\", \"washington!\"",
    )
    .unwrap();
    // "Washington" is a canonical name: it resolves. An alias two entities share does not.
    g.query("entity \"Washington State\": Place aka \"Washington DC\"").unwrap();
    match g.query("describe \"washington dc\"") {
        Err(e @ Error::Query(QueryError::Ambiguous { .. })) => {
            let Error::Query(QueryError::Ambiguous { candidates, .. }) = &e else { unreachable!() };
            let mut names: Vec<String> = candidates.iter().map(|c| format!("{} ({})", c.name, c.kind)).collect();
            names.sort();
            assert_eq!(names, ["George Washington (Person)", "Washington State (Place)"]);
            // Each candidate is named with its id and a spelling that tells it apart.
            assert_eq!(
                e.to_string(),
                "\"washington dc\" could mean \"George Washington\" (Person, e1, also \"Washington DC\"), \
                 \"Washington State\" (Place, e2, also \"Washington DC\"); use a fuller name"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(g.query("describe Washington").is_ok());
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let limits = factgraph::Limits { cancel: Some(cancel), ..factgraph::Limits::default() };
    // Enough work for the cancellation check to run.
    let mut script = String::from("document d { outlet: \"X\" };");
    for i in 0..600 {
        script.push_str(&format!("entity \"E{i}\": Thing; assert \"E{i}\" near Washington from d \"q\";"));
    }
    g.query(&script).unwrap();
    match g.query_with("match (a)-[r]->(b) return a.name", &limits) {
        Err(Error::Query(QueryError::Cancelled)) => {}
        other => panic!("expected a cancelled query, got {:?}", other.map(|r| r.len())),
    }
    let tiny = factgraph::Limits { max_rows: 10, ..factgraph::Limits::default() };
    assert!(matches!(
        g.query_with("match (a)-[r]->(b) return a.name", &tiny),
        Err(Error::Query(QueryError::Limit { .. }))
    ));
}

/// `quotes(r)` and `evidence(r)` give a relationship's quotes in the order of its
/// evidence, a later document's merged in last (read alone, without the rest of the
/// statement).
#[test]
fn quotes_of_a_relationship_come_in_the_order_of_its_evidence() {
    let g = graph();
    g.query(r#"assert "Ali Alqasimehr" requested "red notice" from ap "Iran wants a red notice""#).unwrap();
    let all = |q: &str| -> Vec<String> {
        let r = g.query(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        r[0].rows.iter().map(|row| row.cells[0].to_string()).collect()
    };
    let q = "match (a {name: 'Ali Alqasimehr'})-[r:requested]->(b) unwind quotes(r) as q return q";
    assert_eq!(all(q), ["Iran requested a red notice", "Iran wants a red notice"]);
    let q = "match (a {name: 'Ali Alqasimehr'})-[r:requested]->(b) unwind evidence(r) as q return q";
    assert_eq!(all(q), ["Iran requested a red notice", "Iran wants a red notice"]);
}

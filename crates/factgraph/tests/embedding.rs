//! Embedding the library as a Rust program would: the same program run twice, a graph
//! shared between threads, cells read by column name, a read-only open.

use std::sync::Arc;

use factgraph::{Error, Evidence, Graph, NewStatement, Properties, StoreError};

/// A small program: record that IRNA reported the prosecutor's accusation.
fn program(graph: &Graph) -> factgraph::Result<()> {
    let mut tx = graph.transaction()?;
    let doc = tx.document("skynews-000", Properties::from([("outlet".into(), "Sky News".into())]), None)?;
    let trump = tx.entity("Donald Trump", "Person")?;
    tx.add_alias(trump, "Trump", Some(doc))?;
    let prosecutor = tx.entity("Ali Alqasimehr", "Person")?;
    let irna = tx.entity("IRNA", "Organization")?;
    let accused = tx
        .add_statement(NewStatement::new(prosecutor, "accused", trump, Evidence::new(doc, "Alqasimehr accused Trump")))?
        .id();
    tx.add_statement(NewStatement::new(accused, "reported-by", irna, Evidence::new(doc, "IRNA reported")))?;
    tx.commit()?;
    Ok(())
}

fn export(graph: &Graph) -> Vec<u8> {
    let mut out = Vec::new();
    graph.export_jsonl(&mut out).unwrap();
    out
}

#[test]
fn running_the_same_program_twice_leaves_the_store_as_the_first_run_did() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let first = {
        let graph = Graph::open(&path).unwrap();
        program(&graph).unwrap();
        export(&graph)
    };
    let graph = Graph::open(&path).unwrap();
    program(&graph).unwrap();
    assert_eq!(String::from_utf8(export(&graph)).unwrap(), String::from_utf8(first).unwrap());
    let counts = graph.counts().unwrap();
    assert_eq!((counts.entities, counts.statements, counts.evidence), (4, 2, 2));
    // And the names stay unambiguous for queries.
    let results = graph.query("who accused Trump").unwrap();
    assert_eq!(results[0].rows.len(), 1);
}

#[test]
fn get_or_create_tells_kinds_apart_and_create_always_creates() {
    let graph = Graph::in_memory().unwrap();
    let mut tx = graph.transaction().unwrap();
    let city = tx.entity("Paris", "Place").unwrap();
    assert_eq!(tx.entity("PARIS", "Place").unwrap(), city, "names compare as the name index does");
    let person = tx.entity("Paris", "Person").unwrap();
    assert_ne!(person, city);
    let again = tx.create_entity("Paris", "Place").unwrap();
    assert_ne!(again, city);
    assert_eq!(tx.entity("Paris", "Place").unwrap(), city, "the oldest of several");
    tx.commit().unwrap();
    assert_eq!(graph.lookup_ids("paris").unwrap().len(), 3);
}

#[test]
fn a_graph_is_shared_between_threads_readers_in_parallel_with_a_writer() {
    let graph = Arc::new(Graph::in_memory().unwrap());
    program(&graph).unwrap();
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let g = Arc::clone(&graph);
            std::thread::spawn(move || {
                for _ in 0..50 {
                    let r = g.query("who accused Trump").unwrap();
                    assert_eq!(r[0].rows.len(), 1);
                }
            })
        })
        .collect();
    let writer = {
        let g = Arc::clone(&graph);
        std::thread::spawn(move || {
            for i in 0..20 {
                let mut tx = g.transaction().unwrap();
                tx.entity(&format!("extra {i}"), "Thing").unwrap();
                tx.commit().unwrap();
            }
        })
    };
    for r in readers {
        r.join().unwrap();
    }
    writer.join().unwrap();
    assert_eq!(graph.counts().unwrap().entities, 24);
}

#[test]
fn cells_are_read_by_column_name() {
    let graph = Graph::in_memory().unwrap();
    program(&graph).unwrap();
    let results = graph.query("match (a)-[r:accused]->(b) return a.name as accuser, b.name as accused").unwrap();
    let answer = &results[0];
    assert_eq!(answer.column("accused"), Some(1));
    let records: Vec<_> = answer.records().collect();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].get("accuser").and_then(|c| c.as_str()), Some("Ali Alqasimehr"));
    assert_eq!(records[0].get("accused").and_then(|c| c.as_str()), Some("Donald Trump"));
    assert!(records[0].get("nobody").is_none());
}

#[test]
fn a_read_only_graph_answers_and_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    program(&Graph::open(&path).unwrap()).unwrap();
    let graph = Graph::open_read_only(&path).unwrap();
    assert_eq!(graph.query("who accused Trump").unwrap()[0].rows.len(), 1);
    assert!(matches!(graph.transaction(), Err(Error::Store(StoreError::ReadOnly))));
    assert!(matches!(graph.query("entity Extra: Thing"), Err(Error::Store(StoreError::ReadOnly))));
    assert!(Graph::open_read_only(dir.path().join("missing")).is_err());
    assert!(!dir.path().join("missing").exists());
}

#[test]
fn the_language_and_the_library_find_the_same_path() {
    let graph = Graph::in_memory().unwrap();
    program(&graph).unwrap();
    let trump = graph.lookup_ids("Trump").unwrap()[0];
    let irna = graph.lookup_ids("IRNA").unwrap()[0];
    let path = graph.shortest_path(trump.into(), irna.into(), factgraph::Walk::Undirected, 10).unwrap().unwrap();
    let rows = &graph.query("path from Trump to IRNA").unwrap()[0];
    let from_language: Vec<_> = rows.records().map(|r| r.provenance()[0].statement).collect();
    assert_eq!(from_language, path.statements);
}

#[test]
fn validate_plans_without_running_and_reports_what_would_fail() {
    let graph = Graph::in_memory().unwrap();
    program(&graph).unwrap();
    let before = graph.counts().unwrap();
    graph.validate("who accused Trump").unwrap();
    graph.validate("entity Newcomer: Person").unwrap();
    assert_eq!(graph.counts().unwrap(), before, "a write is checked, not run");
    assert!(matches!(
        graph.validate("who accused Nobody"),
        Err(Error::Query(factgraph::QueryError::UnknownEntity { .. }))
    ));
    assert!(matches!(graph.validate("who accused ("), Err(Error::Parse(_))));
}

#[test]
fn entities_sharing_a_name_are_listed_with_ids_and_what_tells_them_apart() {
    let graph = Graph::in_memory().unwrap();
    let mut tx = graph.transaction().unwrap();
    let a = tx.create_entity("Donald Trump", "Person").unwrap();
    tx.add_alias(a, "Donald J. Trump", None).unwrap();
    let b = tx.create_entity("Donald Trump", "Person").unwrap();
    tx.set_property(b, "born", factgraph::Value::Int(1990)).unwrap();
    tx.commit().unwrap();
    let err = graph.query("describe \"Donald Trump\"").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "\"Donald Trump\" could mean \"Donald Trump\" (Person, {a}, also \"Donald J. Trump\"), \
             \"Donald Trump\" (Person, {b}, born: 1990); some share their name: ask by another of their spellings, or by id in a pattern"
        )
    );
    // The other spelling does resolve.
    assert!(graph.query("describe \"Donald J. Trump\"").is_ok());
}

#[test]
fn every_error_has_a_stable_kind() {
    use factgraph::ErrorKind;
    let graph = Graph::in_memory().unwrap();
    program(&graph).unwrap();
    let cases = [
        ("who accused (", ErrorKind::Syntax),
        ("who accused Nobody", ErrorKind::UnknownName),
        ("who acused Trump", ErrorKind::UnknownName),
        ("match (a) return nosuchfn(a)", ErrorKind::UnknownName),
        ("match (a) return count(count(a))", ErrorKind::Invalid),
        ("match (a) return m", ErrorKind::Invalid),
        ("entity IRNA: Person", ErrorKind::Invalid),
    ];
    for (text, kind) in cases {
        let err = graph.query(text).unwrap_err();
        assert_eq!(err.kind(), kind, "{text}: {err}");
    }
    let limits = factgraph::Limits { max_rows: 1, ..factgraph::Limits::default() };
    assert_eq!(graph.query_with("match (a) return a.name", &limits).unwrap_err().kind(), ErrorKind::Limit);
    let cancel = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let limits = factgraph::Limits { cancel: Some(cancel), ..factgraph::Limits::default() };
    let cancelled = graph.query_with("match (a)-[r]->(b) return a.name", &limits);
    assert!(cancelled.as_ref().is_ok() || cancelled.unwrap_err().kind() == ErrorKind::Cancelled);
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(Graph::open_existing(dir.path().join("none")).unwrap_err().kind(), ErrorKind::NotFound);
    let _held = Graph::open(dir.path().join("held")).unwrap();
    assert_eq!(Graph::open(dir.path().join("held")).unwrap_err().kind(), ErrorKind::InUse);
    std::fs::write(dir.path().join("junk"), "").unwrap();
    assert_eq!(Graph::open(dir.path().join("junk")).unwrap_err().kind(), ErrorKind::Damaged);
    assert_eq!(ErrorKind::UnknownName.to_string(), "unknown_name");
}

/// Untrusted text as a parameter is a value, never syntax: a name with quotes and a
/// `;` that, pasted into the query with `format!`, would have run a second statement.
#[test]
fn untrusted_text_in_a_parameter_is_only_ever_a_value() {
    use factgraph::{Limits, Params};
    let graph = Graph::in_memory().unwrap();
    program(&graph).unwrap();
    let hostile = "Trump\"; entity \"Injected\": Thing; describe \"Trump";
    let pasted = graph.query(&format!("describe \"{hostile}\""));
    assert!(pasted.is_ok() && graph.lookup_ids("Injected").unwrap().len() == 1, "pasting does inject");
    let graph = Graph::in_memory().unwrap();
    program(&graph).unwrap();
    let err = graph.query_params("describe $who", &Params::new().set("who", hostile), &Limits::default()).unwrap_err();
    assert_eq!(err.kind(), factgraph::ErrorKind::UnknownName, "{err}");
    assert!(graph.lookup_ids("Injected").unwrap().is_empty(), "nothing was written");
    // Parameters work in questions, patterns and writes alike.
    let p = Params::new().set("who", "Trump").set("rel", "accused");
    assert_eq!(graph.query_params("who accused $who", &p, &Limits::default()).unwrap()[0].rows.len(), 1);
    let rows = graph
        .query_params("match (a)-[r]->(b named $who) where type(r) = $rel return a.name", &p, &Limits::default())
        .unwrap();
    assert_eq!(rows[0].rows.len(), 1);
    let p = Params::new().set("name", "Mehr news agency");
    graph.query_params("entity $name: Organization", &p, &Limits::default()).unwrap();
    assert_eq!(graph.lookup_ids("Mehr news agency").unwrap().len(), 1);
    graph.validate_params("describe $name", &p).unwrap();
    assert_eq!(graph.validate("describe $name").unwrap_err().kind(), factgraph::ErrorKind::Syntax);
}

#[test]
fn get_or_create_needs_a_name_and_create_entity_may_have_none() {
    let graph = Graph::in_memory().unwrap();
    let mut tx = graph.transaction().unwrap();
    assert!(tx.entity("", "Thing").is_err());
    let a = tx.create_entity("", "Thing").unwrap();
    let b = tx.create_entity("", "Thing").unwrap();
    assert_ne!(a, b);
    tx.commit().unwrap();
    assert_eq!(graph.entities_of_kind("Thing").unwrap(), vec![a, b]);
}

#[test]
fn under_reads_only_a_text_that_writes_is_refused_before_anything_runs() {
    let graph = Graph::in_memory().unwrap();
    let limits = factgraph::Limits { reads_only: true, ..factgraph::Limits::default() };
    let params = factgraph::Params::new();
    for text in
        [r#"entity "Zed": Person"#, r#"create (a:Person {name: "Zed"})"#, r#"match (n) return n; entity "Zed": Person"#]
    {
        let e = graph.query_params(text, &params, &limits).unwrap_err();
        assert_eq!(e.kind(), factgraph::ErrorKind::ReadOnly, "{text}: {e}");
    }
    assert_eq!(graph.counts().unwrap().entities, 0, "nothing was written");
    assert!(graph.query_params("match (n) return count(n)", &params, &limits).is_ok(), "reads run");
}

/// A question asked again is answered from the plan kept for its text, and a commit
/// in between (here one that deletes the entity its name resolved to and makes a new
/// one of that name) has it planned again; a text with parameters is planned with its
/// values each time.
#[test]
fn a_question_asked_again_after_a_commit_is_planned_against_the_new_data() {
    let g = Graph::in_memory().unwrap();
    g.query("entity Bob: Person; entity Ann: Person").unwrap();
    let kind = |text: &str, params: &factgraph::Params| {
        let r = g.query_params(text, params, &factgraph::Limits::default()).unwrap();
        (r[0].rows[0].cells[1].to_string(), r[0].rows[1].cells[1].to_string())
    };
    let none = factgraph::Params::new();
    assert_eq!(kind("describe Bob", &none), ("Bob".into(), "Person".into()));
    assert_eq!(kind("describe Bob", &none), ("Bob".into(), "Person".into()), "asked again");
    g.query("delete entity Bob").unwrap();
    g.query("entity Bob: Organization").unwrap();
    assert_eq!(kind("describe Bob", &none), ("Bob".into(), "Organization".into()));
    for who in ["Ann", "Bob"] {
        let params = factgraph::Params::new().set("x", who);
        assert_eq!(kind("describe $x", &params).0, who);
    }
}

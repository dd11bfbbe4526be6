//! Procedures through the public API: one an embedding program registers, the graph's
//! own (`db.labels`, `db.relationshipTypes`), a `call` alone and within a query, and
//! the errors a call can meet before and while it runs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use factgraph::{ErrorKind, FieldType, Graph, Limits, Param, Params, Procedure, ProcedureRows, QueryError, Value};

fn cells(g: &Graph, q: &str) -> Vec<Vec<String>> {
    let r = g.query(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    r.last().unwrap().rows.iter().map(|row| row.cells.iter().map(ToString::to_string).collect()).collect()
}

/// `my.split(text, sep) :: (part, at)`: a row per part.
fn split(args: &[Param]) -> ProcedureRows {
    let [Param::Value(Value::Str(text)), Param::Value(Value::Str(sep))] = args else {
        return Ok(Vec::new());
    };
    if sep.is_empty() {
        return Err("the separator is empty".into());
    }
    Ok(text.split(sep.as_str()).enumerate().map(|(i, p)| vec![Param::from(p), Param::from(i as i64)]).collect())
}

fn graph_with_split() -> Graph {
    let g = Graph::in_memory().unwrap();
    let p = Procedure::new(
        "my.split",
        [("text", FieldType::String), ("sep", FieldType::String)],
        [("part", FieldType::String), ("at", FieldType::Integer)],
        split,
    )
    .unwrap();
    g.register_procedure(p);
    g
}

#[test]
fn a_call_alone_returns_every_field_and_within_a_query_binds_what_it_yields() {
    let g = graph_with_split();
    let r = g.query("call my.split('a,b,c', ',')").unwrap();
    assert_eq!(r[0].columns, ["part", "at"]);
    assert_eq!(cells(&g, "call my.split('a,b,c', ',')"), [["a", "0"], ["b", "1"], ["c", "2"]]);
    assert_eq!(cells(&g, "call my.split('a,b,c', ',') yield at"), [["0"], ["1"], ["2"]]);
    // Within a query, per row, renamed and filtered.
    let q = "unwind ['x-y', 'z'] as t call my.split(t, '-') yield part as p, at where at = 0 return t, p order by t";
    assert_eq!(cells(&g, q), [["x-y", "x"], ["z", "z"]]);
    // Arguments from the parameters of the same names, for a call alone.
    let params = Params::new().set("text", "1;2").set("sep", ";");
    let r = g.query_params("call my.split", &params, &Limits::default()).unwrap();
    assert_eq!(r[0].rows.len(), 2);
}

#[test]
fn a_procedure_without_outputs_passes_each_row_on_once() {
    let g = Graph::in_memory().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let p = Procedure::new("my.touch", [("n", FieldType::Integer)], Vec::<(String, FieldType)>::new(), move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
        Ok(Vec::new())
    })
    .unwrap();
    g.register_procedure(p);
    assert_eq!(cells(&g, "unwind [1, 2, 3] as n call my.touch(n) return sum(n)"), [["6"]]);
    assert_eq!(calls.load(Ordering::SeqCst), 3, "once per row");
    let alone = g.query("call my.touch(1)").unwrap();
    assert!(alone[0].columns.is_empty() && alone[0].rows.is_empty(), "{:?}", alone[0]);
}

#[test]
fn the_graphs_own_procedures_list_its_labels_and_relationship_types() {
    let g = Graph::in_memory().unwrap();
    g.query("create (:Person {name: 'Ada'})-[:KNOWS]->(:Person:Author {name: 'Bo'}), ()-[:LIKES]->()").unwrap();
    assert_eq!(cells(&g, "call db.labels()"), [["Author"], ["Person"]], "no `Thing`, no `Document`");
    assert_eq!(cells(&g, "call db.relationshipTypes() yield relationshipType as t return t"), [["KNOWS"], ["LIKES"]]);
    g.query("match ()-[r:LIKES]->() delete r").unwrap();
    assert_eq!(cells(&g, "call db.relationshipTypes"), [["KNOWS"]], "a type no relationship has any more is gone");
    assert_eq!(cells(&g, "call db.propertyKeys()"), [["name"]], "a name is a property; a document's keys are not");
    let names: Vec<String> = g.list_procedures().iter().map(|p| p.name().to_owned()).collect();
    assert_eq!(names, ["db.labels", "db.propertyKeys", "db.relationshipTypes", "dbms.procedures"]);
}

/// `dbms.procedures()` lists every procedure a query can call, with its signature:
/// one registered later too.
#[test]
fn the_procedures_list_themselves_with_their_signatures() {
    let g = graph_with_split();
    let rows = cells(&g, "call dbms.procedures() yield name, signature where name starts with 'my.' return *");
    assert_eq!(rows, [["my.split", "my.split(text :: STRING?, sep :: STRING?) :: (part :: STRING?, at :: INTEGER?)"]]);
    assert_eq!(cells(&g, "call dbms.procedures() yield name return count(name)"), [["5"]], "itself among them");
}

#[test]
fn a_call_that_cannot_run_as_written_is_refused_before_it_runs() {
    let g = graph_with_split();
    let refused = |q: &str| g.validate(q).expect_err(q);
    let e = refused("call my.splt('a', ',')");
    assert_eq!(e.kind(), ErrorKind::UnknownName);
    assert!(e.to_string().contains("did you mean \"my.split\""), "{e}");
    assert!(matches!(refused("call my.split('a')"), factgraph::Error::Query(QueryError::ArgumentCount { .. })));
    let e = refused("call my.split(1, ',')");
    assert!(e.to_string().contains("the argument `text` of `my.split`"), "{e}");
    let e = refused("call my.split('a', ',') yield prt return prt");
    assert!(e.to_string().contains("gives no field `prt`; it gives `part`, `at`"), "{e}");
    let e = refused("with 1 as at call my.split('a', ',') yield at return at");
    assert!(matches!(e, factgraph::Error::Query(QueryError::AlreadyBound { .. })), "{e}");
    let e = refused("call my.split yield part return part");
    assert!(e.to_string().contains("in parentheses"), "{e}");
    let e = refused("call my.split");
    assert_eq!(e.kind(), ErrorKind::Syntax, "a missing parameter, as the parser says of one: {e}");
    let e = refused("unwind [1] as x call my.split('a', ',') yield *  return x");
    assert_eq!(e.kind(), ErrorKind::Syntax, "{e}");
}

#[test]
fn what_a_body_reports_or_gives_wrongly_is_an_error_naming_the_procedure() {
    let g = graph_with_split();
    let e = g.query("call my.split('a', '')").unwrap_err();
    assert_eq!(e.to_string(), "the procedure `my.split` failed: the separator is empty");
    // An argument whose type only running shows is checked as the call runs.
    let e = g.query("with 1 as n call my.split(n, ',') yield part return part").unwrap_err();
    assert!(e.to_string().contains("the argument `text` of `my.split`"), "{e}");
    let bad = Procedure::new("my.bad", Vec::<(String, FieldType)>::new(), [("n", FieldType::Integer)], |_| {
        Ok(vec![vec![Param::from("not a number")]])
    })
    .unwrap();
    g.register_procedure(bad);
    let e = g.query("call my.bad()").unwrap_err();
    assert!(e.to_string().contains("gives the output `n` a value that is not INTEGER"), "{e}");
}

#[test]
fn explain_shows_the_call_with_its_arguments_and_what_it_yields() {
    let g = graph_with_split();
    let plan = g.explain("unwind ['a'] as t call my.split(t, ',') yield part as p where p <> '' return p").unwrap();
    assert!(
        plan[0].contains(r#"call my.split(t, ",") yielding part as p, keeping rows where (p <> "")"#),
        "{}",
        plan[0]
    );
}

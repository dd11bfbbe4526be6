//! `Graph::query_each`: results and rows handed to the caller as they are made
//! instead of kept. Each result begins before its rows, in order, empty ones and
//! writes' notes too; the rows must be those `query` returns, in its order; the
//! results keep their columns and notes; a caller that has enough stops the query;
//! the row limit still counts.

use std::ops::ControlFlow;
use std::sync::OnceLock;

use factgraph::{ErrorKind, Graph, Limits, Params, QueryResult, Row, Streamed};

mod common;

/// The showcase, loaded once for these tests.
fn showcase() -> &'static Graph {
    static GRAPH: OnceLock<Graph> = OnceLock::new();
    GRAPH.get_or_init(common::showcase)
}

/// What `query_each` hands over, rebuilt into results (each begun, then its rows),
/// and what it returns.
fn streamed(graph: &Graph, text: &str, limits: &Limits) -> (Vec<QueryResult>, Vec<QueryResult>) {
    let mut rebuilt: Vec<QueryResult> = Vec::new();
    let returned = graph
        .query_each(text, &Params::new(), limits, |streamed| {
            match streamed {
                Streamed::Result { index, columns, note } => {
                    assert_eq!(index, rebuilt.len(), "results begin in order, none skipped");
                    rebuilt.push(QueryResult {
                        columns: columns.to_vec(),
                        note: note.map(str::to_owned),
                        ..QueryResult::default()
                    });
                }
                Streamed::Row(row) => rebuilt.last_mut().expect("a row after its result began").rows.push(row.clone()),
            }
            ControlFlow::Continue(())
        })
        .unwrap();
    (rebuilt, returned)
}

/// A result without its `ordered` flag, which a stream does not carry (its rows
/// come in the order they have).
fn shape(results: &[QueryResult]) -> Vec<(&[String], &[Row], Option<&str>)> {
    results.iter().map(|r| (r.columns.as_slice(), r.rows.as_slice(), r.note.as_deref())).collect()
}

/// Rows only, from `streamed`.
fn rows_of(results: &[QueryResult]) -> Vec<&Row> {
    results.iter().flat_map(|r| &r.rows).collect()
}

#[test]
fn streamed_rows_are_the_collected_rows_in_order_and_the_results_keep_no_rows() {
    for text in [
        "who reported \"red notice\"",
        "who reported Interpol",
        "match (a)-[r]->(b) return a.name, type(r), b.name order by a.name, b.name limit 40",
        "describe Interpol",
    ] {
        let collected = showcase().query(text).unwrap();
        let (rebuilt, returned) = streamed(showcase(), text, &Limits::default());
        assert!(!collected[0].rows.is_empty(), "{text}: the case has rows");
        assert_eq!(returned.len(), collected.len(), "{text}");
        assert!(returned.iter().all(|r| r.rows.is_empty()), "{text}: rows were handed over, not kept");
        assert_eq!(returned[0].columns, collected[0].columns, "{text}");
        assert_eq!(shape(&rebuilt), shape(&collected), "{text}: the same results, rows in the same order");
    }
}

#[test]
fn a_caller_that_has_enough_stops_the_query_with_what_it_took() {
    for text in ["who reported \"red notice\"", "match (n) return n.name"] {
        let mut taken = 0;
        let results = showcase()
            .query_each(text, &Params::new(), &Limits::default(), |streamed| {
                if let Streamed::Row(_) = streamed {
                    taken += 1;
                }
                if taken == 3 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .unwrap();
        assert_eq!(taken, 3, "{text}: no row after the break");
        assert_eq!(results.len(), 1, "{text}");
    }
}

#[test]
fn streamed_rows_still_count_against_the_row_limit() {
    let text = "who reported \"red notice\"";
    let all = showcase().query(text).unwrap()[0].rows.len();
    assert!(all > 5, "the case has more rows than the limit");
    let limits = Limits { max_rows: 5, ..Limits::default() };
    let mut handed = 0;
    let e = showcase()
        .query_each(text, &Params::new(), &limits, |streamed| {
            if let Streamed::Row(_) = streamed {
                handed += 1;
            }
            ControlFlow::Continue(())
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit, "{e}");
    assert_eq!(handed, 5, "the rows under the limit were handed over before it stopped");
}

/// Several statements: a write's note, an empty answer and long ones each begin in
/// their place, so that a caller printing them as they come keeps their order.
#[test]
fn each_result_begins_in_its_place_empty_ones_and_notes_too() {
    // The same store twice: the text writes, and each run must write the same.
    let store = || {
        let graph = Graph::in_memory().unwrap();
        graph.query("entity \"Interpol\": Organization").unwrap();
        graph
    };
    let text = "entity \"Soleimani\": Person; who reported Interpol; who reported \"no such phrase\"; match (n) return n.name order by n.name";
    let collected = store().query(text).unwrap();
    assert_eq!(collected.len(), 4, "{collected:?}");
    assert!(collected[0].note.as_deref().is_some_and(|n| n.contains("1 entities")), "{collected:?}");
    let (rebuilt, _) = streamed(&store(), text, &Limits::default());
    assert_eq!(shape(&rebuilt), shape(&collected), "the same results in the same order, notes and empty ones included");
    assert!(rows_of(&rebuilt).len() >= 2, "rows were streamed");
}

/// A caller that stops at a write's note (the text's first result) gets that note
/// alone: the questions after it do not run.
#[test]
fn a_caller_that_stops_at_a_writes_note_gets_that_note_alone() {
    let graph = Graph::in_memory().unwrap();
    let mut events = 0;
    let results = graph
        .query_each(
            "entity \"Interpol\": Organization; who reported Interpol",
            &Params::new(),
            &Limits::default(),
            |_| {
                events += 1;
                ControlFlow::Break(())
            },
        )
        .unwrap();
    assert_eq!(events, 1, "nothing after the break");
    assert_eq!(results.len(), 1, "{results:?}");
    assert!(results[0].columns.is_empty() && results[0].note.as_deref().is_some_and(|n| n.starts_with("written")));
    assert_eq!(graph.lookup_ids("Interpol").unwrap().len(), 1, "the write itself was committed");
}

/// A long answer handed over as it is made keeps only a bounded cache of the
/// entities it shows (emptied when full), which must not change a row: `who reported`
/// at a hub showing more entities and documents than that cache holds gives, streamed,
/// the rows it gives collected.
#[test]
fn a_streamed_answer_showing_more_entities_than_it_keeps_gives_the_collected_rows() {
    let dir = tempfile::tempdir().unwrap();
    let n = 9_000;
    let entities: String = (0..=n).map(|i| format!("{i}\tEntity {i}\tPerson\n")).collect();
    let sources: String = (0..n).map(|i| format!("{i}\thttps://news.example/{i}\t\tTitle {i}\n")).collect();
    let statements: String = (0..n).map(|i| format!("{i}\t{n}\tsaid\t{i}\t{i}\tquote {i}\n")).collect();
    for (name, body) in [
        ("entities.tsv", format!("id\tname\ttype\n{entities}")),
        ("aliases.tsv", "entity_id\talias\n".to_string()),
        ("sources.tsv", format!("id\turl\tdate\ttitle\n{sources}")),
        ("statements.tsv", format!("id\tsubject_id\tpredicate\tobject_id\tsource_id\tquote\n{statements}")),
    ] {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    let graph = Graph::in_memory().unwrap();
    graph.load_tsv_dir(dir.path(), &mut |_, _, _| {}).unwrap();
    let text = format!("who reported \"Entity {n}\"");
    let collected = graph.query(&text).unwrap();
    assert_eq!(collected[0].rows.len(), n as usize, "one row per statement's document");
    let (rebuilt, _) = streamed(&graph, &text, &Limits::default());
    assert_eq!(shape(&rebuilt), shape(&collected));
}

/// A pattern query that went past the row limit handed over none of its rows (they
/// were made whole, then handed over): `--max-rows 9` printed nothing, where a
/// question prints the rows before the limit. A query that only reads hands its rows
/// over as they are made, its note (a name nothing has) at its beginning; one that
/// writes stays whole, since a failure takes its writes back.
#[test]
fn a_pattern_query_past_the_row_limit_hands_over_the_rows_before_it() {
    let limits = Limits { max_rows: 9, ..Limits::default() };
    for text in [
        "unwind range(1, 20) as x return x",
        "match (n) return n.name",
        "match (n:Nosuch) return n union all unwind range(1, 20) as n return n",
    ] {
        let mut handed = 0;
        let mut note = None;
        let e = showcase()
            .query_each(text, &Params::new(), &limits, |streamed| {
                match streamed {
                    Streamed::Row(_) => handed += 1,
                    Streamed::Result { note: n, .. } => note = n.map(str::to_owned),
                }
                ControlFlow::Continue(())
            })
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Limit, "{text}: {e}");
        assert_eq!(handed, 9, "{text}: the rows under the limit were handed over before it stopped");
        if text.contains("Nosuch") {
            assert!(note.is_some_and(|n| n.contains("no node has the label `Nosuch`")), "{text}");
        }
    }
    // A write is all or nothing: none of its rows before the failure.
    let graph = Graph::in_memory().unwrap();
    let mut handed = 0;
    let e = graph
        .query_each("unwind range(1, 20) as x create (n:N {x: x}) return n.x", &Params::new(), &limits, |s| {
            if let Streamed::Row(_) = s {
                handed += 1;
            }
            ControlFlow::Continue(())
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit, "{e}");
    assert_eq!(handed, 0);
    assert_eq!(graph.query("match (n:N) return count(n)").unwrap()[0].rows[0].cells[0].to_string(), "0");
}

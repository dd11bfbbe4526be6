//! `Graph::query_each`: rows handed to the caller as they are made instead of kept.
//! The rows must be those `query` returns, in its order; the results keep their
//! columns and notes; a caller that has enough stops the query; the row limit still
//! counts.

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::OnceLock;

use factgraph::{ErrorKind, Graph, Limits, Params, Row};

fn showcase() -> &'static Graph {
    static GRAPH: OnceLock<Graph> = OnceLock::new();
    GRAPH.get_or_init(|| {
        let data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data"));
        let mut scripts: Vec<PathBuf> = std::fs::read_dir(&data)
            .expect("data/ exists")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "fg"))
            .collect();
        scripts.sort();
        let g = Graph::in_memory().expect("temporary graph");
        g.load_scripts(&scripts).unwrap_or_else(|e| panic!("the showcase does not load: {e}"));
        g
    })
}

/// Every row `query_each` hands over, with the columns it came with.
fn streamed(text: &str, limits: &Limits) -> (Vec<(Vec<String>, Row)>, Vec<factgraph::QueryResult>) {
    let mut rows = Vec::new();
    let results = showcase()
        .query_each(text, &Params::new(), limits, |columns, row| {
            rows.push((columns.to_vec(), row));
            ControlFlow::Continue(())
        })
        .unwrap();
    (rows, results)
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
        let (rows, results) = streamed(text, &Limits::default());
        assert!(!collected[0].rows.is_empty(), "{text}: the case has rows");
        assert_eq!(results.len(), collected.len(), "{text}");
        assert!(results.iter().all(|r| r.rows.is_empty()), "{text}: rows were handed over, not kept");
        assert_eq!(results[0].columns, collected[0].columns, "{text}");
        let got: Vec<&Row> = rows.iter().map(|(_, r)| r).collect();
        let want: Vec<&Row> = collected[0].rows.iter().collect();
        assert_eq!(got, want, "{text}: the same rows in the same order");
        assert!(rows.iter().all(|(c, _)| *c == collected[0].columns), "{text}: each row comes with its columns");
    }
}

#[test]
fn a_caller_that_has_enough_stops_the_query_with_what_it_took() {
    for text in ["who reported \"red notice\"", "match (n) return n.name"] {
        let mut taken = 0;
        let results = showcase()
            .query_each(text, &Params::new(), &Limits::default(), |_, _| {
                taken += 1;
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
        .query_each(text, &Params::new(), &limits, |_, _| {
            handed += 1;
            ControlFlow::Continue(())
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit, "{e}");
    assert_eq!(handed, 5, "the rows under the limit were handed over before it stopped");
}

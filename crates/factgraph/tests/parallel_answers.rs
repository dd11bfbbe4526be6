//! Long answers made on two threads (`Limits::max_threads`): `who reported` at an
//! entity with thousands of statements makes its rows in chunks on the caller's thread
//! and a helper. Whatever the threads, the rows must be the ones one thread makes, in
//! its order, collected or streamed; a caller that has enough stops both threads with
//! what it took; the row limit and the errors are the ones one thread meets.

use std::ops::ControlFlow;
use std::sync::OnceLock;

use factgraph::{ErrorKind, Graph, Limits, Params, Row, Streamed};

/// Statements about the hub: past the answer length made on two threads (4,096).
const STATEMENTS: usize = 10_000;

/// Documents citing them.
const DOCUMENTS: usize = 2_000;

/// A store whose hub has every kind of `who reported` row: documents with an outlet
/// that is an entity, one that is not, or none; evidence credited to someone; a
/// statement with evidence in two documents; relays (`reported-by`); and denied
/// statements, which do not answer.
fn graph() -> &'static (tempfile::TempDir, Graph) {
    static GRAPH: OnceLock<(tempfile::TempDir, Graph)> = OnceLock::new();
    GRAPH.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut head = String::from(
            "entity Hub: Person;\nentity \"Outlet Agency\": Organization;\nentity Agency: Organization;\n",
        );
        // More documents than a long answer keeps shown (1,024), each cited by
        // statements far apart: shown again after it was let go.
        for k in 0..DOCUMENTS {
            let outlet = match k % 3 {
                0 => ", outlet: \"Outlet Agency\"".to_string(),
                1 => format!(", outlet: \"Unnamed Outlet {k}\""),
                _ => String::new(),
            };
            head.push_str(&format!("document d{k} {{ title: \"Title {k}\"{outlet} }};\n"));
        }
        // More entities than a helper keeps shown (4,096): it empties its cache on the way.
        for j in 0..STATEMENTS {
            head.push_str(&format!("entity \"E{j}\": Person;\n"));
        }
        let mut claims = String::new();
        for i in 0..STATEMENTS {
            // A qualifier of its own makes each a statement of its own.
            let polarity = if i % 11 == 0 { ", polarity: \"negated\"" } else { "" };
            let by = if i % 5 == 0 { format!(" by \"E{}\"", (i + 1) % STATEMENTS) } else { String::new() };
            let again =
                if i % 4 == 0 { format!(" from d{} \"again {i}\"", (i + 7) % DOCUMENTS) } else { String::new() };
            claims.push_str(&format!(
                "assert @s{i} = Hub said \"E{i}\" {{ n: {i}{polarity} }} from d{} \"quote {i}\"{by}{again};\n",
                i % DOCUMENTS
            ));
            if i % 13 == 0 {
                claims.push_str(&format!(
                    "assert @s{i} reported-by Agency from d{} \"agency reported {i}\";\n",
                    i % DOCUMENTS
                ));
            }
        }
        let (a, b) = (dir.path().join("a.fg"), dir.path().join("b.fg"));
        std::fs::write(&a, head).unwrap();
        std::fs::write(&b, claims).unwrap();
        let graph = Graph::in_memory().unwrap();
        graph.load_scripts(&[a, b]).unwrap();
        (dir, graph)
    })
}

/// Asserts two lists of rows are the same, naming the first that differs (a whole
/// answer printed would be thousands of lines).
fn same_rows(got: &[Row], want: &[Row], what: &str) {
    if let Some(i) = (0..got.len().min(want.len())).find(|&i| got[i] != want[i]) {
        panic!("{what}: row {i} differs:\n{:?}\nnot\n{:?}", got[i], want[i]);
    }
    assert_eq!(got.len(), want.len(), "{what}: as many rows");
}

fn threads(n: usize) -> Limits {
    Limits { max_threads: n, ..Limits::default() }
}

/// The rows handed over, as `query_each` hands them, and how the query ended.
fn streamed(text: &str, limits: &Limits, take: usize) -> (Vec<Row>, factgraph::Result<()>) {
    let mut rows = Vec::new();
    let ended = graph().1.query_each(text, &Params::new(), limits, |s| {
        if let Streamed::Row(row) = s {
            rows.push(row.clone());
            if rows.len() == take {
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    });
    (rows, ended.map(|_| ()))
}

#[test]
fn a_long_answer_on_two_threads_has_the_rows_of_one_in_its_order() {
    for text in ["who reported Hub", "who reported \"quote\""] {
        let one = graph().1.query_with(text, &threads(1)).unwrap();
        let two = graph().1.query_with(text, &threads(2)).unwrap();
        assert!(one[0].rows.len() > 1_000, "{text}: a long answer ({} rows)", one[0].rows.len());
        assert_eq!(one[0].columns, two[0].columns);
        same_rows(&two[0].rows, &one[0].rows, &format!("{text}: collected"));
        let (rows, ended) = streamed(text, &threads(2), usize::MAX);
        ended.unwrap();
        same_rows(&rows, &one[0].rows, &format!("{text}: streamed"));
    }
    // Every kind of row is in it, and the denied statements are not.
    let rows = &graph().1.query_with("who reported Hub", &threads(2)).unwrap()[0].rows;
    for role in ["credited", "published", "document", "reported"] {
        assert!(rows.iter().any(|r| r.cells[1].to_string() == role), "a {role} row");
    }
    assert!(!rows.iter().any(|r| r.cells[5].to_string() == "quote 11"), "a denied statement answers");
}

/// A long answer reads its statements a block at a time, their quotes past the
/// store's cache; each row's quote is still one its statement has, as a short read of
/// that statement gives it, and in the statement's own evidence order.
#[test]
fn a_long_answer_quotes_its_statements_as_they_are_stored() {
    let g = &graph().1;
    let rows = &g.query_with("who reported Hub", &threads(2)).unwrap()[0].rows;
    assert!(rows.len() > 4_096, "long enough to be read in bulk: {}", rows.len());
    // A `reported` row quotes the relay (`… reported-by Agency`), not the claim.
    for row in rows.iter().filter(|r| r.cells[1].to_string() != "reported") {
        let c = &row.provenance[0];
        let st = g.statement(c.statement).unwrap().unwrap();
        assert!(
            st.evidence.iter().any(|ev| *ev.quote == *c.quote),
            "{}: {:?} not in {:?}",
            c.statement,
            c.quote,
            st.evidence
        );
        assert_eq!(row.cells[5].to_string(), *c.quote);
    }
    // Each row shows its own document's title and outlet, however often the answer
    // let its documents go and showed them again.
    for row in rows {
        let k: usize = row.cells[2].to_string().trim_start_matches('d').parse().unwrap();
        assert_eq!(row.cells[4].to_string(), format!("Title {k}"), "{row:?}");
        let outlet = match k % 3 {
            0 => "Outlet Agency".to_string(),
            1 => format!("Unnamed Outlet {k}"),
            _ => "null".to_string(),
        };
        assert_eq!(row.cells[3].to_string(), outlet, "{row:?}");
    }
    // Quotes that differ per statement: the rows of statement i quote "quote i" (or
    // "again i", or the agency's relay), never a neighbour's.
    let own = |r: &Row| {
        let st = g.statement(r.provenance[0].statement).unwrap().unwrap();
        st.qualifiers.get("n").map(|n| n.to_string())
    };
    for row in rows.iter().filter(|r| r.cells[1].to_string() == "reported") {
        let n = own(row).expect("a claim of the hub has its n");
        assert_eq!(row.cells[5].to_string(), format!("agency reported {n}"));
    }
    for row in rows.iter().filter(|r| r.cells[1].to_string() != "reported") {
        let n = own(row).expect("a claim of the hub has its n");
        let quote = row.cells[5].to_string();
        assert!(quote == format!("quote {n}") || quote == format!("again {n}"), "{quote} for n = {n}");
    }
}

#[test]
fn a_caller_that_has_enough_stops_both_threads_with_what_it_took() {
    let one = graph().1.query_with("who reported Hub", &threads(1)).unwrap();
    // Inside the first chunk, and past it (the helper's).
    // Inside the first chunk, past it (the helper's), and one row short of the end
    // (the helper done with its chunks, freeing the rows given back to it).
    let all = one[0].rows.len();
    for take in [10, 3_000, all - 1] {
        let (rows, ended) = streamed("who reported Hub", &threads(2), take);
        ended.unwrap();
        assert_eq!(rows.len(), take);
        same_rows(&rows, &one[0].rows[..take], &format!("the first {take}"));
    }
}

/// Handed over whole, the helper's rows are lent to the caller and go back to the
/// helper, which frees them until the caller is done: the answer ends (no thread
/// left waiting) with every row, in order.
#[test]
fn a_long_answer_streamed_whole_on_two_threads_is_the_answer_of_one() {
    let one = graph().1.query_with("who reported Hub", &threads(1)).unwrap();
    let (rows, ended) = streamed("who reported Hub", &threads(2), usize::MAX);
    ended.unwrap();
    assert!(rows.len() > 2 * 4096, "long enough for the helper to make chunks: {}", rows.len());
    same_rows(&rows, &one[0].rows, "every row");
}

/// A long answer keeps each document's properties as stored until they are read
/// (`LazyProperties`): every document's cell still shows its own properties and title,
/// streamed (each row looked at and let go) and collected, on one thread and on two.
#[test]
fn every_document_a_long_answer_shows_has_its_own_properties() {
    let g = &graph().1;
    let check = |row: &Row, what: &str| -> bool {
        let document = row.cells[2].to_string();
        let k = document.strip_prefix('d').expect("a document dK");
        assert_eq!(row.cells[4].to_string(), format!("Title {k}"), "{what}: the title of {document}");
        match &row.cells[0] {
            factgraph::Cell::Entity { id, name, properties, .. } => {
                let stored = g.entity(*id).unwrap().unwrap();
                assert_eq!(**properties, stored.properties, "{what}: the properties of {name}");
                name.starts_with('d')
            }
            _ => false,
        }
    };
    for n in [1, 2] {
        let what = format!("streamed on {n} threads");
        let mut documents = 0;
        g.query_each("who reported Hub", &Params::new(), &threads(n), |s| {
            if let Streamed::Row(row) = s {
                documents += usize::from(check(row, &what));
            }
            ControlFlow::Continue(())
        })
        .unwrap();
        assert!(documents > 2 * 1024, "{what}: {documents} documents as sources");
        let what = format!("collected on {n} threads");
        let rows = g.query_with("who reported Hub", &threads(n)).unwrap().remove(0).rows;
        assert_eq!(rows.iter().filter(|r| check(r, &what)).count(), documents, "{what}");
    }
}

#[test]
fn the_row_limit_stops_two_threads_as_it_stops_one() {
    for max_rows in [5, 2_500] {
        for n in [1, 2] {
            let limits = Limits { max_rows, ..threads(n) };
            let err = graph().1.query_with("who reported Hub", &limits).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Limit, "{n} threads, {max_rows} rows: {err}");
            let (rows, ended) = streamed("who reported Hub", &limits, usize::MAX);
            assert_eq!(ended.unwrap_err().kind(), ErrorKind::Limit);
            assert_eq!(rows.len(), max_rows, "{n} threads: the rows up to the limit are handed over");
        }
    }
}

#[test]
fn a_cancelled_long_answer_fails_on_two_threads_as_on_one() {
    let all = graph().1.query_with("who reported Hub", &threads(1)).unwrap()[0].rows.len();
    // Early, and late: after many of the helper's rows were handed over and given back.
    for (n, at) in [(1, 100), (2, 100), (1, 8_000), (2, 8_000)] {
        let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let limits = Limits { cancel: Some(cancel.clone()), ..threads(n) };
        let (rows, ended) = {
            let mut rows = 0usize;
            let ended = graph().1.query_each("who reported Hub", &Params::new(), &limits, |s| {
                if let Streamed::Row(_) = s {
                    rows += 1;
                    if rows == at {
                        cancel.store(true, std::sync::atomic::Ordering::SeqCst);
                    }
                }
                ControlFlow::Continue(())
            });
            (rows, ended)
        };
        assert_eq!(ended.unwrap_err().kind(), ErrorKind::Cancelled, "{n} threads, cancelled at {at}");
        assert!(rows >= at && rows < all, "{n} threads, cancelled at {at}: stopped early ({rows} of {all} rows)");
    }
}

//! `explain` prints a query's operators in words, the last first, with estimated rows:
//! what a user reads to see where a query starts and what it holds.

use factgraph::Graph;

fn graph() -> Graph {
    let g = Graph::in_memory().unwrap();
    g.query(
        "create (a:Person {name: 'Ann'})-[:said]->(b:Person {name: 'Bo'}), (c:Person {name: 'Cy'})-[:said]->(b), \
         (b)-[:met]->(d:Place {name: 'Rome'})",
    )
    .unwrap();
    g
}

#[test]
fn explain_shows_the_operators_their_start_and_estimates() {
    let g = graph();
    let plans = [
        "match (a)-[:said]->(b {name: 'Bo'}) return a.name",
        "match (n:Person) optional match (n)-[r]->(m) with n, count(r) as c where c > 0 return n.name, c order by c desc limit 2",
        "unwind range(1, 3) as i return count(*)",
        "match (p:Place) create (p)<-[:visited]-(:Person {name: 'Di'})",
    ]
    .map(|q| format!("> {q}\n{}\n", g.explain(q).unwrap().join("\n")));
    insta::assert_snapshot!(plans.join("\n"));
}

#[test]
fn a_named_node_on_the_right_is_where_the_match_starts() {
    let g = graph();
    let plan = g.explain("match (a)-[:said]->(b {name: 'Bo'}) return a").unwrap().join("\n");
    assert!(plan.contains("starting at b by the name \"Bo\", walking left"), "{plan}");
}

/// `.explain` of a question printed Rust's `Debug` of the plan; it says what the
/// question reads, by resolved name.
#[test]
fn a_question_is_explained_in_words() {
    let g = graph();
    let plan = g.explain("who said Bo").unwrap().join("\n");
    assert!(plan.starts_with("statements with object Bo (entity"), "{plan}");
    assert!(plan.contains("relation said"), "{plan}");
    assert!(!plan.contains('{'), "no Debug output: {plan}");
    let plan = g.explain("why describe Ann").unwrap().join("\n");
    assert!(plan.contains("everything about Ann") && plan.contains("one row per piece of evidence"), "{plan}");
}

/// Counting distinct sources reads an index of every statement's sources, not each
/// statement (`query/sources.rs`); explain says when, and not for a shape it does not
/// cover.
#[test]
fn a_count_of_distinct_sources_says_it_reads_the_index() {
    let g = graph();
    let marked = "in the index of every statement's sources";
    for q in [
        "match (a {name: 'Ann'})-[r]-() unwind sources(r) as s return count(distinct s)",
        "match (a {name: 'Ann'})-[r*1..2]-() where a.name = 'Ann' unwind sources(r) as s return count(distinct s)",
    ] {
        let plan = g.explain(q).unwrap().join("\n");
        assert!(plan.contains(marked), "{q}\n{plan}");
    }
    for q in [
        "match (a {name: 'Ann'})-[r]-() unwind sources(r) as s return count(s)",
        "match (a {name: 'Ann'})-[r]-() unwind sources(r) as s return size(collect(distinct s))",
        "match (a {name: 'Ann'})-[r]-() unwind quotes(r) as s return count(distinct s)",
        "match (a {name: 'Ann'})-[r]-() unwind sources(r) as s return a.name, count(distinct s)",
        "match (a {name: 'Ann'})-[r]-() set a.seen = true with r unwind sources(r) as s return count(distinct s)",
    ] {
        let plan = g.explain(q).unwrap().join("\n");
        assert!(!plan.contains(marked), "{q}\n{plan}");
    }
}

/// `count(distinct y)` within three hops said "over all rows, streaming" while it
/// built a row for every end the search found (89,000 rows at 1,000,000 statements);
/// it counts the search's ends, and says so, only where that gives the same answer.
#[test]
fn a_count_of_distinct_ends_says_it_counts_the_search() {
    let g = graph();
    let counted = "by counting the ends the search finds, no row built for each";
    for q in [
        "match (a {name: 'Ann'})-[*1..3]-(y) return count(distinct y)",
        "match (a {name: 'Ann'})-[*1..3]-(y) where y <> a return count(distinct y)",
        "match (a:Person)-[*..2]->(y:Place) where a <> y return count(distinct y)",
    ] {
        let plan = g.explain(q).unwrap().join("\n");
        assert!(
            plan.contains(counted) && plan.contains("its distinct ends by one breadth-first search"),
            "{q}\n{plan}"
        );
    }
    for q in [
        "match (a {name: 'Ann'})-[*1..3]-(y) return count(*)",
        "match (a {name: 'Ann'})-[*1..3]-(y) where y.name <> 'Bo' return count(distinct y)",
        "match (a {name: 'Ann'})-[*1..3]-(y) return count(distinct y), count(*)",
        "match (a {name: 'Ann'})-[:said*1..3]-(y) return count(distinct y)",
    ] {
        let plan = g.explain(q).unwrap().join("\n");
        assert!(!plan.contains(counted), "{q}\n{plan}");
    }
    let answer = |q: &str| g.query(q).unwrap()[0].rows[0].cells[0].as_int().unwrap();
    assert_eq!(answer("match (a {name: 'Ann'})-[*1..3]-(y) return count(distinct y)"), 3, "Bo, Cy, Rome");
    assert_eq!(answer("match (b {name: 'Bo'})-[*0..1]-(y) return count(distinct y)"), 4, "Bo too");
    assert_eq!(answer("match (b {name: 'Bo'})-[*0..1]-(y) where y <> b return count(distinct y)"), 3);
}

/// The count of distinct ends checked the bound on hops before it looked for a start:
/// a pattern that no node starts failed ("a path of up to 40 relationships") where
/// `count(*)` over the same pattern answers 0, as the walk checks the bound only
/// where it takes a step.
#[test]
fn a_count_of_distinct_ends_from_no_start_is_zero_whatever_the_bound() {
    let g = graph();
    let answer = |q: &str| g.query(q).unwrap_or_else(|e| panic!("{q}: {e}"))[0].rows[0].cells[0].as_int().unwrap();
    assert_eq!(answer("match (x {name: 'nobody'})-[*1..40]-(y) return count(*)"), 0);
    assert_eq!(answer("match (x {name: 'nobody'})-[*1..40]-(y) return count(distinct y)"), 0);
    let err = g.query("match (x {name: 'Ann'})-[*1..40]-(y) return count(distinct y)").unwrap_err();
    assert!(err.to_string().contains("a path of up to 40 relationships"), "{err}");
}

/// `profile` runs the query and shows, beside each operator's estimate, the rows it
/// handed on and its own time; an operator a limit never reached, or one another
/// answered for, says it did not run; a question has no operators to show.
#[test]
fn profile_shows_each_operators_actual_rows_and_time() {
    let g = graph();
    let limits = factgraph::Limits::default();
    let p = g
        .profile_params(
            "match (n:Person) optional match (n)-[r]->(m) with n, count(r) as c where c > 0 return n.name, c",
            &factgraph::Params::new(),
            &limits,
        )
        .unwrap()
        .join("\n");
    let lines: Vec<&str> = p.lines().collect();
    // Without the times, which vary from run to run.
    let rows: Vec<String> = lines[..lines.len() - 1]
        .iter()
        .map(|l| l.split(';').next().unwrap_or_default().trim_end().to_owned())
        .collect();
    insta::assert_snapshot!(rows.join("\n"));
    assert!(lines.iter().skip(1).take(lines.len() - 2).all(|l| l.ends_with(" ms)")), "{p}");
    assert!(lines.last().unwrap().starts_with("3 rows in "), "{p}");
    let p =
        g.profile_params("unwind range(1, 1000) as i return i limit 2", &factgraph::Params::new(), &limits).unwrap();
    assert!(p[0].contains("limit 2, stopping what comes before (rows 2,"), "{}", p[0]);
    assert!(p[0].contains("unwind range(1, 1000) as i (rows 2,"), "the unwind stopped after two rows: {}", p[0]);
    let e = g.profile_params("who said Bo", &factgraph::Params::new(), &limits).unwrap_err();
    assert!(e.to_string().contains("has no operators"), "{e}");
}

/// `EXPLAIN` and `PROFILE` before a query, as Neo4j, Memgraph and Kùzu read them,
/// were a syntax error: only the REPL's `.explain` and `.profile` showed a plan, so
/// scripts, `-c`, the server and programs could not. `explain` answers with the plan,
/// a line a row, and runs nothing; `profile` runs the query and answers with its rows,
/// then the plan with what each operator did.
#[test]
fn explain_and_profile_before_a_query_answer_with_its_plan() {
    let g = graph();
    let plan = |r: &factgraph::QueryResult| r.rows.iter().map(|row| row.cells[0].to_string()).collect::<Vec<_>>();
    let q = "match (a)-[:said]->(b {name: 'Bo'}) return a.name order by a.name";
    let explained = g.query(&format!("EXPLAIN {q}")).unwrap();
    assert_eq!(explained.len(), 1);
    assert_eq!(explained[0].columns, ["plan"]);
    assert_eq!(plan(&explained[0]).join("\n"), g.explain(q).unwrap()[0]);
    // Nothing runs: a write explained writes nothing, and a read-only graph may
    // explain it.
    let w = "explain create (:Place {name: 'Oslo'})";
    assert!(!factgraph::writes(w, &factgraph::Params::new()).unwrap());
    g.query(w).unwrap();
    assert_eq!(g.query("match (p:Place) return count(p)").unwrap()[0].rows[0].cells[0].to_string(), "1");
    let profiled = g.query(&format!("profile {q}")).unwrap();
    assert_eq!(profiled.len(), 2);
    assert_eq!(profiled[0], g.query(q).unwrap()[0], "the answer first, as it would be");
    let lines = plan(&profiled[1]);
    assert!(lines[0].starts_with("return a.name"), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("rows 2")), "{lines:?}");
    // A question is explained in words; it has no operators to profile.
    assert_eq!(g.query("explain who said Bo").unwrap()[0].rows.len(), 1);
    assert!(g.query("profile who said Bo").unwrap_err().to_string().contains("no operators"));
    // The prefix is for a text's only statement.
    let e = g.query("explain match (n) return n; match (m) return m").unwrap_err();
    assert!(e.to_string().contains("only statement"), "{e}");
}

/// `where b.name = 'Bo'` scanned every node and kept the rows whose `b` had the name
/// (0.74 s at 1,000,000 statements), where `(b {name: 'Bo'})`, the same rows, starts
/// from the name index: a name compared to a text in `where` now starts the match
/// as the pattern's own would, on either side of the `=`, in an optional match too.
#[test]
fn a_name_compared_in_where_is_where_the_match_starts() {
    let g = graph();
    for (q, rows) in [
        ("match (a)-[:said]->(b) where b.name = 'Bo' return a.name order by a.name", vec!["Ann", "Cy"]),
        ("match (a)-[:said]->(b) where 'Bo' = b.name and a.name <> 'Cy' return a.name", vec!["Ann"]),
        ("match (b)<-[:said]-(a) where a.name = 'Ann' return b.name", vec!["Bo"]),
        ("match (p:Place) optional match (a)-[:said]->(b) where b.name = 'Nobody' return p.name, a.name", vec!["Rome"]),
    ] {
        let plan = g.explain(q).unwrap()[0].clone();
        assert!(plan.contains("by the name"), "{q}:\n{plan}");
        let got: Vec<String> = g.query(q).unwrap()[0].rows.iter().map(|r| r.cells[0].to_string()).collect();
        assert_eq!(got, rows, "{q}");
    }
    // A name that is no text, or a variable bound before, is left to the filter.
    assert!(g.query("match (a) where a.name = 5 return a").unwrap()[0].rows.is_empty());
    let plan = g.explain("match (a {name: 'Ann'}) match (a)-->(b) where a.name = 'Ann' return b").unwrap()[0].clone();
    assert!(plan.contains("where (a.name"), "{plan}");
}

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

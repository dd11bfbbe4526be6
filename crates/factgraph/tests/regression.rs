//! One test per wrong answer found and fixed, named after what it shows.

use factgraph::Graph;

fn count(g: &Graph, q: &str) -> String {
    let r = g.query(q).unwrap();
    let answer = r.into_iter().rev().find(|r| !r.columns.is_empty()).unwrap();
    answer.rows[0].cells[0].to_string()
}

#[test]
fn a_self_loop_matches_once_in_an_undirected_pattern() {
    let g = Graph::in_memory().unwrap();
    g.query("create (a:A {name: \"a\"})-[:LOOP]->(a)").unwrap();
    assert_eq!(count(&g, "match ()-[:LOOP]-() return count(*)"), "1");
    assert_eq!(count(&g, "match (x)-[:LOOP]->(y) return count(*)"), "1");
}

#[test]
fn a_relationship_is_bound_once_across_the_patterns_of_one_match() {
    let g = Graph::in_memory().unwrap();
    g.query("create (a:A {name: \"a\"})-[:T]->(b:B {name: \"b\"})").unwrap();
    assert_eq!(count(&g, "match (a)-[r1:T]->(b), (c)-[r2:T]->(d) return count(*)"), "0");
    g.query("create (c:C {name: \"c\"})-[:T]->(d:D {name: \"d\"})").unwrap();
    // Two relationships: each pattern takes one, in either order.
    assert_eq!(count(&g, "match (a)-[r1:T]->(b), (c)-[r2:T]->(d) return count(*)"), "2");
}

#[test]
fn a_trailing_comment_is_not_part_of_a_column_name() {
    let g = Graph::in_memory().unwrap();
    let r = g.query("return 1 // one\n").unwrap();
    assert_eq!(r[0].columns, ["1"]);
    let r = g.query("return 'a' # a\n, 2 as two").unwrap();
    assert_eq!(r[0].columns, ["'a'", "two"]);
}

//! Patterns inside expressions: a pattern as a condition in `where`, `exists {…}`, and
//! pattern comprehensions.

use factgraph::{ErrorKind, Graph};

fn graph() -> Graph {
    let g = Graph::in_memory().unwrap();
    g.query(
        "create (a:A {name: 'a', num: 1})-[:T {w: 1}]->(b:B {name: 'b', num: 1}), \
         (a)-[:U]->(c:C {name: 'c', num: 3}), (b)-[:T {w: 2}]->(c), (:D {name: 'd'})",
    )
    .unwrap();
    g
}

fn column(g: &Graph, q: &str) -> Vec<String> {
    let r = g.query(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    r[0].rows.iter().map(|row| row.cells[0].to_string()).collect()
}

#[test]
fn a_pattern_in_where_keeps_the_rows_it_matches_for() {
    let g = graph();
    assert_eq!(column(&g, "match (n) where (n)-->() return n.name order by n.name"), ["a", "b"]);
    assert_eq!(column(&g, "match (n) where (n)<-[:T]-() return n.name order by n.name"), ["b", "c"]);
    assert_eq!(column(&g, "match (n) where not (n)--() return n.name"), ["d"]);
    assert_eq!(column(&g, "match (n) where (n)-[:T*2]->() return n.name"), ["a"]);
    // Both ends bound: whether they are connected, either way round.
    assert_eq!(
        column(&g, "match (n), (m) where (n)-[:T]-(m) return n.name + m.name as p order by p"),
        ["ab", "ba", "bc", "cb"]
    );
    assert_eq!(column(&g, "match (n) where (n)-->() and (n)-[:U]->() return n.name"), ["a"]);
    assert_eq!(column(&g, "match (n) where (n)-[:U]->() or (n)<-[:U]-() return n.name order by n.name"), ["a", "c"]);
}

#[test]
fn exists_braces_match_with_their_own_variables_and_condition() {
    let g = graph();
    assert_eq!(column(&g, "match (n) where exists { (n)-->(m) where m.num = n.num } return n.name"), ["a"]);
    assert_eq!(column(&g, "match (n) where exists { (n)-[r]->() where r.w = 2 } return n.name"), ["b"]);
    assert_eq!(
        column(&g, "match (n) where not exists { (n)-->(), ()-->(n) } return n.name order by n.name"),
        ["a", "c", "d"]
    );
}

#[test]
fn a_pattern_comprehension_lists_a_value_per_match() {
    let g = graph();
    assert_eq!(column(&g, "match (n:A) return [(n)-->(m) | m.name] as names"), ["['b', 'c']"]);
    assert_eq!(column(&g, "match (n:A) return [(n)-[r:T]->(m) where r.w > 0 | r.w + 10] as ws"), ["[11]"]);
    assert_eq!(
        column(&g, "match (n:A) with [p = (n)-[*]->(:C) | length(p)] as ls unwind ls as l return l order by l"),
        ["1", "2"]
    );
    assert_eq!(column(&g, "match (n:D) return [(n)-->(m) | m] as none"), ["[]"]);
    assert_eq!(column(&g, "match (n) return n.name, size([(n)--() | 1]) as degree order by n.name").len(), 4);
    assert_eq!(column(&g, "match (n) with n, count([(n)-->(m) | m]) as c return sum(c)"), ["4"]);
}

#[test]
fn a_pattern_is_a_condition_only_in_where_and_binds_nothing_new() {
    let g = graph();
    for (q, kind, said) in [
        ("match (n) return (n)-->()", ErrorKind::Syntax, "only in `where`"),
        ("match (n) with (n)-->() as x return x", ErrorKind::Syntax, "only in `where`"),
        ("match (n) set n.x = size((n)-->())", ErrorKind::Syntax, "only in `where`"),
        ("match (n) where (n)-[r]->() return n", ErrorKind::Invalid, "`r`"),
        ("match (n) where (n)-->(a) return n", ErrorKind::Invalid, "`a`"),
    ] {
        let e = g.query(q).expect_err(q);
        assert_eq!(e.kind(), kind, "{q}: {e}");
        assert!(e.to_string().contains(said), "{q}: {e}");
    }
    // In a condition inside a projection, it may stand.
    assert_eq!(column(&g, "match (n:A) return [x in [n] where (x)-->() | x.name] as xs"), ["['a']"]);
    // Parentheses around an expression are still an expression.
    assert_eq!(column(&g, "match (n:A) return (n.num) - (1) as z"), ["0"]);
    assert_eq!(column(&g, "with 3 as x return (x) - -(1) as y"), ["4"]);
}

/// `exists { match … }`: a query run for each row, seeing its variables, true when it
/// gives a row. It may group, filter after grouping, nest, and leave out `return`.
#[test]
fn a_full_subquery_is_true_when_it_gives_a_row_for_the_row_at_hand() {
    let g = graph();
    let q = "match (n) where exists { match (n)-->(m) where m.num > 1 return m } return n.name order by n.name";
    assert_eq!(column(&g, q), ["a", "b"]);
    // Grouping inside: `a` has two relationships out, `b` one.
    let q = "match (n) where exists { match (n)-->(m) with n, count(*) as c where c = 2 return c } return n.name";
    assert_eq!(column(&g, q), ["a"]);
    // Without `return`, nested, and negated.
    let q = "match (n) where exists { match (m) where exists { (n)-[:T]->(m) where m.num = n.num } } return n.name";
    assert_eq!(column(&g, q), ["a"]);
    let q = "match (n) where not exists { match (n)--() } return n.name";
    assert_eq!(column(&g, q), ["d"]);
    // As a value, per row; and over a comprehension's own variable.
    let q = "match (n:A) return [x in [1, 3, 5] where exists { match (m {num: x}) return m } | x] as found";
    assert_eq!(column(&g, q), ["[1, 3]"]);
    let q = "match (n) return n.name, exists { match (n)-[:U]->() } as u order by n.name";
    let r = g.query(q).unwrap();
    let us: Vec<String> = r[0].rows.iter().map(|row| row.cells[1].to_string()).collect();
    assert_eq!(us, ["true", "false", "false", "false"]);
}

/// A subquery only reads, and its variables are checked as a query's are.
#[test]
fn a_full_subquery_that_writes_or_reads_an_unknown_variable_is_refused() {
    let g = graph();
    let e = g.validate("match (n) where exists { match (n)-->(m) set m.num = 0 } return n").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert!(e.to_string().contains("only reads"), "{e}");
    let e = g.validate("match (n) where exists { match (n)-->(m) return q } return n").unwrap_err();
    assert!(e.to_string().contains("`q`"), "{e}");
    // Nothing the refused query named was written.
    assert_eq!(column(&g, "match (n) where n.num = 0 return count(n)"), ["0"]);
    let plan = g.explain("match (n) where exists { match (n)-->(m) return m } return n").unwrap();
    assert!(plan[0].contains("keeping rows where exists { match (n)-[]->(m)"), "{}", plan[0]);
}

/// `exists { … union … }`: true when any of its queries gives a row for the row at
/// hand; each sees the row's variables, and the union's rules are those of a query's
/// (the same columns, one kind of union, reading only).
#[test]
fn a_subquery_with_a_union_is_true_when_any_of_its_queries_gives_a_row() {
    let g = graph();
    for q in [
        "match (n) where exists { match (n)-[:U]->() return 1 as x union match (n)<-[:T]-() return 1 as x } \
         return n.name order by n.name",
        "match (n) where exists { match (n)-[:U]->() union all match (n)<-[:T]-() } return n.name order by n.name",
        "match (n) where exists { match (n)-[:U]->() union match (n)<-[:T]-() union match (n) where n.num > 5 } \
         return n.name order by n.name",
    ] {
        assert_eq!(column(&g, q), ["a", "b", "c"], "{q}");
    }
    let q = "match (n) return n.name, exists { match (n)-[:U]->() union match (n)-[:T]->(:C) } as x order by n.name";
    let r = g.query(q).unwrap();
    let xs: Vec<String> = r[0].rows.iter().map(|row| row.cells[1].to_string()).collect();
    assert_eq!(xs, ["true", "true", "false", "false"]);
    for (q, kind, says) in [
        (
            "match (n) where exists { match (n)-->(m) return m union match (n)<--(m) return n } return n",
            ErrorKind::Invalid,
            "columns",
        ),
        (
            "match (n) where exists { match (n)-->() union match (n)<--() union all match (n) } return n",
            ErrorKind::Invalid,
            "union all",
        ),
        (
            "match (n) where exists { match (n)-->() union match (n)<--(m) set m.num = 0 } return n",
            ErrorKind::Invalid,
            "only reads",
        ),
        ("match (n) where exists { match (n)-->() union match (q)-->() return p } return n", ErrorKind::Invalid, "`p`"),
    ] {
        let e = g.validate(q).unwrap_err();
        assert_eq!(e.kind(), kind, "{q}: {e}");
        assert!(e.to_string().contains(says), "{q}: {e}");
    }
    let plan = g.explain("match (n) where exists { match (n)-->(m) union match (m)-->(n) } return n").unwrap();
    assert!(plan[0].contains("exists { match (n)-[]->(m), from n as bound union match (m)-[]->(n)"), "{}", plan[0]);
}

/// `count { … }` (Neo4j 5, GQL): how many rows its query gives for the row at hand,
/// or how many times its patterns match; 0, never null, when none.
#[test]
fn count_braces_count_the_rows_or_matches_for_the_row_at_hand() {
    let g = graph();
    let q = "match (n) return n.name, count { (n)-->() } as out order by n.name";
    let r = g.query(q).unwrap();
    let outs: Vec<String> = r[0].rows.iter().map(|row| row.cells[1].to_string()).collect();
    assert_eq!(outs, ["2", "1", "0", "0"]);
    // Its patterns' own variables and condition; a filter in `where`.
    assert_eq!(
        column(&g, "match (n) where count { (n)-[r]->(m) where r.w > 0 } = 1 return n.name order by n.name"),
        ["a", "b"]
    );
    // A query: its rows, after its own grouping, distinct and limit.
    assert_eq!(column(&g, "match (n:A) return count { match (n)-[*]->(m) return m }"), ["3"]);
    assert_eq!(column(&g, "match (n:A) return count { match (n)-[*]->(m) return distinct m }"), ["2"]);
    assert_eq!(column(&g, "match (n:A) return count { match (n)-->(m) return m.num as x limit 1 }"), ["1"]);
    assert_eq!(column(&g, "match (n:A) return count { match (n)-->(m) with count(*) as c return c }"), ["1"]);
    // A union counts its rows once each; `union all` every row.
    assert_eq!(
        column(
            &g,
            "match (n:B) return count { match (n)--(m) return m.name as x union match (n)-->(m) return m.name as x }"
        ),
        ["2"]
    );
    assert_eq!(
        column(
            &g,
            "match (n:B) return count { match (n)--(m) return m.name as x union all match (n)-->(m) return m.name as x }"
        ),
        ["3"]
    );
    // A `union` without `return` has no columns to tell rows apart by: every row is
    // the same empty row, counted once (1 where 3 matched), so it is refused; `union
    // all` counts each row.
    let e = g.validate("match (a:A) return count { match (a)-->(b) union match (a)-->(b) }").unwrap_err();
    assert!(e.to_string().contains("union all"), "{e}");
    assert_eq!(column(&g, "match (a:A) return count { match (a)-->(b) union all match (a)-->(b) }"), ["4"]);
    // Without a row to run for: once.
    assert_eq!(column(&g, "return count { match (n) } as total"), ["4"]);
    // A variable named `count` and the function are still themselves.
    assert_eq!(column(&g, "with {k: 1} as count return count.k"), ["1"]);
    assert_eq!(column(&g, "match (n) return count(n)"), ["4"]);
}

/// `collect { match … return x }` (Neo4j 5, GQL): the list of the one column its query
/// returns for the row at hand, in its order; an empty list when none.
#[test]
fn collect_braces_list_the_one_column_a_subquery_returns() {
    let g = graph();
    let q = "match (n) return n.name, collect { match (n)-->(m) return m.name order by m.name desc } as out \
             order by n.name";
    let r = g.query(q).unwrap();
    let outs: Vec<String> = r[0].rows.iter().map(|row| row.cells[1].to_string()).collect();
    assert_eq!(outs, ["['c', 'b']", "['c']", "[]", "[]"]);
    assert_eq!(
        column(&g, "match (n:A) return collect { match (n)-->(m) return m.num as x union match (n)-->()-->(m) return m.num as x }"),
        ["[1, 3]"]
    );
    assert_eq!(column(&g, "match (n:A) return size(collect { match (n)-[*]->(m) return m })"), ["3"]);
    // It must return exactly one column, and a query at that.
    for q in [
        "match (n) return collect { match (n)-->(m) return m, n }",
        "match (n) return collect { match (n)-->(m) }",
        "match (n) return collect { (n)-->(m) }",
    ] {
        assert!(g.validate(q).is_err(), "{q}");
    }
    let e = g.validate("match (n) return collect { match (n)-->(m) return m, n }").unwrap_err();
    assert!(e.to_string().contains("one column"), "{e}");
    // Like `exists { … }`, it only reads.
    let e = g.validate("match (n) return collect { match (n)-->(m) set m.num = 0 return m }").unwrap_err();
    assert!(e.to_string().contains("only reads"), "{e}");
}

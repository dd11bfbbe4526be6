//! openCypher's updating clauses (`set`, `remove`, `delete`, `detach delete`,
//! `merge … on create set … on match set …`) on the store, beyond what the TCK checks:
//! what they change is really in the store (indexes, adjacency, counts), stays after
//! reopening it, and a clause that fails changes nothing.

use factgraph::{ErrorKind, Graph};

/// The first cell of the last answer with columns, as text.
fn one(g: &Graph, q: &str) -> String {
    let r = g.query(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    let answer = r.into_iter().rev().find(|r| !r.columns.is_empty()).expect("an answer");
    answer.rows.first().map_or_else(|| "no row".to_owned(), |row| row.cells[0].to_string())
}

/// Every row of the last answer, cells joined by ` | `, sorted.
fn rows(g: &Graph, q: &str) -> Vec<String> {
    let r = g.query(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    let answer = r.into_iter().rev().find(|r| !r.columns.is_empty()).expect("an answer");
    let mut out: Vec<String> =
        answer.rows.iter().map(|r| r.cells.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" | ")).collect();
    out.sort();
    out
}

fn two_connected_and_one_alone(g: &Graph) {
    g.query("create (:P {name: 'a', age: 1})-[:KNOWS {since: 2001}]->(:P {name: 'b'}), (:P {name: 'c'})").unwrap();
}

#[test]
fn a_property_set_is_what_the_next_match_finds() {
    let g = Graph::in_memory().unwrap();
    two_connected_and_one_alone(&g);
    g.query("match (n:P {name: 'a'}) set n.age = 40").unwrap();
    assert_eq!(one(&g, "match (n:P) where n.age = 40 return n.name"), "a");
    assert_eq!(one(&g, "match (n:P {age: 1}) return count(n)"), "0");
}

#[test]
fn a_property_set_to_null_is_gone() {
    let g = Graph::in_memory().unwrap();
    two_connected_and_one_alone(&g);
    g.query("match (n:P {name: 'a'}) set n.age = null").unwrap();
    assert_eq!(one(&g, "match (n:P {name: 'a'}) return keys(n)"), "['name']");
    g.query("match ()-[r:KNOWS]->() remove r.since").unwrap();
    assert_eq!(one(&g, "match ()-[r:KNOWS]->() return keys(r)"), "[]");
}

#[test]
fn a_renamed_node_is_found_by_its_new_name_and_not_its_old_one() {
    let g = Graph::in_memory().unwrap();
    two_connected_and_one_alone(&g);
    g.query("match (n:P {name: 'a'}) set n.name = 'Alice'").unwrap();
    assert_eq!(one(&g, "match (n {name: 'Alice'})-[:KNOWS]->(m) return m.name"), "b");
    assert_eq!(one(&g, "match (n {name: 'a'}) return count(n)"), "0");
    // The name index follows: questions resolve the new name, not the old one.
    assert!(g.query("describe Alice").is_ok());
    assert_eq!(g.lookup_ids("a").unwrap().len(), 0);
}

#[test]
fn labels_set_and_removed_are_what_a_match_by_label_finds() {
    let g = Graph::in_memory().unwrap();
    g.query("create ({name: 'x'})").unwrap();
    g.query("match (n {name: 'x'}) set n:Person").unwrap();
    assert_eq!(one(&g, "match (n:Person) return n.name"), "x");
    g.query("match (n:Person) remove n:Person").unwrap();
    assert_eq!(one(&g, "match (n:Person) return count(n)"), "0");
    assert_eq!(one(&g, "match (n {name: 'x'}) return labels(n)"), "[]");
}

#[test]
fn a_node_with_several_labels_is_found_by_each_and_by_all() {
    let g = Graph::in_memory().unwrap();
    g.query("create (:A {name: 'x'})").unwrap();
    g.query("match (n:A) set n:B:C").unwrap();
    assert_eq!(one(&g, "match (n:B) return labels(n)"), "['A', 'B', 'C']");
    assert_eq!(one(&g, "match (n:C:A) return n.name"), "x");
    assert_eq!(one(&g, "match (n) where n:A:B return count(n)"), "1");
    g.query("match (n:A) remove n:A, n:C").unwrap();
    assert_eq!(one(&g, "match (n {name: 'x'}) return labels(n)"), "['B']");
    assert_eq!(one(&g, "match (n:A) return count(n)"), "0");
    assert_eq!(one(&g, "match (n:C) return count(n)"), "0");
    // Created with several, and merged on several.
    g.query("create (:P:Q {name: 'y'})").unwrap();
    g.query("merge (n:Q:P {name: 'y'}) on match set n.seen = true").unwrap();
    assert_eq!(one(&g, "match (n:P {name: 'y'}) return [labels(n), n.seen]"), "[['P', 'Q'], true]");
    assert!(g.check().unwrap().problems.is_empty(), "{:?}", g.check().unwrap().problems);
}

#[test]
fn a_deleted_relationship_is_gone_from_matches_indexes_and_counts() {
    let g = Graph::in_memory().unwrap();
    two_connected_and_one_alone(&g);
    let before = g.counts().unwrap();
    g.query("match ()-[r:KNOWS]->() delete r").unwrap();
    assert_eq!(one(&g, "match ()-[r]->() return count(r)"), "0");
    assert_eq!(one(&g, "match (a {name: 'a'})--(b) return count(b)"), "0");
    assert!(g.statements_with_relation("KNOWS").unwrap().is_empty());
    assert_eq!(g.counts().unwrap().statements, before.statements - 1);
    // The nodes stay.
    assert_eq!(one(&g, "match (n:P) return count(n)"), "3");
}

#[test]
fn deleting_a_node_that_has_relationships_is_an_error_and_changes_nothing() {
    let g = Graph::in_memory().unwrap();
    two_connected_and_one_alone(&g);
    let before = g.counts().unwrap();
    // `c` alone could go, `a` could not: the clause is one transaction, so neither does.
    let e = g.query("match (n:P) where n.name in ['c', 'a'] delete n").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid, "{e}");
    assert!(e.to_string().contains("detach delete"), "{e}");
    assert_eq!(g.counts().unwrap(), before);
    assert_eq!(one(&g, "match (n:P) return count(n)"), "3");
}

#[test]
fn a_node_and_its_relationship_deleted_in_one_clause_is_not_an_error() {
    let g = Graph::in_memory().unwrap();
    two_connected_and_one_alone(&g);
    g.query("match (n {name: 'a'})-[r]->() delete n, r").unwrap();
    assert_eq!(rows(&g, "match (n:P) return n.name"), ["b", "c"]);
}

#[test]
fn detach_delete_takes_the_relationships_with_the_node() {
    let g = Graph::in_memory().unwrap();
    two_connected_and_one_alone(&g);
    g.query("match (n {name: 'b'}) detach delete n").unwrap();
    assert_eq!(rows(&g, "match (n:P) return n.name"), ["a", "c"]);
    assert_eq!(one(&g, "match ()-[r]->() return count(r)"), "0");
    assert!(g.lookup_ids("b").unwrap().is_empty());
}

#[test]
fn a_set_that_fails_on_one_row_changes_no_row() {
    let g = Graph::in_memory().unwrap();
    two_connected_and_one_alone(&g);
    let before = g.counts().unwrap();
    // `b`'s row fails (a map is no property value); `a` and `c` are not changed either.
    let e = g.query("match (n:P) set n.score = case when n.name = 'b' then {x: 1} else 1 end").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid, "{e}");
    assert_eq!(g.counts().unwrap(), before);
    assert_eq!(one(&g, "match (n:P) where n.score is not null return count(n)"), "0");
}

#[test]
fn changes_and_deletions_stay_after_reopening_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    {
        let g = Graph::open(&path).unwrap();
        two_connected_and_one_alone(&g);
        g.query("match (n {name: 'a'}) remove n:P set n.age = 41, n:Q").unwrap();
        g.query("match ()-[r:KNOWS]->() set r.since = 1999").unwrap();
        g.query("match (n {name: 'c'}) set n.name = 'carol'").unwrap();
        g.query("create (:Gone {name: 'g'})-[:T]->(:Gone {name: 'h'})").unwrap();
        g.query("match (n:Gone) detach delete n").unwrap();
    }
    let g = Graph::open(&path).unwrap();
    assert_eq!(one(&g, "match (n:Q) return n.age"), "41");
    assert_eq!(one(&g, "match ()-[r:KNOWS]->() return r.since"), "1999");
    assert_eq!(one(&g, "match (n {name: 'carol'}) return count(n)"), "1");
    assert_eq!(one(&g, "match (n:Gone) return count(n)"), "0");
    assert_eq!(one(&g, "match ()-[r:T]->() return count(r)"), "0");
    assert!(g.lookup_ids("g").unwrap().is_empty());
    assert!(g.check().is_ok());
}

#[test]
fn a_relationship_set_to_negated_stops_answering_at_once() {
    let g = Graph::in_memory().unwrap();
    two_connected_and_one_alone(&g);
    // Read first, so the set of withdrawn statements is built before the change.
    assert_eq!(one(&g, "match ()-[r:KNOWS]->() return count(r)"), "1");
    g.query("match ()-[r:KNOWS]->() set r.polarity = 'negated'").unwrap();
    assert_eq!(one(&g, "match ()-[r:KNOWS]->() return count(r)"), "0");
    assert_eq!(one(&g, "match ()-[:KNOWS]->(m) return count(m)"), "0");
    assert_eq!(one(&g, "match ()-[r:KNOWS]->() return count(r) including negated"), "1");
}

#[test]
fn a_relationship_keeps_its_id_and_evidence_when_its_properties_change() {
    let g = Graph::in_memory().unwrap();
    two_connected_and_one_alone(&g);
    let id = one(&g, "match ()-[r:KNOWS]->() return id(r)");
    g.query("match ()-[r:KNOWS]->() set r += {since: 2002, weight: 0.5}").unwrap();
    assert_eq!(one(&g, "match ()-[r:KNOWS]->() return id(r)"), id);
    let sid = g.statements_with_relation("KNOWS").unwrap()[0];
    assert_eq!(g.evidence(sid).unwrap().len(), 1);
    assert_eq!(one(&g, "match ()-[r:KNOWS]->() return r.since + r.weight"), "2002.5");
}

#[test]
fn merge_sets_on_create_and_on_match_each_in_its_case() {
    let g = Graph::in_memory().unwrap();
    let q = "merge (n:K {name: 'k'}) on create set n.made = 1 on match set n.seen = coalesce(n.seen, 0) + 1";
    g.query(q).unwrap();
    assert_eq!(one(&g, "match (n:K) return [n.made, n.seen]"), "[1, null]");
    g.query(q).unwrap();
    g.query(q).unwrap();
    assert_eq!(one(&g, "match (n:K) return [n.made, n.seen]"), "[1, 2]");
    assert_eq!(one(&g, "match (n:K) return count(n)"), "1");
}

#[test]
fn the_implicit_evidence_of_created_relationships_is_no_node_after_deletes() {
    let g = Graph::in_memory().unwrap();
    two_connected_and_one_alone(&g);
    g.query("match (n) detach delete n").unwrap();
    assert_eq!(one(&g, "match (n) return count(n)"), "0");
}

#[test]
fn the_written_note_says_what_changed() {
    let g = Graph::in_memory().unwrap();
    two_connected_and_one_alone(&g);
    let r = g.query("match (n:P {name: 'a'}) set n.age = 2 with n match (m {name: 'c'}) delete m").unwrap();
    let note = r.last().and_then(|r| r.note.clone()).unwrap_or_default();
    assert!(note.contains("1 entities deleted"), "{note}");
    assert!(note.contains("1 properties or labels changed"), "{note}");
}

#[test]
fn a_query_that_fails_after_its_delete_leaves_the_store_as_it_was() {
    let g = Graph::in_memory().unwrap();
    two_connected_and_one_alone(&g);
    let before = g.counts().unwrap();
    // The node is gone by the time `return` reads it: the query fails, and takes the
    // delete back with it.
    assert!(g.query("match (n:P {name: 'a'}) detach delete n return n.name").is_err());
    assert_eq!(g.counts().unwrap(), before);
    assert_eq!(one(&g, "match (a {name: 'a'})-[r:KNOWS {since: 2001}]->(b) return b.name"), "b");
    assert_eq!(g.lookup_ids("a").unwrap().len(), 1);
}

#[test]
fn a_query_that_fails_in_its_last_clause_keeps_none_of_its_creates_sets_and_deletes() {
    let g = Graph::in_memory().unwrap();
    two_connected_and_one_alone(&g);
    let before = g.counts().unwrap();
    let relations = g.relations();
    let q = "create (:New {name: 'x'})-[:FRESH]->(:New) \
             with 1 as one match (n:P {name: 'c'}) set n.age = 9, n.name = 'carol' \
             with n match (m:P {name: 'b'}) detach delete m \
             with m unwind [1, 0] as d return 10 / d";
    let e = g.query(q).unwrap_err();
    assert!(e.to_string().contains("division by zero"), "{e}");
    assert_eq!(g.counts().unwrap(), before);
    assert_eq!(g.relations(), relations, "the relation type the query introduced is gone too");
    assert_eq!(rows(&g, "match (n:P) return n.name + ':' + coalesce(n.age, '-')"), ["a:1", "b:-", "c:-"]);
    assert_eq!(one(&g, "match (n:New) return count(n)"), "0");
    assert_eq!(one(&g, "match ()-[r:KNOWS]->() return count(r)"), "1");
    assert!(g.check().unwrap().problems.is_empty());
    // The store goes on as before: new ids, new writes.
    g.query("create (:New {name: 'y'})-[:FRESH]->(:New)").unwrap();
    assert_eq!(one(&g, "match (:New)-[r:FRESH]->() return count(r)"), "1");
    assert!(g.check().unwrap().problems.is_empty());
}

#[test]
fn a_failed_merge_takes_back_the_rows_it_had_created() {
    let g = Graph::in_memory().unwrap();
    let before = g.counts().unwrap();
    // The first row creates, the second has a null property: an error, and the first
    // row's node goes too.
    assert!(g.query("unwind [1, null] as v merge (:M {v: v})").is_err());
    assert_eq!(g.counts().unwrap(), before);
}

#[test]
fn a_relationship_polarity_set_outside_its_vocabulary_is_refused() {
    let g = Graph::in_memory().unwrap();
    two_connected_and_one_alone(&g);
    let e = g.query("match ()-[r:KNOWS]->() set r.polarity = 'perhaps'").unwrap_err();
    assert!(e.to_string().contains("negated"), "the message lists the allowed values: {e}");
    assert_eq!(one(&g, "match ()-[r:KNOWS]->() return count(r)"), "1");
}

#[test]
fn the_type_of_a_deleted_relationship_still_answers_but_not_its_properties() {
    let g = Graph::in_memory().unwrap();
    two_connected_and_one_alone(&g);
    assert_eq!(one(&g, "match ()-[r:KNOWS]->() delete r return type(r)"), "KNOWS");
    two_connected_and_one_alone(&g);
    assert!(g.query("match ()-[r:KNOWS]->() delete r return r.since").is_err());
    assert_eq!(one(&g, "match ()-[r:KNOWS]->() return count(r)"), "1", "the failed query took its delete back");
}

#[test]
fn the_values_a_set_clause_writes_are_read_from_the_store_before_the_clause() {
    let g = Graph::in_memory().unwrap();
    g.query("create (:V {name: 'v', a: 0})").unwrap();
    g.query("match (n:V) set n.a = 1, n.b = n.a").unwrap();
    assert_eq!(one(&g, "match (n:V) return [n.a, n.b]"), "[1, 0]");
}

#[test]
fn a_list_property_is_stored_matched_and_read_back_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    {
        let g = Graph::open(&path).unwrap();
        g.query("create (:L {name: 'l', nums: [1, 2, 3]})").unwrap();
        g.query("match (n:L) set n.nums = n.nums + [4], n.tags = ['a', 'b']").unwrap();
    }
    let g = Graph::open(&path).unwrap();
    assert_eq!(one(&g, "match (n:L) return n.nums"), "[1, 2, 3, 4]");
    assert_eq!(one(&g, "match (n:L {tags: ['a', 'b']}) return size(n.tags)"), "2");
    assert_eq!(one(&g, "match (n:L) where 3 in n.nums return n.name"), "l");
    assert!(g.check().unwrap().problems.is_empty());
}

#[test]
fn a_list_property_of_mixed_types_nested_lists_or_nulls_is_refused() {
    let g = Graph::in_memory().unwrap();
    g.query("create (:L {name: 'l'})").unwrap();
    for bad in ["[1, 'a']", "[[1], [2]]", "[1, null]", "[{a: 1}]"] {
        let e = g.query(&format!("match (n:L) set n.x = {bad}")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Invalid, "{bad}: {e}");
    }
    assert_eq!(one(&g, "match (n:L) return keys(n)"), "['name']");
}

#[test]
fn a_parameter_for_a_patterns_properties_is_refused_before_running() {
    let g = Graph::in_memory().unwrap();
    for q in ["merge (n $p) return n", "match (n $p) return n", "match ()-[r $p]->() return r", "create (n $p)"] {
        let e = g.validate(q).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Invalid, "{q}: {e}");
        assert!(e.to_string().contains("{name: $name}"), "{q}: {e}");
    }
    assert_eq!(g.counts().unwrap().entities, 0);
}

//! A long adjacency list is kept decoded between reads (`Store::edges`); what it
//! answers must follow every commit, as a list read afresh does.

use factgraph_store::*;

#[test]
fn a_kept_long_list_follows_each_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("s"), &OpenOptions::default()).unwrap();
    let mut tx = store.transaction().unwrap();
    let doc = tx.create_document("d", Properties::new(), None).unwrap();
    let hub = tx.create_entity("Hub", "Person").unwrap();
    let others: Vec<EntityId> = (0..50).map(|i| tx.create_entity(&format!("P{i}"), "Person").unwrap()).collect();
    // Longer than the lists kept decoded must be (4,096).
    for i in 0..5000 {
        let rel = format!("r{}", i / 50);
        tx.add_statement(NewStatement::new(hub, &rel, others[i % 50], Evidence::new(doc, format!("q{i}")))).unwrap();
    }
    tx.commit().unwrap();
    let out = |store: &Store| store.edges(Node::Entity(hub), Direction::Out).unwrap();
    assert_eq!(out(&store).len(), 5000);
    assert_eq!(out(&store).len(), 5000, "the kept list, read again");

    // A commit that adds to the list, and one that takes from it.
    let mut tx = store.transaction().unwrap();
    tx.add_statement(NewStatement::new(hub, "new", others[0], Evidence::new(doc, "new one"))).unwrap();
    tx.commit().unwrap();
    let after = out(&store);
    assert_eq!(after.len(), 5001);
    let added = after.iter().find(|e| store.relation_id("new") == Some(e.relation)).expect("the new statement");
    let mut tx = store.transaction().unwrap();
    tx.retract(added.statement).unwrap();
    tx.commit().unwrap();
    assert_eq!(out(&store).len(), 5000);
}

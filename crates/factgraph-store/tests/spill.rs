//! Transactions that write their records ahead of the commit (bulk loads that spill,
//! see `txn.rs`): they commit the same store as one held in memory, stay invisible
//! to other threads until they commit, and leave nothing behind when dropped or when
//! the process dies, on real sled directories.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use factgraph_store::*;

fn open(path: &Path) -> Store {
    Store::open(path, &OpenOptions::default()).expect("open store")
}

fn export(store: &Store) -> String {
    let mut out = Vec::new();
    export_jsonl(store, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Commits `tx`, checks the store, and says what it holds: its export, and how many
/// entities each of `names` finds.
fn commit_and_find(store: &Store, tx: Transaction<'_>, names: &[&str]) -> (String, Vec<usize>) {
    tx.commit().unwrap();
    assert!(store.check().unwrap().is_ok());
    (export(store), names.iter().map(|n| store.lookup(n).unwrap().len()).collect())
}

/// A load of `n` statements over a handful of people and two documents, with repeats
/// (the same claim from the other document merges as evidence) and aliases.
fn load(tx: &mut Transaction<'_>, tag: &str, n: usize) {
    let a = tx.create_document(&format!("{tag}-a"), Properties::new(), Some(format!("{tag} text a"))).unwrap();
    let b = tx.create_document(&format!("{tag}-b"), Properties::new(), None).unwrap();
    let people: Vec<EntityId> =
        (0..20).map(|i| tx.create_entity(&format!("{tag} person {i}"), "Person").unwrap()).collect();
    for (i, p) in people.iter().enumerate() {
        tx.add_alias(*p, &format!("{tag} p{i}"), Some(a)).unwrap();
    }
    for i in 0..n {
        let (s, o) = (people[i % 20], people[(i * 7 + 3) % 20]);
        let rel = ["met", "called", "accused"][i % 3];
        tx.add_statement(NewStatement::new(s, rel, o, Evidence::new(a, format!("{tag} quote {i}")))).unwrap();
        if i % 4 == 0 {
            // The same claim again, from the other document, much later.
            let j = i / 2;
            let (s, o) = (people[j % 20], people[(j * 7 + 3) % 20]);
            let rel = ["met", "called", "accused"][j % 3];
            tx.add_statement(NewStatement::new(s, rel, o, Evidence::new(b, format!("{tag} again {j}")))).unwrap();
        }
    }
}

/// A store with some data committed the ordinary way.
fn seeded(path: &Path) -> Store {
    let store = open(path);
    let mut tx = store.transaction().unwrap();
    load(&mut tx, "old", 50);
    tx.commit().unwrap();
    store
}

#[test]
fn a_load_that_spills_commits_the_same_store_as_one_held_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let exports: Vec<String> = [usize::MAX, 0, 4096]
        .into_iter()
        .map(|spill| {
            let store = seeded(&dir.path().join(format!("s{spill}")));
            let mut tx = store.transaction().unwrap();
            tx.set_spill_bytes(spill);
            load(&mut tx, "new", 600);
            assert_eq!(tx.has_spilled(), spill != usize::MAX);
            tx.commit().unwrap();
            assert!(store.check().unwrap().is_ok());
            export(&store)
        })
        .collect();
    assert!(exports[0].contains("new again 150"));
    assert_eq!(exports[1], exports[0], "spilling before every operation");
    assert_eq!(exports[2], exports[0], "spilling now and then");
}

#[test]
fn spilling_on_request_between_phases_commits_the_same_store_and_an_empty_one_spills_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let exports: Vec<String> = [false, true]
        .into_iter()
        .map(|now| {
            let store = seeded(&dir.path().join(format!("s{now}")));
            let mut tx = store.transaction().unwrap();
            tx.spill_now().unwrap();
            assert!(!tx.has_spilled(), "nothing to write");
            load(&mut tx, "new", 10);
            if now {
                tx.spill_now().unwrap();
                assert!(tx.has_spilled());
            }
            // Names written ahead are found as the ones held are, and new ones merge
            // with them.
            assert_eq!(tx.lookup("new person 3").unwrap().len(), 1);
            let again = tx.create_entity("new person 3", "Person").unwrap();
            assert_eq!(tx.lookup("NEW person 3").unwrap().len(), 2);
            tx.delete_entity(again).unwrap();
            assert_eq!(tx.lookup("new person 3").unwrap().len(), 1);
            load(&mut tx, "more", 300);
            tx.commit().unwrap();
            assert!(store.check().unwrap().is_ok());
            export(&store)
        })
        .collect();
    assert_eq!(exports[1], exports[0]);
}

#[test]
fn a_dropped_load_that_spilled_leaves_the_store_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded(dir.path());
    let before = export(&store);
    {
        let mut tx = store.transaction().unwrap();
        tx.set_spill_bytes(2048);
        load(&mut tx, "new", 300);
        assert!(tx.has_spilled());
    }
    assert_eq!(export(&store), before);
    assert!(store.check().unwrap().is_ok());
    drop(store);
    assert_eq!(export(&open(dir.path())), before, "after a reopen");
}

#[test]
fn a_store_left_in_the_middle_of_a_spilling_load_is_rolled_back_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let before = export(&seeded(dir.path()));
    {
        let store = open(dir.path());
        let mut tx = store.transaction().unwrap();
        tx.set_spill_bytes(2048);
        load(&mut tx, "new", 300);
        assert!(tx.has_spilled());
        // What a kill leaves: the spilled batches, never the commit, no rollback.
        std::mem::forget(tx);
    }
    let store = open(dir.path());
    assert_eq!(export(&store), before);
    assert!(store.check().unwrap().is_ok());
    // And the store takes a load as usual afterwards.
    let mut tx = store.transaction().unwrap();
    tx.set_spill_bytes(2048);
    load(&mut tx, "new", 300);
    tx.commit().unwrap();
    assert!(export(&store).contains("new again 100"));
}

#[test]
fn other_threads_wait_for_a_spilling_load_and_then_see_all_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded(dir.path());
    let before = store.counts().unwrap();
    std::thread::scope(|scope| {
        let mut tx = store.transaction().unwrap();
        tx.set_spill_bytes(2048);
        load(&mut tx, "new", 300);
        assert!(tx.has_spilled());
        let (send, seen) = mpsc::channel();
        let reader = &store;
        scope.spawn(move || {
            let counts = reader.counts().unwrap();
            send.send((counts, reader.lookup("new person 3").unwrap().len())).unwrap();
        });
        assert!(seen.recv_timeout(Duration::from_millis(300)).is_err(), "a reader got past an uncommitted load");
        let after = tx.commit().unwrap();
        let (counts, found) = seen.recv_timeout(Duration::from_secs(10)).expect("the reader goes on after the commit");
        assert_ne!(counts, before);
        assert_eq!(counts, after);
        assert_eq!(found, 1);
    });
}

/// A long answer's reader keeps the blocks of records it read (`EntitiesRead`): a
/// load that spills into those blocks must not be shown through them, nor hidden by
/// them once committed. The reader waits for the commit, then shows the new entity.
#[test]
fn a_reader_keeping_blocks_waits_for_a_spilling_load_and_then_sees_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded(dir.path());
    let last = store.entities().map(|e| e.unwrap().id).max().unwrap();
    let next = EntityId(last.0 + 1);
    let mut reader = store.entities_read();
    assert!(reader.entity_name(last).unwrap().is_some());
    assert_eq!(reader.entity_name(next).unwrap(), None, "not there yet, and its block is kept");
    std::thread::scope(|scope| {
        let mut tx = store.transaction().unwrap();
        tx.set_spill_bytes(2048);
        load(&mut tx, "new", 300);
        assert!(tx.has_spilled());
        let (send, seen) = mpsc::channel();
        scope.spawn(move || {
            send.send(reader.entity_name(next).unwrap()).unwrap();
        });
        assert!(seen.recv_timeout(Duration::from_millis(300)).is_err(), "a reader got past an uncommitted load");
        tx.commit().unwrap();
        let name = seen.recv_timeout(Duration::from_secs(10)).expect("the reader goes on after the commit");
        assert_eq!(name.as_deref(), Some("new-a"));
    });
}

#[test]
fn a_read_beside_a_spilling_load_on_its_own_thread_is_refused_not_shown_uncommitted_data() {
    let store = Store::in_memory().unwrap();
    let mut tx = store.transaction().unwrap();
    tx.set_spill_bytes(0);
    load(&mut tx, "new", 10);
    assert!(tx.has_spilled());
    let e = store.counts().unwrap_err();
    assert!(matches!(e, StoreError::SpillInProgress), "{e}");
    assert!(store.entities().next().unwrap().is_err());
    // Through the transaction, its own writes read fine.
    assert_eq!(tx.lookup("new person 3").unwrap().len(), 1);
    drop(tx);
    assert_eq!(store.counts().unwrap(), Counts::default());
}

/// A spill of many names (a load's names before its statements) writes their run on a
/// thread of its own while the load goes on: names added after it (new ones, a name
/// it holds given to another entity, an alias of an entity it named), a lookup while
/// it may still be writing, a second such spill (also straight after the first), and
/// the commit (also straight after one) leave the same store as a load held in memory;
/// a transaction dropped while the thread writes leaves nothing.
#[test]
fn names_written_beside_a_load_commit_as_a_load_held_in_memory() {
    const NAMES: usize = 20_000; // past the spill's mark for writing names beside it
    let dir = tempfile::tempdir().unwrap();
    let results: Vec<(String, Vec<usize>)> = [false, true]
        .into_iter()
        .map(|spill| {
            let store = open(&dir.path().join(format!("beside-{spill}")));
            let mut tx = store.transaction().unwrap();
            if !spill {
                tx.set_spill_bytes(usize::MAX);
            }
            let doc = tx.create_document("https://irna.ir/a/1", Properties::new(), None).unwrap();
            let mut first = Vec::new();
            for round in 0..2 {
                for i in 0..NAMES {
                    let e = tx.create_entity(&format!("person {round} {i}"), "Person").unwrap();
                    tx.add_alias(e, &format!("alias {i}"), None).unwrap();
                    if i == 0 {
                        first.push(e);
                    }
                }
                if spill {
                    tx.spill_now().unwrap();
                }
                // Added while the names may still be on their way to a run.
                let late = tx.create_entity("person 0 7", "Person").unwrap();
                tx.add_alias(first[0], &format!("late {round}"), Some(doc)).unwrap();
                tx.add_statement(NewStatement::new(late, "met", first[round], Evidence::new(doc, "met"))).unwrap();
                assert_eq!(tx.lookup("Person 0 7").unwrap().len(), round + 2);
            }
            assert_eq!(tx.lookup("alias 9").unwrap().len(), 2);
            commit_and_find(&store, tx, &["person 0 7", "alias 19999", "late 1", "person 1 0", "nobody"])
        })
        .collect();
    assert_eq!(results[0].1, [3, 2, 1, 1, 0]);
    assert_eq!(results[1], results[0]);

    // Two such spills back to back (the second waits for the first's thread) and the
    // commit straight after the second (it waits for that one): new entities' names
    // are listed without reading anything, so nothing joins before.
    let in_a_row: Vec<(String, Vec<usize>)> = [false, true]
        .into_iter()
        .map(|spill| {
            let store = open(&dir.path().join(format!("in-a-row-{spill}")));
            let mut tx = store.transaction().unwrap();
            if !spill {
                tx.set_spill_bytes(usize::MAX);
            }
            for round in 0..2 {
                for i in 0..NAMES {
                    tx.create_entity(&format!("row {round} {i}"), "Person").unwrap();
                }
                tx.create_entity("in both rounds", "Person").unwrap();
                if spill {
                    tx.spill_now().unwrap();
                }
            }
            commit_and_find(&store, tx, &["row 0 7", "row 1 19999", "in both rounds"])
        })
        .collect();
    assert_eq!(in_a_row[0].1, [1, 1, 2]);
    assert_eq!(in_a_row[1], in_a_row[0]);

    let store = open(&dir.path().join("dropped"));
    let mut tx = store.transaction().unwrap();
    for i in 0..NAMES {
        tx.create_entity(&format!("person {i}"), "Person").unwrap();
    }
    tx.spill_now().unwrap();
    drop(tx);
    assert_eq!(store.counts().unwrap(), Counts::default());
    assert!(store.lookup("person 7").unwrap().is_empty());
    assert!(store.check().unwrap().is_ok());
}

/// A new store's names, written at spills to runs and merged into their buckets once:
/// the same name given to entities in different spills, aliases added after their
/// entity's names went, and a lookup in the middle (which merges the runs so far)
/// leave the same store, and find the same entities, as a load held in memory.
#[test]
fn names_spilled_to_runs_in_a_new_store_commit_as_a_load_held_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let results: Vec<(String, Vec<usize>)> = [(usize::MAX, false), (0, false), (0, true), (4096, true)]
        .into_iter()
        .map(|(spill, look)| {
            let store = open(&dir.path().join(format!("n{spill}-{look}")));
            let mut tx = store.transaction().unwrap();
            tx.set_spill_bytes(spill);
            let mut shared = Vec::new();
            for round in 0..3 {
                shared.push(tx.create_entity("Shared Name", "Person").unwrap());
                for i in 0..200 {
                    let e = tx.create_entity(&format!("person {round} {i}"), "Person").unwrap();
                    tx.add_alias(e, &format!("alias {i}"), None).unwrap();
                }
                if look && round == 1 {
                    assert_eq!(tx.lookup("shared name").unwrap().len(), 2);
                    assert_eq!(tx.lookup("ALIAS 7").unwrap().len(), 2);
                }
                tx.add_alias(shared[0], &format!("first of {round}"), None).unwrap();
            }
            assert_eq!(tx.lookup("Shared Name").unwrap(), shared);
            commit_and_find(&store, tx, &["Shared Name", "alias 7", "first of 2", "person 2 199", "nobody"])
        })
        .collect();
    assert_eq!(results[0].1, [3, 3, 1, 1, 0]);
    for (i, r) in results.iter().enumerate().skip(1) {
        assert_eq!(r, &results[0], "variant {i}");
    }
}

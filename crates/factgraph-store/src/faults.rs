//! The write path under injected engine faults (`kv::faulty`): a commit that fails at
//! any engine operation leaves nothing of its batch applied, in memory or on disk, and
//! a store whose engine cannot be put back as it was refuses to serve what it holds.

use std::sync::Arc;

use crate::error::StoreError;
use crate::kv::faulty::{dump, Fault, FaultyKv};
use crate::kv::{Engine, Kv, MemoryKv, SledKv};
use crate::model::{Evidence, NewStatement, Properties};
use crate::store::Store;

/// A store over `kv` with a document, two people and a statement.
fn seeded<K: Kv + 'static>(kv: &Arc<K>, engine: Engine) -> Store {
    let store = Store::with_engine(Box::new(kv.clone()), engine, None, None, false);
    store.check_format(true).unwrap();
    seed(&store);
    store
}

/// The document, people and statement `seeded` stores hold.
fn seed(store: &Store) {
    let mut tx = store.transaction().unwrap();
    let doc = tx.create_document("first", Properties::new(), Some("Alice met Bob.".into())).unwrap();
    let alice = tx.create_entity("Alice", "Person").unwrap();
    let bob = tx.create_entity("Bob", "Person").unwrap();
    tx.add_statement(NewStatement::new(alice, "met", bob, Evidence::new(doc, "Alice met Bob"))).unwrap();
    tx.commit().unwrap();
}

/// A batch touching every kind of key: records, names, texts, a new relation, lists,
/// adjacency and counters, in blocks that exist already and in new ones; with `spill`
/// 0 it writes its records ahead of the commit before every operation (a bulk load's
/// path, see `txn.rs`), and merges evidence into a statement already stored; with a
/// `batch` of bytes, its batches written ahead are that small (one per block), and
/// every spill's names are written on a thread of their own (joined at the next
/// spill, lookup or the commit).
fn a_batch(store: &Store, (spill, batch): (usize, Option<usize>)) -> crate::error::Result<()> {
    let mut tx = store.transaction()?;
    tx.set_spill_bytes(spill);
    if let Some(batch) = batch {
        tx.set_batch_bytes(batch);
        tx.set_names_beside(1);
    }
    let doc = tx.create_document("second", Properties::new(), Some("Carol called Alice.".into()))?;
    let carol = tx.create_entity("Carol", "Person")?;
    let alice = tx.lookup("alice")?[0];
    tx.add_alias(alice, "Al", Some(doc))?;
    tx.add_statement(NewStatement::new(carol, "called", alice, Evidence::new(doc, "Carol called Alice")))?;
    let bob = tx.lookup("bob")?[0];
    tx.add_statement(NewStatement::new(alice, "met", bob, Evidence::new(doc, "Alice")))?;
    tx.commit()?;
    Ok(())
}

/// The spill marks (and batch sizes) the fault tests run with: hold everything, spill
/// always, and spill always in batches of a block each with the names beside.
const SPILLS: [(usize, Option<usize>); 3] = [(usize::MAX, None), (0, None), (0, Some(1))];

/// Walks a one-off fault through every engine operation of `a_batch`, on the memory
/// engine: whichever fails, the engine's contents are exactly as before, the store
/// reads as before and checks clean, and the same batch then commits.
#[test]
fn a_commit_failing_at_any_engine_operation_leaves_nothing_applied() {
    for (fault, spill) in [Fault::Error, Fault::PartialApply].into_iter().flat_map(|f| SPILLS.map(|s| (f, s))) {
        let mut failures = 0;
        for n in 0.. {
            let kv = Arc::new(FaultyKv::new(MemoryKv::new()));
            let store = seeded(&kv, Engine::Memory);
            let before = dump(&*kv);
            kv.fail_once_after(n, fault);
            let result = a_batch(&store, spill);
            kv.heal();
            if result.is_ok() {
                break;
            }
            failures += 1;
            let at = format!("{fault:?} at operation {n}, spill mark and batch {spill:?}");
            assert!(dump(&*kv) == before, "{at}: the engine holds part of the batch");
            assert!(store.lookup("carol").unwrap().is_empty(), "{at}");
            assert!(store.check().unwrap().is_ok(), "{at}");
            a_batch(&store, spill).unwrap_or_else(|e| panic!("{at}: the store is still usable: {e}"));
            assert_eq!(store.lookup("carol").unwrap().len(), 1);
            let alice = store.lookup("alice").unwrap()[0];
            let met = store.statements_of(alice.into(), crate::model::Direction::Out).unwrap();
            assert_eq!(store.statement(met[0]).unwrap().unwrap().evidence.len(), 2, "{at}: the merged evidence");
        }
        assert!(failures > 10, "{fault:?}: the fault reached only {failures} operations");
    }
}

/// The same on sled, and across a reopen: what a failed commit leaves in memory must
/// not reach the disk later (sled's flusher, or its flush when the handle drops).
#[test]
fn a_failed_commit_on_sled_leaves_nothing_after_a_reopen() {
    for (fault, spill) in [Fault::Error, Fault::PartialApply].into_iter().flat_map(|f| SPILLS.map(|s| (f, s))) {
        for n in 0.. {
            let dir = tempfile::tempdir().unwrap();
            let kv = Arc::new(FaultyKv::new(SledKv::open(dir.path(), 1 << 20).unwrap()));
            let store = seeded(&kv, Engine::Sled);
            let before = dump(&*kv);
            kv.fail_once_after(n, fault);
            let result = a_batch(&store, spill);
            kv.heal();
            if result.is_ok() {
                break;
            }
            let at = format!("{fault:?} at operation {n}, spill mark and batch {spill:?}");
            assert!(dump(&*kv) == before, "{at}, before the reopen");
            drop(store);
            drop(kv);
            let reopened = Arc::new(SledKv::open(dir.path(), 1 << 20).unwrap());
            let store = Store::with_engine(Box::new(reopened.clone()), Engine::Sled, None, None, false);
            store.settle_journal().unwrap();
            assert!(dump(&*reopened) == before, "{at}, after the reopen");
        }
    }
}

/// When the engine keeps failing, the batch cannot be taken back out: the store then
/// refuses every read and write, saying to reopen it, instead of serving part of a
/// batch that was reported as failed.
#[test]
fn a_store_that_cannot_undo_a_failed_commit_refuses_to_serve_it() {
    let kv = Arc::new(FaultyKv::new(MemoryKv::new()));
    let store = seeded(&kv, Engine::Memory);
    // Fail from the flush that follows the apply: count the operations of a commit
    // first, on a twin.
    let twin = Arc::new(FaultyKv::new(MemoryKv::new()));
    let twin_store = seeded(&twin, Engine::Memory);
    let start = twin.ops();
    a_batch(&twin_store, (usize::MAX, None)).unwrap();
    let flush_at = twin.ops() - start - 1;
    kv.fail_from(flush_at, Fault::Error);
    let err = a_batch(&store, (usize::MAX, None)).unwrap_err();
    assert!(matches!(err, StoreError::CommitUncertain { .. }), "{err}");
    assert!(err.to_string().contains("reopen"), "{err}");
    kv.heal();
    for e in [
        store.lookup("carol").map(|_| ()).unwrap_err(),
        store.counts().map(|_| ()).unwrap_err(),
        store.transaction().map(|_| ()).unwrap_err(),
    ] {
        assert!(matches!(&e, StoreError::Engine(m) if m.contains("reopen")), "{e}");
    }
    assert!(store.entities().next().unwrap().is_err());
}

/// An open reads the undo journal only when a mark says there may be one (a scan for
/// it read and decompressed a whole engine page on every open): a committed spill
/// leaves neither journal nor mark, and a commit stopped before it removed its
/// journal leaves the mark, so the next open still removes it.
#[test]
fn the_journal_and_its_marks_go_together() {
    use crate::keys;
    let dir = tempfile::tempdir().unwrap();
    let leftovers = |kv: &dyn Kv| -> Vec<Vec<u8>> {
        dump(kv)
            .into_iter()
            .map(|(k, _)| k)
            .filter(|k| k.first() == Some(&keys::UNDO) || k == keys::META_SPILLING || k == keys::META_JOURNAL)
            .collect()
    };
    let path = dir.path().join("store");
    {
        let store = Store::open(&path, &crate::store::OpenOptions::default()).unwrap();
        seed(&store);
        a_batch(&store, (0, None)).unwrap();
        assert_eq!(leftovers(&store.kv), Vec::<Vec<u8>>::new(), "a committed spill");
        // What a commit stopped before removing its journal leaves.
        store
            .kv
            .apply(vec![(keys::undo(b"Xkey"), Some(vec![0])), (keys::META_JOURNAL.to_vec(), Some(vec![1]))])
            .unwrap();
        store.kv.flush().unwrap();
    }
    let store = Store::open(&path, &crate::store::OpenOptions { create: false, ..Default::default() }).unwrap();
    assert_eq!(leftovers(&store.kv), Vec::<Vec<u8>>::new(), "after the next open");
}

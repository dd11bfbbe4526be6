//! What a crash, a kill or a leftover file can do to a store on real sled
//! directories, and what opening it afterwards must show: the data as it was last
//! committed, or a clear error, never a store that stops opening.

use std::fs;
use std::path::Path;

use factgraph_store::*;

fn open(path: &Path) -> Store {
    Store::open(path, &OpenOptions::default()).expect("open store")
}

/// Commits one entity called `name`.
fn write(store: &Store, name: &str) {
    let mut tx = store.transaction().unwrap();
    tx.create_entity(name, "Thing").unwrap();
    tx.commit().unwrap();
}

/// sled 0.34.7 writes a snapshot as `snap.<lsn>.generating`, then renames it. Its
/// snapshot search skips only `*.in___motion`, so a file cut off by a kill, a power
/// cut or a full disk was read as the newest snapshot and every later open said
/// "damaged". The data is in the log: the temporary is removed before sled looks.
#[test]
fn a_cut_off_sled_snapshot_does_not_brick_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    write(&open(&path), "Alpha");
    // The first open after a write is the one that snapshots.
    drop(open(&path));
    for stale in ["snap.FFFFFFFFFFFFFFFF.generating", "snap.0000000000000001.generating"] {
        fs::write(path.join("sled").join(stale), b"cut off").unwrap();
    }
    fs::write(path.join("sled").join("snap.FFFFFFFFFFFFFFFF.in___motion"), b"").unwrap();
    let store = Store::open(&path, &OpenOptions::default()).expect("the store opens");
    assert_eq!(store.lookup("alpha").unwrap().len(), 1);
    assert!(store.check().unwrap().is_ok());
    let left: Vec<String> = fs::read_dir(path.join("sled"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".generating") || n.ends_with(".in___motion"))
        .collect();
    assert_eq!(left, Vec::<String>::new(), "the temporaries are gone");
}

/// The empty file of a snapshot cut off before its first byte is the same case.
#[test]
fn an_empty_snapshot_temporary_is_removed_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    write(&open(&path), "Alpha");
    fs::File::create(path.join("sled").join("snap.FFFFFFFFFFFFFFFF.generating")).unwrap();
    let store = Store::open(&path, &OpenOptions::default()).expect("the store opens");
    assert_eq!(store.lookup("alpha").unwrap().len(), 1);
}

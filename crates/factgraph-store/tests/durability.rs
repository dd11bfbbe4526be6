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

/// A copy of the format-1 showcase store (`tests/fixtures/showcase-v1`): an engine
/// made before values were packed, whose log sled compresses.
fn sled_compressed_store(path: &Path) {
    fn copy_dir(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for e in fs::read_dir(from).unwrap().flatten() {
            let target = to.join(e.file_name());
            if e.path().is_dir() {
                copy_dir(&e.path(), &target);
            } else {
                fs::copy(e.path(), target).unwrap();
            }
        }
    }
    copy_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/showcase-v1")), path);
}

/// Damages the length that ends the newest sled snapshot in `path`.
fn damage_snapshot_length(path: &Path) {
    let mut snaps: Vec<_> = fs::read_dir(path.join("sled"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("snap."))
        .collect();
    snaps.sort();
    let newest = snaps.pop().expect("a snapshot");
    let mut bytes = fs::read(&newest).unwrap();
    let at = bytes.len() - 12 + 4;
    bytes[at] = 0xF0;
    fs::write(&newest, &bytes).unwrap();
}

/// sled 0.34.7 ends its snapshot file with the snapshot's uncompressed length, which
/// its checksum does not cover, and allocates that much before decompressing: one
/// damaged byte there made the process abort ("memory allocation of 1030792151244
/// bytes failed", found by tests/fuzz.rs). In an engine sled compresses (stores made
/// before values were packed), it is refused as damage before sled reads it, and the
/// process lives on.
#[test]
fn a_snapshot_with_a_damaged_length_is_refused_not_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    sled_compressed_store(&path);
    drop(open(&path));
    damage_snapshot_length(&path);
    for read_only in [false, true] {
        let err = Store::open(&path, &OpenOptions { create: false, read_only, ..Default::default() }).unwrap_err();
        assert!(matches!(err, StoreError::Damaged { .. }), "{err}");
        assert!(err.to_string().contains("snapshot"), "{err}");
    }
}

/// Where sled does not compress (every new store: values are packed by the store),
/// it reads the snapshot as it is and never uses that length: the store opens whole.
#[test]
fn a_damaged_snapshot_length_is_harmless_where_sled_does_not_compress() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    write(&open(&path), "Alpha");
    drop(open(&path));
    damage_snapshot_length(&path);
    let store = open(&path);
    assert_eq!(store.lookup("alpha").unwrap().len(), 1);
    assert!(store.check().unwrap().is_ok());
}

/// A FIFO as the newest snapshot made every open wait forever (the snapshot check read
/// it, then sled would have): it is refused as damaged, read-only or not.
#[cfg(unix)]
#[test]
fn a_fifo_as_the_newest_snapshot_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    write(&open(&path), "Alpha");
    drop(open(&path));
    let newest = path.join("sled").join("snap.FFFFFFFFFFFFFFFF");
    // Made here, not by `mkfifo`: a child process holds every descriptor of ours
    // until it execs, other tests' store locks included.
    nix::unistd::mkfifo(&newest, nix::sys::stat::Mode::S_IRWXU).unwrap();
    for read_only in [false, true] {
        let (tx, rx) = std::sync::mpsc::channel();
        let opened = path.clone();
        std::thread::spawn(move || {
            let out = Store::open(&opened, &OpenOptions { create: false, read_only, ..Default::default() });
            let _ = tx.send(out.err().map(|e| (matches!(e, StoreError::Damaged { .. }), e.to_string())));
        });
        let answer = rx.recv_timeout(std::time::Duration::from_secs(30)).expect("the open waited on a FIFO");
        let (damaged, message) = answer.expect("the open was refused");
        assert!(damaged && message.contains("not a regular file"), "{message}");
    }
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// A new store is built beside its final place and renamed into it, so the
/// directory holds either nothing or a complete store, and no temporary is left.
#[test]
fn a_created_store_appears_complete_and_leaves_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let store = Store::create_with(&path, &OpenOptions::default(), |store| {
        // Inside the fill, the final directory does not exist yet.
        assert!(!dir.path().join("db").exists());
        write(&store, "Alpha");
        Ok::<_, StoreError>(store)
    })
    .unwrap();
    assert_eq!(store.path(), Some(path.as_path()));
    assert_eq!(store.lookup("alpha").unwrap().len(), 1);
    write(&store, "Beta");
    drop(store);
    assert_eq!(names(dir.path()), vec!["db"]);
    assert_eq!(names(&path), vec!["FACTGRAPH", "LOCK", "sled"]);
    let store = open(&path);
    assert_eq!(store.counts().unwrap().entities, 2);
}

/// A fill that fails leaves no store and no temporary; a later open creates afresh.
#[test]
fn a_creation_whose_fill_fails_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let err = Store::create_with(&path, &OpenOptions::default(), |store| {
        write(&store, "Alpha");
        Err::<Store, _>(StoreError::Invalid("the fill failed".into()))
    })
    .unwrap_err();
    assert!(err.to_string().contains("the fill failed"), "{err}");
    assert_eq!(names(dir.path()), Vec::<String>::new());
    assert_eq!(open(&path).counts().unwrap().entities, 0);
}

/// An existing store is opened as it is: the fill runs only for a store being created.
#[test]
fn the_fill_runs_only_when_the_store_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    write(&open(&path), "Alpha");
    let store =
        Store::create_with(&path, &OpenOptions::default(), |_| -> Result<Store> { panic!("not a new store") }).unwrap();
    assert_eq!(store.counts().unwrap().entities, 1);
}

/// An empty directory (made by the user, or a mount point's) becomes the store.
#[test]
fn an_empty_directory_becomes_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    fs::create_dir(&path).unwrap();
    write(&open(&path), "Alpha");
    assert_eq!(names(dir.path()), vec!["db"]);
    assert_eq!(open(&path).counts().unwrap().entities, 1);
}

/// What a process killed while creating leaves beside the store (its temporary
/// directory, whose LOCK nobody holds any more) is removed by the next creation.
#[test]
fn an_abandoned_creation_directory_is_removed_by_the_next_creation() {
    let dir = tempfile::tempdir().unwrap();
    let abandoned = dir.path().join(".db.creating-999999999");
    fs::create_dir_all(abandoned.join("sled")).unwrap();
    fs::write(abandoned.join("LOCK"), b"").unwrap();
    fs::write(abandoned.join("FACTGRAPH"), b"factgraph store\nformat 1\nengine sled\n").unwrap();
    let before_lock = dir.path().join(".db.creating-999999998");
    fs::create_dir(&before_lock).unwrap();
    // Another store's temporary is not ours to remove.
    let other = dir.path().join(".other.creating-999999999");
    fs::create_dir(&other).unwrap();
    write(&open(&dir.path().join("db")), "Alpha");
    assert_eq!(names(dir.path()), vec![".other.creating-999999999", "db"]);
}

/// A creation still under way holds its temporary's LOCK: a second creator leaves it
/// alone.
#[test]
fn a_creation_under_way_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let busy = dir.path().join(".db.creating-999999999");
    fs::create_dir(&busy).unwrap();
    let lock = fs::File::create(busy.join("LOCK")).unwrap();
    lock.lock().unwrap();
    drop(open(&dir.path().join("db")));
    assert!(busy.join("LOCK").exists());
}

/// Earlier versions created a store in place and could be killed after taking the
/// LOCK or while writing the marker. Such a directory never held data: creating
/// there cleans it, and a read-only open says what it is.
#[test]
fn an_interrupted_creation_in_place_is_recognised_and_cleaned() {
    for leftovers in [&["LOCK"][..], &["FACTGRAPH.tmp"], &["LOCK", "FACTGRAPH.tmp"]] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        fs::create_dir(&path).unwrap();
        for f in leftovers {
            fs::write(path.join(f), b"factgraph store\nfor").unwrap();
        }
        let read_only = OpenOptions { read_only: true, ..OpenOptions::default() };
        let err = Store::open(&path, &read_only).unwrap_err();
        assert!(matches!(err, StoreError::Unfinished { .. }), "{leftovers:?}: {err}");
        assert!(err.to_string().contains("interrupted"), "{err}");
        assert_eq!(names(&path).len(), leftovers.len(), "a read-only open changes nothing");
        write(&open(&path), "Alpha");
        assert_eq!(names(&path), vec!["FACTGRAPH", "LOCK", "sled"]);
        assert_eq!(open(&path).counts().unwrap().entities, 1);
    }
}

/// Earlier versions wrote the marker, then opened sled, then the format key: a kill
/// between the two left a store with an empty engine and no format key, which
/// "never opens again". Nothing was ever committed to it, so it is completed.
#[test]
fn a_store_killed_before_its_format_key_is_completed_not_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    fs::create_dir(&path).unwrap();
    fs::write(path.join("FACTGRAPH"), b"factgraph store\nformat 1\nengine sled\n").unwrap();
    drop(SledKv::open(&path.join("sled"), 1 << 20).unwrap());
    let read_only = OpenOptions { read_only: true, ..OpenOptions::default() };
    assert!(matches!(Store::open(&path, &read_only), Err(StoreError::Unfinished { .. })));
    write(&open(&path), "Alpha");
    assert_eq!(open(&path).counts().unwrap().entities, 1);
}

/// A regular file is not a store, and the message says it is a file.
#[test]
fn a_regular_file_is_called_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    fs::write(&file, "mine").unwrap();
    let err = Store::open(&file, &OpenOptions::default()).unwrap_err();
    assert!(matches!(err, StoreError::NotADirectory { .. }), "{err}");
    assert!(err.to_string().contains("is a file, not a directory"), "{err}");
    assert_eq!(fs::read(&file).unwrap(), b"mine");
}

/// The directory itself stays: it may be a mount point (which cannot be renamed over)
/// or the current directory of the user's shell (which a rename would leave pointing
/// at a deleted directory).
#[test]
fn an_empty_directory_becomes_the_store_in_place() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    fs::create_dir(&path).unwrap();
    let inode = fs::metadata(&path).unwrap().ino();
    let store = Store::create_with(&path, &OpenOptions::default(), |store| {
        write(&store, "Alpha");
        Ok::<_, StoreError>(store)
    })
    .unwrap();
    assert_eq!(fs::metadata(&path).unwrap().ino(), inode, "the same directory");
    assert_eq!(store.lookup("alpha").unwrap().len(), 1);
    drop(store);
    assert_eq!(names(&path), vec!["FACTGRAPH", "LOCK", "sled"]);
    assert_eq!(names(dir.path()), vec!["db"]);
}

/// A creation in place killed while moving the engine in, before the marker: the
/// directory holds `LOCK`, `sled/` and the temporary with the marker still in it. That
/// is recognised as ours and unfinished; the same without the temporary's marker is
/// not ours and is left alone.
#[test]
fn a_creation_in_place_killed_while_moving_in_is_recognised_and_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    fs::create_dir_all(path.join("sled")).unwrap();
    fs::write(path.join("sled").join("db"), b"half").unwrap();
    fs::write(path.join("LOCK"), b"").unwrap();
    fs::create_dir(path.join(".creating-999999999")).unwrap();
    fs::write(path.join(".creating-999999999").join("FACTGRAPH"), b"factgraph store\nformat 1\nengine sled\n").unwrap();
    let read_only = OpenOptions { read_only: true, ..OpenOptions::default() };
    assert!(matches!(Store::open(&path, &read_only), Err(StoreError::Unfinished { .. })));
    write(&open(&path), "Alpha");
    assert_eq!(names(&path), vec!["FACTGRAPH", "LOCK", "sled"]);
    assert_eq!(open(&path).counts().unwrap().entities, 1);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    fs::create_dir_all(path.join("sled")).unwrap();
    fs::write(path.join("LOCK"), b"").unwrap();
    assert!(matches!(Store::open(&path, &OpenOptions::default()), Err(StoreError::Foreign { .. })));
    assert_eq!(names(&path), vec!["LOCK", "sled"]);
}

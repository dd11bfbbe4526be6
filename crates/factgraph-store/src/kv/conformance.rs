//! One suite of behaviour every engine must show, run against each engine: point
//! reads, batches (atomic, in order, deletes), prefix scans (key order, bounds, long
//! scans), errors from callbacks, and, for engines that keep data on disk, durability
//! after a flush and a reopen.

use std::path::Path;

use super::{Engine, Kv, MemoryKv, SledKv};
use crate::error::StoreError;

/// Opens (or reopens) an engine's data in `dir`.
fn open(engine: Engine, dir: &Path) -> Box<dyn Kv> {
    match engine {
        Engine::Sled => Box::new(SledKv::open(&dir.join("sled"), 1 << 20).unwrap()),
        Engine::Memory => Box::new(MemoryKv::new()),
    }
}

fn put(k: &[u8], v: &[u8]) -> super::Write {
    (k.to_vec(), Some(v.to_vec()))
}

fn keys(kv: &dyn Kv, prefix: &[u8]) -> Vec<Vec<u8>> {
    kv.scan_prefix(prefix).map(|p| p.unwrap().0).collect()
}

fn point_reads_and_batches(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let kv = open(engine, dir.path());
    assert_eq!(kv.get(b"a").unwrap(), None);
    kv.apply(vec![put(b"a", b"1"), put(b"b", b"2")]).unwrap();
    assert_eq!(kv.get(b"a").unwrap().as_deref(), Some(&b"1"[..]));
    let mut seen = Vec::new();
    assert!(kv
        .read(b"b", &mut |v| {
            seen.extend_from_slice(v);
            Ok(())
        })
        .unwrap());
    assert_eq!(seen, b"2");
    assert!(!kv.read(b"zz", &mut |_| panic!("absent keys are not read")).unwrap());
    // Past the cache, a read sees the same values, long (packed) ones included, and
    // after a batch, the batch's.
    let long = vec![7u8; 4096];
    kv.apply(vec![put(b"long", &long)]).unwrap();
    let mut out = b"what was there".to_vec();
    assert!(kv.read_past_cache(b"long", &mut out).unwrap());
    assert_eq!(out, long);
    assert!(kv.read_past_cache(b"a", &mut out).unwrap());
    assert_eq!(out, b"1");
    assert!(!kv.read_past_cache(b"zz", &mut out).unwrap());
    assert!(out.is_empty());
    assert_eq!(kv.get(b"long").unwrap(), Some(long.clone()));
    // Shared, the same values (long ones unpacked), and none for an absent key.
    assert_eq!(kv.read_shared(b"long").unwrap().as_deref(), Some(&long[..]));
    assert_eq!(kv.read_shared(b"a").unwrap().as_deref(), Some(&b"1"[..]));
    assert_eq!(kv.read_shared(b"zz").unwrap(), None);
    kv.apply(vec![put(b"long", b"short")]).unwrap();
    assert!(kv.read_past_cache(b"long", &mut out).unwrap());
    assert_eq!(out, b"short");
    assert_eq!(kv.read_shared(b"long").unwrap().as_deref(), Some(&b"short"[..]));
    // Writes of one batch apply in order: the last write to a key wins.
    kv.apply(vec![put(b"a", b"x"), (b"a".to_vec(), None), put(b"b", b"y"), put(b"b", b"z")]).unwrap();
    assert_eq!(kv.get(b"a").unwrap(), None);
    assert_eq!(kv.get(b"b").unwrap().as_deref(), Some(&b"z"[..]));
    // Deleting what is not there is no error; an empty batch is no error.
    kv.apply(vec![(b"nothing".to_vec(), None)]).unwrap();
    kv.apply(Vec::new()).unwrap();
    kv.flush().unwrap();
}

fn a_callback_error_comes_back_unchanged(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let kv = open(engine, dir.path());
    kv.apply(vec![put(b"k", b"v")]).unwrap();
    let err = kv.read(b"k", &mut |_| Err(StoreError::Corrupt("from the callback".into()))).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt(m) if m == "from the callback"));
}

fn prefix_scans_are_ordered_and_bounded(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let kv = open(engine, dir.path());
    kv.apply(vec![
        put(b"B\x00", b""),
        put(b"A\xff\xff", b""),
        put(b"A\x01", b""),
        put(b"A", b""),
        put(b"A\x00\x02", b""),
        put(b"@", b""),
    ])
    .unwrap();
    assert_eq!(keys(&*kv, b"A"), vec![b"A".to_vec(), b"A\x00\x02".to_vec(), b"A\x01".to_vec(), b"A\xff\xff".to_vec()]);
    assert_eq!(keys(&*kv, b"A\xff"), vec![b"A\xff\xff".to_vec()]);
    assert_eq!(keys(&*kv, b"C"), Vec::<Vec<u8>>::new());
    assert_eq!(keys(&*kv, b"").len(), 6, "the empty prefix scans everything");
}

fn long_scans_see_every_key_once_in_order(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let kv = open(engine, dir.path());
    let n = 5_000u32;
    // Applied in reverse, to show the order comes from the keys.
    kv.apply((0..n).rev().map(|i| put(&[b"P".as_slice(), &i.to_be_bytes()].concat(), &i.to_le_bytes())).collect())
        .unwrap();
    kv.apply(vec![put(b"Q", b"after")]).unwrap();
    let got: Vec<u32> =
        kv.scan_prefix(b"P").map(|p| u32::from_be_bytes(p.unwrap().0[1..5].try_into().unwrap())).collect();
    assert_eq!(got, (0..n).collect::<Vec<_>>());
}

fn committed_data_survives_a_reopen(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    {
        let kv = open(engine, dir.path());
        kv.apply(vec![put(b"kept", b"yes"), put(b"gone", b"soon")]).unwrap();
        kv.apply(vec![(b"gone".to_vec(), None)]).unwrap();
        kv.flush().unwrap();
        kv.checkpoint().unwrap();
        // Still usable after a checkpoint.
        assert_eq!(kv.get(b"kept").unwrap().as_deref(), Some(&b"yes"[..]));
        kv.apply(vec![put(b"late", b"1")]).unwrap();
        kv.flush().unwrap();
    }
    let kv = open(engine, dir.path());
    assert_eq!(kv.get(b"kept").unwrap().as_deref(), Some(&b"yes"[..]));
    assert_eq!(kv.get(b"late").unwrap().as_deref(), Some(&b"1"[..]));
    assert_eq!(kv.get(b"gone").unwrap(), None);
    assert!(kv.size_on_disk().unwrap() > 0);
}

/// Readers racing a writer never see a value go back, and once the last batch is
/// applied every read sees it: what a cache of recent reads must not break (a read
/// that raced a batch must not leave the old value cached).
fn reads_racing_batches_never_go_back(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let kv = open(engine, dir.path());
    const N: u32 = 2000;
    kv.apply(vec![put(b"k", &0u32.to_be_bytes())]).unwrap();
    let done = std::sync::atomic::AtomicBool::new(false);
    // Readers that have read once: the writer starts when all have, or on a busy
    // machine it could finish before one was scheduled (the in-memory engine applies
    // its 2,000 batches in a millisecond), and nothing would race.
    let started = std::sync::atomic::AtomicUsize::new(0);
    let read = |kv: &dyn Kv| -> u32 {
        let v = kv.get(b"k").unwrap().expect("the key is always there");
        u32::from_be_bytes(v[..4].try_into().unwrap())
    };
    std::thread::scope(|s| {
        let readers: Vec<_> = (0..3)
            .map(|_| {
                s.spawn(|| {
                    let mut last = 0;
                    let mut reads = 0u64;
                    while !done.load(std::sync::atomic::Ordering::Acquire) {
                        let v = read(&*kv);
                        assert!(v >= last, "a read went back from {last} to {v}");
                        last = v;
                        reads += 1;
                        if reads == 1 {
                            started.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
                        }
                    }
                    reads
                })
            })
            .collect();
        while started.load(std::sync::atomic::Ordering::Acquire) < readers.len() {
            std::thread::yield_now();
        }
        for i in 1..N {
            // Values of a block's size, so that a cache weighs them as it would blocks.
            let mut value = i.to_be_bytes().to_vec();
            value.resize(4096, (i % 251) as u8);
            kv.apply(vec![put(b"k", &value)]).unwrap();
            assert_eq!(read(&*kv), i, "a read right after the batch that wrote {i}");
        }
        done.store(true, std::sync::atomic::Ordering::Release);
        for r in readers {
            assert!(r.join().unwrap() > 0);
        }
    });
    assert_eq!(read(&*kv), N - 1);
}

macro_rules! suite {
    ($($engine:ident: $($case:ident),+;)+) => {
        $(
            #[allow(non_snake_case)]
            mod $engine {
                $(
                    #[test]
                    fn $case() {
                        super::$case(super::Engine::$engine);
                    }
                )+
            }
        )+
    };
}

suite! {
    Sled: point_reads_and_batches, a_callback_error_comes_back_unchanged, prefix_scans_are_ordered_and_bounded,
        long_scans_see_every_key_once_in_order, committed_data_survives_a_reopen, reads_racing_batches_never_go_back;
    Memory: point_reads_and_batches, a_callback_error_comes_back_unchanged, prefix_scans_are_ordered_and_bounded,
        long_scans_see_every_key_once_in_order, reads_racing_batches_never_go_back;
}

/// The memory engine keeps nothing across handles: each is a store of its own.
#[test]
fn memory_handles_share_nothing() {
    let a = MemoryKv::new();
    a.apply(vec![put(b"k", b"v")]).unwrap();
    assert_eq!(MemoryKv::new().get(b"k").unwrap(), None);
    assert_eq!(a.size_on_disk().unwrap(), 0);
}

/// A checkpoint whose reopen fails leaves the engine closed: every call says so, and
/// nothing is served from a tree that is not the store.
#[test]
fn sled_after_a_failed_reopen_every_call_fails_and_nothing_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let engine_dir = dir.path().join("sled");
    let kv = SledKv::open(&engine_dir, 1 << 20).unwrap();
    kv.apply(vec![put(b"k", b"v")]).unwrap();
    kv.flush().unwrap();
    // Read once, so that the value is in the cache of recent reads too.
    assert_eq!(kv.get(b"k").unwrap().as_deref(), Some(&b"v"[..]));
    // Move the engine's files away and put a plain file where they were: the open
    // handle keeps working on the moved files, but a reopen by path cannot succeed.
    std::fs::rename(&engine_dir, dir.path().join("moved")).unwrap();
    std::fs::write(&engine_dir, b"not a directory").unwrap();
    assert!(kv.checkpoint().is_err());
    assert!(matches!(kv.get(b"k"), Err(StoreError::Engine(m)) if m.contains("open the store again")));
    assert!(kv.apply(vec![put(b"x", b"y")]).is_err());
    assert!(kv.scan_prefix(b"").next().unwrap().is_err());
    // The data is where the flush put it.
    let moved = SledKv::open(&dir.path().join("moved"), 1 << 20).unwrap();
    assert_eq!(moved.get(b"k").unwrap().as_deref(), Some(&b"v"[..]));
}

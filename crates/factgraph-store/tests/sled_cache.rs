//! Patch 5 of the patched sled 0.34.7 (`vendor/sled/PATCHES.md`): the engine's page
//! cache keeps to its capacity while a scan reads a store many times its size. A test
//! binary of its own, so that the allocator it counts with counts this test alone.

use std::path::Path;

mod common;

/// Every byte the process holds, counted as it is allocated and freed.
#[global_allocator]
static HELD: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);

/// Held by each test while it counts: the tests of a binary run at once, and the
/// count is the whole process's (one test's pages, counted by the other, failed it
/// now and then).
static COUNTING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The engine with a 1 MiB cache.
fn engine(dir: &Path) -> sled::Db {
    common::open_when_free(&sled::Config::new().path(dir).cache_capacity(1 << 20).segment_size(1 << 20))
}

/// Upstream counted the pages read against the capacity in blocks of 64 per shard of
/// 256, so a scan of fewer than 16,384 pages evicted none of them: it held the whole
/// 32 MiB read here (at 10,000,000 statements, 128 MB of a 1 GB store after one scan).
#[test]
fn a_scan_of_a_store_32_times_the_cache_holds_little_more_than_the_cache() {
    let _alone = COUNTING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    const VALUES: u32 = 2_000;
    const VALUE_BYTES: usize = 16 * 1024;
    let dir = tempfile::tempdir().unwrap();
    {
        let db = engine(dir.path());
        for i in 0..VALUES {
            db.insert(i.to_be_bytes(), vec![(i % 251) as u8; VALUE_BYTES]).unwrap();
        }
        db.flush().unwrap();
    }
    // Read back by a new handle, so that every page comes from the log.
    let db = engine(dir.path());
    let before = HELD.allocated();
    let mut read = 0;
    for pair in db.iter() {
        let (key, value) = pair.unwrap();
        let i = u32::from_be_bytes(key.as_ref().try_into().unwrap());
        assert_eq!(value.as_ref(), vec![(i % 251) as u8; VALUE_BYTES].as_slice());
        read += 1;
    }
    assert_eq!(read, VALUES);
    let held = HELD.allocated().saturating_sub(before);
    let data = VALUES as usize * VALUE_BYTES;
    assert!(held < data / 2, "after reading {data} bytes the engine holds {held} more than before");
}

/// Patch 7: pages kept in blob files (a leaf of values of hundreds of KB, as the lists
/// of a store's hubs make) weighed only their log message, a few dozen bytes, and each
/// shard counted its accesses only in full blocks of 8: a scan held every such page it
/// read (40 of 40 MB here, at 30,000,000 statements hundreds of MB while the adjacency
/// was built). Now such a page weighs its bytes and is counted at once; what stays is
/// about a page per shard of the cache (8).
#[test]
fn a_scan_of_pages_in_blob_files_holds_about_a_page_per_shard() {
    let _alone = COUNTING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    const VALUES: u32 = 320;
    const VALUE_BYTES: usize = 256 * 1024;
    let value = |i: u32| -> Vec<u8> { (0..VALUE_BYTES).map(|j| ((i as usize * 7 + j) % 251) as u8).collect() };
    let dir = tempfile::tempdir().unwrap();
    {
        let db = engine(dir.path());
        for i in 0..VALUES {
            db.insert(i.to_be_bytes(), value(i)).unwrap();
        }
        db.flush().unwrap();
    }
    let db = engine(dir.path());
    let before = HELD.allocated();
    let (mut read, mut peak) = (0, 0);
    for pair in db.iter() {
        let (key, got) = pair.unwrap();
        let i = u32::from_be_bytes(key.as_ref().try_into().unwrap());
        assert!(got.as_ref() == value(i).as_slice(), "value {i} read back changed");
        read += 1;
        peak = peak.max(HELD.allocated().saturating_sub(before));
    }
    assert_eq!(read, VALUES);
    let held = HELD.allocated().saturating_sub(before);
    let data = VALUES as usize * VALUE_BYTES;
    assert!(peak < data / 3, "reading {data} bytes the engine held up to {peak} more than before");
    assert!(held < data / 3, "after reading {data} bytes the engine holds {held} more than before");
}

//! Patch 8 of the patched sled 0.34.7 (`vendor/sled/PATCHES.md`): without metrics, the
//! engine's first start makes no histograms. A test binary of its own, so that the
//! allocator it counts with counts this one start alone (the histograms are made once
//! per process, at the first start).

/// Every byte the process holds, counted as it is allocated and freed.
#[global_allocator]
static HELD: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);

/// Upstream made the 41 histograms of its `Metrics` at the first start, 65,536
/// counters each, written with zeros, though no histogram records a value without
/// metrics: 21 MB allocated by every process that opened a store (never touched in a
/// release build; zeroed counter by counter, 200 ms, in a debug one).
#[test]
fn the_first_start_of_an_engine_holds_no_histograms() {
    let dir = tempfile::tempdir().unwrap();
    let before = HELD.allocated();
    let db = sled::Config::new().path(dir.path()).cache_capacity(1 << 20).segment_size(1 << 20).open().unwrap();
    db.insert(b"key", b"value").unwrap();
    assert_eq!(db.get(b"key").unwrap().as_deref(), Some(&b"value"[..]));
    let held = HELD.allocated().saturating_sub(before);
    // Upstream 28.8 MB, now 7.4 (mostly the page table, allocated zeroed).
    assert!(held < 14 << 20, "a new engine with a 1 MiB cache holds {held} bytes");
}

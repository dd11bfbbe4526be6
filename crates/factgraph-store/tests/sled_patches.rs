//! The fixes of the patched sled 0.34.7 (`vendor/sled/PATCHES.md`), each shown on the
//! engine as factgraph configures it, through sled's own API.

#![cfg(target_os = "linux")]

use std::os::unix::fs::MetadataExt;
use std::path::Path;

mod common;

/// The tests of this file one at a time: `written` counts the whole process, so another
/// test writing meanwhile would be counted as ours.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Bytes this process has written through write calls so far (`/proc/self/io`, all
/// threads: sled writes from its own).
fn written() -> u64 {
    let io = std::fs::read_to_string("/proc/self/io").unwrap();
    io.lines().find_map(|l| l.strip_prefix("wchar: ")).unwrap().trim().parse().unwrap()
}

/// The engine with small segments, so that a few MB of rewrites leave free ones.
fn engine(dir: &Path) -> sled::Db {
    common::open_when_free(
        &sled::Config::new().path(dir).segment_size(256 * 1024).use_compression(true).compression_factor(1),
    )
}

/// A store whose log has free segments: the same keys rewritten until the cleaner
/// has emptied the segments that held their first versions.
fn churned(dir: &Path) {
    let db = engine(dir);
    // Random bytes do not compress, so each round fills segments of its own.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for round in 0..8u8 {
        for key in 0..64u32 {
            let value: Vec<u8> = (0..16 * 1024)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8 ^ round
                })
                .collect();
            db.insert(key.to_be_bytes(), value).unwrap();
        }
        db.flush().unwrap();
    }
}

/// Opens and closes the engine, waiting for sled's threads to let go of the files.
fn open_and_close(dir: &Path) {
    let db = engine(dir);
    assert_eq!(db.len(), 64);
    db.flush().unwrap();
    drop(db);
}

#[test]
fn reopening_an_engine_with_free_segments_writes_nothing() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    churned(dir.path());
    // The first start after the rewrites clears the free segments (upstream: by
    // writing them; patched: by punching holes).
    open_and_close(dir.path());
    let file = dir.path().join("db");
    let meta = std::fs::metadata(&file).unwrap();
    assert!(meta.len() > 2 * 256 * 1024, "the log should span several segments: {}", meta.len());
    let before = written();
    open_and_close(dir.path());
    open_and_close(dir.path());
    let wrote = written() - before;
    // Upstream wrote every free segment and the tail of the last one again at each
    // start (here hundreds of KB per start).
    assert!(wrote < 64 * 1024, "two starts wrote {wrote} bytes");
}

#[test]
fn free_segments_take_no_disk_space() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    churned(dir.path());
    open_and_close(dir.path());
    let meta = std::fs::metadata(dir.path().join("db")).unwrap();
    // Holes where upstream kept written zeros (when the file system has holes, as
    // ext4, xfs, btrfs and tmpfs do).
    let allocated = meta.blocks() * 512;
    assert!(allocated < meta.len(), "allocated {allocated} of {} bytes", meta.len());
}

/// Patch 3: recovery checks each message of the log it replays but no longer
/// decompresses its payload (nor a blob file's). What it finds must be what it found
/// before: every value written before a close, small ones inline in the log and large
/// ones in blob files, comes back after each of several reopens, and a value changed
/// in between comes back changed.
#[test]
fn reopening_replays_inline_and_blob_messages_whole() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    // Six random bits a byte: zstd shrinks them by a quarter, so the large values
    // stay larger than a quarter of a 256 KiB segment and go to blob files.
    let value = |key: u32, len: usize, round: u32| -> Vec<u8> {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64 ^ u64::from(key) << 8 ^ u64::from(round);
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state & 0x3f) as u8
            })
            .collect()
    };
    let sizes = |key: u32| if key.is_multiple_of(8) { 200 * 1024 } else { 3 * 1024 };
    {
        let db = engine(dir.path());
        for key in 0..64u32 {
            db.insert(key.to_be_bytes(), value(key, sizes(key), 0)).unwrap();
        }
        db.flush().unwrap();
    }
    let blobs = std::fs::read_dir(dir.path().join("blobs")).map_or(0, |d| d.count());
    assert!(blobs > 0, "the large values went to blob files");
    for round in 1..4u32 {
        let db = engine(dir.path());
        for key in 0..64u32 {
            let want = value(key, sizes(key), if key.is_multiple_of(5) { round - 1 } else { 0 });
            assert_eq!(db.get(key.to_be_bytes()).unwrap().as_deref(), Some(&want[..]), "key {key}, round {round}");
        }
        // Some values change, so the next open replays new messages of both kinds.
        for key in (0..64u32).filter(|k| k.is_multiple_of(5)) {
            db.insert(key.to_be_bytes(), value(key, sizes(key), round)).unwrap();
        }
        db.flush().unwrap();
    }
}

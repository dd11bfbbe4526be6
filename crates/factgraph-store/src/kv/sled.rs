//! The sled 0.34 engine: the store's data in one sled tree (the default), so that
//! batches are atomic. The only file that knows sled.

use crossbeam_utils::sync::{ShardedLock, ShardedLockReadGuard};
use std::path::{Path, PathBuf};

use super::packed::{self, Packer};
use super::read_cache::ReadCache;
use super::{Kv, Pair, Scan, Write};
use crate::error::{Result, StoreError};

/// sled's log segment size for a new store (its default is 512 KiB). A start reads
/// the segment its recovery begins in twice, so smaller is a faster open (8 MiB read
/// 17 MB per open at 1,000,000 statements); sled keeps a value of up to a quarter of
/// a segment in the log and anything larger in a file of its own, and our blocks are
/// 30-200 KB. Stores made with another size keep theirs (`segment_size`).
const SEGMENT_SIZE: usize = 1024 * 1024;

/// The settings sled recorded in `dir` (`conf`: lines of `name: value`, then a CRC,
/// whose bytes need not be UTF-8), if it has made an engine there.
fn conf(dir: &Path) -> Option<String> {
    std::fs::read(dir.join("conf")).ok().map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

/// What an engine directory was made with, which sled refuses to open without: read
/// once per open from its `conf`, or ours for a new store.
#[derive(Clone, Copy)]
struct Settings {
    segment_size: usize,
    compression: Compression,
}

impl Settings {
    fn of(dir: &Path) -> Settings {
        let Some(conf) = conf(dir) else {
            return Settings { segment_size: SEGMENT_SIZE, compression: Compression::Packed };
        };
        let value = |name: &str| conf.lines().find_map(|l| l.strip_prefix(name)).map(str::trim);
        Settings {
            segment_size: value("segment_size: ")
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|v| v.is_power_of_two() && (256..=1 << 24).contains(v))
                .unwrap_or(SEGMENT_SIZE),
            compression: match value("use_compression: ") {
                Some("true") => Compression::Sled,
                _ => Compression::Packed,
            },
        }
    }
}

/// Who compresses the values of an engine directory: chosen when it is made, and
/// read back from sled's `conf` (sled refuses to open with another setting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Compression {
    /// sled compresses its log and keeps our values as they are: stores made before
    /// `packed.rs`.
    Sled,
    /// We compress each value once as it is written (`packed.rs`); sled's own
    /// compression is off. Every new store.
    Packed,
}

/// Values a batch must hold before `pack_all` compresses them on two threads.
const PACK_BESIDE_BYTES: usize = 1024 * 1024;

/// A batch's values in their stored form (`packed.rs`). A large batch (a load's
/// spill: 8 MiB of blocks) is compressed on two threads, half each, which took
/// zstd off half of a load's critical path.
fn pack_all(mut writes: Vec<Write>, fast: &FastPrefixes) -> Vec<Write> {
    let bytes: usize = writes.iter().map(|(_, v)| v.as_ref().map_or(0, Vec::len)).sum();
    let pack = |part: &mut [Write]| {
        let mut packer = Packer::new();
        for (k, v) in part.iter_mut() {
            if let Some(v) = v {
                *v = if fast.has(k) { packer.pack_fast(v) } else { packer.pack(v) };
            }
        }
    };
    if bytes < PACK_BESIDE_BYTES || writes.len() < 2 {
        pack(&mut writes);
        return writes;
    }
    // Split where half of the bytes are on each side.
    let mut seen = 0;
    let middle = writes
        .iter()
        .position(|(_, v)| {
            seen += v.as_ref().map_or(0, Vec::len);
            seen >= bytes / 2
        })
        .map_or(writes.len() / 2, |i| (i + 1).min(writes.len() - 1));
    let (first, second) = writes.split_at_mut(middle);
    let beside = std::thread::scope(|scope| {
        let beside = std::thread::Builder::new().spawn_scoped(scope, || pack(second)).is_ok();
        pack(first);
        beside
    });
    // No thread to be had: this one packs the rest too.
    if !beside {
        pack(second);
    }
    writes
}

/// The first key bytes whose values are packed to read fast (`Kv::prefer_fast_reads`):
/// a bit per byte value, set once and never cleared.
#[derive(Default)]
pub(crate) struct FastPrefixes([std::sync::atomic::AtomicU64; 4]);

impl FastPrefixes {
    fn set(&self, prefix: u8) {
        self.0[usize::from(prefix >> 6)].fetch_or(1 << (prefix & 63), std::sync::atomic::Ordering::Relaxed);
    }

    fn has(&self, key: &[u8]) -> bool {
        key.first().is_some_and(|&b| {
            self.0[usize::from(b >> 6)].load(std::sync::atomic::Ordering::Relaxed) & (1 << (b & 63)) != 0
        })
    }
}

/// How the memory given to the engine is shared between sled's page cache and the
/// cache of values read lately (`read_cache.rs`), for `cache_bytes` in all.
///
/// sled compressing: its cache holds the pages decompressed, and the values read
/// lately are its own (an eighth, 4 to 32 MiB, costs memory only for values sled has
/// evicted). Values packed by us: sled's cache holds them compressed and is a
/// sixty-fourth (at least 4 MiB); the values read lately, decompressed, are the rest.
/// What sled's cache serves then is mostly the blocks read past ours (a long
/// answer's quotes), each once per answer, and more of them than a share of it holds
/// (the hub's listing at 1,000,000 statements filled a sixteenth, 13 MB, with them),
/// so a larger share only kept pages that were not read again before they left. A
/// quarter held 35 MB at the peak of that store's queries; a sixteenth took the query
/// process's peak from 148-150 to 134-140 MB, a sixty-fourth from 122-135 to
/// 114-118.5 MB (the hub's listing alone: 112-117 to 97-98), at the same speeds,
/// loads and cold opens included.
fn cache_shares(compression: Compression, cache_bytes: u64) -> (u64, u64) {
    const MIB: u64 = 1024 * 1024;
    match compression {
        Compression::Sled => (cache_bytes, (cache_bytes / 8).clamp(4 * MIB, 32 * MIB)),
        Compression::Packed => ((cache_bytes / 64).max(4 * MIB), (cache_bytes - cache_bytes / 64).max(4 * MIB)),
    }
}

/// How often an open retries while sled's own file lock is still held by our previous
/// handle's background threads, and how long it waits between tries.
const LOCK_RETRIES: u32 = 200;
const LOCK_RETRY_WAIT: std::time::Duration = std::time::Duration::from_millis(10);

/// sled's error as ours. A full disk is said to be one: sled reports it as an I/O
/// error, which an open would otherwise present as a damaged store.
fn engine_error(e: sled::Error) -> StoreError {
    match e {
        sled::Error::Io(io) if crate::error::is_disk_full(&io) => {
            StoreError::DiskFull { context: "the storage engine could not write".into(), cause: io }
        }
        // The operating system refused a read or write (EIO and the like): the files
        // may be whole, so this is not said to be damage (the patched sled stops at
        // such an error instead of taking it for the end of its log).
        sled::Error::Io(io) if io.raw_os_error().is_some() => {
            StoreError::io("the storage engine's files (sled/) could not be read or written", io)
        }
        // sled writes this one with its debug forms ("at file offset Some(Inline(…))
        // backtrace ()"); say it in words.
        sled::Error::Corruption { at, .. } => StoreError::Engine(match at {
            Some(at) => format!("its log holds damaged data at byte {} of sled/db", at.lid()),
            None => "its log holds damaged data".into(),
        }),
        e => StoreError::Engine(e.to_string()),
    }
}

/// sled 0.34, one tree (the default), so that batches are atomic.
pub struct SledKv {
    /// `None` once a checkpoint closed the handle and could not open it again: every
    /// call then fails instead of reaching a tree that is not the store. Sharded, as
    /// `Guarded`'s gate is: every read takes it.
    db: ShardedLock<Option<sled::Db>>,
    dir: PathBuf,
    cache_bytes: u64,
    compression: Compression,
    /// Blocks read lately (`read_cache.rs`), decompressed.
    recent: ReadCache,
    /// The first bytes of the keys whose values are packed to read fast
    /// (`Kv::prefer_fast_reads`), one bit each.
    fast: FastPrefixes,
    /// The private copy `open_copy` reads, removed after `db` is dropped (fields drop
    /// in order).
    _copy: Option<TempCopy>,
}

impl SledKv {
    /// Opens or creates the engine's files in `dir` with a cache of `cache_bytes`.
    ///
    /// sled can panic on damaged files; the panic is caught here and becomes an error.
    pub fn open(dir: &Path, cache_bytes: u64) -> Result<SledKv> {
        let (db, compression) = SledKv::open_db(dir, cache_bytes)?;
        Ok(SledKv {
            db: ShardedLock::new(Some(db)),
            dir: dir.to_owned(),
            cache_bytes,
            compression,
            recent: ReadCache::new(cache_shares(compression, cache_bytes).1),
            fast: FastPrefixes::default(),
            _copy: None,
        })
    }

    /// Opens a private copy of the engine's files in `dir`, made in a new directory
    /// under the system's temporary directory (`$TMPDIR`) and removed when the engine
    /// is dropped. sled 0.34 has no read-only mode: it opens its log for writing and
    /// writes as it opens, which a read-only file system refuses; a copy lets such a
    /// store be read, and nothing is written to it. The cost is the engine's size in
    /// temporary space and the time to copy it; a copy left by a killed process stays
    /// behind (`factgraph-read-only-PID-N`).
    pub fn open_copy(dir: &Path, cache_bytes: u64) -> Result<SledKv> {
        let copy = TempCopy::of(dir)?;
        let (db, compression) = SledKv::open_db(&copy.engine, cache_bytes)?;
        Ok(SledKv {
            db: ShardedLock::new(Some(db)),
            dir: copy.engine.clone(),
            cache_bytes,
            compression,
            recent: ReadCache::new(cache_shares(compression, cache_bytes).1),
            fast: FastPrefixes::default(),
            _copy: Some(copy),
        })
    }

    /// The open engine, and who compresses its values.
    fn open_db(dir: &Path, cache_bytes: u64) -> Result<(sled::Db, Compression)> {
        // sled releases its own file lock from background threads a moment after the
        // last handle drops. Our LOCK file already keeps other processes out, so a
        // busy sled lock here is our own previous handle closing: wait for it briefly.
        let mut tries = 0;
        loop {
            match SledKv::open_once(dir, cache_bytes) {
                Err(StoreError::Engine(msg)) if msg.contains("could not acquire lock") && tries < LOCK_RETRIES => {
                    tries += 1;
                    std::thread::sleep(LOCK_RETRY_WAIT);
                }
                other => return other,
            }
        }
    }

    /// The sled configuration for a store's engine directory.
    pub fn config(dir: &Path, cache_bytes: u64) -> sled::Config {
        SledKv::configured(dir, cache_bytes, Settings::of(dir))
    }

    fn configured(dir: &Path, cache_bytes: u64, settings: Settings) -> sled::Config {
        let compression = settings.compression;
        sled::Config::new()
            .path(dir)
            .cache_capacity(cache_shares(compression, cache_bytes).0)
            .mode(sled::Mode::HighThroughput)
            // Large segments keep our 30-200 KB blocks in the log instead of sled's
            // separate blob files, which measured here at 2.5x the payload on disk.
            .segment_size(settings.segment_size)
            // Quotes and packed ids compress well; zstd level 1 costs little time. New
            // stores compress their values themselves (`packed.rs`).
            .use_compression(compression == Compression::Sled)
            .compression_factor(1)
            // The background flusher stays on (sled's default, every 500 ms); each
            // commit also flushes before it returns.
            .flush_every_ms(Some(500))
    }

    fn open_once(dir: &Path, cache_bytes: u64) -> Result<(sled::Db, Compression)> {
        remove_snapshot_temporaries(dir)?;
        let settings = Settings::of(dir);
        check_snapshot(dir, settings.compression)?;
        let config = SledKv::configured(dir, cache_bytes, settings);
        let opened = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || config.open()));
        match opened {
            Ok(Ok(db)) => Ok((db, settings.compression)),
            Ok(Err(e)) => Err(engine_error(e)),
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("panic while opening");
                Err(StoreError::Engine(format!("sled failed to open the store: {msg}")))
            }
        }
    }

    /// The value under `key`, from the cache of blocks read lately or from sled (and
    /// then cached). Fails, cached or not, once the engine is closed.
    fn get_shared(&self, key: &[u8]) -> Result<Option<sled::IVec>> {
        let db = self.db()?;
        if let Some(v) = self.recent.get(key) {
            return Ok(v);
        }
        let ticket = self.recent.ticket();
        let value = db.get(key).map_err(engine_error)?;
        let value = match (self.compression, value) {
            (Compression::Packed, Some(stored)) => Some(sled::IVec::from(packed::unpack(&stored)?)),
            (_, value) => value,
        };
        if let Some(ticket) = ticket {
            self.recent.offer(key, ticket, value.clone());
        }
        Ok(value)
    }

    /// `read_past_cache`, which empties `out` when this fails.
    fn read_past_cache_into(&self, key: &[u8], out: &mut Vec<u8>) -> Result<bool> {
        let db = self.db()?;
        let value = match self.recent.get(key) {
            Some(cached) => cached,
            None => match (self.compression, db.get(key).map_err(engine_error)?) {
                (Compression::Packed, Some(stored)) => {
                    packed::unpack_into(&stored, out)?;
                    return Ok(true);
                }
                (_, value) => value,
            },
        };
        out.clear();
        Ok(value.map(|v| out.extend_from_slice(&v)).is_some())
    }

    /// The open tree, or the error that says why there is none.
    fn db(&self) -> Result<MappedDb<'_>> {
        let guard = self.db.read().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            return Err(StoreError::Engine(
                "the storage engine was closed when reopening it after a checkpoint failed; \
                 everything committed is on disk: open the store again"
                    .into(),
            ));
        }
        Ok(MappedDb(guard))
    }
}

/// Whether `name` is one of the temporaries sled 0.34.7 writes a snapshot through:
/// `snap.<16 hex digits>.generating`, renamed to `snap.<lsn>` once complete, or
/// `snap.<…>.in___motion`.
fn is_snapshot_temporary(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("snap.") else { return false };
    if rest.ends_with(".in___motion") {
        return true;
    }
    rest.strip_suffix(".generating").is_some_and(|lsn| lsn.len() == 16 && lsn.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Removes snapshot temporaries left by a process that died while writing one.
///
/// sled 0.34.7 looks for its newest snapshot among every `snap.*` file except
/// `*.in___motion`, so a `.generating` file cut off by a kill, a power cut or a full
/// disk is read as the newest snapshot, and the store then fails to open with "Read
/// corrupted data" although the log holds everything. A temporary is never a
/// complete snapshot (sled renames it once written and synced), and our LOCK file
/// keeps every other process out, so nothing else can be writing one.
fn remove_snapshot_temporaries(dir: &Path) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        // A new store: sled creates the directory.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(StoreError::Io { context: format!("listing {}", dir.display()), source: e }),
    };
    for entry in entries {
        let entry = entry.map_err(|e| StoreError::Io { context: format!("listing {}", dir.display()), source: e })?;
        let stale = entry.file_name().to_str().is_some_and(is_snapshot_temporary)
            && entry.file_type().is_ok_and(|t| t.is_file());
        if stale {
            std::fs::remove_file(entry.path()).map_err(|e| StoreError::Io {
                context: format!("removing the unfinished snapshot {}", entry.path().display()),
                source: e,
            })?;
        }
    }
    Ok(())
}

/// A temporary copy of an engine directory, removed when dropped.
struct TempCopy {
    /// The directory made for the copy.
    root: PathBuf,
    /// The copied engine directory inside it.
    engine: PathBuf,
}

impl TempCopy {
    fn of(dir: &Path) -> Result<TempCopy> {
        let base = std::env::temp_dir();
        let mut n = 0u32;
        let root = loop {
            let root = base.join(format!("factgraph-read-only-{}-{n}", std::process::id()));
            match std::fs::create_dir(&root) {
                Ok(()) => break root,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
                Err(e) => {
                    return Err(StoreError::io(format!("creating {} to read a copy of the store", root.display()), e))
                }
            }
        };
        let copy = TempCopy { engine: root.join("engine"), root };
        copy_dir(dir, &copy.engine)?;
        Ok(copy)
    }
}

impl Drop for TempCopy {
    fn drop(&mut self) {
        // Best effort: a copy that cannot be removed is clutter in the temporary
        // directory, not a reason to fail after the reads succeeded.
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Copies an engine directory: its regular files and directories (sled makes no
/// others; a FIFO would block the copy forever, so anything else is refused).
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    let what = |p: &Path| format!("copying {} to read it from a temporary copy", p.display());
    std::fs::create_dir(to).map_err(|e| StoreError::io(what(from), e))?;
    for entry in std::fs::read_dir(from).map_err(|e| StoreError::io(what(from), e))? {
        let entry = entry.map_err(|e| StoreError::io(what(from), e))?;
        let kind = entry.file_type().map_err(|e| StoreError::io(what(&entry.path()), e))?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).map_err(|e| StoreError::io(what(&entry.path()), e))?;
        } else {
            return Err(StoreError::Engine(format!(
                "{} is not a regular file or a directory, which the engine never makes",
                entry.path().display()
            )));
        }
    }
    Ok(())
}

/// A snapshot that does not state its size is at most this large (its page table:
/// a few bytes per page); sled allocates what the file says before decompressing.
const MAX_UNSTATED_SNAPSHOT: u64 = 256 * 1024 * 1024;

/// Refuses a newest snapshot that is not a regular file, or (where sled compresses)
/// whose stated length is damaged, before sled reads it.
///
/// sled 0.34.7 ends `snap.<lsn>` with the uncompressed length (8 bytes) and a CRC,
/// but the CRC covers only the compressed data: it allocates the stated length before
/// decompressing, so one damaged byte there aborts the process ("memory allocation of
/// 1030792151244 bytes failed", found by `tests/fuzz.rs`). The compressed data is a
/// zstd frame that states its own content size; the two must agree. The newest
/// snapshot is the one sled reads: the last `snap.*` name in sorted order, leaving
/// out `*.in___motion` (temporaries are removed before this runs). Where sled does not
/// compress, it reads the snapshot as it is and never uses that length.
fn check_snapshot(dir: &Path, compression: Compression) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(StoreError::io(format!("listing {}", dir.display()), e)),
    };
    let newest = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("snap.") && !n.ends_with(".in___motion"))
        })
        .max();
    let Some(path) = newest else { return Ok(()) };
    // A FIFO would wait forever and a device never end, here and in sled.
    if !std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
        return Err(StoreError::Engine(format!("its snapshot {} is not a regular file", path.display())));
    }
    if compression == Compression::Packed {
        return Ok(());
    }
    let bytes = std::fs::read(&path).map_err(|e| StoreError::io(format!("reading {}", path.display()), e))?;
    // sled refuses a file this short itself, with an error.
    let Some(split) = bytes.len().checked_sub(12).filter(|&n| n > 0) else { return Ok(()) };
    let (data, trailer) = bytes.split_at(split);
    let mut stated = [0u8; 8];
    stated.copy_from_slice(&trailer[..8]);
    let stated = u64::from_le_bytes(stated);
    let damaged = |why: String| {
        StoreError::Engine(format!(
            "its snapshot {} is damaged: {why}",
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        ))
    };
    match packed::zstd_content_size(data) {
        Some(size) if size == stated => Ok(()),
        Some(size) => Err(damaged(format!("it says it holds {stated} bytes, but its data holds {size}"))),
        None if stated <= MAX_UNSTATED_SNAPSHOT => Ok(()),
        None => Err(damaged(format!("it says it holds {stated} bytes"))),
    }
}

/// A read guard known to hold an open tree.
struct MappedDb<'a>(ShardedLockReadGuard<'a, Option<sled::Db>>);

impl std::ops::Deref for MappedDb<'_> {
    type Target = sled::Db;

    fn deref(&self) -> &sled::Db {
        // `SledKv::db` returns a `MappedDb` only for `Some`.
        self.0.as_ref().expect("checked in SledKv::db")
    }
}

/// Stops a scan at its first error: sled can return an error and then keep going on
/// a damaged tree, and a half-read index must not look like a complete one.
struct StopAtError<I> {
    inner: I,
    done: bool,
    compression: Compression,
}

impl<I: Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>> Iterator for StopAtError<I> {
    type Item = Result<Pair>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.inner.next()? {
            Ok((k, v)) => {
                let value = match self.compression {
                    Compression::Sled => Ok(v.to_vec()),
                    Compression::Packed => packed::unpack(&v),
                };
                if value.is_err() {
                    self.done = true;
                }
                Some(value.map(|v| (k.to_vec(), v)))
            }
            Err(e) => {
                self.done = true;
                Some(Err(engine_error(e)))
            }
        }
    }
}

impl Kv for SledKv {
    fn prefer_fast_reads(&self, prefix: u8) {
        self.fast.set(prefix);
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.get_shared(key)?.map(|v| v.to_vec()))
    }

    fn read_past_cache(&self, key: &[u8], out: &mut Vec<u8>) -> Result<bool> {
        // `out` is not emptied before a packed value is unpacked into it: unpacking an
        // LZ4 block sets its length without zeroing the room it had (`unpack_into`),
        // which emptied first it zeroed whole, 50 MB for the hub's listing at
        // 1,000,000 statements. Nothing is left in it after an error.
        let read = self.read_past_cache_into(key, out);
        if read.is_err() {
            out.clear();
        }
        read
    }

    fn read_shared(&self, key: &[u8]) -> Result<Option<sled::IVec>> {
        self.get_shared(key)
    }

    fn read(&self, key: &[u8], f: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<bool> {
        match self.get_shared(key)? {
            None => Ok(false),
            Some(v) => f(&v).map(|()| true),
        }
    }

    fn scan_prefix<'a>(&'a self, prefix: &[u8]) -> Scan<'a> {
        match self.db() {
            // The scan keeps its own handle on the tree, so the lock is not held across it.
            Ok(db) => {
                let tree: sled::Tree = (**db).clone();
                Box::new(StopAtError { inner: tree.scan_prefix(prefix), done: false, compression: self.compression })
            }
            Err(e) => Box::new(std::iter::once(Err(e))),
        }
    }

    fn apply(&self, writes: Vec<Write>) -> Result<()> {
        let keys: Vec<Vec<u8>> = writes.iter().map(|(k, _)| k.clone()).collect();
        let writes = match self.compression {
            Compression::Packed => pack_all(writes, &self.fast),
            Compression::Sled => writes,
        };
        let mut batch = sled::Batch::default();
        for (k, v) in writes {
            match v {
                Some(v) => batch.insert(k, v),
                None => batch.remove(k),
            }
        }
        // See `read_cache.rs` for the reads that race the batch.
        let db = self.db()?;
        self.recent.begin(keys.iter().map(Vec::as_slice));
        let applied = db.apply_batch(batch).map_err(engine_error);
        self.recent.end(keys.iter().map(Vec::as_slice));
        applied
    }

    fn flush(&self) -> Result<()> {
        self.db()?.flush().map_err(engine_error)?;
        Ok(())
    }

    fn size_on_disk(&self) -> Result<u64> {
        self.db()?.size_on_disk().map_err(engine_error)
    }

    /// sled 0.34 writes a snapshot of its page table only when it opens, so the first
    /// open after a large batch replays (and decompresses) the whole log: measured at
    /// 960 ms after a 1,000,000-statement load, against 70 ms once a snapshot exists.
    /// Reopening here pays that once, at the end of the load, instead of at the next
    /// open. sled's file lock means the old handle must close before the new one
    /// opens; if the reopen fails, the engine stays closed and says so on every call,
    /// rather than serve anything that is not the store.
    fn checkpoint(&self) -> Result<()> {
        let mut db = self.db.write().unwrap_or_else(|p| p.into_inner());
        match db.as_ref() {
            None => return Ok(()),
            Some(old) => old.flush().map_err(engine_error)?,
        };
        drop(db.take());
        // The cached values belong to the handle just closed: let its memory go.
        self.recent.clear();
        *db = Some(SledKv::open_db(&self.dir, self.cache_bytes)?.0);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// A batch large enough to be packed on two threads comes back in its order, each
    /// value unpacking to what it was and each removal still a removal.
    #[test]
    fn a_large_batch_packed_on_two_threads_keeps_its_order_and_values() {
        let writes: Vec<crate::kv::Write> = (0..300u32)
            .map(|i| {
                let key = i.to_be_bytes().to_vec();
                let value = match i % 3 {
                    0 => None,
                    1 => Some(format!("block {i} ").repeat(2000).into_bytes()),
                    _ => Some(vec![i as u8; 5]),
                };
                (key, value)
            })
            .collect();
        let bytes: usize = writes.iter().map(|(_, v)| v.as_ref().map_or(0, Vec::len)).sum();
        assert!(bytes > super::PACK_BESIDE_BYTES, "{bytes} bytes: packed on two threads");
        let packed = super::pack_all(writes.clone(), &super::FastPrefixes::default());
        assert_eq!(packed.len(), writes.len());
        for ((key, value), (packed_key, stored)) in writes.iter().zip(&packed) {
            assert_eq!(key, packed_key);
            let unpacked = stored.as_deref().map(super::packed::unpack).transpose().unwrap();
            assert_eq!(value, &unpacked, "key {key:?}");
        }
        // The large values were compressed, on either side of the split.
        let large: Vec<usize> = packed.iter().skip(1).step_by(3).map(|(_, v)| v.as_ref().map_or(0, Vec::len)).collect();
        assert!(large.iter().all(|&n| n < 2000), "{large:?}");
    }

    /// Packed values: sled's page cache is a sixty-fourth of the engine's memory, at
    /// least 4 MiB, and the two shares never add up to more than was given (beyond
    /// the floors); sled compressing keeps its whole cache.
    #[test]
    fn sleds_share_of_a_packed_engines_memory_is_a_sixty_fourth() {
        use super::cache_shares;
        const MIB: u64 = 1024 * 1024;
        let (sled, ours) = cache_shares(Compression::Packed, 512 * MIB);
        assert_eq!(sled, 8 * MIB);
        assert_eq!(sled + ours, 512 * MIB);
        let (sled, ours) = cache_shares(Compression::Packed, 32 * MIB);
        assert_eq!(sled, 4 * MIB, "the floor");
        assert_eq!(ours, 32 * MIB - 32 * MIB / 64);
        assert_eq!(cache_shares(Compression::Sled, 64 * MIB), (64 * MIB, 8 * MIB));
    }

    use super::{engine_error, is_snapshot_temporary, Compression, SledKv};
    use crate::error::StoreError;
    use crate::kv::Kv;

    /// sled itself on `dir`, as an engine made by hand (or by an earlier version).
    fn bare_sled(dir: &Path, compression: bool) -> sled::Db {
        for _ in 0..500 {
            match sled::Config::new().path(dir).segment_size(1 << 20).use_compression(compression).open() {
                Err(e) if e.to_string().contains("could not acquire lock") => {
                    std::thread::sleep(std::time::Duration::from_millis(10))
                }
                other => return other.unwrap(),
            }
        }
        panic!("sled's lock on {} was never released", dir.display());
    }

    fn conf_says_compressed(dir: &Path) -> bool {
        String::from_utf8_lossy(&std::fs::read(dir.join("conf")).unwrap()).contains("use_compression: true")
    }

    #[test]
    fn a_new_engine_compresses_each_value_itself() {
        let dir = tempfile::tempdir().unwrap();
        let engine = dir.path().join("sled");
        let text = "the prosecutor accused the minister, the agency reported. ".repeat(40_000).into_bytes();
        {
            let kv = SledKv::open(&engine, 1 << 20).unwrap();
            assert_eq!(kv.compression, Compression::Packed);
            let writes = (0..8u8).map(|k| (vec![b'S', k], Some(text.clone()))).collect();
            kv.apply(writes).unwrap();
            kv.flush().unwrap();
            assert_eq!(kv.get(&[b'S', 3]).unwrap().as_deref(), Some(&text[..]));
            // 19 MB of values, a few hundred KB on disk.
            assert!(kv.size_on_disk().unwrap() < (text.len() * 8 / 20) as u64, "{}", kv.size_on_disk().unwrap());
        }
        assert!(!conf_says_compressed(&engine));
        {
            let kv = SledKv::open(&engine, 1 << 20).unwrap();
            let all: Vec<_> = kv.scan_prefix(b"S").map(|p| p.unwrap()).collect();
            assert_eq!(all.len(), 8);
            assert!(all.iter().all(|(_, v)| *v == text));
        }
        // What sled holds is the packed form: a tag, then a zstd frame.
        let db = bare_sled(&engine, false);
        let stored = db.get([b'S', 0]).unwrap().unwrap();
        assert_eq!(&stored[..5], &[1, 0x28, 0xB5, 0x2F, 0xFD]);
    }

    #[test]
    fn an_engine_made_with_sled_compressing_keeps_it_and_its_values_as_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let engine = dir.path().join("sled");
        {
            let db = bare_sled(&engine, true);
            db.insert(b"old", &b"written by an earlier version"[..]).unwrap();
            db.flush().unwrap();
        }
        let text = "a long value, ".repeat(1_000).into_bytes();
        {
            let kv = SledKv::open(&engine, 1 << 20).unwrap();
            assert_eq!(kv.compression, Compression::Sled);
            assert_eq!(kv.get(b"old").unwrap().as_deref(), Some(&b"written by an earlier version"[..]));
            kv.apply(vec![(b"new".to_vec(), Some(text.clone()))]).unwrap();
            kv.flush().unwrap();
        }
        assert!(conf_says_compressed(&engine));
        let db = bare_sled(&engine, true);
        assert_eq!(db.get(b"new").unwrap().as_deref(), Some(&text[..]), "kept as it is, for sled to compress");
    }

    #[test]
    fn a_value_that_is_not_a_packed_form_is_an_error_in_reads_and_scans() {
        let dir = tempfile::tempdir().unwrap();
        let engine = dir.path().join("sled");
        {
            let db = bare_sled(&engine, false);
            db.insert(b"a", &[1u8, 2, 3][..]).unwrap();
            db.insert(b"b", &b"\0fine"[..]).unwrap();
            db.flush().unwrap();
        }
        let kv = SledKv::open(&engine, 1 << 20).unwrap();
        assert!(matches!(kv.get(b"a"), Err(StoreError::Corrupt(m)) if m.contains("a value in the engine")));
        assert_eq!(kv.get(b"b").unwrap().as_deref(), Some(&b"fine"[..]));
        let mut scan = kv.scan_prefix(b"");
        assert!(scan.next().unwrap().is_err());
        assert!(scan.next().is_none(), "a scan stops at its first error");
    }

    /// Values under a prefix asked to read fast are stored in LZ4, the others in zstd,
    /// from the next batch on (one applied before stays zstd), and all read back as
    /// they were written, through the cache, past it and by a scan, in batches small
    /// and large (packed on two threads).
    #[test]
    fn values_under_a_prefix_asked_to_read_fast_are_stored_in_lz4() {
        let dir = tempfile::tempdir().unwrap();
        let kv = SledKv::open(&dir.path().join("sled"), 8 << 20).unwrap();
        let value = |i: usize| format!("said the minister on day {i}; ").repeat(100).into_bytes();
        kv.apply(vec![(b"Qbefore".to_vec(), Some(value(0)))]).unwrap();
        kv.prefer_fast_reads(b'Q');
        let small: Vec<crate::kv::Write> = (1..4)
            .flat_map(|i| {
                [(format!("Q{i}").into_bytes(), Some(value(i))), (format!("S{i}").into_bytes(), Some(value(i)))]
            })
            .collect();
        let large: Vec<crate::kv::Write> = (10..400)
            .map(|i| (format!("{}{i}", if i % 2 == 0 { 'Q' } else { 'S' }).into_bytes(), Some(value(i))))
            .collect();
        assert!(large.iter().map(|(_, v)| v.as_ref().map_or(0, Vec::len)).sum::<usize>() > super::PACK_BESIDE_BYTES);
        let written: Vec<crate::kv::Write> = small.iter().chain(&large).cloned().collect();
        kv.apply(small).unwrap();
        kv.apply(large).unwrap();
        let raw = |key: &[u8]| kv.db().unwrap().get(key).unwrap().unwrap().to_vec();
        assert_eq!(raw(b"Qbefore")[0], 1, "zstd: written before the prefix was asked for");
        for (key, v) in &written {
            let want = if key[0] == b'Q' { 2 } else { 1 };
            assert_eq!(raw(key)[0], want, "{}", String::from_utf8_lossy(key));
            assert_eq!(kv.get(key).unwrap().as_ref(), v.as_ref());
            let mut out = Vec::new();
            assert!(kv.read_past_cache(key, &mut out).unwrap());
            assert_eq!(Some(&out), v.as_ref());
        }
        let scanned: Vec<(Vec<u8>, Vec<u8>)> = kv.scan_prefix(b"Q").map(Result::unwrap).collect();
        assert_eq!(scanned.len(), 1 + 3 + 195);
        assert!(scanned.iter().all(|(k, v)| k.as_slice() == b"Qbefore"
            || Some(v) == written.iter().find(|(w, _)| w == k).and_then(|(_, v)| v.as_ref())));
    }

    #[test]
    fn a_full_disk_from_sled_is_disk_full_not_an_engine_failure() {
        for errno in [28, 122] {
            let e = engine_error(sled::Error::Io(std::io::Error::from_raw_os_error(errno)));
            assert!(matches!(e, StoreError::DiskFull { .. }), "{errno}: {e}");
            assert!(e.to_string().contains("the disk"), "{e}");
        }
        // Another error of the system (EIO) is said as what it is, not as damage.
        let e = engine_error(sled::Error::Io(std::io::Error::from_raw_os_error(5)));
        assert!(matches!(e, StoreError::Io { .. }), "{e}");
        assert!(e.to_string().contains("Input/output error") && !e.to_string().contains("damaged"), "{e}");
    }

    #[test]
    fn damaged_data_is_said_in_words_not_debug_forms() {
        let e = engine_error(sled::Error::Corruption { at: None, bt: () });
        assert_eq!(e.to_string(), "storage engine error: its log holds damaged data");
    }

    #[test]
    fn only_snapshot_temporaries_are_recognised() {
        assert!(is_snapshot_temporary("snap.FFFFFFFFFFFFFFFF.generating"));
        assert!(is_snapshot_temporary("snap.00000000000A1B2c.generating"));
        assert!(is_snapshot_temporary("snap.0000000000000001.in___motion"));
        // A finished snapshot, the log, the config, and look-alikes stay.
        for kept in ["snap.FFFFFFFFFFFFFFFF", "db", "conf", "blobs", "snap.generating", "snap.XYZ.generating"] {
            assert!(!is_snapshot_temporary(kept), "{kept}");
        }
    }
}

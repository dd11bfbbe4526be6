//! Opening a store safely, and every read path.
//!
//! A store directory holds `FACTGRAPH` (the marker: format version and engine, written
//! on create and read before the engine touches anything), `LOCK` (held exclusively
//! while open, so a second process gets "store is in use" at once; shared by readers
//! of a store on a read-only file system, see `lock_for_reading`) and the engine's
//! own directory (`sled/`). A store on the memory engine has no directory at all.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use crossbeam_utils::sync::ShardedLock;

use crate::cache::Derived;
use crate::codec::{self, bucket, decode, AdjEntry, Page, StoredStatement};
use crate::error::{Result, StoreError};
use crate::failpoint;
use crate::keys::{self, List, Slot};
use crate::kv::{Engine, Guarded, Kv, MemoryKv, SledKv};
use crate::lazy::{LazyProperties, ShownRecord};
use crate::model::{Direction, Entity, EntityId, Node, Properties, Statement, StatementId};
use crate::normalize::normalize;

/// The on-disk format this build writes: 2 keeps the statements' quotes in blocks of
/// their own (`keys::QUOTES`); 3 packs those blocks in LZ4, which a long answer
/// decompresses three times as fast as zstd, for a tenth more disk (`kv/packed.rs`).
/// It reads formats 1 and 2 too, and goes on writing such a store in its own format
/// (1: quotes in the records; 2: quote blocks in zstd); a build that knows only an
/// older format refuses a newer store rather than misread it.
pub const FORMAT_VERSION: u32 = 3;
/// The oldest format this build reads (and writes, in a store made in it).
const OLDEST_FORMAT: u32 = 1;
/// The marker file's name.
pub const MARKER_FILE: &str = "FACTGRAPH";
const MARKER_PREFIX: &str = "factgraph store\nformat ";
const MARKER_ENGINE: &str = "engine ";
const LOCK_FILE: &str = "LOCK";
/// The marker's temporary, renamed to `FACTGRAPH` once written.
const MARKER_TMP: &str = "FACTGRAPH.tmp";
/// A marker is two short lines; anything longer is not one.
const MAX_MARKER_LEN: u64 = 4096;
/// A store being created is built in `.NAME.creating-PID` beside its final place.
const CREATING: &str = ".creating-";
/// The engine can loop forever on some damaged logs; opening gives up after this long.
const OPEN_TIMEOUT: Duration = Duration::from_secs(60);

/// How to open a store.
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// Create the store when the directory is missing or empty.
    pub create: bool,
    /// The engine's page cache, in bytes; `None` sizes it from the store and the
    /// machine (`auto_cache_bytes`).
    pub cache_bytes: Option<u64>,
    /// The engine of a store being created. An existing store always opens with the
    /// engine its marker names. `Engine::Memory` keeps nothing on disk, so it is
    /// chosen with `Store::in_memory`, not with a path.
    pub engine: Engine,
    /// Refuse every write: `Store::transaction` fails with `StoreError::ReadOnly`, and
    /// a missing store is not created.
    pub read_only: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions { create: true, cache_bytes: None, engine: Engine::Sled, read_only: false }
    }
}

/// Relation names interned to small ids; tiny, so kept in memory.
#[derive(Default, Debug, Clone)]
pub(crate) struct Relations {
    pub by_name: HashMap<String, u32>,
    pub by_id: HashMap<u32, String>,
}

/// Property keys, each with flags (`keys::KEY_ON_NODES`, `keys::KEY_ON_DOCUMENTS`),
/// in key order: up to `txn::MAX_PROPERTY_KEYS`, read far more than written. A tree,
/// since a commit may add thousands (a sorted list moved its tail for each: most of an
/// import's time at 80,000 keys).
#[derive(Clone, Debug, Default)]
pub(crate) struct KeyFlags(std::collections::BTreeMap<String, u8>);

impl KeyFlags {
    /// The flags of `key`, 0 if it has none.
    pub(crate) fn get(&self, key: &str) -> u8 {
        self.0.get(key).copied().unwrap_or(0)
    }

    /// Gives `key` the flags `on`; 0 removes it.
    pub(crate) fn set(&mut self, key: &str, on: u8) {
        match (self.0.get_mut(key), on) {
            (Some(_), 0) => {
                self.0.remove(key);
            }
            (Some(flags), on) => *flags = on,
            (None, 0) => {}
            (None, on) => {
                self.0.insert(key.to_owned(), on);
            }
        }
    }

    /// How many keys.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Every key, in order, with its flags.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, u8)> {
        self.0.iter().map(|(k, on)| (k.as_str(), *on))
    }
}

/// Counts kept up to date by every commit, so statistics never need a full scan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Entities, documents included.
    pub entities: u64,
    /// Statements.
    pub statements: u64,
    /// Pieces of evidence over all statements.
    pub evidence: u64,
}

/// How many times a statement's record and quotes are read before a pair read while
/// batches kept being applied is taken as it is (`Store::stored_statement`).
const JOIN_TRIES: usize = 8;

/// An open store. Reads may run from many threads; writes go through one
/// `Transaction` at a time.
pub struct Store {
    /// The engine, closed for good if a failed commit could not be taken back out.
    pub(crate) kv: Guarded,
    /// Entities decoded lately, each with the engine's `version` it was read at
    /// (`entity_shared`).
    decoded: quick_cache::sync::Cache<u64, Decoded>,
    /// Statements decoded lately, tagged as `decoded` is (`statement_shared`), weighed
    /// by their bytes.
    decoded_statements: quick_cache::sync::Cache<u64, (u64, std::sync::Arc<Statement>), StatementBytes>,
    /// The long adjacency lists decoded lately (`Store::edges`), each tagged with the
    /// engine's version as `decoded` is: a hub's 87,000 entries took 16 of the 70
    /// million instructions of a query over its relationships to decode each time.
    decoded_lists: quick_cache::sync::Cache<(Node, Direction), DecodedList>,
    engine: Engine,
    /// `None` for a store on the memory engine.
    path: Option<PathBuf>,
    _lock: Option<File>,
    pub(crate) read_only: bool,
    /// Whether what is derived from the data may be kept in files beside it
    /// (`adjacency.csr`, `kept-NAME`): not while the store is being created, when its
    /// directory is a temporary that an in-place creation does not move whole.
    pub(crate) keeps_derived: bool,
    /// Read for every statement decoded: sharded, as the engine's gate is
    /// (`kv/guarded.rs`), so that threads reading statements side by side do not move
    /// one lock's count between cores.
    pub(crate) relations: ShardedLock<Relations>,
    /// The property keys entities and statements have had, each with where
    /// (`keys::KEY_ON_NODES`, `keys::KEY_ON_DOCUMENTS`), or `None` when the store does
    /// not know them all (`keys::META_PROPERTY_KEYS`).
    pub(crate) property_keys: ShardedLock<Option<KeyFlags>>,
    pub(crate) writer: Mutex<()>,
    /// Bumped by every commit, so caches built from the data know when they are stale.
    pub(crate) generation: std::sync::atomic::AtomicU64,
    /// Bumped by every commit that changed a statement in place (its qualifiers), so
    /// that structures brought up to date from the statements added since know to
    /// look again at all of them (`Store::rewrites`).
    pub(crate) rewrites: std::sync::atomic::AtomicU64,
    /// Structures derived from the data (the adjacency), rebuilt after commits.
    pub(crate) derived: Derived,
    /// Structures a layer above derives from the data (`Store::derived`), one per type.
    pub(crate) above: Derived,
    pub(crate) last_commit: Mutex<Option<CommitStats>>,
    /// The store's format (`check_format`): whether statements keep their quotes
    /// apart (2) or in their records (1).
    format: std::sync::atomic::AtomicU32,
}

/// Where the time of the last commit went, for benchmarks and diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitStats {
    /// Building the engine's batch from the overlay.
    pub encode: std::time::Duration,
    /// The engine applying the batch.
    pub apply: std::time::Duration,
    /// Flushing to disk (and the checkpoint after a large commit).
    pub flush: std::time::Duration,
    /// Keys written or deleted.
    pub writes: usize,
    /// Bytes of keys and values written.
    pub bytes: usize,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("engine", &self.engine).field("path", &self.path).finish_non_exhaustive()
    }
}

enum DirState {
    Missing,
    Empty,
    /// Only what an interrupted creation in place leaves before its marker is in
    /// place: `LOCK`, `FACTGRAPH.tmp` (earlier versions), `.creating-PID/` (the
    /// temporary), and `sled/` when that temporary still holds the marker (killed
    /// while moving in). Nothing was ever committed to such a directory.
    Unfinished(String),
    Store(Engine),
}

fn inspect_dir(path: &Path) -> Result<DirState> {
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(DirState::Missing),
        Err(e) => return Err(StoreError::io(format!("reading {}", path.display()), e)),
    };
    if !meta.is_dir() {
        return Err(StoreError::NotADirectory { path: path.to_owned() });
    }
    let marker = path.join(MARKER_FILE);
    match read_small_file(&marker) {
        Ok(bytes) => {
            let marker = parse_marker(&bytes).ok_or_else(|| StoreError::Damaged {
                path: path.to_owned(),
                detail: format!("{MARKER_FILE} marker is unreadable"),
            })?;
            if marker.format > FORMAT_VERSION {
                return Err(StoreError::NewerFormat {
                    path: path.to_owned(),
                    found: marker.format,
                    supported: FORMAT_VERSION,
                });
            }
            match Engine::from_name(&marker.engine) {
                // A memory store never has a marker; one that says so was not written by us.
                Some(engine) if engine != Engine::Memory => Ok(DirState::Store(engine)),
                _ => Err(StoreError::UnknownEngine { path: path.to_owned(), engine: marker.engine }),
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut found = Vec::new();
            for entry in fs::read_dir(path).map_err(|e| StoreError::io(format!("listing {}", path.display()), e))? {
                let entry = entry.map_err(|e| StoreError::io(format!("listing {}", path.display()), e))?;
                found.push(entry.file_name());
            }
            found.sort();
            let is_temporary = |n: &std::ffi::OsStr| n.as_encoded_bytes().starts_with(CREATING.as_bytes());
            let known = found
                .iter()
                .all(|n| n == LOCK_FILE || n == MARKER_TMP || n == engine_dir(Engine::Sled) || is_temporary(n));
            // An engine directory without a marker is ours only while the temporary
            // beside it still holds the marker: otherwise it may be someone's data.
            let engine_is_ours = !found.iter().any(|n| n == engine_dir(Engine::Sled))
                || found.iter().any(|n| is_temporary(n) && path.join(n).join(MARKER_FILE).is_file());
            if found.is_empty() {
                Ok(DirState::Empty)
            } else if known && engine_is_ours {
                let names: Vec<String> = found.iter().map(|n| n.to_string_lossy().into_owned()).collect();
                Ok(DirState::Unfinished(names.join(", ")))
            } else {
                Err(StoreError::Foreign { path: path.to_owned() })
            }
        }
        Err(e) => Err(StoreError::io(format!("reading {}", marker.display()), e)),
    }
}

/// Reads a file that should be a few bytes (the marker), refusing anything that is
/// not a regular file of at most `MAX_MARKER_LEN` bytes: a FIFO would block forever
/// and a device could be read without end.
fn read_small_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let meta = fs::metadata(path)?;
    if !meta.is_file() || meta.len() > MAX_MARKER_LEN {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not a regular file of at most {MAX_MARKER_LEN} bytes"),
        ));
    }
    let mut bytes = Vec::new();
    File::open(path)?.take(MAX_MARKER_LEN).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// What a marker says: the format, and the engine's name (`sled` in markers written
/// before engines were recorded).
struct Marker {
    format: u32,
    engine: String,
}

fn parse_marker(bytes: &[u8]) -> Option<Marker> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text.strip_prefix(MARKER_PREFIX)?.lines();
    let format = lines.next()?.trim().parse().ok()?;
    let engine = match lines.next() {
        None => Engine::Sled.name().to_owned(),
        Some(line) => line.strip_prefix(MARKER_ENGINE)?.trim().to_owned(),
    };
    Some(Marker { format, engine })
}

/// The engine's own directory inside a store directory.
fn engine_dir(engine: Engine) -> &'static str {
    engine.name()
}

/// Opens an on-disk engine on another thread so that a panic or an endless loop on
/// damaged files becomes an error here. On a timeout the stuck thread is abandoned.
/// How an existing store's engine is opened.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Its own files (sled may write to them as it opens).
    InPlace,
    /// A private temporary copy: the store's file system refuses writes.
    Copy,
}

/// The engine's caches for an engine directory when none is asked for: three times what
/// the engine's files (its log and blob files) take on disk (blocks are cached
/// decompressed, and zstd shrinks ours about that much, so a store read whole fits; at
/// 1,000,000 statements a cache the size of the files made a hub's 15,000 statements
/// take 526 ms instead of 55), at least 32 MiB
/// (a bulk load reads little back: it groups a claim's evidence before it writes), and
/// at most 512 MiB or an eighth of the machine's memory.
pub(crate) fn auto_cache_bytes(engine_dir: &Path) -> u64 {
    const MIB: u64 = 1024 * 1024;
    let files = stored_bytes(engine_dir) + stored_bytes(&engine_dir.join("blobs"));
    let ceiling = (512 * MIB).min(machine_memory().map_or(u64::MAX, |m| m / 8)).max(32 * MIB);
    files.saturating_mul(3).clamp(32 * MIB, ceiling)
}

/// The bytes the files directly in `dir` take on disk: their allocated blocks where the
/// system says (sled's free log segments are holes, which hold no data to cache), else
/// their lengths.
fn stored_bytes(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| {
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                (m.blocks() * 512).min(m.len())
            }
            #[cfg(not(unix))]
            {
                m.len()
            }
        })
        .sum()
}

/// A decoded adjacency list and the engine's version it was read at.
type DecodedList = (u64, std::sync::Arc<Vec<AdjEntry>>);

/// An entity decoded lately (`Store::entity_shared`): the engine's version it was read
/// at, the entity, and its properties as answers' cells hold them, made when first
/// asked for (`Store::entity_and_properties_shared`).
type Decoded = (u64, (std::sync::Arc<Entity>, SharedProperties));

/// An entity's properties as answers' cells hold them, made once when first asked for.
type SharedProperties = std::sync::Arc<std::sync::OnceLock<std::sync::Arc<Properties>>>;

/// The bytes of decoded statements a store keeps (`Store::statement_shared`), about.
const DECODED_STATEMENT_BYTES: u64 = 4 << 20;

/// Weighs a decoded statement by its bytes, about: a claim merging evidence from
/// hundreds of documents holds hundreds of quotes.
#[derive(Clone)]
struct StatementBytes;

impl quick_cache::Weighter<u64, (u64, std::sync::Arc<Statement>)> for StatementBytes {
    fn weight(&self, _: &u64, (_, st): &(u64, std::sync::Arc<Statement>)) -> u64 {
        let evidence: usize = st.evidence.iter().map(|ev| 64 + ev.quote.len()).sum();
        (160 + st.relation.len() + evidence + 64 * st.qualifiers.len()) as u64
    }
}

/// How many decoded entities a store keeps (`Store::entity_shared`): a few MB, twice
/// that at most when answers' cells asked for their properties too.
const DECODED_ENTITIES: usize = 8192;

/// How many long adjacency lists a store keeps decoded (`Store::edges`), and how long
/// a list must be to be kept: a few hubs' lists, a few MB each at most.
const DECODED_LISTS: usize = 8;
const LONG_LIST: usize = 4096;

/// Total memory from `/proc/meminfo`, where there is one.
fn machine_memory() -> Option<u64> {
    let info = fs::read_to_string("/proc/meminfo").ok()?;
    let kb: u64 =
        info.lines().find_map(|l| l.strip_prefix("MemTotal:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb * 1024)
}

fn open_engine(engine: Engine, dir: PathBuf, cache_bytes: Option<u64>, place: Place) -> Result<Box<dyn Kv>> {
    let cache_bytes = cache_bytes.unwrap_or_else(|| auto_cache_bytes(&dir));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("factgraph-open".into())
        .spawn(move || {
            let opened: Result<Box<dyn Kv>> = match engine {
                Engine::Sled if place == Place::Copy => {
                    SledKv::open_copy(&dir, cache_bytes).map(|kv| Box::new(kv) as Box<dyn Kv>)
                }
                Engine::Sled => SledKv::open(&dir, cache_bytes).map(|kv| Box::new(kv) as Box<dyn Kv>),
                Engine::Memory => Ok(Box::new(MemoryKv::new())),
            };
            let _ = tx.send(opened);
        })
        .map_err(|e| StoreError::io("starting the open thread", e))?;
    match rx.recv_timeout(OPEN_TIMEOUT) {
        Ok(result) => result,
        Err(_) => Err(StoreError::Engine(format!(
            "the storage engine did not finish opening within {} s",
            OPEN_TIMEOUT.as_secs()
        ))),
    }
}

impl Store {
    /// Opens the store at `path`, creating it if `options.create` and the directory is
    /// missing or empty. Refuses foreign directories, newer formats, damaged stores and
    /// stores in use, without writing anything to them.
    ///
    /// A new store is built in a temporary directory beside `path` and renamed into
    /// place once complete, so a kill at any moment leaves either no store or a whole
    /// one (see `create_with`).
    pub fn open(path: impl AsRef<Path>, options: &OpenOptions) -> Result<Store> {
        Store::create_with(path, options, Ok::<Store, StoreError>)
    }

    /// As `open`, and when the store has to be created, `fill` writes its first data
    /// before the store is put in place: a store created here holds what `fill` wrote
    /// or does not exist at all, whenever the process dies. `fill` is not called for a
    /// store that already exists. If `fill` fails, nothing is left behind.
    pub fn create_with<E: From<StoreError>>(
        path: impl AsRef<Path>,
        options: &OpenOptions,
        fill: impl FnOnce(Store) -> std::result::Result<Store, E>,
    ) -> std::result::Result<Store, E> {
        let path = path.as_ref().to_owned();
        if options.engine == Engine::Memory {
            return Err(StoreError::Invalid(
                "the memory engine keeps nothing on disk, so it has no path: use an in-memory store instead".into(),
            )
            .into());
        }
        let create = options.create && !options.read_only;
        match inspect_dir(&path)? {
            DirState::Store(engine) => {
                if options.read_only {
                    let (lock, place) = lock_for_reading(&path)?;
                    return Ok(Store::open_locked(path, lock, engine, options, create, place)?);
                }
                let lock = lock_dir(&path).map_err(|e| on_read_only_media(e, &path))?;
                remove_empty_temporaries(&path);
                Ok(Store::open_locked(path, Some(lock), engine, options, create, Place::InPlace)?)
            }
            // A creation under way holds the LOCK: say so, rather than "interrupted".
            DirState::Unfinished(_) if !create && lock_is_held(&path) => Err(StoreError::InUse { path }.into()),
            DirState::Unfinished(detail) if !create => Err(StoreError::Unfinished { path, detail }.into()),
            DirState::Missing | DirState::Empty if !create => Err(StoreError::NotFound { path }.into()),
            DirState::Missing => Store::create_atomically(path, options, fill),
            DirState::Empty | DirState::Unfinished(_) => Store::create_in_place(path, options, fill),
        }
    }

    /// Builds a new store inside an existing directory, which must stay that very
    /// directory (a mount point cannot be renamed over; a shell's current directory
    /// would be left pointing at a deleted one). `LOCK` is taken first and held
    /// throughout; everything else is built in `.creating-PID/` inside, then the
    /// engine directory is moved in, and the marker last: until the marker is in place
    /// the directory is `Unfinished` (never data), and the next creation clears it.
    fn create_in_place<E: From<StoreError>>(
        path: PathBuf,
        options: &OpenOptions,
        fill: impl FnOnce(Store) -> std::result::Result<Store, E>,
    ) -> std::result::Result<Store, E> {
        let lock = lock_dir(&path)?;
        failpoint::hit("create:lock");
        clear_unfinished(&path)?;
        let tmp = path.join(format!("{CREATING}{}", std::process::id()));
        fs::create_dir(&tmp).map_err(|e| StoreError::io(format!("creating {}", tmp.display()), e))?;
        failpoint::hit("create:dir");
        let engine = options.engine;
        let built = (|| -> std::result::Result<File, E> {
            write_marker(&tmp, engine)?;
            failpoint::hit("create:marker");
            let kv = open_engine(engine, tmp.join(engine_dir(engine)), options.cache_bytes, Place::InPlace)?;
            let mut store = Store::with_engine(kv, engine, Some(tmp.clone()), Some(lock), false);
            store.keeps_derived = false;
            store.check_format(true)?;
            failpoint::hit("create:engine");
            let store = fill(store)?;
            failpoint::hit("create:filled");
            let lock = store.close()?;
            failpoint::hit("create:closed");
            sync_dir(&tmp.join(engine_dir(engine)))?;
            sync_dir(&tmp)?;
            let move_in = |name: &str| {
                fs::rename(tmp.join(name), path.join(name))
                    .map_err(|e| StoreError::io(format!("moving {name} into {}", path.display()), e))
            };
            move_in(engine_dir(engine))?;
            sync_dir(&path)?;
            // The marker makes it a store.
            move_in(MARKER_FILE)?;
            Ok(lock)
        })();
        let lock = match built {
            Ok(lock) => lock,
            Err(e) => {
                // Back to the empty directory it was.
                let _ = fs::remove_dir_all(&tmp);
                let _ = fs::remove_dir_all(path.join(engine_dir(engine)));
                let _ = fs::remove_file(path.join(LOCK_FILE));
                return Err(e);
            }
        };
        failpoint::hit("create:renamed");
        sync_dir(&path)?;
        let _ = fs::remove_dir(&tmp);
        Ok(Store::open_locked(path, Some(lock), engine, options, false, Place::InPlace)?)
    }

    /// Builds a new store in `.NAME.creating-PID` beside `path` and renames it into
    /// place (over nothing, or over an empty directory, which rename replaces
    /// atomically). The temporary's LOCK is held from its creation until the store is
    /// open at its final place; the lock moves with the directory.
    fn create_atomically<E: From<StoreError>>(
        path: PathBuf,
        options: &OpenOptions,
        fill: impl FnOnce(Store) -> std::result::Result<Store, E>,
    ) -> std::result::Result<Store, E> {
        let path = resolve_symlink(path)?;
        let (parent, name) = parent_and_name(&path)?;
        // Named from the root, so that nothing depends on the current directory.
        let path =
            std::path::absolute(&path).map_err(|e| StoreError::io(format!("resolving {}", path.display()), e))?;
        fs::create_dir_all(&parent).map_err(|e| StoreError::io(format!("creating {}", parent.display()), e))?;
        remove_abandoned_creations(&parent, &name);
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(&name);
        tmp_name.push(format!("{CREATING}{}", std::process::id()));
        let tmp = parent.join(tmp_name);
        fs::create_dir(&tmp).map_err(|e| StoreError::io(format!("creating {}", tmp.display()), e))?;
        failpoint::hit("create:dir");
        let engine = options.engine;
        let built = (|| -> std::result::Result<File, E> {
            let lock = lock_dir(&tmp)?;
            failpoint::hit("create:lock");
            write_marker(&tmp, engine)?;
            failpoint::hit("create:marker");
            let kv = open_engine(engine, tmp.join(engine_dir(engine)), options.cache_bytes, Place::InPlace)?;
            let mut store = Store::with_engine(kv, engine, Some(tmp.clone()), Some(lock), false);
            store.keeps_derived = false;
            store.check_format(true)?;
            failpoint::hit("create:engine");
            let store = fill(store)?;
            failpoint::hit("create:filled");
            let lock = store.close()?;
            failpoint::hit("create:closed");
            sync_dir(&tmp.join(engine_dir(engine)))?;
            sync_dir(&tmp)?;
            Ok(lock)
        })();
        let lock = match built {
            Ok(lock) => lock,
            Err(e) => {
                let _ = fs::remove_dir_all(&tmp);
                return Err(e);
            }
        };
        if let Err(e) = fs::rename(&tmp, &path) {
            let _ = fs::remove_dir_all(&tmp);
            drop(lock);
            // Another process may have put a store (or anything else) there meanwhile:
            // open what is there as if it had been there all along.
            return match inspect_dir(&path) {
                Ok(DirState::Store(_)) => Ok(Store::open(&path, &OpenOptions { create: false, ..options.clone() })?),
                Ok(_) => Err(StoreError::io(format!("putting the new store in place at {}", path.display()), e).into()),
                Err(other) => Err(other.into()),
            };
        }
        failpoint::hit("create:renamed");
        sync_dir(&parent)?;
        Ok(Store::open_locked(path, Some(lock), engine, options, false, Place::InPlace)?)
    }

    /// Flushes and closes the engine, and hands back the LOCK, still held.
    fn close(self) -> Result<File> {
        self.kv.flush()?;
        let Store { kv, _lock, .. } = self;
        drop(kv);
        _lock.ok_or_else(|| StoreError::Invalid("a store without a directory has no lock to hand back".into()))
    }

    /// A new, empty store on the memory engine: nothing touches the disk, and the
    /// data is gone when the store is dropped.
    pub fn in_memory() -> Result<Store> {
        let store = Store::with_engine(Box::new(MemoryKv::new()), Engine::Memory, None, None, false);
        store.check_format(true)?;
        Ok(store)
    }

    pub(crate) fn with_engine(
        kv: Box<dyn Kv>,
        engine: Engine,
        path: Option<PathBuf>,
        lock: Option<File>,
        read_only: bool,
    ) -> Store {
        Store {
            kv: Guarded::new(kv),
            engine,
            path,
            _lock: lock,
            read_only,
            keeps_derived: !read_only,
            relations: ShardedLock::new(Relations::default()),
            property_keys: ShardedLock::new(None),
            writer: Mutex::new(()),
            generation: std::sync::atomic::AtomicU64::new(0),
            rewrites: std::sync::atomic::AtomicU64::new(0),
            derived: Derived::default(),
            above: Derived::default(),
            decoded: quick_cache::sync::Cache::new(DECODED_ENTITIES),
            decoded_statements: quick_cache::sync::Cache::with_weighter(4096, DECODED_STATEMENT_BYTES, StatementBytes),
            decoded_lists: quick_cache::sync::Cache::new(DECODED_LISTS),
            last_commit: Mutex::new(None),
            format: std::sync::atomic::AtomicU32::new(FORMAT_VERSION),
        }
    }

    /// Whether the store keeps its statements' quotes in blocks of their own (format
    /// 2) rather than in their records (format 1).
    pub(crate) fn quotes_apart(&self) -> bool {
        self.format.load(std::sync::atomic::Ordering::Relaxed) >= 2
    }

    /// Opens an existing store's engine under its lock. `complete`: a store whose
    /// creation by an earlier version stopped before its format key (an empty engine)
    /// is completed instead of refused.
    fn open_locked(
        path: PathBuf,
        lock: Option<File>,
        engine: Engine,
        options: &OpenOptions,
        complete: bool,
        place: Place,
    ) -> Result<Store> {
        let engine_dir = path.join(engine_dir(engine));
        if !engine_dir.is_dir() {
            return Err(StoreError::Damaged {
                path,
                detail: format!(
                    "the {engine} directory is missing (if the store's creation was interrupted by an earlier \
                     version, it holds no data: remove the directory and open it again)"
                ),
            });
        }
        let kv = open_engine(engine, engine_dir, options.cache_bytes, place).map_err(|e| match e {
            StoreError::Engine(detail) => StoreError::Damaged { path: path.clone(), detail },
            other => other,
        })?;
        let store = Store::with_engine(kv, engine, Some(path), lock, options.read_only);
        let unfinished = store.kv.get(keys::META_FORMAT)?.is_none() && store.kv.scan_prefix(&[]).next().is_none();
        match (unfinished, complete) {
            (true, true) => store.check_format(true)?,
            (true, false) => {
                return Err(StoreError::Unfinished {
                    path: store.path_or_memory(),
                    detail: "a marker and an empty engine".into(),
                })
            }
            (false, _) => store.check_format(false)?,
        }
        // A transaction killed after writing part of itself ahead of its commit left
        // its journal: put back what it overwrote before anything reads (or, if it
        // committed, remove the journal). This writes even to a store opened
        // read-only, as sled's own recovery does: it restores what was committed.
        // A store whose last spilling transaction settled its journal says so, and
        // is not scanned for one. (A store from before the mark that was stopped
        // between a commit and removing its journal keeps it until its next spill,
        // which settles it first; the journal is not read otherwise.)
        if (store.kv.get(keys::META_SPILLING)?.is_some() || store.kv.get(keys::META_JOURNAL)?.is_some())
            && store.settle_journal()?
        {
            // Read before the journal was settled, the keys may hold those of a
            // transaction now rolled back.
            store.load_property_keys()?;
        }
        store.load_relations()?;
        Ok(store)
    }

    /// Settles the undo journal (`U` keys) of a transaction that wrote part of itself
    /// ahead of its commit. While the `Mspilling` flag is set the transaction has not
    /// committed: every journaled key gets back what it held before, then the flag
    /// goes. Without the flag it committed, and the journal is only removed. Each
    /// batch settles some keys and drops their journal entries together, so this can
    /// stop anywhere and run again. True if there was anything to settle.
    pub(crate) fn settle_journal(&self) -> Result<bool> {
        // A batch settles at most this many bytes and keys. sled applies a batch under
        // one epoch guard, so every version of a leaf that the batch replaces (each
        // removal copies its leaf: about 13 KB for the journal's small entries) stays
        // in memory until the batch ends: removing the 58,605 entries of a load of
        // 30,000,000 statements in one batch took 460 MB.
        const CHUNK_BYTES: usize = 8 * 1024 * 1024;
        const CHUNK_KEYS: usize = 512;
        let restore = self.kv.get(keys::META_SPILLING)?.is_some();
        let mut any = restore;
        loop {
            let mut writes = Vec::new();
            let mut bytes = 0;
            for pair in self.kv.scan_prefix(&[keys::UNDO]) {
                let (key, value) = pair?;
                if restore {
                    let old = match value.split_first() {
                        Some((0, [])) => None,
                        Some((1, old)) => Some(old.to_vec()),
                        _ => return Err(StoreError::Corrupt("an undo journal entry".into())),
                    };
                    bytes += old.as_ref().map_or(0, Vec::len);
                    writes.push((key[1..].to_vec(), old));
                }
                bytes += key.len();
                writes.push((key, None));
                if bytes >= CHUNK_BYTES || writes.len() >= CHUNK_KEYS {
                    break;
                }
            }
            if writes.is_empty() {
                break;
            }
            any = true;
            self.kv.apply(writes)?;
        }
        // The journal is gone: so are the marks that say to look for it.
        let marked = self.kv.get(keys::META_JOURNAL)?.is_some();
        if restore || marked {
            self.kv.apply(vec![(keys::META_SPILLING.to_vec(), None), (keys::META_JOURNAL.to_vec(), None)])?;
        }
        if any || marked {
            self.kv.flush()?;
            self.generation.fetch_add(1, std::sync::atomic::Ordering::Release);
        }
        Ok(any)
    }

    pub(crate) fn check_format(&self, fresh: bool) -> Result<()> {
        self.check_format_found(fresh)?;
        if self.format.load(std::sync::atomic::Ordering::Relaxed) >= 3 {
            self.kv.prefer_fast_reads(keys::QUOTES);
        }
        self.load_property_keys()
    }

    /// Reads the property keys in use, if the store keeps them whole
    /// (`keys::META_PROPERTY_KEYS`); a fresh store starts keeping them.
    pub(crate) fn load_property_keys(&self) -> Result<()> {
        let commits = self.meta_u64(keys::META_COMMITS)?;
        let empty = commits == 0 && self.meta_u64(keys::META_NEXT_ENTITY)? == 0;
        let marked = self.kv.get(keys::META_PROPERTY_KEYS)?;
        let whole = match marked {
            Some(v) => <[u8; 8]>::try_from(v.as_slice()).map(u64::from_be_bytes).ok() == Some(commits),
            // Nothing written yet: nothing to know, so the list is whole from here.
            None if empty && !self.read_only => {
                self.kv.apply(vec![(keys::META_PROPERTY_KEYS.to_vec(), Some(commits.to_be_bytes().to_vec()))])?;
                true
            }
            None => false,
        };
        let mut found = None;
        if whole {
            // One that does not read makes the keys unknown, not the store
            // unreadable: they only ever give notes.
            let mut set = Some(KeyFlags::default());
            for pair in self.kv.scan_prefix(&[keys::PROPERTY_KEY]) {
                let (k, v) = pair?;
                match (std::str::from_utf8(&k[1..]), &v[..], set.as_mut()) {
                    (Ok(key), [on], Some(set)) if *on != 0 => set.set(key, *on),
                    _ => {
                        set = None;
                        break;
                    }
                }
            }
            found = set;
        }
        *self.property_keys.write().unwrap_or_else(|p| p.into_inner()) = found;
        Ok(())
    }

    /// Every property key an entity that is no document, or a statement, has had,
    /// sorted (a key stays listed when the last value under it is removed, as a
    /// token does in Neo4j); with `documents`, the keys of documents too. `None` for
    /// a store that does not know them all: one made, or last written, by a version
    /// that did not keep them (`keys::META_PROPERTY_KEYS`). An entity's name counts
    /// as its `name`.
    pub fn property_keys(&self, documents: bool) -> Option<Vec<String>> {
        let mask = if documents { keys::KEY_ON_NODES | keys::KEY_ON_DOCUMENTS } else { keys::KEY_ON_NODES };
        let keys = self.property_keys.read().unwrap_or_else(|p| p.into_inner());
        keys.as_ref().map(|k| k.iter().filter(|(_, on)| *on & mask != 0).map(|(k, _)| k.to_owned()).collect())
    }

    /// Whether some entity (a document included) or statement has had the property
    /// `key`; `None` when the store does not know (`property_keys`).
    pub fn has_property_key(&self, key: &str) -> Option<bool> {
        let keys = self.property_keys.read().unwrap_or_else(|p| p.into_inner());
        keys.as_ref().map(|k| k.get(key) != 0)
    }

    /// The format's key checked (and written in a fresh store), and kept in `format`.
    fn check_format_found(&self, fresh: bool) -> Result<()> {
        let damaged = |detail: String| StoreError::Damaged { path: self.path_or_memory(), detail };
        match self.kv.get(keys::META_FORMAT)? {
            None if fresh => {
                self.kv.apply(vec![(keys::META_FORMAT.to_vec(), Some(FORMAT_VERSION.to_be_bytes().to_vec()))])?;
                self.format.store(FORMAT_VERSION, std::sync::atomic::Ordering::Relaxed);
                self.kv.flush()
            }
            None => Err(damaged("the format key is missing".into())),
            Some(v) => {
                let found = <[u8; 4]>::try_from(v.as_slice())
                    .map(u32::from_be_bytes)
                    .map_err(|_| damaged("the format key is unreadable".into()))?;
                if found > FORMAT_VERSION {
                    Err(StoreError::NewerFormat { path: self.path_or_memory(), found, supported: FORMAT_VERSION })
                } else if found < OLDEST_FORMAT {
                    Err(damaged(format!("the format key says {found}, which no version wrote")))
                } else {
                    self.format.store(found, std::sync::atomic::Ordering::Relaxed);
                    Ok(())
                }
            }
        }
    }

    fn load_relations(&self) -> Result<()> {
        let mut rels = Relations::default();
        for pair in self.kv.scan_prefix(&[keys::RELATION_BY_ID]) {
            let (k, v) = pair?;
            let id = k
                .get(1..5)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_be_bytes)
                .ok_or_else(|| StoreError::Corrupt("relation key".into()))?;
            let name = String::from_utf8(v).map_err(|_| StoreError::Corrupt("relation name".into()))?;
            rels.by_name.insert(name.clone(), id);
            rels.by_id.insert(id, name);
        }
        *self.relations.write().unwrap_or_else(|p| p.into_inner()) = rels;
        Ok(())
    }

    /// Where the time of the last commit went.
    pub fn last_commit(&self) -> Option<CommitStats> {
        *self.last_commit.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The store's directory; `None` on the memory engine.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The path errors name: the directory, or `(memory)`.
    pub(crate) fn path_or_memory(&self) -> PathBuf {
        self.path.clone().unwrap_or_else(|| PathBuf::from("(memory)"))
    }

    /// The engine that keeps the store's data.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Whether the store was opened read-only.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Bytes the store occupies on disk.
    pub fn size_on_disk(&self) -> Result<u64> {
        self.kv.size_on_disk()
    }

    pub(crate) fn meta_u64(&self, key: &[u8]) -> Result<u64> {
        // In place, through the cache of blocks read lately, as `lookup` reads.
        let mut out = 0;
        self.kv.read(key, &mut |v| {
            out = <[u8; 8]>::try_from(v)
                .map(u64::from_be_bytes)
                .map_err(|_| StoreError::Corrupt(format!("metadata {}", String::from_utf8_lossy(key))))?;
            Ok(())
        })?;
        Ok(out)
    }

    /// The ids the next entity and statement will get.
    pub fn next_ids(&self) -> Result<(u64, u64)> {
        Ok((self.meta_u64(keys::META_NEXT_ENTITY)?, self.meta_u64(keys::META_NEXT_STATEMENT)?))
    }

    /// What identifies the data as committed now, for structures derived from it and
    /// kept on disk: the commit count, the id counters and the counts.
    pub(crate) fn stamp(&self) -> Result<[u64; 6]> {
        let c = self.counts()?;
        let (e, st) = self.next_ids()?;
        Ok([self.meta_u64(keys::META_COMMITS)?, e, st, c.entities, c.statements, c.evidence])
    }

    /// A number that changes with every commit made through this handle, so that
    /// a structure derived from the data can tell when it is stale.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// How many commits through this handle changed a statement in place (its
    /// qualifiers). Statements otherwise never change once written, so a structure
    /// derived from them can be brought up to date from the ones added since, unless
    /// this number moved.
    pub fn rewrites(&self) -> u64 {
        self.rewrites.load(std::sync::atomic::Ordering::Acquire)
    }

    /// A structure the layer above derives from the data, built by `build` on first
    /// use after each commit and kept until the next, one per type. The store does not
    /// know what they mean (the query layer keeps the statements whose polarity
    /// withdraws them here, and the relations that report).
    pub fn derived<T: std::any::Any + Send + Sync>(
        &self,
        build: impl FnOnce(&Store) -> Result<T>,
    ) -> Result<std::sync::Arc<T>> {
        self.derived_from(|store, _| build(store))
    }

    /// As `derived`, with the value built before the last commits (if any) given to
    /// `build`, for a structure that can be brought up to date from it more cheaply
    /// than rebuilt.
    pub fn derived_from<T: std::any::Any + Send + Sync>(
        &self,
        build: impl FnOnce(&Store, Option<&T>) -> Result<T>,
    ) -> Result<std::sync::Arc<T>> {
        let generation = self.generation();
        let stale = match self.above.get_any::<T>() {
            Some((g, c)) if g == generation => return Ok(c),
            Some((_, c)) => Some(c),
            None => None,
        };
        let built = std::sync::Arc::new(build(self, stale.as_deref())?);
        self.above.set(generation, built.clone());
        Ok(built)
    }

    /// The structure `derived` or `derived_from` built for the data as committed now,
    /// if one was; never builds. For an operator that uses a costly structure only
    /// when it is at hand or its input turns out large.
    pub fn derived_if_built<T: std::any::Any + Send + Sync>(&self) -> Option<std::sync::Arc<T>> {
        self.above.get::<T>(self.generation())
    }

    /// Writes `note` into the store's `LOCK` file, replacing what was there, for
    /// other processes to read with [`lock_note`] while this handle holds the lock
    /// (a server says where it listens). An empty note clears it. A store on the
    /// memory engine, or one read from a copy without a lock, has nowhere to write:
    /// that is an error.
    pub fn announce(&self, note: &str) -> Result<()> {
        let Some(file) = &self._lock else {
            return Err(StoreError::ReadOnly);
        };
        let lock_path = self.path.as_deref().map(|p| p.join(LOCK_FILE)).unwrap_or_default();
        let write = || -> std::io::Result<()> {
            use std::io::{Seek, SeekFrom};
            let mut f = file;
            f.set_len(0)?;
            f.seek(SeekFrom::Start(0))?;
            f.write_all(note.as_bytes())?;
            f.sync_data()
        };
        write().map_err(|e| StoreError::io(format!("writing {}", lock_path.display()), e))
    }

    /// Entity, statement and evidence counts.
    pub fn counts(&self) -> Result<Counts> {
        Ok(Counts {
            entities: self.meta_u64(keys::META_COUNT_ENTITIES)?,
            statements: self.meta_u64(keys::META_COUNT_STATEMENTS)?,
            evidence: self.meta_u64(keys::META_COUNT_EVIDENCE)?,
        })
    }

    /// An entity by id.
    pub fn entity(&self, id: EntityId) -> Result<Option<Entity>> {
        self.decode_slot(&keys::entity(id), "entity record")
    }

    /// An entity by id, shared: the one decoded lately when nothing was written since.
    /// A question reads the same few entities (the documents, the outlets, the ends
    /// of its statements) again and again, and decoding one (name, kind, aliases with
    /// their documents, properties) costs more than finding it; a process that asks
    /// questions keeps the last `DECODED_ENTITIES` it read.
    pub fn entity_shared(&self, id: EntityId) -> Result<Option<std::sync::Arc<Entity>>> {
        Ok(self.entity_decoded(id)?.map(|(e, _)| e))
    }

    /// `entity_shared`, with the entity's properties shared too: an answer's cell holds
    /// an entity's properties whole, and a question showing a document copied its map
    /// every time it was asked (a fifth of the allocations of a `who reported` of a
    /// four-statement entity). They are copied once per entity decoded.
    pub fn entity_and_properties_shared(
        &self,
        id: EntityId,
    ) -> Result<Option<(std::sync::Arc<Entity>, std::sync::Arc<Properties>)>> {
        Ok(self.entity_decoded(id)?.map(|(e, properties)| {
            let properties = properties.get_or_init(|| std::sync::Arc::new(e.properties.clone())).clone();
            (e, properties)
        }))
    }

    /// The entity and its properties' place in `decoded`, from there when current.
    fn entity_decoded(&self, id: EntityId) -> Result<Option<(std::sync::Arc<Entity>, SharedProperties)>> {
        self.current(&self.decoded, id.0, || Ok(self.entity(id)?.map(|e| (std::sync::Arc::new(e), Default::default()))))
    }

    /// What `read` gives for `key`, from `cache` when it was read at the engine's
    /// version now, else read and kept (the decoded entities and statements). A value
    /// read while a batch was being applied, or with one begun since, may be either
    /// version, so it is not kept.
    fn current<V: Clone, W: quick_cache::Weighter<u64, (u64, V)> + Clone>(
        &self,
        cache: &quick_cache::sync::Cache<u64, (u64, V), W>,
        key: u64,
        read: impl FnOnce() -> Result<Option<V>>,
    ) -> Result<Option<V>> {
        let version = self.kv.version();
        if let (Some(v), Some((read_at, value))) = (version, cache.get(&key)) {
            if read_at == v {
                return Ok(Some(value));
            }
        }
        let Some(value) = read()? else { return Ok(None) };
        if let Some(v) = version.filter(|&v| self.kv.version() == Some(v)) {
            cache.insert(key, (v, value.clone()));
        }
        Ok(Some(value))
    }

    /// An entity's canonical name, decoded alone from its record: a long answer names
    /// tens of thousands of entities in its claims, and decoding each whole (aliases
    /// with their documents, properties) cost five times as much as its name.
    pub fn entity_name(&self, id: EntityId) -> Result<Option<std::sync::Arc<str>>> {
        let slot = keys::entity(id);
        let mut out = None;
        self.kv.read(&slot.block, &mut |block| {
            out = name_in(block, slot.slot)?;
            Ok(())
        })?;
        Ok(out)
    }

    /// What an answer shows of an entity, read from its record without its aliases:
    /// `show` is handed its name, kind and the texts of the properties `wanted`,
    /// borrowed from the record, and its properties come back kept as stored, checked
    /// and decoded when first read (`LazyProperties`). A long answer shows tens of
    /// thousands of documents, most of them more than once: decoding each whole made a
    /// name and a kind only to copy them into shared text and drop them, and a map of
    /// properties that most answers never look inside. `None` when there is no such
    /// entity.
    pub fn entity_shown<T, const N: usize>(
        &self,
        id: EntityId,
        wanted: [&str; N],
        show: impl FnOnce(ShownRecord<'_, N>) -> T,
    ) -> Result<Option<(T, LazyProperties)>> {
        let slot = keys::entity(id);
        let mut show = Some(show);
        let mut out = None;
        self.kv.read(&slot.block, &mut |block| {
            if let Some(show) = show.take() {
                out = shown_in(block, slot.slot, wanted, show)?;
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// A reader of the entities a long answer shows that keeps the blocks it read at
    /// hand (see `EntitiesRead`).
    pub fn entities_read(&self) -> EntitiesRead<'_> {
        EntitiesRead { store: self, version: None, blocks: Default::default(), bytes: 0 }
    }

    /// Decodes the record in one slot of a block, reading the block in place.
    pub(crate) fn decode_slot<T: serde::de::DeserializeOwned>(&self, slot: &Slot, what: &str) -> Result<Option<T>> {
        let mut out = None;
        self.kv.read(&slot.block, &mut |block| {
            if let Some(rec) = Page::slot(block, slot.slot)? {
                out = Some(decode(rec, what)?);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// The entity, or an error naming the missing id.
    pub fn require_entity(&self, id: EntityId) -> Result<Entity> {
        self.entity(id)?.ok_or(StoreError::NoSuchEntity(id))
    }

    /// Every entity whose canonical name or alias normalises like `name`. The caller
    /// decides what several candidates mean.
    pub fn lookup(&self, name: &str) -> Result<Vec<EntityId>> {
        self.lookup_normalized(&normalize(name))
    }

    /// As `lookup`, for an already normalised name.
    pub fn lookup_normalized(&self, normalized: &str) -> Result<Vec<EntityId>> {
        if normalized.is_empty() {
            return Ok(Vec::new());
        }
        // Read in place, through the engine's cache of blocks read lately: a `get`
        // walked sled's tree and copied the bucket on every lookup, two thirds of
        // resolving a name.
        let mut found = Vec::new();
        self.kv.read(&keys::name_bucket(normalized), &mut |bytes| {
            found = bucket::lookup(bytes, normalized)?.unwrap_or_default();
            Ok(())
        })?;
        Ok(found.into_iter().map(EntityId).collect())
    }

    /// Every normalised spelling in the name index with its entities, sorted by name.
    /// For suggestions and completion; reads the whole name index.
    pub fn names(&self) -> Result<Vec<(String, Vec<EntityId>)>> {
        let mut out = Vec::new();
        for pair in self.kv.scan_prefix(&[keys::NAME]) {
            let (_, v) = pair?;
            for (name, ids) in bucket::decode(&v)? {
                out.push((name, ids.into_iter().map(EntityId).collect()));
            }
        }
        out.sort();
        Ok(out)
    }

    /// A statement by id.
    pub fn statement(&self, id: StatementId) -> Result<Option<Statement>> {
        self.stored_statement(id)?.map(|s| self.named(id, s)).transpose()
    }

    /// A stored statement with its id and relation name.
    fn named(&self, id: StatementId, stored: StoredStatement) -> Result<Statement> {
        let relation = self.relation_name(stored.rel)?;
        Ok(stored.into_statement(id, relation))
    }

    /// A statement by id, shared: the one decoded lately when nothing was written since
    /// (as `entity_shared`). A question answering for a few statements reads each as a
    /// record and a block of quotes, a fifth of its time; asked again, it finds them.
    pub fn statement_shared(&self, id: StatementId) -> Result<Option<std::sync::Arc<Statement>>> {
        self.current(&self.decoded_statements, id.0, || Ok(self.statement(id)?.map(std::sync::Arc::new)))
    }

    /// The statement, or an error naming the missing id.
    pub fn require_statement(&self, id: StatementId) -> Result<Statement> {
        self.statement(id)?.ok_or(StoreError::NoSuchStatement(id))
    }

    /// A statement by id without its quotes (every `Evidence::quote` empty): its ends,
    /// relation, qualifiers and documents, which is what a walk, a pattern or a count
    /// of sources reads. In a store that keeps quotes apart (format 2) it reads a fifth
    /// of the bytes `statement` does and leaves the quotes' blocks alone.
    pub fn statement_without_quotes(&self, id: StatementId) -> Result<Option<Statement>> {
        let stored = if self.quotes_apart() {
            self.decode_slot::<StoredStatement>(&keys::statement(id), "statement record")?
        } else {
            self.stored_statement(id)?.map(|mut st| {
                st.evidence.iter_mut().for_each(|ev| ev.quote = String::new());
                st
            })
        };
        stored.map(|s| self.named(id, s)).transpose()
    }

    /// A statement's quotes alone, in the order of its evidence (`None`: no such
    /// statement). In format 2 that is one read of the quotes' block, not the record.
    pub fn quotes(&self, id: StatementId) -> Result<Option<Vec<String>>> {
        if self.quotes_apart() {
            return self.decode_slot(&keys::quotes(id), "statement quotes");
        }
        Ok(self.stored_statement(id)?.map(|st| st.evidence.into_iter().map(|ev| ev.quote).collect()))
    }

    /// As `statement_without_quotes`, or an error naming the missing id.
    pub fn require_statement_without_quotes(&self, id: StatementId) -> Result<Statement> {
        self.statement_without_quotes(id)?.ok_or(StoreError::NoSuchStatement(id))
    }

    pub(crate) fn stored_statement(&self, id: StatementId) -> Result<Option<StoredStatement>> {
        if !self.quotes_apart() {
            return self.decode_slot(&keys::statement(id), "statement record");
        }
        let (block, slot) = keys::record_place(id.0);
        // The record and its quotes are two reads: a batch applied between them could
        // pair a record with quotes of another version of it, so the two are read
        // again when the engine's data moved meanwhile (`Guarded::version`).
        let mut tries = 0;
        loop {
            tries += 1;
            let before = self.kv.version();
            let mut st: Option<StoredStatement> = None;
            let read = self.kv.read(&keys::record_block_key(keys::STATEMENT, block), &mut |page| {
                if let Some(rec) = Page::slot(page, slot)? {
                    st = Some(decode(rec, "statement record")?);
                }
                Ok(())
            });
            let joined = read.and_then(|_| {
                let Some(found) = &mut st else { return Ok(()) };
                let mut joined = None;
                self.kv.read(&keys::record_block_key(keys::QUOTES, block), &mut |page| {
                    joined = Some(join_quotes_at(found, id, Some(page), slot));
                    Ok(())
                })?;
                joined.unwrap_or_else(|| join_quotes_at(found, id, None, slot))
            });
            if tries >= JOIN_TRIES || (before.is_some() && self.kv.version() == before) {
                return joined.map(|()| st);
            }
        }
    }

    /// A reader of statements in id order, a block at a time, for a long answer that
    /// shows tens of thousands of them with their quotes (see `StatementsInOrder`).
    pub fn statements_in_order(&self) -> StatementsInOrder<'_> {
        StatementsInOrder { store: self, block: None, records: Vec::new(), quotes: Vec::new() }
    }

    pub(crate) fn relation_name(&self, id: u32) -> Result<String> {
        self.relations
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .by_id
            .get(&id)
            .cloned()
            .ok_or_else(|| StoreError::Corrupt(format!("unknown relation id {id}")))
    }

    /// The interned id of a relation name, if any statement ever used it.
    pub fn relation_id(&self, name: &str) -> Option<u32> {
        self.relations.read().unwrap_or_else(|p| p.into_inner()).by_name.get(name).copied()
    }

    /// Every relation name, sorted.
    pub fn relations(&self) -> Vec<String> {
        let rels = self.relations.read().unwrap_or_else(|p| p.into_inner());
        let mut names: Vec<String> = rels.by_name.keys().cloned().collect();
        names.sort();
        names
    }

    /// Reads a list of ids.
    pub(crate) fn read_ids(&self, list: &List) -> Result<Vec<u64>> {
        Ok(self.decode_slot(&list.slot(), "posting list")?.unwrap_or_default())
    }

    /// Reads an adjacency list.
    pub(crate) fn read_adjacency(&self, node: Node, dir: Direction) -> Result<Vec<AdjEntry>> {
        Ok(self.decode_slot(&List::Adjacency(node, dir).slot(), "adjacency list")?.unwrap_or_default())
    }

    /// Every stored adjacency list (`Out` lists only when `out_only`), in key order.
    pub(crate) fn all_adjacency(&self, out_only: bool) -> Result<Vec<AdjacencyList>> {
        let mut out = Vec::new();
        self.each_adjacency(out_only, |list| {
            out.push(list);
            Ok(())
        })?;
        Ok(out)
    }

    /// Calls `f` with each adjacency list in key order (by node kind, direction, id),
    /// decoding one block at a time: what a whole-graph build reads without holding
    /// every list at once.
    pub(crate) fn each_adjacency(&self, out_only: bool, mut f: impl FnMut(AdjacencyList) -> Result<()>) -> Result<()> {
        self.each_adjacency_list(out_only, |list, bytes| f((list, decode(bytes, "adjacency list")?)))
    }

    /// As `each_adjacency`, with each list still encoded (read in place in its block,
    /// not copied): a whole-graph build decodes a hub's millions of entries one at a
    /// time (`codec::each_adj_entry`). With `out_only`, only the out-lists' blocks are
    /// read: the in-lists' were read and decompressed to be skipped, half the index,
    /// and a hub's in-list block is the largest value of a store (27 MB compressed at
    /// 30,000,000 statements, held in several copies while it was read).
    pub(crate) fn each_adjacency_list(
        &self,
        out_only: bool,
        f: impl FnMut((Node, Direction), &[u8]) -> Result<()>,
    ) -> Result<()> {
        let prefixes: Vec<Vec<u8>> = match out_only {
            true => [Node::Entity(EntityId(0)), Node::Statement(StatementId(0))]
                .map(|n| keys::adjacency_prefix(keys::node_parts(n).0, Direction::Out).to_vec())
                .into(),
            false => vec![vec![keys::ADJACENCY]],
        };
        self.each_adjacency_list_under(&prefixes, f)
    }

    /// `each_adjacency_list` over the blocks whose keys start with one of `prefixes`.
    fn each_adjacency_list_under(
        &self,
        prefixes: &[Vec<u8>],
        mut f: impl FnMut((Node, Direction), &[u8]) -> Result<()>,
    ) -> Result<()> {
        for pair in prefixes.iter().flat_map(|prefix| self.kv.scan_prefix(prefix)) {
            let (k, v) = pair?;
            let bad = || StoreError::Corrupt("adjacency block key".into());
            let (kind, dir) = (*k.get(1).ok_or_else(bad)?, *k.get(2).ok_or_else(bad)?);
            // (An out-only scan reads only the out-lists' prefixes.)
            let dir = match dir {
                0 => Direction::Out,
                1 => Direction::In,
                _ => return Err(bad()),
            };
            for slot in 0..crate::codec::slot_count(&v)? {
                let Some(rec) = Page::slot(&v, slot)? else { continue };
                let id = keys::id_of(3, &k, slot, keys::LIST_BITS).ok_or_else(bad)?;
                let node = keys::node_from(kind, id).ok_or_else(bad)?;
                f((node, dir), rec)?;
            }
        }
        Ok(())
    }

    /// The statements that have statements about them (a list in the adjacency index
    /// of their own), in id order: one scan of the index, no statement decoded.
    pub fn statements_with_statements_about(&self) -> Result<Vec<StatementId>> {
        let mut out: Vec<StatementId> = Vec::new();
        // Only the statements' part of the index: the entities' (all of it at
        // 1,000,000 statements, 180 ms) holds none.
        let kind = keys::node_parts(Node::Statement(StatementId(0))).0;
        let prefixes = [Direction::Out, Direction::In].map(|d| keys::adjacency_prefix(kind, d).to_vec());
        self.each_adjacency_list_under(&prefixes, |(node, _), rec| {
            if let Node::Statement(s) = node {
                let entries: Vec<AdjEntry> = decode(rec, "adjacency list")?;
                if !entries.is_empty() {
                    out.push(s);
                }
            }
            Ok(())
        })?;
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// The statements whose object is a literal, in id order: one scan of the
    /// adjacency index, no statement decoded.
    pub fn statements_with_literal_objects(&self) -> Result<Vec<StatementId>> {
        let mut out: Vec<StatementId> = Vec::new();
        for (_, entries) in self.all_adjacency(true)? {
            out.extend(entries.iter().filter(|a| a.other.node().is_none()).map(|a| StatementId(a.sid)));
        }
        out.sort_unstable();
        Ok(out)
    }

    /// Every stored list of ids (relation, document, attribution, participant, kind).
    pub(crate) fn all_id_lists(&self) -> Result<Vec<(List, Vec<u64>)>> {
        let mut out = Vec::new();
        let bad = |what: &str| StoreError::Corrupt(format!("{what} key"));
        for tag in [keys::BY_RELATION, keys::BY_DOCUMENT, keys::BY_ATTRIBUTION, keys::BY_PARTICIPANT, keys::BY_KIND] {
            for pair in self.kv.scan_prefix(&[tag]) {
                let (k, v) = pair?;
                for (slot, rec) in Page::decode(&v)?.slots.iter().enumerate().filter(|(_, r)| !r.is_empty()) {
                    let list = match tag {
                        keys::BY_RELATION => List::Relation(
                            k.get(1..5)
                                .and_then(|b| b.try_into().ok())
                                .map(u32::from_be_bytes)
                                .ok_or_else(|| bad("relation list"))?,
                        ),
                        keys::BY_DOCUMENT => List::Document(EntityId(
                            keys::id_of(1, &k, slot, keys::LIST_BITS).ok_or_else(|| bad("document list"))?,
                        )),
                        keys::BY_ATTRIBUTION => List::Attribution(EntityId(
                            keys::id_of(1, &k, slot, keys::LIST_BITS).ok_or_else(|| bad("attribution list"))?,
                        )),
                        keys::BY_PARTICIPANT => List::Participant(EntityId(
                            keys::id_of(1, &k, slot, keys::LIST_BITS).ok_or_else(|| bad("participant list"))?,
                        )),
                        _ => List::Kind(keys::kind_of(&k).ok_or_else(|| bad("kind list"))?),
                    };
                    out.push((list, decode(rec, "posting list")?));
                }
            }
        }
        Ok(out)
    }

    /// The statements that have `node` at one end, with relation and far end, without
    /// loading the statements themselves.
    pub fn edges(&self, node: Node, dir: Direction) -> Result<Vec<Edge>> {
        let edge = |a: &AdjEntry| Edge { statement: StatementId(a.sid), relation: a.rel, other: a.other.node() };
        let version = self.kv.version();
        if let (Some(v), Some((read_at, list))) = (version, self.decoded_lists.get(&(node, dir))) {
            if read_at == v {
                return Ok(list.iter().map(edge).collect());
            }
        }
        let rels = self.read_adjacency(node, dir)?;
        let out = rels.iter().map(edge).collect();
        // Read while a batch was being applied, or with one begun since: the list may
        // be either version, so it is not kept.
        if let Some(v) = version.filter(|&v| rels.len() >= LONG_LIST && self.kv.version() == Some(v)) {
            self.decoded_lists.insert((node, dir), (v, std::sync::Arc::new(rels)));
        }
        Ok(out)
    }

    /// The statements with `node` as subject (`Out`) or as object (`In`), in id order.
    pub fn statements_of(&self, node: Node, dir: Direction) -> Result<Vec<StatementId>> {
        Ok(self.edges(node, dir)?.into_iter().map(|e| e.statement).collect())
    }

    /// Statements whose subject or object is the statement `id`.
    pub fn statements_about(&self, id: StatementId) -> Result<Vec<StatementId>> {
        let mut out = self.statements_of(Node::Statement(id), Direction::Out)?;
        out.extend(self.statements_of(Node::Statement(id), Direction::In)?);
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Statements using a relation.
    pub fn statements_with_relation(&self, relation: &str) -> Result<Vec<StatementId>> {
        match self.relation_id(relation) {
            None => Ok(Vec::new()),
            Some(rel) => Ok(self.read_ids(&List::Relation(rel))?.into_iter().map(StatementId).collect()),
        }
    }

    /// Statements with evidence from a document.
    pub fn statements_citing(&self, document: EntityId) -> Result<Vec<StatementId>> {
        Ok(self.read_ids(&List::Document(document))?.into_iter().map(StatementId).collect())
    }

    /// Statements with evidence attributed to an entity.
    pub fn statements_attributed_to(&self, who: EntityId) -> Result<Vec<StatementId>> {
        Ok(self.read_ids(&List::Attribution(who))?.into_iter().map(StatementId).collect())
    }

    /// Statements naming an entity as a participant: a qualifier holding it
    /// (`Value::Entity`, a role such as `for` or `to`), in id order.
    pub fn statements_with_participant(&self, who: EntityId) -> Result<Vec<StatementId>> {
        Ok(self.read_ids(&List::Participant(who))?.into_iter().map(StatementId).collect())
    }

    /// Every participant with the statements naming it: the whole participant index,
    /// for what is built from all of it (the adjacency's joins).
    pub fn all_participants(&self) -> Result<Vec<(EntityId, Vec<StatementId>)>> {
        self.entity_lists(&[keys::BY_PARTICIPANT])
    }

    /// Every list of statements kept under one of `tags` by entity (participants,
    /// documents, attributions), with its entity: whole indexes, one scan each.
    fn entity_lists(&self, tags: &[u8]) -> Result<Vec<(EntityId, Vec<StatementId>)>> {
        let mut out = Vec::new();
        self.each_entity_list(tags, |entity, statements| {
            out.push((entity, statements));
            Ok(())
        })?;
        Ok(out)
    }

    /// `entity_lists`, handed to `f` one list at a time as the scan reads them.
    fn each_entity_list(&self, tags: &[u8], mut f: impl FnMut(EntityId, Vec<StatementId>) -> Result<()>) -> Result<()> {
        for &tag in tags {
            for pair in self.kv.scan_prefix(&[tag]) {
                let (k, v) = pair?;
                for (slot, rec) in Page::decode(&v)?.slots.iter().enumerate().filter(|(_, r)| !r.is_empty()) {
                    let id = keys::id_of(1, &k, slot, keys::LIST_BITS)
                        .ok_or_else(|| StoreError::Corrupt("entity list key".into()))?;
                    let ids: Vec<u64> = decode(rec, "posting list")?;
                    f(EntityId(id), ids.into_iter().map(StatementId).collect())?;
                }
            }
        }
        Ok(())
    }

    /// Every document cited and every agent credited by some evidence, each with the
    /// statements whose evidence names it (as the document or as the attribution),
    /// handed to `f` one at a time: the whole document and attribution indexes, for
    /// what is built from all of them (the sources of every statement), without
    /// decoding a statement and without holding the indexes whole.
    pub fn each_evidence_source(&self, f: impl FnMut(EntityId, Vec<StatementId>) -> Result<()>) -> Result<()> {
        self.each_entity_list(&[keys::BY_DOCUMENT, keys::BY_ATTRIBUTION], f)
    }

    /// Entities of a kind: with every label of it, for a kind of several labels
    /// (`A:B`, see `kind_labels`).
    pub fn entities_of_kind(&self, kind: &str) -> Result<Vec<EntityId>> {
        let mut labels = crate::model::kind_labels(kind);
        let first = labels.next().unwrap_or_default();
        let mut ids = self.read_ids(&List::Kind(first.to_owned()))?;
        for label in labels {
            let more: std::collections::HashSet<u64> =
                self.read_ids(&List::Kind(label.to_owned()))?.into_iter().collect();
            ids.retain(|id| more.contains(id));
        }
        Ok(ids.into_iter().map(EntityId).collect())
    }

    /// Whether any entity has (or had) this kind (each label of it): one key read per
    /// label, no list decoded.
    pub fn has_kind(&self, kind: &str) -> Result<bool> {
        for label in crate::model::kind_labels(kind) {
            if !self.kv.read(&List::Kind(label.to_owned()).slot().block, &mut |_| Ok(()))? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Every kind in use, with its entity count.
    pub fn kinds(&self) -> Result<Vec<(String, usize)>> {
        let mut out: Vec<(String, usize)> = Vec::new();
        for pair in self.kv.scan_prefix(&[keys::BY_KIND]) {
            let (k, v) = pair?;
            let kind = keys::kind_of(&k).ok_or_else(|| StoreError::Corrupt("kind list key".into()))?;
            let n = match Page::slot(&v, 0)? {
                Some(rec) => decode::<Vec<u64>>(rec, "kind list")?.len(),
                None => 0,
            };
            if n > 0 {
                out.push((kind, n));
            }
        }
        Ok(out)
    }

    /// A document's full text, if it was stored.
    pub fn document_text(&self, document: EntityId) -> Result<Option<String>> {
        match self.kv.get(&keys::text(document))? {
            None => Ok(None),
            Some(v) => String::from_utf8(v).map(Some).map_err(|_| StoreError::Corrupt("document text".into())),
        }
    }

    /// Every entity, in id order.
    pub fn entities(&self) -> impl Iterator<Item = Result<Entity>> + '_ {
        self.kv.scan_prefix(&[keys::ENTITY]).flat_map(|pair| {
            let items: Vec<Result<Entity>> = match pair.and_then(|(_, v)| Page::decode(&v)) {
                Err(e) => vec![Err(e)],
                Ok(page) => {
                    page.slots.iter().filter(|rec| !rec.is_empty()).map(|rec| decode(rec, "entity record")).collect()
                }
            };
            items
        })
    }

    /// Every statement, in id order.
    pub fn statements(&self) -> impl Iterator<Item = Result<Statement>> + '_ {
        let apart = self.quotes_apart();
        self.kv.scan_prefix(&[keys::STATEMENT]).flat_map(move |pair| {
            let page = pair.and_then(|(k, v)| {
                let page_no = k
                    .get(1..9)
                    .and_then(|b| b.try_into().ok())
                    .map(u64::from_be_bytes)
                    .ok_or_else(|| StoreError::Corrupt("statement block key".into()))?;
                // The block's quotes, beside it (format 2), read as the scan reads:
                // past the engine's cache, which a whole scan would only churn.
                let quotes = match apart {
                    true => {
                        let mut quotes = Vec::new();
                        let key = keys::record_block_key(keys::QUOTES, page_no);
                        self.kv.read_past_cache(&key, &mut quotes)?.then_some(quotes)
                    }
                    false => None,
                };
                Ok((page_no, Page::decode(&v)?, quotes))
            });
            let items: Vec<Result<Statement>> = match page {
                Err(e) => vec![Err(e)],
                Ok((page_no, page, quotes)) => page
                    .slots
                    .iter()
                    .enumerate()
                    .filter(|(_, rec)| !rec.is_empty())
                    .map(|(slot, rec)| {
                        let id = StatementId((page_no << keys::RECORD_BITS) | slot as u64);
                        let mut stored: StoredStatement = decode(rec, "statement record")?;
                        if apart {
                            join_quotes_at(&mut stored, id, quotes.as_deref(), slot)?;
                        }
                        self.named(id, stored)
                    })
                    .collect(),
            };
            items
        })
    }
}

/// Reads statements, quotes and all, a block at a time: the block of the statement
/// asked for is kept until one in another block is asked for, so statements asked in
/// id order read each block once. The quotes' blocks are read past the engine's cache
/// (`Kv::read_past_cache`): an answer showing a hub's 87,000 statements reads nearly
/// every one of them once, and kept they would hold 60 MB of the cache at 1,000,000
/// statements for nothing, pushing out the records that walks read again and again.
pub struct StatementsInOrder<'s> {
    store: &'s Store,
    /// The block held, by number.
    block: Option<u64>,
    /// Its page of records (empty: no such block), in room kept for the next.
    records: Vec<u8>,
    /// Its page of quotes (format 2; empty: none), likewise.
    quotes: Vec<u8>,
}

impl StatementsInOrder<'_> {
    /// The statement, or an error naming the missing id.
    pub fn require(&mut self, id: StatementId) -> Result<Statement> {
        self.statement(id)?.ok_or(StoreError::NoSuchStatement(id))
    }

    /// The statement `id`, as `Store::statement` reads it.
    pub fn statement(&mut self, id: StatementId) -> Result<Option<Statement>> {
        let (block, slot) = keys::record_place(id.0);
        if self.block != Some(block) {
            self.block = None;
            self.read_block(block)?;
            self.block = Some(block);
        }
        if self.records.is_empty() {
            return Ok(None);
        }
        let Some(rec) = Page::slot(&self.records, slot)? else { return Ok(None) };
        let mut st: StoredStatement = decode(rec, "statement record")?;
        if self.store.quotes_apart() {
            let quotes = (!self.quotes.is_empty()).then_some(self.quotes.as_slice());
            join_quotes_at(&mut st, id, quotes, slot)?;
        }
        self.store.named(id, st).map(Some)
    }

    /// Reads block `block`'s records and quotes, again while a batch moved the
    /// engine's data between the two (as `Store::stored_statement` does).
    fn read_block(&mut self, block: u64) -> Result<()> {
        let apart = self.store.quotes_apart();
        for tries in 1.. {
            let before = self.store.kv.version();
            // The quotes' buffer is left as it is for `read_past_cache` to replace:
            // emptied, its room would be zeroed again.
            self.records.clear();
            let records = &mut self.records;
            self.store.kv.read(&keys::record_block_key(keys::STATEMENT, block), &mut |page| {
                records.extend_from_slice(page);
                Ok(())
            })?;
            if apart && !self.records.is_empty() {
                self.store.kv.read_past_cache(&keys::record_block_key(keys::QUOTES, block), &mut self.quotes)?;
            } else {
                self.quotes.clear();
            }
            if tries >= JOIN_TRIES || (before.is_some() && self.store.kv.version() == before) {
                break;
            }
        }
        Ok(())
    }
}

/// The name in slot `slot` of a block of entity records (`None`: an empty slot).
fn name_in(block: &[u8], slot: usize) -> Result<Option<std::sync::Arc<str>>> {
    Ok(name_ref_in(block, slot)?.map(std::sync::Arc::from))
}

/// `name_in`, borrowed from the block.
fn name_ref_in(block: &[u8], slot: usize) -> Result<Option<&str>> {
    /// The fields an entity record starts with (`Entity`'s order), borrowed.
    #[derive(serde::Deserialize)]
    struct Head<'a> {
        #[allow(dead_code)]
        id: EntityId,
        name: &'a str,
    }
    let Some(rec) = Page::slot(block, slot)? else { return Ok(None) };
    let head: Head<'_> = decode(rec, "entity record")?;
    Ok(Some(head.name))
}

/// `Store::entity_shown` of slot `slot` of a block of entity records.
fn shown_in<T, const N: usize>(
    block: &[u8],
    slot: usize,
    wanted: [&str; N],
    show: impl FnOnce(ShownRecord<'_, N>) -> T,
) -> Result<Option<(T, LazyProperties)>> {
    let Some(rec) = Page::slot(block, slot)? else { return Ok(None) };
    let (shown, properties) =
        crate::lazy::entity_shown(rec, wanted).map_err(|e| StoreError::Corrupt(format!("entity record: {e}")))?;
    Ok(Some((show(shown), properties)))
}

/// Reads the entities a long answer shows (their names, and what it shows of
/// documents), keeping the blocks of records it read at hand, shared with the
/// engine's cache rather than copied, for as long as the engine's data stays as it
/// was (`Guarded::version`); a batch applied since, and they are read again. The hub's
/// listing at 1,000,000 statements shows 48,433 documents 159,127 times, from some
/// fifty blocks: each showing looked its block up in the engine's cache of values,
/// whose locks and counts two threads making one answer took from core to core.
/// At most `PINNED_BYTES` of blocks are kept; past it they are let go of. On sled
/// they are mostly the blocks its cache holds too, but a block it has let go of
/// stays while kept here, and the memory engine's are copies: the caller counts
/// `bytes` against its budget.
pub struct EntitiesRead<'s> {
    store: &'s Store,
    /// The engine's version the blocks kept were read at.
    version: Option<u64>,
    /// Blocks by number; `None`, a block found absent.
    blocks: rustc_hash::FxHashMap<u64, Option<sled::IVec>>,
    /// Their bytes.
    bytes: usize,
}

/// Bytes of blocks an `EntitiesRead` keeps at most: the hub's listing at 1,000,000
/// statements shows entities from some 150 blocks of about 100 KB.
const PINNED_BYTES: usize = 16 << 20;

impl EntitiesRead<'_> {
    /// Calls `f` with the block holding entity `id`'s record (`None`: no such block)
    /// and the record's slot in it.
    fn with_block<T>(&mut self, id: EntityId, f: impl FnOnce(Option<&[u8]>, usize) -> Result<T>) -> Result<T> {
        let (block, slot) = keys::record_place(id.0);
        let version = self.store.kv.version();
        if version.is_none() || version != self.version {
            self.blocks.clear();
            self.bytes = 0;
            self.version = version;
        }
        if let Some(kept) = self.blocks.get(&block) {
            return f(kept.as_deref(), slot);
        }
        let value = self.store.kv.read_shared(&keys::entity(id).block)?;
        // Kept only when no batch moved the engine's data while it was read.
        if version.is_some() && self.store.kv.version() == version {
            let len = value.as_ref().map_or(0, |v| v.len());
            if self.bytes + len > PINNED_BYTES {
                self.blocks.clear();
                self.bytes = 0;
            }
            self.bytes += len;
            let kept = self.blocks.entry(block).or_insert(value);
            return f(kept.as_deref(), slot);
        }
        f(value.as_deref(), slot)
    }

    /// The bytes of the blocks kept.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// `Store::entity_name`.
    pub fn entity_name(&mut self, id: EntityId) -> Result<Option<std::sync::Arc<str>>> {
        self.with_block(id, |block, slot| block.map_or(Ok(None), |b| name_in(b, slot)))
    }

    /// Hands entity `id`'s name, borrowed from its record, to `f`; `None` (and `f` not
    /// called) when there is no such entity. For a name written into a longer text
    /// (a claim's words), which needs no copy of its own.
    pub fn with_entity_name<T>(&mut self, id: EntityId, f: impl FnOnce(&str) -> T) -> Result<Option<T>> {
        self.with_block(id, |block, slot| match block {
            Some(b) => Ok(name_ref_in(b, slot)?.map(f)),
            None => Ok(None),
        })
    }

    /// Reads a byte of each 64 of each record of `ids` (and, first, of its place in
    /// its block's table), all of them before any is decoded, so that the processor
    /// waits for their memory together rather than once for each. A long answer reads
    /// tens of thousands of records from some 150 blocks far apart in memory, and
    /// waiting for each record in turn was most of the time its names and documents
    /// took. Nothing is decoded; an id with no record is passed over. While a batch is
    /// being written no block is kept (`with_block`), and this would only read each
    /// block twice more: it does nothing.
    pub fn warm(&mut self, ids: &[EntityId]) -> Result<()> {
        if self.store.kv.version().is_none() {
            return Ok(());
        }
        let mut touched = 0u8;
        // Where each slot's end is written in its block's table, then the records:
        // the second loop reads the table the first brought in.
        for &id in ids {
            touched ^=
                self.with_block(id, |block, slot| Ok(block.and_then(|b| b.get(2 + 4 * slot)).copied()))?.unwrap_or(0);
        }
        for &id in ids {
            touched ^= self.with_block(id, |block, slot| {
                // Every line of the record: a document's runs over several.
                Ok(block
                    .and_then(|b| Page::slot(b, slot).ok().flatten())
                    .map_or(0, |rec| rec.iter().step_by(64).fold(rec[rec.len() - 1], |a, b| a ^ b)))
            })?;
        }
        std::hint::black_box(touched);
        Ok(())
    }

    /// `Store::entity_shown`.
    pub fn entity_shown<T, const N: usize>(
        &mut self,
        id: EntityId,
        wanted: [&str; N],
        show: impl FnOnce(ShownRecord<'_, N>) -> T,
    ) -> Result<Option<(T, LazyProperties)>> {
        self.with_block(id, |block, slot| block.map_or(Ok(None), |b| shown_in(b, slot, wanted, show)))
    }
}

/// Puts statement `id`'s quotes, from `slot` of its block of quotes (`None`: no such
/// block), into its record; `Corrupt` when they are missing or miscounted.
fn join_quotes_at(st: &mut StoredStatement, id: StatementId, quotes: Option<&[u8]>, slot: usize) -> Result<()> {
    match quotes.map(|page| Page::slot(page, slot)).transpose()?.flatten() {
        Some(rec) => codec::join_quotes(st, rec),
        None => Err(StoreError::Corrupt(format!("statement {id}: its quotes are missing"))),
    }
}

/// A stored adjacency list with the node and direction it belongs to.
pub(crate) type AdjacencyList = ((Node, Direction), Vec<AdjEntry>);

/// One statement seen from one of its ends, as the adjacency index stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    /// The statement.
    pub statement: StatementId,
    /// Its interned relation id (see `Store::relation_id`).
    pub relation: u32,
    /// The far end, unless it is a literal.
    pub other: Option<Node>,
}

fn lock_dir(path: &Path) -> Result<File> {
    let lock_path = path.join(LOCK_FILE);
    // Opening a FIFO for writing would wait for a reader forever.
    match fs::metadata(&lock_path) {
        Ok(meta) if !meta.is_file() => {
            return Err(StoreError::Damaged {
                path: path.to_owned(),
                detail: format!("{LOCK_FILE} is not a regular file"),
            })
        }
        _ => {}
    }
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| StoreError::io(format!("opening {}", lock_path.display()), e))?;
    match file.try_lock() {
        Ok(()) => {
            // A note left by a holder that was killed (a server's address) would send
            // the next process that finds the store in use to a server long gone.
            if file.metadata().is_ok_and(|m| m.len() > 0) {
                file.set_len(0).map_err(|e| StoreError::io(format!("clearing {}", lock_path.display()), e))?;
            }
            Ok(file)
        }
        Err(fs::TryLockError::WouldBlock) => Err(StoreError::InUse { path: path.to_owned() }),
        Err(fs::TryLockError::Error(e)) => Err(StoreError::io(format!("locking {}", lock_path.display()), e)),
    }
}

/// Whether an I/O error means the file system will not let us write there.
fn unwritable(e: &std::io::Error) -> bool {
    matches!(e.kind(), std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied)
}

/// A write open refused by a read-only file system, said in words that point to the
/// way to read the store.
fn on_read_only_media(e: StoreError, path: &Path) -> StoreError {
    match e {
        StoreError::Io { source, .. } if source.kind() == std::io::ErrorKind::ReadOnlyFilesystem => StoreError::Io {
            context: format!(
                "{} is on a read-only file system: it can be read (open it read-only), not written",
                path.display()
            ),
            source,
        },
        other => other,
    }
}

/// The lock a read-only open takes, and where its engine is read. Where `LOCK` can be
/// opened for writing, the exclusive lock as for writing, and the engine in place
/// (sled locks its own files exclusively, so a second process could not share them
/// anyway). Where the file system refuses (read-only media, or a store the user may
/// only read), a shared lock on `LOCK` if it exists (a writer elsewhere holds it
/// exclusively, and is then refused while we read) or none, and the engine is read
/// from a private copy, since sled cannot open files it may not write.
fn lock_for_reading(path: &Path) -> Result<(Option<File>, Place)> {
    match lock_dir(path) {
        Ok(lock) => Ok((Some(lock), Place::InPlace)),
        Err(StoreError::Io { source, .. }) if unwritable(&source) => {
            let lock_path = path.join(LOCK_FILE);
            match File::open(&lock_path) {
                Ok(file) => match file.try_lock_shared() {
                    Ok(()) => Ok((Some(file), Place::Copy)),
                    Err(fs::TryLockError::WouldBlock) => Err(StoreError::InUse { path: path.to_owned() }),
                    Err(fs::TryLockError::Error(e)) => {
                        Err(StoreError::io(format!("locking {} to read", lock_path.display()), e))
                    }
                },
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((None, Place::Copy)),
                Err(e) => Err(StoreError::io(format!("opening {}", lock_path.display()), e)),
            }
        }
        Err(e) => Err(e),
    }
}

fn write_marker(path: &Path, engine: Engine) -> Result<()> {
    let tmp = path.join(MARKER_TMP);
    let write = || -> std::io::Result<()> {
        let mut f = File::create(&tmp)?;
        f.write_all(format!("{MARKER_PREFIX}{FORMAT_VERSION}\n{MARKER_ENGINE}{engine}\n").as_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, path.join(MARKER_FILE))
    };
    write().map_err(|e| StoreError::io(format!("writing the marker in {}", path.display()), e))
}

/// Removes the empty `.creating-PID/` a creation in place leaves if it is killed
/// after its marker is in place (the store is complete; the temporary is clutter).
/// Best effort, and only empty ones: `remove_dir` refuses anything else.
fn remove_empty_temporaries(path: &Path) {
    let Ok(entries) = fs::read_dir(path) else { return };
    for entry in entries.flatten() {
        if entry.file_name().as_encoded_bytes().starts_with(CREATING.as_bytes()) {
            let _ = fs::remove_dir(entry.path());
        }
    }
}

/// The longest note [`lock_note`] reads: a note is a few lines, and `LOCK` could be
/// anything a user put there.
const MAX_LOCK_NOTE: u64 = 4096;

/// What the process holding the store at `path` wrote into its `LOCK` with
/// [`Store::announce`], if another process holds it and wrote something. `None` when
/// the store is free, when nothing was written, or when `LOCK` cannot be read.
pub fn lock_note(path: &Path) -> Option<String> {
    use std::io::Read;
    let lock_path = path.join(LOCK_FILE);
    if !fs::symlink_metadata(&lock_path).is_ok_and(|m| m.is_file()) || !lock_is_held(path) {
        return None;
    }
    let mut text = String::new();
    File::open(&lock_path).ok()?.take(MAX_LOCK_NOTE).read_to_string(&mut text).ok()?;
    (!text.trim().is_empty()).then_some(text)
}

/// Whether another process holds the directory's LOCK, without creating it.
fn lock_is_held(path: &Path) -> bool {
    File::open(path.join(LOCK_FILE)).is_ok_and(|f| matches!(f.try_lock(), Err(fs::TryLockError::WouldBlock)))
}

/// Removes what an interrupted creation in place left (see `DirState::Unfinished`);
/// the caller holds the directory's LOCK, so no creator is at work in it.
fn clear_unfinished(path: &Path) -> Result<()> {
    let entries = fs::read_dir(path).map_err(|e| StoreError::io(format!("listing {}", path.display()), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| StoreError::io(format!("listing {}", path.display()), e))?;
        let name = entry.file_name();
        let target = entry.path();
        let removed = if name == MARKER_TMP {
            fs::remove_file(&target)
        } else if name == engine_dir(Engine::Sled) || name.as_encoded_bytes().starts_with(CREATING.as_bytes()) {
            fs::remove_dir_all(&target)
        } else {
            continue;
        };
        removed.map_err(|e| StoreError::io(format!("removing {}", target.display()), e))?;
    }
    Ok(())
}

/// Makes a directory's entries durable (a rename into it, the files made in it).
fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| StoreError::io(format!("syncing {}", dir.display()), e))
}

/// A symlink to a directory stands for that directory: a rename over the link would
/// replace the link, not fill the directory it points to.
fn resolve_symlink(path: PathBuf) -> Result<PathBuf> {
    match fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() => fs::canonicalize(&path)
            .map_err(|e| StoreError::io(format!("following the symbolic link {}", path.display()), e)),
        _ => Ok(path),
    }
}

/// The directory a store is created in and the store's own name there.
fn parent_and_name(path: &Path) -> Result<(PathBuf, std::ffi::OsString)> {
    // `.`, `..` and `/` name no entry of their parent: use the directory they mean.
    let path = match path.file_name() {
        Some(_) => path.to_owned(),
        None => fs::canonicalize(path).map_err(|e| StoreError::io(format!("resolving {}", path.display()), e))?,
    };
    let name = path
        .file_name()
        .ok_or_else(|| StoreError::Invalid(format!("cannot create a store at {}: choose a directory", path.display())))?
        .to_owned();
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name))
}

/// Removes what creations of the store `name` killed part-way left in `parent`. A
/// creator holds its temporary's LOCK until the store is in place, so a temporary
/// whose LOCK can be taken (or that has none yet) belongs to a process that died.
/// Best effort: a temporary that cannot be removed is only clutter, hidden by its dot.
fn remove_abandoned_creations(parent: &Path, name: &std::ffi::OsStr) {
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(CREATING);
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let is_ours = entry.file_name().as_encoded_bytes().starts_with(prefix.as_encoded_bytes())
            && entry.file_type().is_ok_and(|t| t.is_dir());
        if !is_ours {
            continue;
        }
        let dir = entry.path();
        let abandoned = match File::open(dir.join(LOCK_FILE)) {
            // The lock is released again when `f` drops, before the removal.
            Ok(f) => f.try_lock().is_ok(),
            Err(e) => e.kind() == std::io::ErrorKind::NotFound,
        };
        if abandoned {
            let _ = fs::remove_dir_all(&dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MAX_TEXT_LEN;

    /// A journal of more entries than one settling batch takes (512 keys, for sled's
    /// memory: see `settle_journal`) is settled whole, over several batches: removed
    /// after a commit; before one, every key given back what it held.
    #[test]
    fn a_journal_larger_than_a_settling_batch_is_settled_whole() {
        const KEYS: u32 = 1300;
        let key = |i: u32| [b"Xjournal-test".as_slice(), &i.to_be_bytes()].concat();
        for committed in [true, false] {
            let store = Store::in_memory().unwrap();
            let mut writes = vec![(keys::META_JOURNAL.to_vec(), Some(vec![1]))];
            if !committed {
                writes.push((keys::META_SPILLING.to_vec(), Some(vec![1])));
            }
            for i in 0..KEYS {
                writes.push((key(i), Some(b"written ahead".to_vec())));
                // Half the keys held nothing before the transaction, half a value.
                let old = if i % 2 == 0 { vec![0] } else { [&[1u8][..], b"before"].concat() };
                writes.push(([&[keys::UNDO][..], &key(i)].concat(), Some(old)));
            }
            store.kv.apply(writes).unwrap();
            assert!(store.settle_journal().unwrap());
            assert_eq!(store.kv.scan_prefix(&[keys::UNDO]).count(), 0, "committed: {committed}");
            assert_eq!(store.kv.get(keys::META_JOURNAL).unwrap(), None);
            assert_eq!(store.kv.get(keys::META_SPILLING).unwrap(), None);
            for i in 0..KEYS {
                let expected = match (committed, i % 2) {
                    (true, _) => Some(b"written ahead".to_vec()),
                    (false, 0) => None,
                    (false, _) => Some(b"before".to_vec()),
                };
                assert_eq!(store.kv.get(&key(i)).unwrap(), expected, "key {i}, committed: {committed}");
            }
        }
    }

    #[test]
    fn a_one_byte_kind_key_is_corrupt_data_not_a_panic() {
        let store = Store::in_memory().unwrap();
        let list = Page { slots: vec![crate::codec::encode(&vec![1u64]).unwrap()] };
        store.kv.apply(vec![(vec![keys::BY_KIND], Some(list.encode()))]).unwrap();
        assert!(matches!(store.kinds(), Err(StoreError::Corrupt(_))));
        assert!(matches!(store.all_id_lists(), Err(StoreError::Corrupt(_))));
    }

    /// Names up to the text limit are accepted, and NFKD can lengthen them; the name
    /// index must still store, decode and find every one of them.
    #[test]
    fn names_longer_than_an_index_key_stay_readable_and_findable() {
        let store = Store::in_memory().unwrap();
        // 'ж' is two bytes: a cut at 65,535 bytes falls inside one. U+FDFA is three
        // bytes that NFKD turns into eighteen characters.
        let cut_in_a_character = "ж".repeat(MAX_TEXT_LEN / 2);
        let lengthened = "\u{FDFA}".repeat(MAX_TEXT_LEN / 3);
        let mut tx = store.transaction().unwrap();
        let a = tx.create_entity(&cut_in_a_character, "Thing").unwrap();
        let b = tx.create_entity(&lengthened, "Thing").unwrap();
        tx.commit().unwrap();
        assert_eq!(store.lookup(&cut_in_a_character).unwrap(), vec![a]);
        assert_eq!(store.lookup(&lengthened).unwrap(), vec![b]);
        assert_eq!(store.names().unwrap().len(), 2);
        assert!(store.check().unwrap().is_ok());
    }

    /// `entity_name` decodes only the head of a record: it must agree with the whole
    /// record whatever follows the name (aliases, properties), see a write once it is
    /// committed, and say `None` for an id with no entity.
    #[test]
    fn an_entity_name_read_alone_is_the_whole_records_name() {
        let store = Store::in_memory().unwrap();
        let mut tx = store.transaction().unwrap();
        let a = tx.create_entity("Ali Alqasimehr", "Person").unwrap();
        let b = tx.create_entity("Islamic Republic News Agency", "Organization").unwrap();
        tx.add_alias(b, "IRNA", None).unwrap();
        tx.set_property(b, "founded", crate::Value::Int(1934)).unwrap();
        tx.commit().unwrap();
        for id in [a, b] {
            let whole = store.entity(id).unwrap().unwrap();
            assert_eq!(store.entity_name(id).unwrap().as_deref(), Some(whole.name.as_str()));
        }
        assert_eq!(store.entity_name(EntityId(b.0 + 1)).unwrap(), None);
        let mut tx = store.transaction().unwrap();
        tx.rename_entity(a, "Ali Alghasi-Mehr").unwrap();
        tx.commit().unwrap();
        assert_eq!(store.entity_name(a).unwrap().as_deref(), Some("Ali Alghasi-Mehr"));
    }

    /// A statement shared is the one stored, the same one for every ask while nothing
    /// is written, and the new version once a commit merged evidence into it.
    #[test]
    fn a_shared_statement_is_the_stored_one_until_a_write_changes_it() {
        use crate::model::{Evidence, NewStatement};
        let store = Store::in_memory().unwrap();
        let mut tx = store.transaction().unwrap();
        let d1 = tx.create_entity("d1", crate::DOCUMENT_KIND).unwrap();
        let d2 = tx.create_entity("d2", crate::DOCUMENT_KIND).unwrap();
        let a = tx.create_entity("Ann", "Person").unwrap();
        let b = tx.create_entity("Bob", "Person").unwrap();
        let id = tx.add_statement(NewStatement::new(a, "met", b, Evidence::new(d1, "Ann met Bob"))).unwrap().id();
        tx.commit().unwrap();
        let first = store.statement_shared(id).unwrap().unwrap();
        assert_eq!(*first, store.require_statement(id).unwrap());
        let again = store.statement_shared(id).unwrap().unwrap();
        assert!(std::sync::Arc::ptr_eq(&first, &again), "asked again, the same statement");
        let mut tx = store.transaction().unwrap();
        tx.add_statement(NewStatement::new(a, "met", b, Evidence::new(d2, "the two met"))).unwrap();
        tx.commit().unwrap();
        let after = store.statement_shared(id).unwrap().unwrap();
        assert_eq!(after.evidence.len(), 2, "the evidence merged since");
        assert_eq!(*after, store.require_statement(id).unwrap());
        assert_eq!(first.evidence.len(), 1, "a statement handed out stays as it was");
        assert_eq!(store.statement_shared(StatementId(id.0 + 100)).unwrap(), None);
    }

    /// An entity's properties shared are its record's, the same map for every ask
    /// while nothing is written, and the new ones once a commit changed them.
    #[test]
    fn shared_properties_are_the_entitys_until_a_write_changes_them() {
        let store = Store::in_memory().unwrap();
        let mut tx = store.transaction().unwrap();
        let doc = tx.create_entity("https://irna.ir/a/1", crate::DOCUMENT_KIND).unwrap();
        tx.set_property(doc, "title", crate::Value::Str("Iran asks Interpol".into())).unwrap();
        tx.commit().unwrap();
        let (e, first) = store.entity_and_properties_shared(doc).unwrap().unwrap();
        assert_eq!(*first, e.properties);
        assert_eq!(*first, store.entity(doc).unwrap().unwrap().properties);
        let (_, again) = store.entity_and_properties_shared(doc).unwrap().unwrap();
        assert!(std::sync::Arc::ptr_eq(&first, &again), "asked again, the same map");
        let mut tx = store.transaction().unwrap();
        tx.set_property(doc, "title", crate::Value::Str("Interpol declines".into())).unwrap();
        tx.commit().unwrap();
        let (_, after) = store.entity_and_properties_shared(doc).unwrap().unwrap();
        assert_eq!(after["title"], crate::Value::Str("Interpol declines".into()));
        assert_eq!(first["title"], crate::Value::Str("Iran asks Interpol".into()), "a map handed out stays as it was");
        assert_eq!(store.entity_and_properties_shared(EntityId(doc.0 + 100)).unwrap(), None);
    }

    /// `entity_shown` passes over the aliases (with documents and without) and hands
    /// on the whole record's name, kind, texts asked for and properties; `None` for an
    /// id with no entity.
    #[test]
    fn an_entity_shown_is_the_whole_records_name_kind_and_properties() {
        let store = Store::in_memory().unwrap();
        let mut tx = store.transaction().unwrap();
        let doc = tx.create_entity("https://irna.ir/a/1", crate::DOCUMENT_KIND).unwrap();
        tx.set_property(doc, "title", crate::Value::Str("Iran asks Interpol".into())).unwrap();
        let a = tx.create_entity("Ali Alqasimehr", "Person").unwrap();
        let b = tx.create_entity("Islamic Republic News Agency", "Organization").unwrap();
        tx.add_alias(b, "IRNA", Some(doc)).unwrap();
        tx.add_alias(b, "the agency", None).unwrap();
        tx.set_property(b, "founded", crate::Value::Int(1934)).unwrap();
        tx.set_property(b, "title", crate::Value::Int(7)).unwrap();
        tx.commit().unwrap();
        let show =
            |r: ShownRecord<'_, 2>| (r.name.to_owned(), r.kind.to_owned(), r.texts.map(|t| t.map(str::to_owned)));
        for (id, title) in [(doc, Some("Iran asks Interpol")), (a, None), (b, None)] {
            let whole = store.entity(id).unwrap().unwrap();
            let (shown, properties) = store.entity_shown(id, ["title", "outlet"], show).unwrap().unwrap();
            assert_eq!(shown, (whole.name, whole.kind, [title.map(str::to_owned), None]));
            assert_eq!(*properties, whole.properties);
        }
        assert!(!store.entity(b).unwrap().unwrap().aliases.is_empty());
        assert_eq!(store.entity_shown(EntityId(b.0 + 1), [], |_| ()).unwrap(), None);
    }

    /// `EntitiesRead` keeps the blocks it read: what it shows must be what the store
    /// shows, on sled (whose cached blocks it shares) as in memory, and a commit made
    /// since must show through the blocks kept: a renamed entity, a changed property,
    /// an entity new in a block read before it existed.
    #[test]
    fn entities_read_with_blocks_kept_see_what_the_store_sees_and_every_commit() {
        let dir = tempfile::tempdir().unwrap();
        let on_disk = Store::open(dir.path().join("store"), &OpenOptions::default()).unwrap();
        for store in [Store::in_memory().unwrap(), on_disk] {
            let mut tx = store.transaction().unwrap();
            let doc = tx.create_entity("https://irna.ir/a/1", crate::DOCUMENT_KIND).unwrap();
            tx.set_property(doc, "title", crate::Value::Str("Iran asks Interpol".into())).unwrap();
            let a = tx.create_entity("Ali Alqasimehr", "Person").unwrap();
            tx.add_alias(a, "Alqasimehr", Some(doc)).unwrap();
            tx.commit().unwrap();
            let mut read = store.entities_read();
            let next = EntityId(a.0 + 1);
            // Warming reads nothing it shows, and passes over what is not there.
            read.warm(&[a, doc, next, EntityId(a.0 + 5000), a]).unwrap();
            let show = |r: ShownRecord<'_, 0>| (r.name.to_owned(), r.kind.to_owned());
            for id in [doc, a, doc] {
                let whole = store.entity(id).unwrap().unwrap();
                assert_eq!(read.entity_name(id).unwrap().as_deref(), Some(whole.name.as_str()));
                let (shown, properties) = read.entity_shown(id, [], show).unwrap().unwrap();
                assert_eq!(shown, (whole.name, whole.kind));
                assert_eq!(*properties, whole.properties);
            }
            assert_eq!(read.entity_name(next).unwrap(), None, "no such entity yet");
            assert_eq!(read.entity_name(EntityId(a.0 + 5000)).unwrap(), None, "no such block");
            let mut tx = store.transaction().unwrap();
            tx.rename_entity(a, "Ali Alghasi-Mehr").unwrap();
            tx.set_property(doc, "title", crate::Value::Str("Interpol declines".into())).unwrap();
            let b = tx.create_entity("Interpol", "Organization").unwrap();
            tx.commit().unwrap();
            assert_eq!(b, next, "the new entity is in the block read before");
            read.warm(&[b, a, doc]).unwrap();
            assert_eq!(read.entity_name(a).unwrap().as_deref(), Some("Ali Alghasi-Mehr"));
            assert_eq!(read.entity_name(b).unwrap().as_deref(), Some("Interpol"));
            let (title, properties) =
                read.entity_shown(doc, ["title"], |r| r.texts[0].map(str::to_owned)).unwrap().unwrap();
            assert_eq!(title.as_deref(), Some("Interpol declines"));
            assert_eq!(properties["title"], crate::Value::Str("Interpol declines".into()));
        }
    }

    /// The property keys in use are kept with the data: each key once, with where it
    /// is (a document's apart), through a reopen; an undone commit takes the keys it
    /// introduced back out; `check` finds a key in use that is not listed.
    #[test]
    fn property_keys_are_kept_through_reopen_and_undo() {
        use crate::model::{Evidence, NewStatement};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        {
            let store = Store::open(&path, &OpenOptions::default()).unwrap();
            assert_eq!(store.property_keys(false), Some(vec![]), "a fresh store knows its keys: none");
            let mut tx = store.transaction().unwrap();
            let doc = tx
                .create_document("d", [("outlet".to_owned(), crate::Value::Str("IRNA".into()))].into(), None)
                .unwrap();
            let a = tx.create_entity("Alice", "Person").unwrap();
            tx.set_property(a, "born", crate::Value::Int(1950)).unwrap();
            let b = tx.create_entity("", "Thing").unwrap();
            let mut st = NewStatement::new(a, "met", b, Evidence::new(doc, "q"));
            st.qualifiers.insert("since".into(), crate::Value::Int(2019));
            tx.add_statement(st).unwrap();
            tx.commit().unwrap();
            assert_eq!(store.property_keys(false).unwrap(), ["born", "name", "since"]);
            assert_eq!(store.property_keys(true).unwrap(), ["born", "name", "outlet", "since"]);
            assert_eq!(store.has_property_key("outlet"), Some(true));
            // A commit whose query failed is undone: its keys go, `outlet` goes back
            // to being a document's only.
            let mut tx = store.transaction().unwrap();
            tx.set_property(b, "height", crate::Value::Int(2)).unwrap();
            tx.set_property(b, "outlet", crate::Value::Int(2)).unwrap();
            let (_, undo) = tx.commit_undoable().unwrap();
            assert_eq!(store.property_keys(false).unwrap(), ["born", "height", "name", "outlet", "since"]);
            store.undo(vec![undo.unwrap()]).unwrap();
            assert_eq!(store.property_keys(false).unwrap(), ["born", "name", "since"]);
            assert_eq!(store.has_property_key("height"), Some(false));
            assert!(store.check().unwrap().is_ok(), "{:?}", store.check().unwrap().problems);
        }
        let store = Store::open(&path, &OpenOptions::default()).unwrap();
        assert_eq!(store.property_keys(false).unwrap(), ["born", "name", "since"]);
        assert_eq!(store.property_keys(true).unwrap(), ["born", "name", "outlet", "since"]);
        // A key missing from the list is found by `check`.
        store.kv.apply(vec![(keys::property_key("born"), None)]).unwrap();
        let report = store.check().unwrap();
        assert_eq!(report.problems, ["property key \"born\" is in use but not listed"]);
    }

    /// A transaction killed while writing ahead of its commit leaves what it wrote
    /// and its journal; the next open puts back what was there. The keys were read
    /// before that, so a key only the rolled-back transaction wrote was known (and a
    /// later write of it, taken as known, was never listed).
    #[test]
    fn keys_are_read_after_a_killed_transaction_is_rolled_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        {
            let store = Store::open(&path, &OpenOptions::default()).unwrap();
            let mut tx = store.transaction().unwrap();
            tx.create_entity("Alice", "Person").unwrap();
            tx.commit().unwrap();
            // As a spill leaves it: the key written, its journal saying it was absent.
            store
                .kv
                .apply(vec![
                    (keys::property_key("ghost"), Some(vec![keys::KEY_ON_NODES])),
                    (keys::undo(&keys::property_key("ghost")), Some(vec![0])),
                    (keys::META_SPILLING.to_vec(), Some(vec![1])),
                ])
                .unwrap();
            store.kv.flush().unwrap();
        }
        let store = Store::open(&path, &OpenOptions::default()).unwrap();
        assert_eq!(store.property_keys(true).unwrap(), ["name"]);
        assert_eq!(store.kv.get(&keys::property_key("ghost")).unwrap(), None, "rolled back");
        let mut tx = store.transaction().unwrap();
        let e = tx.create_entity("Bob", "Person").unwrap();
        tx.set_property(e, "ghost", crate::Value::Int(1)).unwrap();
        tx.commit().unwrap();
        assert!(store.check().unwrap().is_ok(), "{:?}", store.check().unwrap().problems);
    }

    /// Past `MAX_PROPERTY_KEYS` the store stops keeping its keys: it says it does not
    /// know them (no notes) rather than hold an engine key each without bound.
    #[test]
    fn past_the_most_keys_a_store_keeps_it_stops_knowing_them() {
        let store = Store::in_memory().unwrap();
        let mut tx = store.transaction().unwrap();
        let doc = tx.create_document("d", [("k0".to_owned(), crate::Value::Int(0))].into(), None).unwrap();
        let e = tx.create_entity("Alice", "Person").unwrap();
        for i in 1..crate::txn::MAX_PROPERTY_KEYS - 1 {
            tx.set_property(e, &format!("k{i}"), crate::Value::Int(1)).unwrap();
        }
        tx.commit().unwrap();
        assert_eq!(store.property_keys(true).unwrap().len(), crate::txn::MAX_PROPERTY_KEYS, "name and k0 to k9998");
        // A key that spreads from a document to a node is no new one.
        let mut tx = store.transaction().unwrap();
        tx.set_property(e, "k0", crate::Value::Int(1)).unwrap();
        tx.commit().unwrap();
        assert_eq!(store.property_keys(false).unwrap().len(), crate::txn::MAX_PROPERTY_KEYS);
        // One more is too many; undone, the keys are known again as they were.
        let mut tx = store.transaction().unwrap();
        tx.set_property(doc, "one-too-many", crate::Value::Int(1)).unwrap();
        let (_, undo) = tx.commit_undoable().unwrap();
        assert_eq!(store.property_keys(false), None);
        assert_eq!(store.has_property_key("k1"), None);
        store.undo(vec![undo.unwrap()]).unwrap();
        assert_eq!(store.property_keys(true).unwrap().len(), crate::txn::MAX_PROPERTY_KEYS);
        let mut tx = store.transaction().unwrap();
        tx.set_property(doc, "one-too-many", crate::Value::Int(1)).unwrap();
        tx.commit().unwrap();
        assert_eq!(store.property_keys(false), None);
        let mut tx = store.transaction().unwrap();
        tx.create_entity("Bob", "Person").unwrap();
        tx.commit().unwrap();
        assert_eq!(store.property_keys(false), None, "and does not take it up again");
        assert!(store.check().unwrap().is_ok());
    }

    /// A store made before the keys were kept, or written since by a build that does
    /// not keep them (its commits move `Mcommits` on and not the keys' mark), does
    /// not know its keys: `None`, rather than a list with keys missing.
    #[test]
    fn a_store_whose_keys_were_not_all_kept_does_not_claim_to_know_them() {
        let store = Store::in_memory().unwrap();
        let mut tx = store.transaction().unwrap();
        tx.create_entity("Alice", "Person").unwrap();
        tx.commit().unwrap();
        assert_eq!(store.property_keys(false).unwrap(), ["name"]);
        // As an older build commits: the count moves on, the mark does not.
        let commits = store.meta_u64(keys::META_COMMITS).unwrap();
        store.kv.apply(vec![(keys::META_COMMITS.to_vec(), Some((commits + 1).to_be_bytes().to_vec()))]).unwrap();
        store.check_format(false).unwrap();
        assert_eq!(store.property_keys(false), None);
        assert_eq!(store.has_property_key("name"), None);
        // And one from before the mark: none at all.
        store.kv.apply(vec![(keys::META_PROPERTY_KEYS.to_vec(), None)]).unwrap();
        store.check_format(false).unwrap();
        assert_eq!(store.property_keys(true), None);
        // Writing to it keeps it unknowing (a commit does not make the list whole).
        let mut tx = store.transaction().unwrap();
        tx.create_entity("Bob", "Person").unwrap();
        tx.commit().unwrap();
        store.check_format(false).unwrap();
        assert_eq!(store.property_keys(false), None);
    }

    /// The cache is sized by what the engine's files hold: holes (sled's free log
    /// segments, punched by its patched start) count for nothing, blob files count.
    #[cfg(unix)]
    #[test]
    fn the_cache_is_sized_by_what_the_files_hold_blobs_included_holes_not() {
        const MIB: u64 = 1024 * 1024;
        let dir = tempfile::tempdir().unwrap();
        // A log of 400 MiB that is all hole: 1,200 MiB of cache by its length.
        fs::File::create(dir.path().join("db")).unwrap().set_len(400 * MIB).unwrap();
        assert_eq!(auto_cache_bytes(dir.path()), 32 * MIB, "a hole holds nothing to cache");
        fs::create_dir(dir.path().join("blobs")).unwrap();
        fs::write(dir.path().join("blobs").join("1"), vec![7u8; 12 * MIB as usize]).unwrap();
        let cache = auto_cache_bytes(dir.path());
        assert!((36 * MIB..36 * MIB + MIB).contains(&cache), "three times the blobs: {cache}");
    }

    /// A store in format 3 (a new one, or one found in it) asks its engine to keep the
    /// quotes' blocks for reading fast (LZ4); one found in format 1 or 2 does not, so
    /// that what this build writes to it, a build that knows only its format reads.
    #[test]
    fn only_a_format_3_store_asks_for_its_quote_blocks_to_read_fast() {
        /// The memory engine, recording what it is asked to read fast.
        struct Recording {
            inner: MemoryKv,
            asked: std::sync::Arc<Mutex<Vec<u8>>>,
        }
        impl Kv for Recording {
            fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
                self.inner.get(key)
            }
            fn read(&self, key: &[u8], f: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<bool> {
                self.inner.read(key, f)
            }
            fn scan_prefix<'a>(&'a self, prefix: &[u8]) -> crate::kv::Scan<'a> {
                self.inner.scan_prefix(prefix)
            }
            fn apply(&self, writes: Vec<crate::kv::Write>) -> Result<()> {
                self.inner.apply(writes)
            }
            fn flush(&self) -> Result<()> {
                self.inner.flush()
            }
            fn size_on_disk(&self) -> Result<u64> {
                self.inner.size_on_disk()
            }
            fn checkpoint(&self) -> Result<()> {
                self.inner.checkpoint()
            }
            fn prefer_fast_reads(&self, prefix: u8) {
                self.asked.lock().unwrap().push(prefix);
            }
        }
        for (found, want) in
            [(None, vec![keys::QUOTES]), (Some(1u32), vec![]), (Some(2), vec![]), (Some(3), vec![keys::QUOTES])]
        {
            let asked = std::sync::Arc::new(Mutex::new(Vec::new()));
            let kv = Recording { inner: MemoryKv::new(), asked: asked.clone() };
            if let Some(format) = found {
                kv.apply(vec![(keys::META_FORMAT.to_vec(), Some(format.to_be_bytes().to_vec()))]).unwrap();
            }
            let store = Store::with_engine(Box::new(kv), Engine::Memory, None, None, false);
            store.check_format(found.is_none()).unwrap();
            assert_eq!(*asked.lock().unwrap(), want, "found {found:?}");
            assert_eq!(store.format.load(std::sync::atomic::Ordering::Relaxed), found.unwrap_or(FORMAT_VERSION));
        }
    }

    /// A store of `format` on the memory engine, with two documents and two people.
    fn quotes_store(format: u32) -> (Store, [EntityId; 4]) {
        let store = Store::with_engine(Box::new(MemoryKv::new()), Engine::Memory, None, None, false);
        store.kv.apply(vec![(keys::META_FORMAT.to_vec(), Some(format.to_be_bytes().to_vec()))]).unwrap();
        store.check_format(false).unwrap();
        let mut tx = store.transaction().unwrap();
        let props = crate::model::Properties::new;
        let d1 = tx.create_document("first", props(), Some("Alice met Bob.".into())).unwrap();
        let d2 = tx.create_document("second", props(), Some("Bob was met by Alice.".into())).unwrap();
        let alice = tx.create_entity("Alice", "Person").unwrap();
        let bob = tx.create_entity("Bob", "Person").unwrap();
        tx.commit().unwrap();
        (store, [d1, d2, alice, bob])
    }

    /// Adds `Alice met Bob` cited by `doc` with `quote`, in a commit of its own.
    fn met(store: &Store, [_, _, alice, bob]: [EntityId; 4], doc: EntityId, quote: &str) -> StatementId {
        use crate::model::{Evidence, NewStatement};
        let mut tx = store.transaction().unwrap();
        let added = tx.add_statement(NewStatement::new(alice, "met", bob, Evidence::new(doc, quote))).unwrap();
        tx.commit().unwrap();
        match added {
            crate::txn::Added::Created(id) | crate::txn::Added::Merged { id, .. } => id,
        }
    }

    fn quotes(st: &Statement) -> Vec<&str> {
        st.evidence.iter().map(|ev| ev.quote.as_str()).collect()
    }

    /// A new store (format 2) keeps a statement's quotes in a block of their own, its
    /// record without them; evidence merged into it later (`late`, patched in place)
    /// reaches both; every way of reading the statement agrees.
    #[test]
    fn a_new_store_keeps_quotes_apart_and_merged_evidence_reaches_both() {
        assert!(Store::in_memory().unwrap().quotes_apart());
        let (store, ids) = quotes_store(FORMAT_VERSION);
        let id = met(&store, ids, ids[0], "Alice met Bob");
        assert_eq!(met(&store, ids, ids[1], "Bob was met by Alice"), id, "merged");
        let slot = keys::statement(id);
        let record: StoredStatement = store.decode_slot(&slot, "statement record").unwrap().unwrap();
        assert!(record.evidence.iter().all(|ev| ev.quote.is_empty()), "{record:?}");
        let apart: Vec<String> = store.decode_slot(&keys::quotes(id), "quotes").unwrap().unwrap();
        assert_eq!(apart, ["Alice met Bob", "Bob was met by Alice"]);
        let whole = store.statement(id).unwrap().unwrap();
        assert_eq!(quotes(&whole), ["Alice met Bob", "Bob was met by Alice"]);
        let bare = store.statement_without_quotes(id).unwrap().unwrap();
        assert_eq!(quotes(&bare), ["", ""]);
        assert_eq!(store.quotes(id).unwrap().unwrap(), ["Alice met Bob", "Bob was met by Alice"]);
        assert_eq!(store.quotes(StatementId(id.0 + 1)).unwrap(), None);
        let docs = |st: &Statement| st.evidence.iter().map(|ev| ev.document).collect::<Vec<_>>();
        assert_eq!(docs(&bare), docs(&whole));
        let all: Vec<Statement> = store.statements().collect::<Result<_>>().unwrap();
        assert_eq!(all, vec![whole]);
        assert!(store.check().unwrap().is_ok());
    }

    /// A store made in format 1 stays in format 1: its records keep their quotes,
    /// merged evidence included, and no block of quotes is written.
    #[test]
    fn a_format_1_store_keeps_quotes_in_its_records() {
        let (store, ids) = quotes_store(1);
        assert!(!store.quotes_apart());
        let id = met(&store, ids, ids[0], "Alice met Bob");
        met(&store, ids, ids[1], "Bob was met by Alice");
        let record: StoredStatement = store.decode_slot(&keys::statement(id), "statement record").unwrap().unwrap();
        let in_record: Vec<&str> = record.evidence.iter().map(|ev| ev.quote.as_str()).collect();
        assert_eq!(in_record, ["Alice met Bob", "Bob was met by Alice"]);
        assert!(store.kv.scan_prefix(&[keys::QUOTES]).next().is_none());
        assert_eq!(quotes(&store.statement(id).unwrap().unwrap()), ["Alice met Bob", "Bob was met by Alice"]);
        assert_eq!(quotes(&store.statement_without_quotes(id).unwrap().unwrap()), ["", ""]);
        assert_eq!(store.quotes(id).unwrap().unwrap(), ["Alice met Bob", "Bob was met by Alice"]);
        assert_eq!(store.quotes(StatementId(id.0 + 1)).unwrap(), None);
        assert!(store.check().unwrap().is_ok());
    }

    /// Quotes that are missing, or not one per piece of evidence, make the statement's
    /// reads fail as damage (never a panic, never a statement without its words).
    #[test]
    fn quotes_missing_or_miscounted_are_damage() {
        let (store, ids) = quotes_store(FORMAT_VERSION);
        let id = met(&store, ids, ids[0], "Alice met Bob");
        let block = keys::quotes(id).block;
        let mut page = Page::decode(&store.kv.get(&block).unwrap().unwrap()).unwrap();
        page.set(keys::quotes(id).slot, codec::encode(&vec!["one", "two"]).unwrap());
        store.kv.apply(vec![(block.clone(), Some(page.encode()))]).unwrap();
        let miscounted = store.statement(id).unwrap_err();
        assert!(
            matches!(&miscounted, StoreError::Corrupt(m) if m.contains("1 pieces of evidence and 2 quotes")),
            "{miscounted}"
        );
        store.kv.apply(vec![(block, None)]).unwrap();
        let missing = store.statement(id).unwrap_err();
        assert!(matches!(&missing, StoreError::Corrupt(m) if m.contains("quotes are missing")), "{missing}");
        assert!(store.statements().any(|st| st.is_err()));
        assert!(store.check().is_err() || !store.check().unwrap().is_ok());
        // What needs no quotes still reads.
        assert_eq!(store.statement_without_quotes(id).unwrap().unwrap().evidence.len(), 1);
    }

    /// `check` finds quotes whose statement is gone (format 2).
    #[test]
    fn check_finds_quotes_without_their_statement() {
        let (store, ids) = quotes_store(FORMAT_VERSION);
        met(&store, ids, ids[0], "Alice met Bob");
        assert!(store.check().unwrap().is_ok());
        // A retracted statement takes its quotes with it.
        let mut tx = store.transaction().unwrap();
        let saw = crate::model::NewStatement::new(ids[3], "saw", ids[2], crate::model::Evidence::new(ids[1], "Bob"));
        let gone = tx.add_statement(saw).unwrap().id();
        tx.commit().unwrap();
        assert!(store.decode_slot::<Vec<String>>(&keys::quotes(gone), "quotes").unwrap().is_some());
        let mut tx = store.transaction().unwrap();
        tx.retract(gone).unwrap();
        tx.commit().unwrap();
        assert!(store.decode_slot::<Vec<String>>(&keys::quotes(gone), "quotes").unwrap().is_none());
        assert!(store.check().unwrap().is_ok());
        let orphan = gone;
        let block = keys::quotes(orphan).block;
        let mut page = Page::decode(&store.kv.get(&block).unwrap().unwrap()).unwrap();
        page.set(keys::quotes(orphan).slot, codec::encode(&vec!["lost words"]).unwrap());
        store.kv.apply(vec![(block, Some(page.encode()))]).unwrap();
        let report = store.check().unwrap();
        assert!(
            report.problems.iter().any(|p| p == &format!("{orphan}: quotes without their statement")),
            "{:?}",
            report.problems
        );
    }

    /// Statements read a block at a time (`statements_in_order`), in id order across
    /// blocks, out of order, and absent ones, are what `statement` reads, in both
    /// formats; a block whose quotes are missing fails as damage.
    #[test]
    fn statements_read_in_order_are_the_statements() {
        use crate::model::{Evidence, NewStatement};
        for format in [1, FORMAT_VERSION] {
            let (store, [d1, _, alice, _]) = quotes_store(format);
            let mut tx = store.transaction().unwrap();
            let mut ids = Vec::new();
            for i in 0..1500 {
                let other = tx.create_entity(&format!("E{i}"), "Person").unwrap();
                let st = NewStatement::new(alice, "met", other, Evidence::new(d1, "Alice met Bob"));
                ids.push(tx.add_statement(st).unwrap().id());
            }
            tx.commit().unwrap();
            assert!(ids.last().unwrap().0 >> keys::RECORD_BITS > ids[0].0 >> keys::RECORD_BITS, "two blocks");
            let mut reader = store.statements_in_order();
            let mut asked: Vec<StatementId> = ids.clone();
            asked.extend(ids.iter().rev().step_by(97));
            asked.push(StatementId(1 << 20));
            for id in asked {
                assert_eq!(reader.statement(id).unwrap(), store.statement(id).unwrap(), "{id} in format {format}");
            }
            assert!(matches!(reader.require(StatementId(1 << 20)), Err(StoreError::NoSuchStatement(_))));
            if format == FORMAT_VERSION {
                store.kv.apply(vec![(keys::quotes(ids[0]).block, None)]).unwrap();
                let mut reader = store.statements_in_order();
                let err = reader.statement(ids[0]).unwrap_err();
                assert!(matches!(&err, StoreError::Corrupt(m) if m.contains("quotes are missing")), "{err}");
            }
        }
    }
}

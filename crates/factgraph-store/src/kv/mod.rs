//! The ordered key-value engine behind the store, as a small trait, and the engines
//! that implement it: sled 0.34 on disk (`sled.rs`, its values compressed by
//! `packed.rs`, with a cache of the blocks it read lately, `read_cache.rs`) and an
//! in-memory map (`memory.rs`).
//!
//! The store needs only point gets, prefix scans in key order, an atomic batch, an
//! explicit flush and a size. Keeping to that surface is what lets an engine stand in
//! for another without touching the store's logic; `conformance` (tests) holds every
//! engine to the same behaviour.

mod guarded;
mod memory;
mod packed;
mod read_cache;
mod sled;

pub(crate) use self::guarded::{Closed, Guarded};
pub use self::memory::MemoryKv;
pub use self::sled::SledKv;

use crate::error::Result;

/// A key-value pair read from the engine.
pub type Pair = (Vec<u8>, Vec<u8>);

/// A scan that yields pairs in key order and stops after its first error.
pub type Scan<'a> = Box<dyn Iterator<Item = Result<Pair>> + 'a>;

/// One write of a batch: put a value, or delete the key (`None`).
pub type Write = (Vec<u8>, Option<Vec<u8>>);

/// Which engine keeps a store's data. Chosen when a store is created and recorded in
/// its marker file, so every later open uses the same one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Engine {
    /// sled 0.34 in the store's `sled/` directory: durable, the default.
    Sled,
    /// A sorted map in memory: nothing touches the disk and everything is gone when
    /// the store is dropped. For tests, examples and scratch work.
    Memory,
}

impl Engine {
    /// The name written in the marker file.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sled => "sled",
            Engine::Memory => "memory",
        }
    }

    /// The engine a marker names.
    pub fn from_name(name: &str) -> Option<Engine> {
        match name {
            "sled" => Some(Engine::Sled),
            "memory" => Some(Engine::Memory),
            _ => None,
        }
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The ordered key-value operations the store is built on.
pub trait Kv: Send + Sync {
    /// The value under `key`.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>>;
    /// Calls `f` with the value under `key` without copying it; `false` when absent.
    fn read(&self, key: &[u8], f: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<bool>;
    /// The value under `key`, shared rather than copied where the engine keeps it
    /// shared (`SledKv`: its cache's values), for a reader that keeps a few blocks at
    /// hand (`Store::entities_read`); a copy by default.
    fn read_shared(&self, key: &[u8]) -> Result<Option<::sled::IVec>> {
        let mut out = None;
        self.read(key, &mut |v| {
            out = Some(::sled::IVec::from(v));
            Ok(())
        })?;
        Ok(out)
    }
    /// The value under `key` as a scan reads it, into `out` (what it held is replaced;
    /// empty when absent, `false`, or after an error): from the engine's cache of values read lately when it is there,
    /// else from the engine without being kept in that cache, where a long answer
    /// reading each block once would only churn it.
    fn read_past_cache(&self, key: &[u8], out: &mut Vec<u8>) -> Result<bool> {
        out.clear();
        self.read(key, &mut |v| {
            out.extend_from_slice(v);
            Ok(())
        })
    }
    /// Every pair whose key starts with `prefix`, in key order. A batch applied while
    /// the scan runs may or may not be seen by it; the store's writer lock keeps its
    /// own scans away from that.
    fn scan_prefix<'a>(&'a self, prefix: &[u8]) -> Scan<'a>;
    /// Applies every write or none of them.
    fn apply(&self, writes: Vec<Write>) -> Result<()>;
    /// Makes everything applied so far durable: after it returns, a crash loses none
    /// of it.
    fn flush(&self) -> Result<()>;
    /// Bytes the engine occupies on disk.
    fn size_on_disk(&self) -> Result<u64>;
    /// After a large write: whatever makes the next open fast. Called after `flush`,
    /// so the data is durable whatever it returns.
    fn checkpoint(&self) -> Result<()>;
    /// Asks that values written from now on under keys starting with `prefix` be kept
    /// for reading fast rather than small (an engine that compresses them, `SledKv`,
    /// uses a faster codec); the store asks it for the blocks a long answer reads
    /// again at every asking. Values written before stay as they are. Nothing by
    /// default.
    fn prefer_fast_reads(&self, _prefix: u8) {}
}

#[cfg(test)]
mod conformance;
#[cfg(test)]
pub(crate) mod faulty;

//! The values sled read lately, by key: a point read of a block that was read a moment
//! ago costs a hash lookup instead of a walk down sled's tree.
//!
//! A sled `get` walks from the root to a leaf through its page cache, pinning an epoch
//! and touching its LRU at every level: about a microsecond, the largest part of a
//! point question (a `who reported` of a four-statement entity reads some sixteen
//! blocks: names, adjacency, statements, entities, documents). In a store whose
//! values are packed (`packed.rs`, every new one) the values here are the decompressed
//! blocks, and this is the engine's main cache (sixty-three sixty-fourths of its memory); in one
//! sled compresses, they are sled's own `IVec`s, shared and not copied, so a cached
//! block costs memory only once sled has evicted its page. The cache is bounded by
//! the bytes of the values it holds.
//!
//! Writes go through `SledKv::apply`, which calls `begin` with the batch's keys before
//! applying it and `end` after. A read takes a `ticket` before it reads sled: none
//! while a batch is being applied, else the generation, which `begin`, `end` and
//! `clear` move. The value read is cached (`offer`) only with a ticket still current,
//! so only a read that no batch overlapped is kept: a value read while a batch was
//! half visible could be older than one another reader has already seen, and serving
//! it would make that reader's reads go back in time (the conformance test
//! `reads_racing_batches_never_go_back` caught exactly that in a first version, which
//! only compared generations).
//!
//! A key found absent is kept too, as `None`: a point question reads blocks that most
//! stores never write (the participants of an entity that no statement names in a
//! role), and each such read walked sled's tree every time, a twentieth of a `who
//! reported` of a small entity. An absence obeys the same tickets as a value: a batch
//! that writes the key forgets it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;

/// Weighs a cached value by its bytes (and its key's), so the bound is in bytes; an
/// absence by its key and what its entry costs.
#[derive(Clone)]
struct Bytes;

/// What an absence costs, about: its key's allocation and the cache's slot. Weighed
/// at 32 bytes, a load's absences (a new store's blocks, read before they are first
/// written) filled the cache with three times its bound in memory: 20 MB more at the
/// peak of a load of 10,000,000 statements.
const ENTRY_BYTES: usize = 128;

impl quick_cache::Weighter<Box<[u8]>, Option<sled::IVec>> for Bytes {
    fn weight(&self, key: &Box<[u8]>, value: &Option<sled::IVec>) -> u64 {
        (key.len() + value.as_ref().map_or(ENTRY_BYTES, |v| v.len())) as u64
    }
}

/// See the module docs.
pub(crate) struct ReadCache {
    /// `None` for a key found absent.
    values: quick_cache::sync::Cache<Box<[u8]>, Option<sled::IVec>, Bytes>,
    /// Moved by every `begin`, `end` and `clear`.
    generation: AtomicU64,
    /// Batches between their `begin` and their `end`.
    active: AtomicU64,
    /// Held for reading while a value is offered, for writing while `begin`, `end` or
    /// `clear` moves the generation and removes keys: an offer sees the generation it
    /// is checked against stay put until its value is in.
    gate: RwLock<()>,
}

/// Blocks are 30-200 KB: a first guess of how many fit, which the cache only uses to
/// size its tables.
const TYPICAL_VALUE: u64 = 64 * 1024;

impl ReadCache {
    /// A cache holding up to `bytes` of keys and values.
    pub(crate) fn new(bytes: u64) -> ReadCache {
        let items = (bytes / TYPICAL_VALUE).clamp(16, 1 << 16) as usize;
        ReadCache {
            values: quick_cache::sync::Cache::with_weighter(items, bytes.max(1), Bytes),
            generation: AtomicU64::new(0),
            active: AtomicU64::new(0),
            gate: RwLock::new(()),
        }
    }

    /// What is under `key` (`Some(None)`: nothing), if cached.
    pub(crate) fn get(&self, key: &[u8]) -> Option<Option<sled::IVec>> {
        self.values.get(key)
    }

    /// What to give `offer` for a value about to be read: `None` while a batch is
    /// being applied (what is read then is not kept).
    pub(crate) fn ticket(&self) -> Option<u64> {
        let before = self.generation.load(Ordering::SeqCst);
        let active = self.active.load(Ordering::SeqCst);
        let after = self.generation.load(Ordering::SeqCst);
        (before == after && active == 0).then_some(before)
    }

    /// Caches `value` (`None`: the key is absent), read under `key` after `ticket` was
    /// taken, unless a batch began since (then it may be older than what is stored, or
    /// than what others read).
    pub(crate) fn offer(&self, key: &[u8], ticket: u64, value: Option<sled::IVec>) {
        let _gate = self.gate.read().unwrap_or_else(|p| p.into_inner());
        if self.generation.load(Ordering::SeqCst) == ticket {
            self.values.insert(key.into(), value);
        }
    }

    /// A batch writing `keys` is about to be applied: forgets them, and keeps nothing
    /// read until it ends.
    pub(crate) fn begin<'k>(&self, keys: impl Iterator<Item = &'k [u8]>) {
        let _gate = self.gate.write().unwrap_or_else(|p| p.into_inner());
        self.active.fetch_add(1, Ordering::SeqCst);
        self.generation.fetch_add(1, Ordering::SeqCst);
        for k in keys {
            self.values.remove(k);
        }
    }

    /// The batch `begin` announced is applied (or failed): forgets its keys again.
    pub(crate) fn end<'k>(&self, keys: impl Iterator<Item = &'k [u8]>) {
        let _gate = self.gate.write().unwrap_or_else(|p| p.into_inner());
        self.generation.fetch_add(1, Ordering::SeqCst);
        for k in keys {
            self.values.remove(k);
        }
        self.active.fetch_sub(1, Ordering::SeqCst);
    }

    /// Forgets everything, and refuses every value read before now.
    pub(crate) fn clear(&self) {
        let _gate = self.gate.write().unwrap_or_else(|p| p.into_inner());
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.values.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::ReadCache;

    fn iv(s: &str) -> Option<sled::IVec> {
        Some(sled::IVec::from(s.as_bytes()))
    }

    #[test]
    fn a_value_read_before_or_while_a_batch_applies_is_refused() {
        let cache = ReadCache::new(1 << 20);
        let before = cache.ticket().expect("no batch");
        cache.begin([b"k".as_slice()].into_iter());
        assert_eq!(cache.ticket(), None, "a batch is being applied");
        cache.offer(b"k", before, iv("old"));
        assert_eq!(cache.get(b"k"), None);
        cache.end([b"k".as_slice()].into_iter());
        cache.offer(b"k", before, iv("old"));
        assert_eq!(cache.get(b"k"), None, "read before the batch");
        let after = cache.ticket().expect("the batch ended");
        cache.offer(b"k", after, iv("new"));
        assert_eq!(cache.get(b"k"), Some(iv("new")));
    }

    #[test]
    fn an_absence_is_kept_until_a_batch_writes_the_key() {
        let cache = ReadCache::new(1 << 20);
        cache.offer(b"k", cache.ticket().unwrap(), None);
        assert_eq!(cache.get(b"k"), Some(None), "known absent");
        assert_eq!(cache.get(b"j"), None, "never read");
        let before = cache.ticket().unwrap();
        cache.begin([b"k".as_slice()].into_iter());
        assert_eq!(cache.get(b"k"), None, "the batch writes it");
        cache.offer(b"k", before, None);
        cache.end([b"k".as_slice()].into_iter());
        assert_eq!(cache.get(b"k"), None, "an absence read before the batch is refused");
    }

    #[test]
    fn a_batch_forgets_only_the_keys_it_writes() {
        let cache = ReadCache::new(1 << 20);
        for k in ["a", "b"] {
            cache.offer(k.as_bytes(), cache.ticket().unwrap(), iv(k));
        }
        cache.begin([b"a".as_slice()].into_iter());
        assert_eq!(cache.get(b"a"), None);
        assert_eq!(cache.get(b"b"), Some(iv("b")));
        cache.end([b"a".as_slice()].into_iter());
        cache.clear();
        assert_eq!(cache.get(b"b"), None);
    }

    #[test]
    fn the_cache_holds_no_more_bytes_than_its_bound() {
        let cache = ReadCache::new(64 * 1024);
        let big = "x".repeat(1000);
        for i in 0..1000u32 {
            cache.offer(&i.to_be_bytes(), cache.ticket().unwrap(), iv(&big));
        }
        let held = (0..1000u32).filter(|i| cache.get(&i.to_be_bytes()).is_some()).count();
        // Each weighs 1,004 bytes: its value and its 4-byte key.
        assert!(held > 0 && held * 1004 <= 64 * 1024, "{held} values of 1,004 bytes held under a 64 KiB bound");
    }
}

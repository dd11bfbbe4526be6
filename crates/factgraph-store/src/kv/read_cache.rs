//! The values sled read lately, by key: a point read of a block that was read a moment
//! ago costs a hash lookup instead of a walk down sled's tree.
//!
//! A sled `get` walks from the root to a leaf through its page cache, pinning an epoch
//! and touching its LRU at every level: about a microsecond, the largest part of a
//! point question (a `who reported` of a four-statement entity reads some sixteen
//! blocks: names, adjacency, statements, entities, documents). The values are sled's
//! own `IVec`s, shared and not copied, so a cached block costs memory only once sled
//! has evicted its page; the cache is bounded by the bytes of the values it holds.
//!
//! Writes go through `SledKv::apply`, which calls `invalidate` with the batch's keys
//! before and after applying it. A read that raced the batch may have read the old
//! value: it offers the value with the generation it saw before reading, and the cache
//! takes it only if no invalidation happened since (`offer`). The invalidation after
//! the batch also removes anything taken while the batch was being applied.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;

/// Weighs a cached value by its bytes (and its key's), so the bound is in bytes.
#[derive(Clone)]
struct Bytes;

impl quick_cache::Weighter<Box<[u8]>, sled::IVec> for Bytes {
    fn weight(&self, key: &Box<[u8]>, value: &sled::IVec) -> u64 {
        (key.len() + value.len()) as u64
    }
}

/// See the module docs.
pub(crate) struct ReadCache {
    values: quick_cache::sync::Cache<Box<[u8]>, sled::IVec, Bytes>,
    /// Bumped by every invalidation.
    generation: AtomicU64,
    /// Held for reading while a value is offered, for writing while an invalidation
    /// bumps the generation and removes keys: an offer sees the generation it is
    /// checked against stay put until its value is in.
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
            gate: RwLock::new(()),
        }
    }

    /// The value under `key`, if cached.
    pub(crate) fn get(&self, key: &[u8]) -> Option<sled::IVec> {
        self.values.get(key)
    }

    /// The generation to give `offer` for a value about to be read.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Caches `value`, read under `key` after `generation` was read, unless an
    /// invalidation happened since (then it may be older than what is stored).
    pub(crate) fn offer(&self, key: &[u8], generation: u64, value: sled::IVec) {
        let _gate = self.gate.read().unwrap_or_else(|p| p.into_inner());
        if self.generation.load(Ordering::Acquire) == generation {
            self.values.insert(key.into(), value);
        }
    }

    /// Forgets `keys`, and refuses every value read before now.
    pub(crate) fn invalidate<'k>(&self, keys: impl Iterator<Item = &'k [u8]>) {
        let _gate = self.gate.write().unwrap_or_else(|p| p.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        for k in keys {
            self.values.remove(k);
        }
    }

    /// Forgets everything, and refuses every value read before now.
    pub(crate) fn clear(&self) {
        let _gate = self.gate.write().unwrap_or_else(|p| p.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.values.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::ReadCache;

    fn iv(s: &str) -> sled::IVec {
        sled::IVec::from(s.as_bytes())
    }

    #[test]
    fn a_value_offered_before_an_invalidation_is_refused() {
        let cache = ReadCache::new(1 << 20);
        let g = cache.generation();
        cache.invalidate([b"k".as_slice()].into_iter());
        cache.offer(b"k", g, iv("old"));
        assert_eq!(cache.get(b"k"), None);
        let g = cache.generation();
        cache.offer(b"k", g, iv("new"));
        assert_eq!(cache.get(b"k"), Some(iv("new")));
    }

    #[test]
    fn invalidating_forgets_only_the_keys_named() {
        let cache = ReadCache::new(1 << 20);
        for k in ["a", "b"] {
            cache.offer(k.as_bytes(), cache.generation(), iv(k));
        }
        cache.invalidate([b"a".as_slice()].into_iter());
        assert_eq!(cache.get(b"a"), None);
        assert_eq!(cache.get(b"b"), Some(iv("b")));
        cache.clear();
        assert_eq!(cache.get(b"b"), None);
    }

    #[test]
    fn the_cache_holds_no_more_bytes_than_its_bound() {
        let cache = ReadCache::new(64 * 1024);
        let big = "x".repeat(1000);
        for i in 0..1000u32 {
            cache.offer(&i.to_be_bytes(), cache.generation(), iv(&big));
        }
        let held = (0..1000u32).filter(|i| cache.get(&i.to_be_bytes()).is_some()).count();
        // Each weighs 1,004 bytes: its value and its 4-byte key.
        assert!(held > 0 && held * 1004 <= 64 * 1024, "{held} values of 1,004 bytes held under a 64 KiB bound");
    }
}

//! The in-memory engine: a sorted map behind a read-write lock. Batches are atomic
//! because they are applied under the write lock; scans copy what they read in
//! chunks, so a long scan never holds the lock while its caller works.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::RwLock;

use super::{Kv, Pair, Scan, Write};
use crate::error::Result;

/// Pairs a scan copies out per visit to the map.
const SCAN_CHUNK: usize = 256;

/// The in-memory engine; see the module docs.
#[derive(Debug, Default)]
pub struct MemoryKv {
    map: RwLock<BTreeMap<Vec<u8>, Vec<u8>>>,
}

impl MemoryKv {
    /// An empty engine.
    pub fn new() -> MemoryKv {
        MemoryKv::default()
    }

    fn map(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<Vec<u8>, Vec<u8>>> {
        self.map.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Up to `SCAN_CHUNK` pairs under `prefix` after `after` (or from the start).
    fn chunk(&self, prefix: &[u8], after: Option<&[u8]>) -> Vec<Pair> {
        let map = self.map();
        let start = match after {
            Some(k) => Bound::Excluded(k),
            None => Bound::Included(prefix),
        };
        map.range::<[u8], _>((start, Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(prefix))
            .take(SCAN_CHUNK)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

struct MemoryScan<'a> {
    kv: &'a MemoryKv,
    prefix: Vec<u8>,
    buffer: std::vec::IntoIter<Pair>,
    /// The last key of the chunk in `buffer`.
    last: Option<Vec<u8>>,
    done: bool,
}

impl Iterator for MemoryScan<'_> {
    type Item = Result<Pair>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(pair) = self.buffer.next() {
            return Some(Ok(pair));
        }
        if self.done {
            return None;
        }
        let chunk = self.kv.chunk(&self.prefix, self.last.as_deref());
        self.done = chunk.len() < SCAN_CHUNK;
        // The next chunk starts after this one's last key.
        self.last = chunk.last().map(|(k, _)| k.clone());
        self.buffer = chunk.into_iter();
        self.buffer.next().map(Ok)
    }
}

impl Kv for MemoryKv {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.map().get(key).cloned())
    }

    fn read(&self, key: &[u8], f: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<bool> {
        match self.map().get(key) {
            None => Ok(false),
            Some(v) => f(v).map(|()| true),
        }
    }

    fn scan_prefix<'a>(&'a self, prefix: &[u8]) -> Scan<'a> {
        Box::new(MemoryScan {
            kv: self,
            prefix: prefix.to_vec(),
            buffer: Vec::new().into_iter(),
            last: None,
            done: false,
        })
    }

    fn apply(&self, writes: Vec<Write>) -> Result<()> {
        let mut map = self.map.write().unwrap_or_else(|p| p.into_inner());
        for (k, v) in writes {
            match v {
                Some(v) => map.insert(k, v),
                None => map.remove(&k),
            };
        }
        Ok(())
    }

    fn flush(&self) -> Result<()> {
        Ok(())
    }

    fn size_on_disk(&self) -> Result<u64> {
        Ok(0)
    }

    fn checkpoint(&self) -> Result<()> {
        Ok(())
    }
}

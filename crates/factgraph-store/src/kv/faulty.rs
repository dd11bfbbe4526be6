//! An engine wrapper that fails on purpose, for tests: the Nth operation from now (a
//! get, a read, each step of a scan, an apply, a flush, a checkpoint) fails as a disk
//! error would: that one operation (a transient error, such as one EIO), or that one
//! and every later one until healed (a disk that has gone bad). In the
//! manner of SQLite's test VFS and sled's failpoints, it lets a test walk a fault
//! through every operation of a commit and check what each leaves.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use super::{Kv, Pair, Scan, Write};
use crate::error::{Result, StoreError};

/// What the failing operation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// It fails without doing anything.
    Error,
    /// An apply writes the first half of its batch, then fails: what sled 0.34 does
    /// when a read fails part-way through a batch (the keys before it stay applied in
    /// memory, and its flusher later writes them out). Other operations fail cleanly.
    PartialApply,
}

/// `inner` with a fault to come; see the module docs.
pub struct FaultyKv<K> {
    inner: K,
    /// Operations so far.
    ops: AtomicU64,
    /// The operation number that fails first (`u64::MAX`: none).
    fail_at: AtomicU64,
    fault: Mutex<Fault>,
    /// Whether only the operation at `fail_at` fails.
    once: std::sync::atomic::AtomicBool,
}

impl<K: Kv> FaultyKv<K> {
    /// `inner`, not failing yet.
    pub fn new(inner: K) -> Self {
        FaultyKv {
            inner,
            ops: AtomicU64::new(0),
            fail_at: AtomicU64::new(u64::MAX),
            fault: Mutex::new(Fault::Error),
            once: std::sync::atomic::AtomicBool::new(true),
        }
    }

    /// Fails the `n`th operation from now (0: the next one), and only that one.
    pub fn fail_once_after(&self, n: u64, fault: Fault) {
        self.arm(n, fault, true);
    }

    /// Fails the `n`th operation from now and every later one, until `heal`.
    pub fn fail_from(&self, n: u64, fault: Fault) {
        self.arm(n, fault, false);
    }

    fn arm(&self, n: u64, fault: Fault, once: bool) {
        *self.fault.lock().unwrap_or_else(|p| p.into_inner()) = fault;
        self.once.store(once, Ordering::SeqCst);
        self.fail_at.store(self.ops.load(Ordering::SeqCst).saturating_add(n), Ordering::SeqCst);
    }

    /// No more faults.
    pub fn heal(&self) {
        self.fail_at.store(u64::MAX, Ordering::SeqCst);
    }

    /// Operations counted so far.
    pub fn ops(&self) -> u64 {
        self.ops.load(Ordering::SeqCst)
    }

    /// Counts one operation; `Some(fault)` when it is to fail.
    fn tick(&self) -> Option<Fault> {
        let op = self.ops.fetch_add(1, Ordering::SeqCst);
        let at = self.fail_at.load(Ordering::SeqCst);
        let fails = if self.once.load(Ordering::SeqCst) { op == at } else { op >= at };
        fails.then(|| *self.fault.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn error(what: &str) -> StoreError {
        StoreError::Engine(format!("injected fault in {what}"))
    }
}

impl<K: Kv> Kv for FaultyKv<K> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        match self.tick() {
            Some(_) => Err(Self::error("get")),
            None => self.inner.get(key),
        }
    }

    fn read(&self, key: &[u8], f: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<bool> {
        match self.tick() {
            Some(_) => Err(Self::error("read")),
            None => self.inner.read(key, f),
        }
    }

    fn scan_prefix<'a>(&'a self, prefix: &[u8]) -> Scan<'a> {
        let mut inner = self.inner.scan_prefix(prefix);
        let mut failed = false;
        Box::new(std::iter::from_fn(move || {
            if failed {
                return None;
            }
            if self.tick().is_some() {
                failed = true;
                return Some(Err(Self::error("scan")));
            }
            inner.next()
        }))
    }

    fn apply(&self, writes: Vec<Write>) -> Result<()> {
        match self.tick() {
            None => self.inner.apply(writes),
            Some(Fault::Error) => Err(Self::error("apply")),
            Some(Fault::PartialApply) => {
                let mut half = writes;
                half.truncate(half.len() / 2);
                self.inner.apply(half)?;
                Err(Self::error("apply, after half the batch"))
            }
        }
    }

    fn flush(&self) -> Result<()> {
        match self.tick() {
            Some(_) => Err(Self::error("flush")),
            None => self.inner.flush(),
        }
    }

    fn size_on_disk(&self) -> Result<u64> {
        self.inner.size_on_disk()
    }

    fn checkpoint(&self) -> Result<()> {
        match self.tick() {
            Some(_) => Err(Self::error("checkpoint")),
            None => self.inner.checkpoint(),
        }
    }
}

/// Shared, so a test keeps a handle on the engine a store owns. Every method is
/// passed on, those with a default too: a store over such an engine calls it through
/// this.
impl<K: Kv> Kv for std::sync::Arc<K> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        (**self).get(key)
    }
    fn read(&self, key: &[u8], f: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<bool> {
        (**self).read(key, f)
    }
    fn read_shared(&self, key: &[u8]) -> Result<Option<sled::IVec>> {
        (**self).read_shared(key)
    }
    fn read_past_cache(&self, key: &[u8], out: &mut Vec<u8>) -> Result<bool> {
        (**self).read_past_cache(key, out)
    }
    fn prefer_fast_reads(&self, prefix: u8) {
        (**self).prefer_fast_reads(prefix)
    }
    fn scan_prefix<'a>(&'a self, prefix: &[u8]) -> Scan<'a> {
        (**self).scan_prefix(prefix)
    }
    fn apply(&self, writes: Vec<Write>) -> Result<()> {
        (**self).apply(writes)
    }
    fn flush(&self) -> Result<()> {
        (**self).flush()
    }
    fn size_on_disk(&self) -> Result<u64> {
        (**self).size_on_disk()
    }
    fn checkpoint(&self) -> Result<()> {
        (**self).checkpoint()
    }
}

/// The pairs a scan yields, for tests that compare whole engines.
pub fn dump(kv: &dyn Kv) -> Vec<Pair> {
    kv.scan_prefix(&[]).map(|p| p.expect("a healed engine scans")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::MemoryKv;

    /// An engine behind `Arc` is the engine, the methods with a default too (a store
    /// over one read past the cache through the cache, and a new store's quotes were
    /// not asked to read fast).
    #[test]
    fn an_engine_behind_an_arc_passes_on_every_method() {
        struct Told(std::sync::Mutex<Vec<&'static str>>, MemoryKv);
        impl Kv for Told {
            fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
                self.1.get(key)
            }
            fn read(&self, key: &[u8], f: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<bool> {
                self.1.read(key, f)
            }
            fn read_past_cache(&self, key: &[u8], out: &mut Vec<u8>) -> Result<bool> {
                self.0.lock().unwrap().push("read_past_cache");
                self.1.read_past_cache(key, out)
            }
            fn read_shared(&self, key: &[u8]) -> Result<Option<sled::IVec>> {
                self.0.lock().unwrap().push("read_shared");
                self.1.read_shared(key)
            }
            fn scan_prefix<'a>(&'a self, prefix: &[u8]) -> Scan<'a> {
                self.1.scan_prefix(prefix)
            }
            fn apply(&self, writes: Vec<Write>) -> Result<()> {
                self.1.apply(writes)
            }
            fn flush(&self) -> Result<()> {
                self.1.flush()
            }
            fn size_on_disk(&self) -> Result<u64> {
                self.1.size_on_disk()
            }
            fn checkpoint(&self) -> Result<()> {
                self.1.checkpoint()
            }
            fn prefer_fast_reads(&self, _prefix: u8) {
                self.0.lock().unwrap().push("prefer_fast_reads");
            }
        }
        let kv = std::sync::Arc::new(Told(Default::default(), MemoryKv::new()));
        <std::sync::Arc<Told> as Kv>::apply(&kv, vec![(b"a".to_vec(), Some(b"1".to_vec()))]).unwrap();
        let mut out = Vec::new();
        assert!(<std::sync::Arc<Told> as Kv>::read_past_cache(&kv, b"a", &mut out).unwrap());
        assert_eq!(out, b"1");
        let shared = <std::sync::Arc<Told> as Kv>::read_shared(&kv, b"a").unwrap();
        assert_eq!(shared.as_deref(), Some(&b"1"[..]));
        <std::sync::Arc<Told> as Kv>::prefer_fast_reads(&kv, b'Q');
        assert_eq!(*kv.0.lock().unwrap(), ["read_past_cache", "read_shared", "prefer_fast_reads"]);
    }

    #[test]
    fn a_one_off_fault_fails_exactly_the_nth_operation() {
        let kv = FaultyKv::new(MemoryKv::new());
        kv.fail_once_after(1, Fault::Error);
        assert!(kv.get(b"a").is_ok());
        assert!(kv.apply(vec![(b"a".to_vec(), Some(b"1".to_vec()))]).is_err());
        assert!(kv.apply(vec![(b"a".to_vec(), Some(b"1".to_vec()))]).is_ok());
        assert_eq!(kv.get(b"a").unwrap().as_deref(), Some(&b"1"[..]));
    }

    #[test]
    fn a_lasting_fault_fails_everything_until_healed_and_a_partial_apply_keeps_the_first_half() {
        let kv = FaultyKv::new(MemoryKv::new());
        kv.fail_from(0, Fault::PartialApply);
        let batch = (0u8..4).map(|i| (vec![i], Some(vec![i]))).collect();
        assert!(kv.apply(batch).is_err());
        assert!(kv.get(&[0]).is_err());
        assert!(kv.scan_prefix(&[]).next().unwrap().is_err());
        kv.heal();
        assert_eq!(dump(&kv), vec![(vec![0], vec![0]), (vec![1], vec![1])]);
    }
}

//! The engine as a store holds it: every call passes through to the engine until the
//! store closes it for good (`poison`), after a failure it could not take back. From
//! then on every call fails with the reason, so nothing is served from an engine that
//! may hold part of a batch that was reported as failed.
//!
//! It is also where readers wait while a transaction has written part of itself to the
//! engine ahead of its commit (a bulk load that spills, see `txn.rs`): such a
//! transaction shuts the gate (`close_gate`), and until it drops the guard every call
//! from any other thread waits, so no reader sees a batch that is not yet committed. The thread
//! that closed the gate passes through while it reads its own spilled writes
//! (`reading`); anything else on that thread is refused (`StoreError::SpillInProgress`)
//! rather than shown uncommitted writes or left waiting for itself.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::RwLock;

use crossbeam_utils::sync::{ShardedLock, ShardedLockReadGuard, ShardedLockWriteGuard};

use super::{Kv, Scan, Write};
use crate::error::{Result, StoreError};

/// An engine that can be closed for good; see the module docs.
pub struct Guarded {
    inner: Box<dyn Kv>,
    /// Why the engine was closed, once it is.
    poisoned: RwLock<Option<String>>,
    /// Set once `poisoned` is: every call reads this instead of taking the lock
    /// (a point question makes some twenty reads, each of which took it).
    closed: AtomicBool,
    /// Held for writing by a transaction whose writes are partly in the engine.
    /// Sharded: every read takes it, and two threads making one answer took one
    /// lock's count from core to core at every read.
    gate: ShardedLock<()>,
    /// The thread holding `gate` for writing (0: none).
    owner: AtomicU64,
    /// Bumped before and after every batch (`version`).
    applies: AtomicU64,
    /// Batches being applied.
    active: AtomicU64,
}

/// A small number naming the calling thread (never 0).
fn this_thread() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    thread_local!(static ME: u64 = NEXT.fetch_add(1, Ordering::Relaxed));
    ME.with(|me| *me)
}

thread_local!(static READING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });

/// A transaction reading its own writes, from `Guarded::reading` until dropped.
pub struct Reading {
    was: bool,
}

impl Drop for Reading {
    fn drop(&mut self) {
        READING.with(|r| r.set(self.was));
    }
}

/// The gate held shut by one transaction; dropping it lets readers through again.
pub struct Closed<'a> {
    guarded: &'a Guarded,
    _write: ShardedLockWriteGuard<'a, ()>,
}

impl Drop for Closed<'_> {
    fn drop(&mut self) {
        self.guarded.owner.store(0, Ordering::Release);
    }
}

impl Guarded {
    /// `inner`, open.
    pub fn new(inner: Box<dyn Kv>) -> Guarded {
        Guarded {
            inner,
            poisoned: RwLock::new(None),
            closed: AtomicBool::new(false),
            gate: ShardedLock::new(()),
            owner: AtomicU64::new(0),
            applies: AtomicU64::new(0),
            active: AtomicU64::new(0),
        }
    }

    /// Makes every other thread's calls wait until the returned guard is dropped.
    pub fn close_gate(&self) -> Closed<'_> {
        let write = self.gate.write().unwrap_or_else(|p| p.into_inner());
        self.owner.store(this_thread(), Ordering::Release);
        Closed { guarded: self, _write: write }
    }

    /// Marks this thread's calls, until the guard drops, as the writing transaction's
    /// own reads: they pass a gate this thread has shut.
    pub fn reading(&self) -> Reading {
        Reading { was: READING.with(|r| r.replace(true)) }
    }

    /// Waits at the gate, unless this thread shut it: then passes the transaction's own
    /// reads and refuses anything else.
    fn pass(&self) -> Result<Option<ShardedLockReadGuard<'_, ()>>> {
        if self.owner.load(Ordering::Acquire) == this_thread() {
            return if READING.with(std::cell::Cell::get) { Ok(None) } else { Err(StoreError::SpillInProgress) };
        }
        Ok(Some(self.gate.read().unwrap_or_else(|p| p.into_inner())))
    }

    /// A number that moves whenever the engine's data may change (before and after
    /// every batch, whether the batch succeeds or not), or `None` while a batch is
    /// being applied. Something decoded from what was read between two readings of the
    /// same `Some(v)` is current for as long as the version stays `Some(v)`
    /// (`Store::entity_shared`, the blocks `EntitiesRead` keeps).
    pub fn version(&self) -> Option<u64> {
        let before = self.applies.load(Ordering::SeqCst);
        let active = self.active.load(Ordering::SeqCst);
        let after = self.applies.load(Ordering::SeqCst);
        (before == after && active == 0).then_some(before)
    }

    /// Closes the engine for good: every later call fails with `why`.
    pub fn poison(&self, why: String) {
        self.poisoned.write().unwrap_or_else(|p| p.into_inner()).get_or_insert(why);
        self.closed.store(true, Ordering::Release);
    }

    fn check(&self) -> Result<()> {
        if !self.closed.load(Ordering::Acquire) {
            return Ok(());
        }
        match &*self.poisoned.read().unwrap_or_else(|p| p.into_inner()) {
            Some(why) => Err(StoreError::Engine(why.clone())),
            None => Ok(()),
        }
    }
}

impl Kv for Guarded {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let _pass = self.pass()?;
        self.check()?;
        self.inner.get(key)
    }

    fn read(&self, key: &[u8], f: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<bool> {
        let _pass = self.pass()?;
        self.check()?;
        self.inner.read(key, f)
    }

    fn read_shared(&self, key: &[u8]) -> Result<Option<sled::IVec>> {
        let _pass = self.pass()?;
        self.check()?;
        self.inner.read_shared(key)
    }

    fn read_past_cache(&self, key: &[u8], out: &mut Vec<u8>) -> Result<bool> {
        let _pass = self.pass()?;
        self.check()?;
        self.inner.read_past_cache(key, out)
    }

    fn scan_prefix<'a>(&'a self, prefix: &[u8]) -> Scan<'a> {
        let pass = match self.pass() {
            Ok(pass) => pass,
            Err(e) => return Box::new(std::iter::once(Err(e))),
        };
        match self.check() {
            // Each step waits at the gate too: a scan that a spilling transaction
            // overtakes sees the store before it or after its commit, key by key.
            Ok(()) => {
                let mut inner = self.inner.scan_prefix(prefix);
                drop(pass);
                let mut failed = false;
                Box::new(std::iter::from_fn(move || match self.pass() {
                    Ok(_pass) if !failed => inner.next(),
                    Ok(_) => None,
                    Err(e) => (!std::mem::replace(&mut failed, true)).then_some(Err(e)),
                }))
            }
            Err(e) => Box::new(std::iter::once(Err(e))),
        }
    }

    fn apply(&self, writes: Vec<Write>) -> Result<()> {
        self.check()?;
        self.active.fetch_add(1, Ordering::SeqCst);
        self.applies.fetch_add(1, Ordering::SeqCst);
        let applied = self.inner.apply(writes);
        self.applies.fetch_add(1, Ordering::SeqCst);
        self.active.fetch_sub(1, Ordering::SeqCst);
        applied
    }

    fn flush(&self) -> Result<()> {
        self.check()?;
        self.inner.flush()
    }

    fn size_on_disk(&self) -> Result<u64> {
        let _pass = self.pass()?;
        self.check()?;
        self.inner.size_on_disk()
    }

    fn checkpoint(&self) -> Result<()> {
        self.check()?;
        self.inner.checkpoint()
    }

    fn prefer_fast_reads(&self, prefix: u8) {
        self.inner.prefer_fast_reads(prefix)
    }
}

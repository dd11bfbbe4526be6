//! The engine as a store holds it: every call passes through to the engine until the
//! store closes it for good (`poison`), after a failure it could not take back. From
//! then on every call fails with the reason, so nothing is served from an engine that
//! may hold part of a batch that was reported as failed.

use std::sync::RwLock;

use super::{Kv, Scan, Write};
use crate::error::{Result, StoreError};

/// An engine that can be closed for good; see the module docs.
pub struct Guarded {
    inner: Box<dyn Kv>,
    /// Why the engine was closed, once it is.
    poisoned: RwLock<Option<String>>,
}

impl Guarded {
    /// `inner`, open.
    pub fn new(inner: Box<dyn Kv>) -> Guarded {
        Guarded { inner, poisoned: RwLock::new(None) }
    }

    /// Closes the engine for good: every later call fails with `why`.
    pub fn poison(&self, why: String) {
        self.poisoned.write().unwrap_or_else(|p| p.into_inner()).get_or_insert(why);
    }

    fn check(&self) -> Result<()> {
        match &*self.poisoned.read().unwrap_or_else(|p| p.into_inner()) {
            Some(why) => Err(StoreError::Engine(why.clone())),
            None => Ok(()),
        }
    }
}

impl Kv for Guarded {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.check()?;
        self.inner.get(key)
    }

    fn read(&self, key: &[u8], f: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<bool> {
        self.check()?;
        self.inner.read(key, f)
    }

    fn scan_prefix<'a>(&'a self, prefix: &[u8]) -> Scan<'a> {
        match self.check() {
            Ok(()) => self.inner.scan_prefix(prefix),
            Err(e) => Box::new(std::iter::once(Err(e))),
        }
    }

    fn apply(&self, writes: Vec<Write>) -> Result<()> {
        self.check()?;
        self.inner.apply(writes)
    }

    fn flush(&self) -> Result<()> {
        self.check()?;
        self.inner.flush()
    }

    fn size_on_disk(&self) -> Result<u64> {
        self.check()?;
        self.inner.size_on_disk()
    }

    fn checkpoint(&self) -> Result<()> {
        self.check()?;
        self.inner.checkpoint()
    }
}

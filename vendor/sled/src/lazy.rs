//! This module exists because `lazy_static` causes TSAN to
//! be very unhappy. We rely heavily on TSAN for finding
//! races, so we don't use `lazy_static`.
//!
//! factgraph patch 4 (PATCHES.md): upstream's `Lazy` made every thread that
//! found the value being initialised spin on an atomic flag until it was. The
//! thread pool's queue is initialised by spawning its worker threads, each of
//! which asks for the queue at once and spun, on a two-core machine, through a
//! whole core for as long as the spawning took (30 million instructions of a new
//! process's first three-hop answer, the rest of which is 80 million). It is now
//! a `std::sync::OnceLock`, whose waiters sleep.

use std::sync::OnceLock;

/// A lazily initialized value
pub struct Lazy<T, F> {
    value: OnceLock<T>,
    init: F,
}

impl<T, F> Lazy<T, F> {
    /// Create a new Lazy
    pub const fn new(init: F) -> Self
    where
        F: Sized,
    {
        Self { value: OnceLock::new(), init }
    }
}

impl<T, F> std::ops::Deref for Lazy<T, F>
where
    F: Fn() -> T,
{
    type Target = T;

    fn deref(&self) -> &T {
        self.value.get_or_init(|| (self.init)())
    }
}

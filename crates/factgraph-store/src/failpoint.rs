//! Named points where a test can stop the process dead, as a kill or a power cut
//! would, to show what each moment leaves on disk.
//!
//! With the `failpoints` feature (and in this crate's unit tests), a process whose
//! environment has `FACTGRAPH_CRASH_AT=<point>` aborts when it reaches that point, and
//! with `FACTGRAPH_CRASH_AT=<point>#<n>` the `n`th time it does (from 1): no
//! destructor runs and nothing more is flushed. Without the feature `hit` is empty and
//! the variable is never read, so the shipped binary has no such switch. The
//! end-to-end crash tests build the binary with the feature (`factgraph-cli`'s
//! dev-dependency turns it on for test builds only).

/// Every point: a creation, then a commit. (A creation in an existing directory takes
/// its LOCK before it makes its temporary.)
pub const POINTS: &[&str] = &[
    // Creating a store: its temporary directory made…
    "create:dir",
    // …the LOCK taken…
    "create:lock",
    // …the marker written…
    "create:marker",
    // …the engine opened and the format key flushed…
    "create:engine",
    // …the first data written (the default store's showcase)…
    "create:filled",
    // …the engine closed…
    "create:closed",
    // …and the directory renamed into place (in place: the marker moved in).
    "create:renamed",
    // A load writing part of itself ahead of its commit (a spill): a part of a batch
    // applied, the batch's next parts not…
    "spill:part-applied",
    // …one batch applied…
    "spill:applied",
    // A commit: the batch applied to the engine, not yet flushed…
    "commit:applied",
    // …and flushed: durable from here on.
    "commit:flushed",
];

/// The environment variable that names the point to abort at.
#[cfg(any(test, feature = "failpoints"))]
pub const CRASH_AT: &str = "FACTGRAPH_CRASH_AT";

/// Aborts the process if `FACTGRAPH_CRASH_AT` names this point (and this is the
/// time it names).
#[cfg(any(test, feature = "failpoints"))]
pub(crate) fn hit(point: &'static str) {
    use std::sync::atomic::{AtomicU64, Ordering};
    /// How often the named point has been reached in this process.
    static HITS: AtomicU64 = AtomicU64::new(0);
    debug_assert!(POINTS.contains(&point), "{point} is not listed in POINTS");
    let Some(at) = std::env::var_os(CRASH_AT) else { return };
    let at = at.to_string_lossy();
    let (name, nth) = match at.split_once('#') {
        Some((name, n)) => (name, n.parse::<u64>().unwrap_or(1)),
        None => (&*at, 1),
    };
    if name == point && HITS.fetch_add(1, Ordering::SeqCst) + 1 == nth {
        std::process::abort();
    }
}

/// Without the feature: nothing.
#[cfg(not(any(test, feature = "failpoints")))]
#[inline(always)]
pub(crate) fn hit(_point: &'static str) {}

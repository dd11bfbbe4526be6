//! A slot for a structure derived from the store's data (the whole-graph adjacency),
//! tagged with the commit generation it was built at. It holds its value as `Any`, so
//! the store does not depend on the module that builds the structure.

use std::any::Any;
use std::sync::{Arc, RwLock};

/// One cached derived structure; see the module docs.
#[derive(Default)]
pub(crate) struct Derived {
    slot: RwLock<Option<(u64, Arc<dyn Any + Send + Sync>)>>,
}

impl Derived {
    /// The cached value if it was built at `generation` and is a `T`.
    pub(crate) fn get<T: Any + Send + Sync>(&self, generation: u64) -> Option<Arc<T>> {
        let slot = self.slot.read().unwrap_or_else(|p| p.into_inner());
        match slot.as_ref() {
            Some((g, value)) if *g == generation => value.clone().downcast::<T>().ok(),
            _ => None,
        }
    }

    /// The cached value whatever generation it was built at, with that generation:
    /// a structure that can be brought up to date more cheaply than rebuilt starts
    /// from it.
    pub(crate) fn get_any<T: Any + Send + Sync>(&self) -> Option<(u64, Arc<T>)> {
        let slot = self.slot.read().unwrap_or_else(|p| p.into_inner());
        let (g, value) = slot.as_ref()?;
        Some((*g, value.clone().downcast::<T>().ok()?))
    }

    /// Replaces the cached value.
    pub(crate) fn set<T: Any + Send + Sync>(&self, generation: u64, value: Arc<T>) {
        *self.slot.write().unwrap_or_else(|p| p.into_inner()) = Some((generation, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_returned_only_for_its_generation_and_type() {
        let d = Derived::default();
        assert!(d.get::<u32>(0).is_none());
        d.set(3, Arc::new(7u32));
        assert_eq!(d.get::<u32>(3).as_deref(), Some(&7));
        assert!(d.get::<u32>(4).is_none(), "a later commit makes it stale");
        assert!(d.get::<String>(3).is_none(), "another type is not this value");
    }
}

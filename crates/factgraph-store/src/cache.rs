//! Slots for structures derived from the store's data (the whole-graph adjacency, and
//! what the layer above derives), one per type, each tagged with the commit
//! generation it was built at. Values are held as `Any`, so the store does not depend
//! on the modules that build them.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

type Slot = (u64, Arc<dyn Any + Send + Sync>);

/// Cached derived structures, one per type; see the module docs.
#[derive(Default)]
pub(crate) struct Derived {
    slots: RwLock<HashMap<TypeId, Slot>>,
}

impl Derived {
    /// The cached `T` if it was built at `generation`.
    pub(crate) fn get<T: Any + Send + Sync>(&self, generation: u64) -> Option<Arc<T>> {
        match self.get_any::<T>() {
            Some((g, value)) if g == generation => Some(value),
            _ => None,
        }
    }

    /// The cached `T` whatever generation it was built at, with that generation: a
    /// structure that can be brought up to date more cheaply than rebuilt starts from
    /// it.
    pub(crate) fn get_any<T: Any + Send + Sync>(&self) -> Option<(u64, Arc<T>)> {
        let slots = self.slots.read().unwrap_or_else(|p| p.into_inner());
        let (g, value) = slots.get(&TypeId::of::<T>())?;
        Some((*g, value.clone().downcast::<T>().ok()?))
    }

    /// Replaces the cached `T`.
    pub(crate) fn set<T: Any + Send + Sync>(&self, generation: u64, value: Arc<T>) {
        self.slots.write().unwrap_or_else(|p| p.into_inner()).insert(TypeId::of::<T>(), (generation, value));
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

    #[test]
    fn values_of_two_types_are_kept_side_by_side() {
        let d = Derived::default();
        d.set(3, Arc::new(7u32));
        d.set(3, Arc::new(String::from("seven")));
        assert_eq!(d.get::<u32>(3).as_deref(), Some(&7));
        assert_eq!(d.get::<String>(3).as_deref().map(String::as_str), Some("seven"));
    }
}

//! The state every handler shares: a cheap clonable handle.

use waihu_store::Store;

/// Shared handles for handlers.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Renders the Prometheus text exposition.
    pub metrics: crate::metrics::Metrics,
}

impl AppState {
    /// State around an opened store.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            metrics: crate::metrics::Metrics::global(),
        }
    }
}

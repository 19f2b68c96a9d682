//! Converted prompts held in memory, keyed by the SHA-256 of their source,
//! bounded by total samples (oldest evicted first). Every call of a campaign
//! plays the same few prompts: after the first load they cost an `Arc` clone.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Default budget: 64 Mi samples = 128 MiB, about 2.3 hours of 8 kHz audio.
pub(crate) const DEFAULT_CACHE_SAMPLES: usize = 64 << 20;

/// A bounded map from source hash to audio.
#[derive(Debug)]
pub(crate) struct AudioCache {
    /// Guarded entries.
    inner: Mutex<Inner>,
    /// Most samples held.
    max_samples: usize,
}

#[derive(Debug, Default)]
struct Inner {
    /// Audio by source hash.
    entries: HashMap<String, Arc<[i16]>>,
    /// Hashes in insertion order, for eviction.
    order: VecDeque<String>,
    /// Samples held in `entries`.
    samples: usize,
}

impl AudioCache {
    /// An empty cache holding at most `max_samples` samples.
    pub(crate) fn new(max_samples: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            max_samples,
        }
    }

    /// The cached audio for `sha256`, if any.
    pub(crate) fn get(&self, sha256: &str) -> Option<Arc<[i16]>> {
        self.lock().entries.get(sha256).cloned()
    }

    /// Stores `audio` (unless it alone exceeds the budget), evicting the
    /// oldest entries as needed.
    pub(crate) fn insert(&self, sha256: &str, audio: Arc<[i16]>) {
        if audio.len() > self.max_samples {
            return;
        }
        let mut inner = self.lock();
        let len = audio.len();
        match inner.entries.insert(sha256.to_string(), audio) {
            Some(old) => inner.samples -= old.len(),
            None => inner.order.push_back(sha256.to_string()),
        }
        inner.samples += len;
        while inner.samples > self.max_samples {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            if let Some(gone) = inner.entries.remove(&oldest) {
                inner.samples -= gone.len();
            }
        }
    }

    /// Forgets `sha256`.
    pub(crate) fn remove(&self, sha256: &str) {
        let mut inner = self.lock();
        if let Some(gone) = inner.entries.remove(sha256) {
            inner.samples -= gone.len();
            inner.order.retain(|k| k != sha256);
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The map stays consistent even if a holder panicked.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_oldest_over_budget() {
        let cache = AudioCache::new(10);
        for key in ["a", "b", "c"] {
            cache.insert(key, vec![0i16; 4].into());
        }
        assert!(cache.get("a").is_none());
        assert!(cache.get("b").is_some() && cache.get("c").is_some());
        cache.insert("huge", vec![0i16; 11].into());
        assert!(cache.get("huge").is_none());
        cache.remove("b");
        assert!(cache.get("b").is_none());
        assert_eq!(cache.lock().samples, 4);
    }
}

//! An in-memory cache of synthesised audio per (text, language), bounded by
//! total samples. Scripts say the same prompts on every call, so after the
//! first call synthesis costs nothing.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use super::{Lang, Tts, TtsError};

/// Default budget: 32 Mi samples = 64 MiB, about 70 minutes of 8 kHz audio.
const DEFAULT_MAX_SAMPLES: usize = 32 << 20;

/// Cached audio, oldest entries evicted first when over budget.
#[derive(Debug)]
pub(crate) struct TtsCache {
    /// Guarded map and insertion order.
    inner: Mutex<Inner>,
    /// Most samples kept in total.
    max_samples: usize,
}

#[derive(Debug, Default)]
struct Inner {
    /// Audio by (text, language).
    entries: HashMap<(String, Lang), Arc<[i16]>>,
    /// Keys in insertion order, for eviction.
    order: VecDeque<(String, Lang)>,
    /// Samples held in `entries`.
    samples: usize,
}

impl Default for TtsCache {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_SAMPLES)
    }
}

impl TtsCache {
    /// An empty cache holding at most `max_samples` samples.
    pub(crate) fn new(max_samples: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            max_samples,
        }
    }

    /// Returns the cached audio or runs `make` (without holding the lock, so
    /// different texts synthesise in parallel) and stores its result.
    pub(crate) fn get_or_try_insert(
        &self,
        text: &str,
        lang: Lang,
        make: impl FnOnce() -> Result<Vec<i16>, TtsError>,
    ) -> Result<Arc<[i16]>, TtsError> {
        let key = (text.to_string(), lang);
        if let Some(hit) = self.lock().entries.get(&key) {
            return Ok(hit.clone());
        }
        let audio: Arc<[i16]> = make()?.into();
        if audio.len() > self.max_samples {
            return Ok(audio);
        }
        let mut inner = self.lock();
        if let Some(old) = inner.entries.insert(key.clone(), audio.clone()) {
            // Another thread synthesised the same text meanwhile.
            inner.samples -= old.len();
        } else {
            inner.order.push_back(key);
        }
        inner.samples += audio.len();
        while inner.samples > self.max_samples {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            if let Some(gone) = inner.entries.remove(&oldest) {
                inner.samples -= gone.len();
            }
        }
        Ok(audio)
    }

    /// Number of cached texts.
    pub(crate) fn len(&self) -> usize {
        self.lock().entries.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // The map stays consistent even if a holder panicked.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Wraps any [`Tts`] engine with the in-memory cache.
#[derive(Debug)]
pub struct CachedTts<T> {
    /// The wrapped engine.
    engine: T,
    /// Its results.
    cache: TtsCache,
}

impl<T: Tts> CachedTts<T> {
    /// Caches the results of `engine`.
    pub fn new(engine: T) -> Self {
        Self {
            engine,
            cache: TtsCache::default(),
        }
    }

    /// Number of cached texts.
    pub fn cached(&self) -> usize {
        self.cache.len()
    }
}

impl<T: Tts> Tts for CachedTts<T> {
    fn synthesize(&self, text: &str, lang: Lang) -> Result<Vec<i16>, TtsError> {
        self.cache
            .get_or_try_insert(text, lang, || self.engine.synthesize(text, lang))
            .map(|audio| audio.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Counts calls; "speaks" one sample per byte.
    struct Counting(AtomicUsize);

    impl Tts for Counting {
        fn synthesize(&self, text: &str, _lang: Lang) -> Result<Vec<i16>, TtsError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(vec![1; text.len()])
        }
    }

    #[test]
    fn caches_per_text_and_language() {
        let tts = CachedTts::new(Counting(AtomicUsize::new(0)));
        assert_eq!(tts.synthesize("abc", Lang::English).unwrap().len(), 3);
        tts.synthesize("abc", Lang::English).unwrap();
        assert_eq!(tts.engine.0.load(Ordering::SeqCst), 1);
        tts.synthesize("abc", Lang::Mandarin).unwrap();
        assert_eq!(tts.engine.0.load(Ordering::SeqCst), 2);
        assert_eq!(tts.cached(), 2);
    }

    #[test]
    fn evicts_oldest_over_budget() {
        let cache = TtsCache::new(10);
        let make = |n| move || Ok(vec![0i16; n]);
        cache
            .get_or_try_insert("a", Lang::English, make(4))
            .unwrap();
        cache
            .get_or_try_insert("b", Lang::English, make(4))
            .unwrap();
        cache
            .get_or_try_insert("c", Lang::English, make(4))
            .unwrap();
        assert_eq!(cache.len(), 2);
        let inner = cache.lock();
        assert!(!inner
            .entries
            .contains_key(&("a".to_string(), Lang::English)));
        assert_eq!(inner.samples, 8);
    }
}

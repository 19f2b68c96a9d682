//! A fixed-window request counter per key (client address, phone-number hash):
//! at most `max` events per `window`; past that the key is refused until the
//! window ends. In memory: a restart forgets it, which only ever unlocks.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Keys kept before expired ones are pruned (bounds memory under a flood).
const MAX_KEYS: usize = 50_000;

/// Events counted and the start of the window, per key.
type Windows = HashMap<String, (u32, DateTime<Utc>)>;

/// A shared counter.
#[derive(Debug, Clone)]
pub struct RateLimit {
    max: u32,
    window: Duration,
    inner: Arc<Mutex<Windows>>,
}

impl RateLimit {
    /// At most `max` events per `window`.
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            inner: Arc::default(),
        }
    }

    /// Counts one event for `key` at `now`; false (and not counted) when the key
    /// has used up its window.
    pub fn hit(&self, key: &str, now: DateTime<Utc>) -> bool {
        let mut map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_KEYS {
            let w = self.window;
            map.retain(|_, (_, start)| *start + w > now);
        }
        let e = map.entry(key.to_string()).or_insert((0, now));
        if e.1 + self.window <= now {
            *e = (0, now);
        }
        if e.0 >= self.max {
            return false;
        }
        e.0 += 1;
        true
    }

    /// Whether `key` has used up its window at `now` (without counting).
    pub fn exhausted(&self, key: &str, now: DateTime<Utc>) -> bool {
        let map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .is_some_and(|(n, start)| *start + self.window > now && *n >= self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn allows_max_per_window_then_refuses_until_it_ends() {
        let l = RateLimit::new(2, Duration::minutes(10));
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
        assert!(l.hit("a", t0));
        assert!(l.hit("a", t0));
        assert!(!l.hit("a", t0 + Duration::minutes(9)));
        assert!(l.exhausted("a", t0));
        assert!(l.hit("b", t0), "keys are separate");
        assert!(l.hit("a", t0 + Duration::minutes(10)));
        assert!(!l.exhausted("a", t0 + Duration::minutes(10)));
    }
}

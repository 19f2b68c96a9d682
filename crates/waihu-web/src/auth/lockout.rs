//! In-memory failure counting (the public pages' wrong one-time codes): failures
//! are counted per key within a window; past the limit, that key is locked for a
//! while. A restart forgets it, which only ever unlocks. Back-office sign-ins are
//! throttled in the database instead (`auth::throttle`).

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Failed logins of one username before it is locked.
pub const MAX_FAILURES_PER_USER: u32 = 5;
/// Failed logins from one address before it is locked.
pub const MAX_FAILURES_PER_ADDRESS: u32 = 20;
/// The counting window and the lock's length.
pub const WINDOW_MINUTES: i64 = 15;
/// Entries kept before old ones are pruned (bounds memory under a flood).
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug, Clone)]
struct Entry {
    failures: u32,
    window_start: DateTime<Utc>,
    locked_until: Option<DateTime<Utc>>,
}

/// Shared failed-login counters.
#[derive(Debug, Clone, Default)]
pub struct LoginGuard {
    inner: Arc<Mutex<HashMap<String, Entry>>>,
}

/// The counting key of a username (case-insensitive).
pub fn user_key(username: &str) -> String {
    format!("user:{}", username.trim().to_lowercase())
}

/// The counting key of a client address.
pub fn address_key(ip: std::net::IpAddr) -> String {
    format!("ip:{ip}")
}

impl LoginGuard {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // The map stays consistent even if a holder panicked.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether any of `keys` is locked at `now`.
    pub fn locked(&self, keys: &[String], now: DateTime<Utc>) -> bool {
        let map = self.lock();
        keys.iter().any(|k| {
            map.get(k)
                .and_then(|e| e.locked_until)
                .is_some_and(|until| until > now)
        })
    }

    /// Counts a failure for `key`; returns true when this failure starts a lock.
    pub fn record_failure(&self, key: &str, limit: u32, now: DateTime<Utc>) -> bool {
        let window = Duration::minutes(WINDOW_MINUTES);
        let mut map = self.lock();
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, e| {
                e.window_start + window > now || e.locked_until.is_some_and(|u| u > now)
            });
        }
        let e = map.entry(key.to_string()).or_insert(Entry {
            failures: 0,
            window_start: now,
            locked_until: None,
        });
        if e.window_start + window <= now && e.locked_until.is_none_or(|u| u <= now) {
            *e = Entry {
                failures: 0,
                window_start: now,
                locked_until: None,
            };
        }
        e.failures += 1;
        if e.failures >= limit && e.locked_until.is_none_or(|u| u <= now) {
            e.locked_until = Some(now + window);
            return true;
        }
        false
    }

    /// Forgets the failures of `key` (after a successful login).
    pub fn clear(&self, key: &str) {
        self.lock().remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn locks_at_the_limit_and_unlocks_after_the_window() {
        let g = LoginGuard::default();
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
        let k = user_key("Ann");
        let keys = [k.clone()];
        for i in 1..MAX_FAILURES_PER_USER {
            assert!(
                !g.record_failure(&k, MAX_FAILURES_PER_USER, t0),
                "failure {i}"
            );
            assert!(!g.locked(&keys, t0));
        }
        assert!(g.record_failure(&k, MAX_FAILURES_PER_USER, t0));
        assert!(g.locked(&keys, t0));
        assert!(g.locked(&[user_key("ann")], t0), "case-insensitive");
        let just_before = t0 + Duration::minutes(WINDOW_MINUTES) - Duration::seconds(1);
        assert!(g.locked(&keys, just_before));
        let after = t0 + Duration::minutes(WINDOW_MINUTES);
        assert!(!g.locked(&keys, after));
        // A new window starts from zero.
        assert!(!g.record_failure(&k, MAX_FAILURES_PER_USER, after));
        assert!(!g.locked(&keys, after));
    }

    #[test]
    fn failures_outside_the_window_do_not_add_up_and_success_clears() {
        let g = LoginGuard::default();
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
        let k = user_key("bob");
        for i in 0..10 {
            let at = t0 + Duration::minutes(WINDOW_MINUTES * i);
            assert!(!g.record_failure(&k, 2, at));
        }
        g.record_failure(&k, 2, t0 + Duration::minutes(1000));
        g.clear(&k);
        assert!(!g.record_failure(&k, 2, t0 + Duration::minutes(1000)));
    }
}

//! In-memory fact indexes for dialling at scale: do-not-call membership and the
//! attempt history, keyed by the first 8 bytes of a number's keyed hash. The keyed
//! hash is uniformly random, so the prefix needs no further hashing; a prefix
//! collision (about 1 in 10^12 per look-up with 10 million entries) can only add a
//! deny or an attempt, never remove one — it errs on the callee's side.
//!
//! The database stays the source of truth; a dialler loads these at start and
//! applies its own writes (and, with several processes, refreshes them).

use crate::facts::{AttemptCounts, DncFacts};
use crate::pii::PhoneHash;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use waihu_core::TenantId;

/// Passes a u64 key through unchanged (the keys are already uniformly random).
#[derive(Default, Clone, Copy)]
pub struct PrefixHasher(u64);

impl Hasher for PrefixHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed here; fold anything else for completeness.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type PrefixSet = HashSet<u64, BuildHasherDefault<PrefixHasher>>;

/// The index key of a number's hash.
pub fn prefix(hash: &PhoneHash) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&hash.0[..8]);
    u64::from_le_bytes(b)
}

/// Which do-not-call list an entry is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DncList {
    /// A tenant's own list.
    Tenant(TenantId),
    /// The platform list.
    Platform,
    /// A national registry.
    Registry,
}

/// Do-not-call membership of every number, in memory.
#[derive(Default)]
pub struct DncIndex {
    platform: PrefixSet,
    registry: PrefixSet,
    tenants: HashMap<TenantId, PrefixSet>,
}

impl DncIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    fn set_mut(&mut self, list: DncList) -> &mut PrefixSet {
        match list {
            DncList::Platform => &mut self.platform,
            DncList::Registry => &mut self.registry,
            DncList::Tenant(t) => self.tenants.entry(t).or_default(),
        }
    }

    /// Reserves room for `n` more entries on a list (bulk loads).
    pub fn reserve(&mut self, list: DncList, n: usize) {
        self.set_mut(list).reserve(n);
    }

    /// Adds a number to a list.
    pub fn insert(&mut self, list: DncList, hash: &PhoneHash) {
        self.set_mut(list).insert(prefix(hash));
    }

    /// Removes a number from a list.
    pub fn remove(&mut self, list: DncList, hash: &PhoneHash) {
        self.set_mut(list).remove(&prefix(hash));
    }

    /// Membership as the gate wants it.
    pub fn facts(&self, tenant: TenantId, hash: &PhoneHash) -> DncFacts {
        let k = prefix(hash);
        DncFacts {
            tenant: self.tenants.get(&tenant).is_some_and(|s| s.contains(&k)),
            platform: self.platform.contains(&k),
            registry: self.registry.contains(&k),
        }
    }

    /// Entries on all lists.
    pub fn len(&self) -> usize {
        self.platform.len()
            + self.registry.len()
            + self.tenants.values().map(HashSet::len).sum::<usize>()
    }

    /// Whether every list is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Attempts of the last 30 days per number, across all tenants, in memory.
#[derive(Default)]
pub struct AttemptIndex {
    // (unix seconds, verification call?) per number, oldest first.
    by_number: HashMap<u64, Vec<(i64, bool)>, BuildHasherDefault<PrefixHasher>>,
}

const DAY: i64 = 24 * 3600;

impl AttemptIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an attempt (before it is dialled).
    pub fn record(&mut self, hash: &PhoneHash, at: DateTime<Utc>, verification: bool) {
        let v = self.by_number.entry(prefix(hash)).or_default();
        let t = at.timestamp();
        let pos = v.partition_point(|(x, _)| *x <= t);
        v.insert(pos, (t, verification));
    }

    /// Attempts in the 24 h and 30 days before `now` (the gate's `AttemptCounts`).
    pub fn counts(&self, hash: &PhoneHash, now: DateTime<Utc>) -> AttemptCounts {
        let mut c = AttemptCounts::default();
        let Some(v) = self.by_number.get(&prefix(hash)) else {
            return c;
        };
        let now = now.timestamp();
        for &(t, verification) in v.iter().rev() {
            if t > now {
                continue;
            }
            if t <= now - 30 * DAY {
                break;
            }
            let recent = t > now - DAY;
            if verification {
                c.verification_last_24h += u32::from(recent);
            } else {
                c.last_30d += 1;
                c.last_24h += u32::from(recent);
            }
        }
        c
    }

    /// Drops attempts older than 30 days before `now` (call now and then).
    pub fn prune(&mut self, now: DateTime<Utc>) {
        let cutoff = now.timestamp() - 30 * DAY;
        self.by_number.retain(|_, v| {
            v.retain(|(t, _)| *t > cutoff);
            !v.is_empty()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn h(n: u8) -> PhoneHash {
        let mut b = [0u8; 32];
        b[0] = n;
        b[31] = n;
        PhoneHash(b)
    }

    #[test]
    fn dnc_lists_are_separate_per_tenant_and_scope() {
        let (a, b) = (TenantId::new(), TenantId::new());
        let mut idx = DncIndex::new();
        idx.insert(DncList::Tenant(a), &h(1));
        idx.insert(DncList::Platform, &h(2));
        idx.insert(DncList::Registry, &h(3));
        assert!(idx.facts(a, &h(1)).tenant);
        assert!(!idx.facts(b, &h(1)).tenant, "tenant lists are separate");
        assert!(idx.facts(b, &h(2)).platform);
        assert!(idx.facts(b, &h(3)).registry);
        assert_eq!(idx.facts(a, &h(4)), DncFacts::default());
        idx.remove(DncList::Tenant(a), &h(1));
        assert!(!idx.facts(a, &h(1)).tenant);
        assert_eq!(idx.len(), 2);
    }

    #[test]
    fn attempt_counts_match_the_windows_at_their_edges() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let mut idx = AttemptIndex::new();
        for (ago, verification) in [
            (Duration::hours(24), false), // exactly 24 h: outside 24 h window
            (Duration::hours(24) - Duration::seconds(1), false), // inside
            (Duration::days(30), false),  // exactly 30 d: outside
            (Duration::days(30) - Duration::seconds(1), false), // inside 30 d
            (Duration::hours(1), true),   // verification
            (-Duration::hours(1), false), // in the future: ignored
        ] {
            idx.record(&h(9), now - ago, verification);
        }
        let c = idx.counts(&h(9), now);
        assert_eq!((c.last_24h, c.last_30d, c.verification_last_24h), (1, 3, 1));
        assert_eq!(idx.counts(&h(8), now), AttemptCounts::default());
        idx.prune(now);
        assert_eq!(idx.counts(&h(9), now).last_30d, 3);
    }
}

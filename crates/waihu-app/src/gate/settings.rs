//! The dialler's short-lived cache of the gate's slowly-changing settings: the
//! effective policy per (tenant, jurisdiction) and the facts of caller numbers.
//! Both change rarely (an operator's or tenant's edit) and cost two and one
//! queries per dial when read fresh.
//!
//! How stale an entry may be: at most the cache's time to live (the dialler's is
//! [`DIALLER_TTL`]) for writes made by another process (e.g. `waihu policy set`
//! while `waihu serve` dials); writes made through this process's store are seen
//! at once, because every lookup compares the store's settings-write counter and
//! drops everything when it moved. Per-number facts (consent, do-not-call,
//! attempts) are never kept here.

use super::effective_policy;
use crate::AppResult;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use waihu_compliance::{CallerNumberFacts, Jurisdiction, Policy};
use waihu_core::TenantId;
use waihu_store::Store;

/// How long the dialler trusts a cached policy or caller number written by
/// another process.
pub const DIALLER_TTL: Duration = Duration::from_secs(5);

/// Entries kept per kind before the map is emptied (tenants × jurisdictions and
/// caller numbers are few; this only bounds memory against the unexpected).
const MAX_ENTRIES: usize = 10_000;

/// Cached policies and caller-number facts; see the module doc for staleness.
pub struct GateSettings {
    ttl: Duration,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// The store's settings-write count the entries were read under.
    writes: u64,
    policies: HashMap<(TenantId, Jurisdiction), Entry<Arc<Policy>>>,
    callers: HashMap<String, Entry<CallerNumberFacts>>,
}

struct Entry<V> {
    read_at: Instant,
    value: V,
}

impl GateSettings {
    /// A cache whose entries live `ttl` (zero: nothing is reused).
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// The effective policy of a tenant in a jurisdiction.
    pub async fn policy(
        &self,
        store: &Store,
        tenant: TenantId,
        jurisdiction: Jurisdiction,
    ) -> AppResult<Arc<Policy>> {
        // Read before the query: a write that lands meanwhile keeps the answer out.
        let writes = store.settings_writes();
        let key = (tenant, jurisdiction);
        if let Some(p) = self.get(writes, |i| &mut i.policies, &key) {
            return Ok(p);
        }
        let policy = Arc::new(effective_policy(store, Some(tenant), jurisdiction).await?);
        self.put(writes, |i| &mut i.policies, key, Arc::clone(&policy));
        Ok(policy)
    }

    /// What the gate needs to know of a caller number.
    pub async fn caller(&self, store: &Store, number: &str) -> AppResult<CallerNumberFacts> {
        let writes = store.settings_writes();
        if let Some(c) = self.get(writes, |i| &mut i.callers, number) {
            return Ok(c);
        }
        let facts = caller_facts(store, number).await?;
        self.put(
            writes,
            |i| &mut i.callers,
            number.to_string(),
            facts.clone(),
        );
        Ok(facts)
    }

    fn get<K, Q, V>(
        &self,
        writes: u64,
        map: impl FnOnce(&mut Inner) -> &mut HashMap<K, Entry<V>>,
        key: &Q,
    ) -> Option<V>
    where
        K: std::borrow::Borrow<Q> + Eq + Hash,
        Q: Eq + Hash + ?Sized,
        V: Clone,
    {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.writes != writes {
            // This process changed a policy or a caller number: forget everything.
            inner.policies.clear();
            inner.callers.clear();
            inner.writes = writes;
            return None;
        }
        let e = map(&mut inner).get(key)?;
        (e.read_at.elapsed() < self.ttl).then(|| e.value.clone())
    }

    fn put<K: Eq + Hash, V>(
        &self,
        writes: u64,
        map: impl FnOnce(&mut Inner) -> &mut HashMap<K, Entry<V>>,
        key: K,
        value: V,
    ) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.writes != writes {
            // Read under an older count than the cache now holds (or a newer
            // one): not kept, the next lookup reads again.
            return;
        }
        let m = map(&mut inner);
        if m.len() >= MAX_ENTRIES {
            m.clear();
        }
        m.insert(
            key,
            Entry {
                read_at: Instant::now(),
                value,
            },
        );
    }
}

/// A caller number's facts read from the store (an unknown number is
/// unverified and unowned).
pub async fn caller_facts(store: &Store, number: &str) -> AppResult<CallerNumberFacts> {
    Ok(match store.get_caller_number(number).await? {
        Some(c) => CallerNumberFacts {
            number: c.number,
            verified: c.verified_at.is_some(),
            owner: c.tenant_id,
        },
        None => CallerNumberFacts {
            number: number.to_string(),
            verified: false,
            owner: None,
        },
    })
}

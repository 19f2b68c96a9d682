//! Failed sign-ins, counted in the database so that every process serving the
//! back office shares them. A counter belongs to an account and a client: the
//! account's failures from one client (both set), the account's failures from any
//! client (`client` empty) and one client's failures on any account (`account`
//! empty). What the counts mean — a lock, a delay — is decided by the web layer;
//! the store only counts, forgets and (for the operator's CLI) unlocks.

use crate::audit::Actor;
use crate::error::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

/// The counting key of a login name: trimmed and case-insensitive, so that
/// `Alice` and `alice ` share one count.
pub fn account_key(username: &str) -> String {
    username.trim().to_lowercase()
}

/// One counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginCounter {
    /// The account (its normalised login name), empty for a client's counter.
    pub account: String,
    /// The client (its address), empty for an account's counter over all clients.
    pub client: String,
    /// Failures since `first_failure`.
    pub failures: i64,
    /// When the current count started.
    pub first_failure: DateTime<Utc>,
    /// The latest failure.
    pub last_failure: DateTime<Utc>,
}

/// A counter to bump, and how long a count lasts: a failure after `window` from
/// the first one of the count starts a new count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureKey {
    /// See [`LoginCounter::account`].
    pub account: String,
    /// See [`LoginCounter::client`].
    pub client: String,
    /// How long one count lasts.
    pub window: Duration,
}

/// Failed sign-in counters.
#[async_trait]
pub trait LoginThrottleRepo {
    /// The counters with these `(account, client)` keys (missing ones are absent).
    async fn login_counters(&self, keys: &[(String, String)]) -> StoreResult<Vec<LoginCounter>>;
    /// Counts one failure at `now` on each key, in one serialised transaction
    /// (processes never lose each other's counts); counters idle for a day are
    /// dropped on the way. Returns the counters after the failure, in `keys` order.
    async fn record_login_failure(
        &self,
        keys: &[FailureKey],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<LoginCounter>>;
    /// After a successful sign-in: forgets the account's counter over all clients
    /// and its counter from `client` (a lock another client earned stays).
    async fn clear_login_failures(&self, account: &str, client: &str) -> StoreResult<()>;
    /// Forgets every counter of `account` (the operator's unlock) and appends
    /// `auth.unlock` to the audit log; returns how many counters were dropped.
    async fn unlock_account(&self, account: &str, actor: &Actor) -> StoreResult<u64>;
}

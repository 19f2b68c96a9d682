//! What the compliance gate reads about one number on every dial, in one round
//! trip: the tenant's contacts with it (consent, time zone), its do-not-call
//! membership and its attempt history. These facts are never cached — another
//! process may have just added a DNC entry or withdrawn consent — so the dialler
//! asks for them fresh each time and pays one query instead of three.
//!
//! Also a counter of the writes to policies and caller numbers made through this
//! handle, so that a cache of those slowly-changing settings can drop what this
//! process itself changed.

use crate::contacts::{AttemptHistory, DncMembership, StoredContact};
use crate::error::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use waihu_compliance::pii::PhoneHash;
use waihu_core::TenantId;

/// One number's per-dial facts.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberFacts {
    /// The tenant's contacts with this number, oldest first (as
    /// `contacts_by_number`).
    pub contacts: Vec<StoredContact>,
    /// On which lists the number is, for this tenant (as `dnc_membership`).
    pub dnc: DncMembership,
    /// Attempts to the number before `now`, all tenants (as `attempt_history`).
    pub attempts: AttemptHistory,
}

/// The gate's per-number facts in one query.
#[async_trait]
pub trait GateFactsRepo {
    /// Contacts, DNC membership and attempt history of a number in one round trip;
    /// the same answers as `contacts_by_number`, `dnc_membership` and
    /// `attempt_history` asked one by one.
    async fn number_facts(
        &self,
        tenant_id: TenantId,
        number: &PhoneHash,
        now: DateTime<Utc>,
    ) -> StoreResult<NumberFacts>;

    /// How many writes to policies or caller numbers went through this backend
    /// since it was opened (counted after they commit). A cache of those settings
    /// is stale when this moves; writes by other processes are not counted.
    fn settings_writes(&self) -> u64;
}

//! Storage for learning from calls: call rows as the insights need them
//! ([`CallFactRow`], paged newest first in id order, tenant-scoped) and the
//! hourly per-task rollups ([`RollupHour`], [`RefusalHour`]) kept in the same
//! transaction that ends a call, so a report over a million calls reads a few
//! thousand rows. [`fold_days`] turns hours into the days of any time zone.

mod rollup;

pub use rollup::{fold_days, DayTotals, RefusalHour, RollupHour, Totals};
pub(crate) use rollup::{
    gate_rules as rollup_gate_rules, hour_key as rollup_hour_key, parse_hour as rollup_parse_hour,
};

use crate::campaign::CallId;
use crate::error::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;
use waihu_compliance::pii::PhoneHash;
use waihu_core::TenantId;

/// Whose calls to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactScope {
    /// One task's calls.
    Task(Uuid),
    /// Every call that ran this script version.
    ScriptVersion(Uuid),
    /// All of the tenant's calls.
    Tenant,
}

/// One page of calls, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactPage {
    /// Whose calls.
    pub scope: FactScope,
    /// Only calls older than this one (the last id of the previous page).
    pub before: Option<CallId>,
    /// Page size (at most 10,000).
    pub limit: u32,
    /// Only calls that may hold an unrecognised utterance: a turn recognised
    /// as `unknown`, or a callee line recognised with a confidence below 0.5
    /// (the unrecognised-utterance report's default threshold).
    pub only_unknown: bool,
}

/// The largest page [`InsightRepo::call_facts`] returns.
pub const MAX_FACT_PAGE: u32 = 10_000;

/// A call row with what the insights read (JSON columns as stored).
#[derive(Debug, Clone, PartialEq)]
pub struct CallFactRow {
    /// The call.
    pub id: CallId,
    /// Its task.
    pub task_id: Option<Uuid>,
    /// The script version it ran.
    pub script_version_id: Option<Uuid>,
    /// `A` or `B` for a call of an A/B task.
    pub variant: Option<String>,
    /// When it was persisted.
    pub created_at: DateTime<Utc>,
    /// When the callee answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// Talk time.
    pub duration_ms: Option<i64>,
    /// The call-outcome code (`None` in flight).
    pub outcome: Option<String>,
    /// How the script ended.
    pub script_outcome: Option<String>,
    /// The robot's grade.
    pub grade: Option<String>,
    /// The callee opted out.
    pub opt_out: bool,
    /// The call made a lead.
    pub lead: bool,
    /// The gate's decision JSON.
    pub gate_json: String,
    /// Path JSON.
    pub path_json: Option<String>,
    /// Per-turn log JSON.
    pub turn_log_json: Option<String>,
    /// Transcript JSON.
    pub transcript_json: Option<String>,
    /// Keyed hash of the number (to find the contact's ciphertext).
    pub number_hash: PhoneHash,
    /// Masked number (never the full one).
    pub number_masked: String,
}

/// An ended call of a task brought in from elsewhere (another system's history,
/// or a benchmark's): stored as if the task had made it, rollups included.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoricCall {
    /// The contact, if it is in the tenant's lists.
    pub contact_id: Option<Uuid>,
    /// Keyed hash of the number.
    pub number_hash: PhoneHash,
    /// Masked number.
    pub number_masked: String,
    /// When it was placed (or refused).
    pub created_at: DateTime<Utc>,
    /// The result, as a finished call stores it (`outcome` `refused` for a gate refusal).
    pub result: crate::campaign::CallResult,
    /// The gate's decision JSON.
    pub gate_json: String,
    /// The script version it ran.
    pub script_version_id: Option<Uuid>,
    /// `A`/`B` on an A/B task.
    pub variant: Option<String>,
    /// It made a lead (stored with the call's grade; never pushed).
    pub lead: bool,
}

/// Reads for reports; every call takes the tenant and sees only its rows.
#[async_trait]
pub trait InsightRepo {
    /// One page of the tenant's calls in `page.scope`, newest first. A task or
    /// script version of another tenant reads as empty.
    async fn call_facts(
        &self,
        tenant_id: TenantId,
        page: &FactPage,
    ) -> StoreResult<Vec<CallFactRow>>;
    /// Hourly totals of one of the tenant's tasks, per variant, oldest first
    /// (`NotFound` for a task that is not the tenant's).
    async fn task_rollup(&self, tenant_id: TenantId, task_id: Uuid)
        -> StoreResult<Vec<RollupHour>>;
    /// Hourly gate refusals of one of the tenant's tasks per rule, oldest first.
    async fn task_refusals(
        &self,
        tenant_id: TenantId,
        task_id: Uuid,
    ) -> StoreResult<Vec<RefusalHour>>;
    /// The complaint tickets naming calls of one of the tenant's tasks: for each
    /// ticket, when the earliest of those calls was placed, oldest first.
    async fn task_complaint_tickets(
        &self,
        tenant_id: TenantId,
        task_id: Uuid,
    ) -> StoreResult<Vec<DateTime<Utc>>>;
    /// Hourly totals of all the tenant's tasks (variants merged), oldest first.
    async fn tenant_rollup(&self, tenant_id: TenantId) -> StoreResult<Vec<RollupHour>>;
    /// Stores ended calls of one of the tenant's tasks in one transaction: the
    /// calls, their dial attempts (refusals have none), leads and the rollups;
    /// audited once. Returns how many were stored.
    async fn import_call_history(
        &self,
        tenant_id: TenantId,
        task_id: Uuid,
        calls: &[HistoricCall],
        actor: &crate::Actor,
    ) -> StoreResult<u64>;
}

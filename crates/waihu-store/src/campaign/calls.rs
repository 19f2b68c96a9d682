//! Calls: one row per dial attempt or gate refusal. A call is persisted — with its
//! `dial_attempts` row, so frequency caps count it — before it is dialled, and
//! finished (outcome, task contact, lead, push deliveries) in one transaction.
//! Calls still in flight after a crash are reconciled as `interrupted`.

use crate::campaign::call_state::CallState;
use crate::campaign::leads::NewLead;
use crate::campaign::tasks::Next;
use crate::error::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;
use waihu_compliance::pii::PhoneHash;
use waihu_core::TenantId;

/// Identifies a call.
pub type CallId = Uuid;

/// A call about to be dialled.
#[derive(Debug, Clone)]
pub struct BeginCall {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The task.
    pub task_id: Uuid,
    /// The claimed contact.
    pub contact_id: Uuid,
    /// Keyed hash of the number.
    pub number_hash: PhoneHash,
    /// Masked number.
    pub number_masked: String,
    /// The purpose recorded on the dial attempt (`marketing`, `verification`…).
    pub purpose: String,
    /// The gate's decision as JSON.
    pub gate_json: String,
    /// The script version the call runs.
    pub script_version_id: Option<Uuid>,
    /// `A` or `B` when the task runs two script versions (see `TaskVariant`).
    pub variant: Option<String>,
    /// The process dialling it (for reconciliation after a crash).
    pub worker: String,
    /// When it starts.
    pub now: DateTime<Utc>,
}

/// What a finished call produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallResult {
    /// When the callee answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// When the call ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// Talk time.
    pub duration_ms: Option<i64>,
    /// The call-outcome code.
    pub outcome: String,
    /// The final SIP status, if any.
    pub sip_status: Option<i32>,
    /// How the script ended.
    pub script_outcome: Option<String>,
    /// The robot's grade (`A`..`F`).
    pub grade: Option<String>,
    /// Why that grade.
    pub grade_reason: Option<String>,
    /// The callee asked not to be called again.
    pub opt_out: bool,
    /// The callee asked to stop recording.
    pub recording_stopped: bool,
    /// Where the recording is, if kept.
    pub recording_path: Option<String>,
    /// Transcript as JSON.
    pub transcript_json: Option<String>,
    /// Path through the script as JSON.
    pub path_json: Option<String>,
    /// Recognised intents as JSON.
    pub intents_json: Option<String>,
    /// Per-turn log as JSON.
    pub turn_log_json: Option<String>,
    /// Mean response latency.
    pub latency_ms: Option<i64>,
}

/// A stored call with every column.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    /// Stable id.
    pub id: CallId,
    /// The tenant.
    pub tenant_id: TenantId,
    /// The task.
    pub task_id: Option<Uuid>,
    /// The contact (cleared when the contact is erased).
    pub contact_id: Option<Uuid>,
    /// The dial attempt (none for a refusal).
    pub attempt_id: Option<Uuid>,
    /// Keyed hash of the number.
    pub number_hash: PhoneHash,
    /// Masked number.
    pub number_masked: String,
    /// The process that dialled it.
    pub worker: Option<String>,
    /// In flight or done.
    pub state: CallState,
    /// When it was persisted (before dialling).
    pub created_at: DateTime<Utc>,
    /// When the callee answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// When it ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// Talk time.
    pub duration_ms: Option<i64>,
    /// Call-outcome code, `refused` or `interrupted`.
    pub outcome: Option<String>,
    /// Final SIP status.
    pub sip_status: Option<i32>,
    /// The gate's decision as JSON.
    pub gate_json: String,
    /// The script version run.
    pub script_version_id: Option<Uuid>,
    /// `A` or `B` on an A/B task.
    pub variant: Option<String>,
    /// How the script ended.
    pub script_outcome: Option<String>,
    /// The robot's grade.
    pub grade: Option<String>,
    /// Why that grade.
    pub grade_reason: Option<String>,
    /// The callee opted out.
    pub opt_out: bool,
    /// The callee asked to stop recording.
    pub recording_stopped: bool,
    /// Where the recording is.
    pub recording_path: Option<String>,
    /// Transcript as JSON.
    pub transcript_json: Option<String>,
    /// Path as JSON.
    pub path_json: Option<String>,
    /// Intents as JSON.
    pub intents_json: Option<String>,
    /// Per-turn log as JSON.
    pub turn_log_json: Option<String>,
    /// Mean response latency.
    pub latency_ms: Option<i64>,
}

/// A call left in flight, for reconciliation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InFlight {
    /// The call.
    pub call_id: CallId,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// Its task.
    pub task_id: Option<Uuid>,
    /// Its contact.
    pub contact_id: Option<Uuid>,
    /// When it was persisted.
    pub created_at: DateTime<Utc>,
    /// Attempts on its task contact, this one included (0 if the contact is gone).
    pub attempts: u32,
}

/// Which calls to list (all `None` = every call), newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallFilter {
    /// Only this task's calls.
    pub task_id: Option<Uuid>,
    /// Only this outcome.
    pub outcome: Option<String>,
    /// Only this grade.
    pub grade: Option<String>,
    /// Created at or after.
    pub since: Option<DateTime<Utc>>,
    /// Created before.
    pub until: Option<DateTime<Utc>>,
    /// Page size.
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
}

impl Default for CallFilter {
    fn default() -> Self {
        Self {
            task_id: None,
            outcome: None,
            grade: None,
            since: None,
            until: None,
            limit: 100,
            offset: 0,
        }
    }
}

/// Call records and the scheduler's per-call bookkeeping (not audited: the call
/// rows are the record).
#[async_trait]
pub trait CallRepo {
    /// Persists a call before it is dialled, in one transaction: the dial attempt
    /// (counted by caps from now on), the call (in flight) and the task contact's
    /// attempt count.
    async fn begin_call(&self, call: BeginCall) -> StoreResult<CallId>;
    /// Records a gate refusal (a done call with outcome `refused`, no dial attempt)
    /// and releases the claim per `next`, in one transaction.
    #[allow(clippy::too_many_arguments)]
    async fn record_refusal(
        &self,
        tenant_id: TenantId,
        task_id: Uuid,
        contact_id: Uuid,
        number_hash: &PhoneHash,
        number_masked: &str,
        gate_json: &str,
        now: DateTime<Utc>,
        next: Next,
    ) -> StoreResult<CallId>;
    /// Finishes an in-flight call in one transaction: the call, its dial attempt's
    /// outcome, the task contact per `next`, and with `lead` a lead plus one push
    /// delivery per enabled target of the tenant whose minimum grade it meets.
    /// Returns the lead id, if one was made.
    async fn finish_call(
        &self,
        call_id: CallId,
        result: CallResult,
        next: Next,
        lead: Option<NewLead>,
    ) -> StoreResult<Option<Uuid>>;
    /// Calls still in flight, of one worker or of all.
    async fn in_flight_calls(&self, worker: Option<&str>) -> StoreResult<Vec<InFlight>>;
    /// Ends an in-flight call as `interrupted` (its dial attempt still counts) and
    /// sets its task contact per `next`.
    async fn reconcile_call(
        &self,
        call_id: CallId,
        now: DateTime<Utc>,
        next: Next,
    ) -> StoreResult<()>;
    /// One of the tenant's calls.
    async fn get_call(&self, tenant_id: TenantId, id: CallId) -> StoreResult<Option<CallRecord>>;
    /// The tenant's calls matching `filter`, newest first.
    async fn list_calls(
        &self,
        tenant_id: TenantId,
        filter: CallFilter,
    ) -> StoreResult<Vec<CallRecord>>;
}

//! Tasks (a campaign: lists × script × trunk × calling windows) and their queue of
//! contacts. The scheduler claims due contacts in batches; a claim is released
//! either by a call (see [`crate::campaign::CallRepo`]) or by [`TaskRepo::release_claim`].

use crate::error::{StoreError, StoreResult};
use crate::Actor;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use uuid::Uuid;
use waihu_compliance::pii::PhoneHash;
use waihu_compliance::ConsentEvidence;
use waihu_core::{TaskState, TenantId};

/// A task to create (in state `draft`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewTask {
    /// Unique within the tenant.
    pub name: String,
    /// The consent purpose the calls serve (e.g. `marketing`).
    pub purpose: String,
    /// The script version to run (the tenant's).
    pub script_version_id: Uuid,
    /// The caller number presented (E.164).
    pub caller_number: String,
    /// The trunk to dial through.
    pub trunk_id: Uuid,
    /// The tenant's contact lists to call (at least one).
    pub list_ids: Vec<Uuid>,
    /// Calling windows as JSON (owned by the campaign crate).
    pub windows_json: String,
    /// Concurrent lines for this task.
    pub lines: u32,
    /// Attempts per second for this task, if lower than the trunk's.
    pub cps_limit: Option<f64>,
    /// Retry policy as JSON (owned by the campaign crate).
    pub retry_json: String,
    /// Higher runs first when lines are scarce.
    pub priority: i32,
    /// Calls graded at or above this letter become leads (`A`..`F`).
    pub lead_grade: String,
    /// Not before this time.
    pub starts_at: Option<DateTime<Utc>>,
    /// Not after this time.
    pub ends_at: Option<DateTime<Utc>>,
}

/// The second script version of an A/B task and the share of contacts it gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskVariant {
    /// Variant B's script version (a published version of the same tenant).
    pub script_version_id: Uuid,
    /// Percent of contacts on variant B, 1–99.
    pub split_percent: u8,
}

/// A stored task.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Stable id.
    pub id: Uuid,
    /// The owning tenant.
    pub tenant_id: TenantId,
    /// Unique within the tenant.
    pub name: String,
    /// The consent purpose the calls serve.
    pub purpose: String,
    /// The script version it runs (variant A of an A/B task).
    pub script_version_id: Uuid,
    /// Variant B, if the task is an A/B test.
    pub variant: Option<TaskVariant>,
    /// The caller number presented.
    pub caller_number: String,
    /// The trunk it dials through.
    pub trunk_id: Uuid,
    /// Its contact lists.
    pub list_ids: Vec<Uuid>,
    /// Calling windows as JSON.
    pub windows_json: String,
    /// Concurrent lines.
    pub lines: u32,
    /// Attempts per second, if limited below the trunk's.
    pub cps_limit: Option<f64>,
    /// Retry policy as JSON.
    pub retry_json: String,
    /// Higher runs first.
    pub priority: i32,
    /// Lowest grade that makes a lead.
    pub lead_grade: String,
    /// Not before this time.
    pub starts_at: Option<DateTime<Utc>>,
    /// Not after this time.
    pub ends_at: Option<DateTime<Utc>>,
    /// Current state.
    pub state: TaskState,
    /// Why it entered that state (e.g. a pause reason), if given.
    pub state_reason: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// One claimed contact of a running task, with what the gate and the dialler need.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The task.
    pub task_id: Uuid,
    /// The contact.
    pub contact_id: Uuid,
    /// The task's tenant.
    pub tenant_id: TenantId,
    /// Attempts made before this one.
    pub attempts: u32,
    /// Keyed hash of the number.
    pub number_hash: PhoneHash,
    /// AEAD ciphertext of the number.
    pub number_enc: Vec<u8>,
    /// Masked number.
    pub number_masked: String,
    /// Name and custom fields as JSON text.
    pub fields: String,
    /// Explicit time zone of the contact.
    pub zone_override: Option<String>,
    /// The consent evidence held for the contact.
    pub consent: ConsentEvidence,
    /// When the consent was withdrawn, if it was.
    pub consent_withdrawn_at: Option<DateTime<Utc>>,
}

/// What happens to a task contact after an attempt, a refusal or a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Try again at this time; the outcome (e.g. `busy`) is recorded as the last one.
    RetryAt(DateTime<Utc>, String),
    /// No more attempts, for this reason (e.g. `answered`, `max_attempts`, `dnc`).
    Done(String),
}

/// Progress of a task.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TaskCounts {
    /// Task contacts by state (`pending`, `in_flight`, `done`).
    pub by_state: BTreeMap<String, i64>,
    /// Calls by outcome code (including `refused` and `interrupted`).
    pub by_outcome: BTreeMap<String, i64>,
    /// Dial attempts made.
    pub attempts: i64,
    /// Leads produced.
    pub leads: i64,
}

/// Tasks and their contact queue.
#[async_trait]
pub trait TaskRepo {
    /// Creates a draft task after checking that its script version and lists belong
    /// to the tenant and that the trunk exists (`NotFound` otherwise).
    async fn create_task(
        &self,
        tenant_id: TenantId,
        task: NewTask,
        actor: &Actor,
    ) -> StoreResult<Task> {
        self.create_task_with_variant(tenant_id, task, None, actor)
            .await
    }
    /// [`TaskRepo::create_task`], optionally as an A/B test: variant B must be a
    /// published version of the tenant (`NotFound` / `Invalid` otherwise) and
    /// the split 1–99 %. One transaction, audited.
    async fn create_task_with_variant(
        &self,
        tenant_id: TenantId,
        task: NewTask,
        variant: Option<TaskVariant>,
        actor: &Actor,
    ) -> StoreResult<Task>;
    /// One task by id.
    async fn get_task(&self, tenant_id: TenantId, id: Uuid) -> StoreResult<Option<Task>>;
    /// One task by name.
    async fn find_task(&self, tenant_id: TenantId, name: &str) -> StoreResult<Option<Task>>;
    /// The tenant's tasks, newest first.
    async fn list_tasks(&self, tenant_id: TenantId) -> StoreResult<Vec<Task>>;
    /// Running tasks of every tenant, highest priority first (for the scheduler).
    async fn list_running_tasks(&self) -> StoreResult<Vec<Task>>;
    /// Moves a task to `to` if its current state is one of `from`; otherwise a
    /// `Conflict` naming the current state. Audited.
    async fn set_task_state(
        &self,
        tenant_id: TenantId,
        id: Uuid,
        from: &[TaskState],
        to: TaskState,
        reason: Option<&str>,
        actor: &Actor,
    ) -> StoreResult<Task>;
    /// Queues (pending, due `now`) every contact of the task's lists not queued yet,
    /// one per number (the oldest contact). Returns how many were added; idempotent.
    async fn enqueue_task_contacts(
        &self,
        tenant_id: TenantId,
        task_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// Claims up to `limit` pending contacts of the task due at `now`, oldest due
    /// first, for `worker`. Two concurrent claimers never get the same contact.
    async fn claim_due(
        &self,
        task_id: Uuid,
        now: DateTime<Utc>,
        limit: u32,
        worker: &str,
    ) -> StoreResult<Vec<Claim>>;
    /// Releases a claim that was not dialled (attempts unchanged).
    async fn release_claim(&self, task_id: Uuid, contact_id: Uuid, next: Next) -> StoreResult<()>;
    /// After a crash: returns `worker`'s claims that have no call in flight (claimed,
    /// never dialled) to `pending`, due `now`; attempts unchanged. Call it at start-up
    /// with the process's own worker name, after reconciling its in-flight calls.
    /// Returns how many were released.
    async fn release_stale_claims(&self, worker: &str, now: DateTime<Utc>) -> StoreResult<u64>;
    /// Progress counts of one of the tenant's tasks.
    async fn task_counts(&self, tenant_id: TenantId, task_id: Uuid) -> StoreResult<TaskCounts>;
    /// Contacts still pending or in flight (0 means the task can complete).
    async fn task_remaining(&self, task_id: Uuid) -> StoreResult<i64>;
}

/// The task state as stored, or a `Corrupt` error.
pub(crate) fn parse_state(s: &str) -> StoreResult<TaskState> {
    s.parse::<TaskState>().map_err(|e| StoreError::Corrupt {
        table: "tasks",
        why: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_stored_state_is_corrupt() {
        assert_eq!(parse_state("running").ok(), Some(TaskState::Running));
        match parse_state("done") {
            Err(StoreError::Corrupt { table, why }) => {
                assert_eq!(table, "tasks");
                assert_eq!(why, "unknown task state \"done\"");
            }
            other => panic!("{other:?}"),
        }
    }
}

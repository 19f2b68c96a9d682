//! The scheduler's view of the outside world: where tasks and contacts are
//! stored, how the gate is asked and how a call is placed. The binary
//! implements it over the database, the compliance gate and `waihu-call`;
//! tests implement it in memory. Every method that changes state is expected
//! to be one transaction.

use crate::command::TaskCommand;
use crate::retry::{Next, RetryPolicy};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;
use waihu_compliance::{Decision, Rule};
use waihu_core::{CallOutcome, TenantId};

/// A running task as the scheduler needs it.
#[derive(Debug, Clone)]
pub struct TaskRun {
    /// The task.
    pub id: Uuid,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// Its name (for logs).
    pub name: String,
    /// Higher first when tasks of a tenant compete for its lines.
    pub priority: i32,
    /// Robot lines (concurrent calls) of the task.
    pub lines: u32,
    /// The tenant's line quota set by the operator (all its tasks together).
    pub tenant_quota: u32,
    /// Which trunk the calls go out on (pacing is per trunk).
    pub trunk: String,
    /// The trunk's attempt rate limit (calls per second; 0 = none).
    pub trunk_cps: f64,
    /// The task's own attempt rate limit, if stricter.
    pub task_cps: Option<f64>,
    /// Its retry policy.
    pub retry: RetryPolicy,
    /// No calls before this instant.
    pub starts_at: Option<DateTime<Utc>>,
    /// The task completes at this instant.
    pub ends_at: Option<DateTime<Utc>>,
}

/// The gate's answer for one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The gate's decision; a deny names the rules that refused.
    pub decision: Decision,
    /// When the gate decided.
    pub at: DateTime<Utc>,
}

impl Verdict {
    /// Whether the attempt may be dialled.
    pub fn allowed(&self) -> bool {
        self.decision.is_allow()
    }

    /// The rules that refused it, in the gate's order (empty when allowed).
    pub fn rules(&self) -> Vec<Rule> {
        self.decision.reasons().iter().map(|r| r.rule).collect()
    }

    /// The whole decision as JSON, stored with the call:
    /// `{"at":…,"decision":"allow"|"deny","reasons":[{"message":…,"rule":…}]}`.
    pub fn to_json(&self) -> String {
        let reasons: Vec<_> = self
            .decision
            .reasons()
            .iter()
            .map(|r| serde_json::json!({"rule": r.rule.id(), "message": r.message}))
            .collect();
        serde_json::json!({"decision": self.decision.as_str(), "reasons": reasons, "at": self.at.to_rfc3339()})
            .to_string()
    }
}

/// What a dial produced: the call-outcome code and the port's own record.
#[derive(Debug)]
pub struct Dialled<R> {
    /// How the call ended (`answered`, `busy`, …).
    pub outcome: CallOutcome,
    /// Everything else the port keeps (transcript, grade, …).
    pub record: R,
}

/// A call that was persisted as in flight but never finished (the process died).
#[derive(Debug, Clone)]
pub struct InFlight {
    /// The call row.
    pub call_id: Uuid,
    /// Its task.
    pub task_id: Uuid,
    /// Its contact.
    pub contact_id: Uuid,
    /// Attempts of the contact, this one included.
    pub attempts: u32,
    /// The task's retry policy.
    pub retry: RetryPolicy,
}

/// A failure of the outside world (database, …).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PortError(pub String);

/// Storage, gate and dialling, as the scheduler uses them.
#[async_trait]
pub trait CampaignPort: Send + Sync + 'static {
    /// A claimed contact of a task.
    type Claim: Send + Sync + 'static;
    /// What a finished call leaves behind.
    type Record: Send + 'static;

    /// Every running task of every tenant.
    async fn running_tasks(&self) -> Result<Vec<TaskRun>, PortError>;
    /// Contacts of the task not done yet (pending or in flight).
    async fn remaining(&self, task: &TaskRun) -> Result<i64, PortError>;
    /// Applies a state change decided by the scheduler (complete, pause).
    async fn command(
        &self,
        task: &TaskRun,
        command: TaskCommand,
        reason: &str,
    ) -> Result<(), PortError>;
    /// Claims up to `limit` contacts due at `now`; no other claimer gets them.
    async fn claim(
        &self,
        task: &TaskRun,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Self::Claim>, PortError>;
    /// Attempts the claimed contact had before this one.
    fn attempts_before(claim: &Self::Claim) -> u32;
    /// Asks the compliance gate about dialling the claim now.
    async fn gate(
        &self,
        task: &TaskRun,
        claim: &Self::Claim,
        now: DateTime<Utc>,
    ) -> Result<Verdict, PortError>;
    /// Records a refusal and what follows for the contact.
    async fn refuse(
        &self,
        task: &TaskRun,
        claim: &Self::Claim,
        verdict: &Verdict,
        next: Next,
        now: DateTime<Utc>,
    ) -> Result<(), PortError>;
    /// Puts a claim back without recording anything.
    async fn release(
        &self,
        task: &TaskRun,
        claim: &Self::Claim,
        next: Next,
    ) -> Result<(), PortError>;
    /// Persists the attempt (it counts towards caps from now on) and returns its call id.
    async fn begin(
        &self,
        task: &TaskRun,
        claim: &Self::Claim,
        verdict: &Verdict,
        now: DateTime<Utc>,
    ) -> Result<Uuid, PortError>;
    /// Places the call and holds the conversation; returns when it is over.
    async fn dial(&self, task: &TaskRun, claim: &Self::Claim, call: Uuid) -> Dialled<Self::Record>;
    /// Stores the result and what follows for the contact.
    async fn finish(
        &self,
        task: &TaskRun,
        claim: &Self::Claim,
        call: Uuid,
        dialled: Dialled<Self::Record>,
        next: Next,
        now: DateTime<Utc>,
    ) -> Result<(), PortError>;
    /// Calls left in flight by an earlier run of this worker.
    async fn in_flight(&self) -> Result<Vec<InFlight>, PortError>;
    /// Closes one of them as interrupted, with what follows for the contact.
    async fn reconcile(
        &self,
        call: &InFlight,
        next: Next,
        now: DateTime<Utc>,
    ) -> Result<(), PortError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use waihu_compliance::Reason;

    #[test]
    fn verdict_names_typed_rules_and_keeps_its_stored_json() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 21, 0, 0).unwrap();
        let deny = Verdict {
            decision: Decision::Deny(vec![
                Reason {
                    rule: Rule::Cap24h,
                    message: "not dialled: too many".into(),
                },
                Reason {
                    rule: Rule::CallingHours,
                    message: "not dialled: late".into(),
                },
            ]),
            at,
        };
        assert!(!deny.allowed());
        assert_eq!(deny.rules(), [Rule::Cap24h, Rule::CallingHours]);
        assert_eq!(
            deny.to_json(),
            r#"{"at":"2026-11-30T21:00:00+00:00","decision":"deny","reasons":[{"message":"not dialled: too many","rule":"cap_24h"},{"message":"not dialled: late","rule":"calling_hours"}]}"#
        );
        let allow = Verdict {
            decision: Decision::Allow,
            at,
        };
        assert!(allow.allowed() && allow.rules().is_empty());
        assert_eq!(
            allow.to_json(),
            r#"{"at":"2026-11-30T21:00:00+00:00","decision":"allow","reasons":[]}"#
        );
    }
}

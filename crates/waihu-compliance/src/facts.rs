//! The inputs of the gate: what is being asked ([`DialRequest`]) and everything the
//! gate needs to know about the number, tenant, task and caller number ([`Facts`]).
//! Storage looks these up; the gate never does I/O.

use crate::consent::ConsentRecord;
use crate::policy::Policy;
use crate::purpose::Purpose;
use crate::window::WeeklyWindows;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use waihu_core::{TaskState, TenantId};

/// Which rules apply to the question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckScope {
    /// A real dial (task call, retry, test call, verification call): a caller number is
    /// required.
    Dial,
    /// "May this contact be called?" (`waihu gate check` without `--task`): the
    /// contact-level rules only; a caller number is checked only if one is given.
    ContactOnly,
}

/// One dial attempt to be decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialRequest {
    /// The tenant on whose behalf the call would be placed.
    pub tenant: TenantId,
    /// The callee's number in E.164 (`+8613812345678`).
    pub number: String,
    /// Why the call is made; must be covered by the consent scope (except `verification`).
    pub purpose: Purpose,
    /// Real dial or contact-level question.
    pub scope: CheckScope,
}

/// Do-not-call membership of the number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DncFacts {
    /// On the tenant's own list.
    pub tenant: bool,
    /// On the platform-wide list.
    pub platform: bool,
    /// On an imported national registry list.
    pub registry: bool,
}

/// Attempts already made to the number, across all tasks and all tenants. Counts of
/// ordinary calls exclude verification calls, which are counted on their own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttemptCounts {
    /// Ordinary attempts in the 24 hours before now.
    pub last_24h: u32,
    /// Ordinary attempts in the 30 days before now.
    pub last_30d: u32,
    /// Verification (one-time code) calls in the 24 hours before now.
    pub verification_last_24h: u32,
}

/// The caller number the call would be placed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerNumberFacts {
    /// The number, for messages.
    pub number: String,
    /// Verified by the platform operator.
    pub verified: bool,
    /// The tenant it is assigned to, if any.
    pub owner: Option<TenantId>,
}

/// A tenant's standing with the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantStatus {
    /// May call.
    Active,
    /// Suspended by the operator: no calls at all.
    Suspended,
}

/// The task the call belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFacts {
    /// Its state; only a running task may dial.
    pub state: TaskState,
    /// Its calling windows, callee-local.
    pub windows: WeeklyWindows,
    /// No calls before this instant, if set.
    pub starts_at: Option<DateTime<Utc>>,
    /// No calls from this instant on, if set.
    pub ends_at: Option<DateTime<Utc>>,
}

/// Everything the gate knows about one attempt. Borrowed so that a caller can keep
/// policies and task facts cached and decide without cloning them.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The jurisdiction policy in force (already tightened by the tenant's override).
    pub policy: &'a Policy,
    /// The consent records held for this number (any one that covers the request suffices).
    pub consents: &'a [ConsentRecord],
    /// Do-not-call membership.
    pub dnc: DncFacts,
    /// Attempt history across all tenants.
    pub attempts: AttemptCounts,
    /// The contact's explicit time zone, if set.
    pub zone_override: Option<Tz>,
    /// The tenant's standing.
    pub tenant_status: TenantStatus,
    /// The task, when the attempt belongs to one.
    pub task: Option<&'a TaskFacts>,
    /// The caller number, when one is chosen.
    pub caller_number: Option<&'a CallerNumberFacts>,
}

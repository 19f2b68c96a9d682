//! Complaint tickets: one per complaint, tied to the calls it names, answered by
//! the tenant, acknowledged and closed under the SLA clock (computed by
//! `waihu_compliance::sla` from the timestamps here).

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;
use waihu_compliance::complaint_rate::{ComplaintCounts, RateDecision};
use waihu_compliance::pii::PhoneHash;
use waihu_core::TenantId;

/// How far from the stated time a call may be to be named by a complaint, by
/// default (people remember times roughly).
pub const DEFAULT_MATCH_WINDOW: Duration = Duration::hours(3);

/// Where a ticket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintState {
    /// Filed, nobody has looked at it.
    Open,
    /// Acknowledged (the SLA's first deadline is met).
    Acknowledged,
    /// Closed.
    Closed,
}

impl ComplaintState {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintState::Open => "open",
            ComplaintState::Acknowledged => "acknowledged",
            ComplaintState::Closed => "closed",
        }
    }
    /// Parses the stored form (also accepted on the command line).
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "open" => Ok(ComplaintState::Open),
            "acknowledged" | "ack" => Ok(ComplaintState::Acknowledged),
            "closed" => Ok(ComplaintState::Closed),
            other => Err(format!(
                "unknown complaint state {other:?}: expected open, acknowledged or closed"
            )),
        }
    }
}

/// A complaint as filed (public page, API or operator).
#[derive(Debug, Clone)]
pub struct NewComplaint {
    /// The tenant complained about, when the filer knows it (an API of the tenant,
    /// the operator). When `None`, the tenant is found from `caller_number` (the
    /// number shown on the callee's phone, owned by one tenant) or else from the
    /// calls to this number near `occurred_at` (the nearest call's tenant).
    pub tenant_id: Option<TenantId>,
    /// The number that called the complainant, if given (E.164).
    pub caller_number: Option<String>,
    /// Keyed hash of the complainant's number (the number that was called).
    pub number_hash: PhoneHash,
    /// Masked form of that number.
    pub number_masked: String,
    /// Whether the complainant proved control of the number (one-time code).
    pub verified: bool,
    /// What happened, in the complainant's words.
    pub description: String,
    /// When the call happened, as the complainant says.
    pub occurred_at: DateTime<Utc>,
    /// Calls within this distance of `occurred_at` are named by the complaint.
    pub match_window: Duration,
    /// When it is filed (the SLA clock starts here).
    pub filed_at: DateTime<Utc>,
}

/// A stored ticket.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Complaint {
    /// Stable id.
    pub id: Uuid,
    /// The tenant complained about (`None` when no call and no caller number
    /// identified one: the operator sorts it out).
    pub tenant_id: Option<TenantId>,
    /// Keyed hash of the complainant's number.
    #[serde(skip)]
    pub number_hash: PhoneHash,
    /// Masked number.
    pub number_masked: String,
    /// The caller number given, if any.
    pub caller_number: Option<String>,
    /// Whether the number was verified.
    pub verified: bool,
    /// What happened.
    pub description: String,
    /// When the call happened, as stated.
    pub occurred_at: DateTime<Utc>,
    /// Where the ticket is.
    pub state: ComplaintState,
    /// The tenant's answer.
    pub tenant_answer: Option<String>,
    /// When the tenant answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// The calls it names (calls of that number within the tenant near the time).
    pub call_ids: Vec<Uuid>,
    /// When it was filed.
    pub created_at: DateTime<Utc>,
    /// When it was acknowledged.
    pub acked_at: Option<DateTime<Utc>>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Why it was closed (the operator's or tenant's note).
    pub resolution: Option<String>,
}

impl Complaint {
    /// Whether it counts towards the tenant's complaint rate.
    pub fn counts(&self) -> bool {
        self.verified && !self.call_ids.is_empty()
    }
}

/// Whose complaints: one tenant's (tenant users) or all (the operator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplaintScope {
    /// One tenant's tickets only; another tenant's id is not found.
    Tenant(TenantId),
    /// Every ticket (operator).
    Platform,
}

/// Which complaints to list, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintFilter {
    /// Only this state.
    pub state: Option<ComplaintState>,
    /// Page size.
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
}

impl Default for ComplaintFilter {
    fn default() -> Self {
        Self {
            state: None,
            limit: 100,
            offset: 0,
        }
    }
}

/// A tenant's complaint rate over the window ending at `now`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ComplaintRate {
    /// The tenant.
    pub tenant_id: TenantId,
    /// Counted and ignored complaints, answered calls.
    pub counts: ComplaintCounts,
    /// The rate against the operator's threshold.
    pub decision: RateDecision,
}

/// What filing a complaint did, all in one transaction.
#[derive(Debug, Clone)]
pub struct FiledComplaint {
    /// The ticket.
    pub complaint: Complaint,
    /// Whether the number was newly put on the tenant's do-not-call list.
    pub dnc_added: bool,
    /// The tenant's rate after this complaint (`None` without a tenant).
    pub rate: Option<ComplaintRate>,
    /// Tasks paused because the rate went over the threshold.
    pub paused_tasks: Vec<Uuid>,
}

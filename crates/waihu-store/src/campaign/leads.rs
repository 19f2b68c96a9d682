//! Leads: calls the robot graded well enough, for the sales team. An agent may
//! regrade a lead; the robot's grade is kept beside the agent's.

use crate::error::StoreResult;
use crate::Actor;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;
use waihu_core::{TenantId, UserId};

/// Where a lead is in the sales follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeadStatus {
    /// Not yet followed up.
    New,
    /// A salesperson has contacted the person.
    Contacted,
    /// Follow-up finished.
    Closed,
}

impl LeadStatus {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            LeadStatus::New => "new",
            LeadStatus::Contacted => "contacted",
            LeadStatus::Closed => "closed",
        }
    }
    /// Parses the stored form.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "new" => Ok(LeadStatus::New),
            "contacted" => Ok(LeadStatus::Contacted),
            "closed" => Ok(LeadStatus::Closed),
            other => Err(format!("unknown lead status {other:?}")),
        }
    }
}

/// A lead to create with a finished call (tenant, task, call and contact come from
/// the call).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLead {
    /// The robot's grade (`A`..`F`).
    pub grade: String,
    /// Why that grade.
    pub reason: String,
    /// Whether the contact's consent allows passing leads on (PIPL §23): when
    /// false the lead is stored but queued for no push target.
    pub shareable: bool,
}

/// A stored lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lead {
    /// Stable id.
    pub id: Uuid,
    /// The tenant.
    pub tenant_id: TenantId,
    /// The task that called.
    pub task_id: Uuid,
    /// The call it came from (one lead per call).
    pub call_id: Uuid,
    /// The contact (cleared when the contact is erased).
    pub contact_id: Option<Uuid>,
    /// Masked number.
    pub number_masked: String,
    /// The robot's grade.
    pub robot_grade: String,
    /// The robot's reason.
    pub robot_reason: String,
    /// Whether the contact's consent allowed passing it on (pushed only if so).
    pub shareable: bool,
    /// An agent's grade, if regraded.
    pub agent_grade: Option<String>,
    /// The agent's note.
    pub agent_note: Option<String>,
    /// Who regraded it.
    pub agent_id: Option<UserId>,
    /// When it was regraded.
    pub regraded_at: Option<DateTime<Utc>>,
    /// Follow-up status.
    pub status: LeadStatus,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

impl Lead {
    /// The grade that counts: the agent's if regraded, else the robot's.
    pub fn grade(&self) -> &str {
        self.agent_grade.as_deref().unwrap_or(&self.robot_grade)
    }
}

/// Which leads to list, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadFilter {
    /// Only this task's leads.
    pub task_id: Option<Uuid>,
    /// Only this status.
    pub status: Option<LeadStatus>,
    /// Page size.
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
}

impl Default for LeadFilter {
    fn default() -> Self {
        Self {
            task_id: None,
            status: None,
            limit: 100,
            offset: 0,
        }
    }
}

/// Leads (tenant-scoped; changes audited).
#[async_trait]
pub trait LeadRepo {
    /// The tenant's leads matching `filter`, newest first.
    async fn list_leads(&self, tenant_id: TenantId, filter: LeadFilter) -> StoreResult<Vec<Lead>>;
    /// One of the tenant's leads.
    async fn get_lead(&self, tenant_id: TenantId, id: Uuid) -> StoreResult<Option<Lead>>;
    /// The lead one of the tenant's calls became, if it did.
    async fn lead_of_call(&self, tenant_id: TenantId, call_id: Uuid) -> StoreResult<Option<Lead>>;
    /// An agent's grade and note (the robot's grade is kept). `agent` is the
    /// signed-in user who regraded, or `None` when an API token did (the audit
    /// entry's actor names the token).
    async fn regrade_lead(
        &self,
        tenant_id: TenantId,
        id: Uuid,
        grade: &str,
        note: Option<&str>,
        agent: Option<UserId>,
        actor: &Actor,
    ) -> StoreResult<Lead>;
    /// Sets the follow-up status.
    async fn set_lead_status(
        &self,
        tenant_id: TenantId,
        id: Uuid,
        status: LeadStatus,
        actor: &Actor,
    ) -> StoreResult<Lead>;
}

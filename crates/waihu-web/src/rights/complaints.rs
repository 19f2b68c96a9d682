//! Complaint tickets and complaint rates as the back office and the API see
//! them (storage is `waihu_store::RightsRepo`, which audits every
//! change). Tenant users (admins, agents, auditors, tokens) see their tenant's
//! tickets only — another tenant's id is not found; tenant admins acknowledge,
//! answer and close them. The operator sees every tenant's tickets and
//! acknowledges or closes them. Each ticket carries its SLA clock
//! (`waihu_compliance::sla`, on the state's working-day calendar); lists put the
//! overdue tickets first.

use crate::auth::principal::{CAMPAIGN_READERS, TENANT_ADMINS};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;
use waihu_compliance::sla::sla_status;
use waihu_core::{Role, TenantId};
use waihu_store::{Complaint, ComplaintFilter, ComplaintScope, ComplaintState, RightsSettings};

/// The longest answer or resolution note accepted, in characters.
pub const MAX_NOTE: usize = 4000;
/// How many tickets a list reads at most (sorted overdue first, then paged).
const LIST_CAP: i64 = 1000;
/// The words `waihu_compliance::complaint_rate::pause_reason` writes on a task it
/// paused (both of its forms carry them).
const AUTO_PAUSE_MARK: &str = "投诉率超过阈值，已自动暂停";

/// Roles that act on tickets: tenant admins (and tokens) in their tenant, the
/// operator on every ticket.
const ACTORS: &[Role] = &[Role::Admin, Role::Operator];

/// A ticket with its SLA clock.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplaintView {
    /// Ticket id.
    pub id: Uuid,
    /// The tenant complained about (`null`: not identified, the operator's).
    pub tenant_id: Option<Uuid>,
    /// Its name (operator views; the tenant's own name for tenant users).
    pub tenant_name: Option<String>,
    /// The complainant's number, masked.
    pub number_masked: String,
    /// The caller number the complainant saw, if given.
    pub caller_number: Option<String>,
    /// Whether the complainant proved control of the number.
    pub verified: bool,
    /// What happened, in the complainant's words.
    pub description: String,
    /// When the call happened, as stated.
    pub occurred_at: DateTime<Utc>,
    /// `open`, `acknowledged` or `closed`.
    pub state: String,
    /// The tenant's answer.
    pub tenant_answer: Option<String>,
    /// When the tenant answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// The resolution note of a closed ticket.
    pub resolution: Option<String>,
    /// The calls the complaint names.
    pub call_ids: Vec<Uuid>,
    /// Whether it counts towards the tenant's complaint rate.
    pub counts: bool,
    /// When it was filed (the SLA clock starts).
    pub created_at: DateTime<Utc>,
    /// When it was acknowledged.
    pub acked_at: Option<DateTime<Utc>>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Acknowledge by (3 working days).
    pub ack_due: DateTime<Utc>,
    /// Close by (15 working days).
    pub close_due: DateTime<Utc>,
    /// The acknowledgement is overdue.
    pub ack_overdue: bool,
    /// The closing is overdue.
    pub close_overdue: bool,
    /// Either deadline is overdue.
    pub overdue: bool,
}

impl ComplaintView {
    fn new(state: &AppState, c: Complaint, tenant_name: Option<String>) -> Self {
        let now = state.clock.now();
        let sla = sla_status(
            &state.sla_calendar,
            c.created_at,
            c.acked_at,
            c.closed_at,
            now,
        );
        Self {
            id: c.id,
            tenant_id: c.tenant_id.map(|t| t.0),
            tenant_name,
            counts: c.counts(),
            number_masked: c.number_masked,
            caller_number: c.caller_number,
            verified: c.verified,
            description: c.description,
            occurred_at: c.occurred_at,
            state: c.state.as_str().to_string(),
            tenant_answer: c.tenant_answer,
            answered_at: c.answered_at,
            resolution: c.resolution,
            call_ids: c.call_ids,
            created_at: c.created_at,
            acked_at: c.acked_at,
            closed_at: c.closed_at,
            ack_due: sla.ack.due,
            close_due: sla.close.due,
            ack_overdue: sla.ack.overdue,
            close_overdue: sla.close.overdue,
            overdue: sla.overdue(),
        }
    }

    /// Whether the ticket is closed.
    pub fn closed(&self) -> bool {
        self.state == ComplaintState::Closed.as_str()
    }
}

/// Whose tickets the caller reads: the operator's platform, else its tenant's.
pub fn read_scope(who: &Principal) -> AppResult<ComplaintScope> {
    if who.role == Role::Operator {
        return Ok(ComplaintScope::Platform);
    }
    Ok(ComplaintScope::Tenant(who.tenant_for(CAMPAIGN_READERS)?))
}

fn act_scope(who: &Principal) -> AppResult<ComplaintScope> {
    who.require(ACTORS)?;
    read_scope(who)
}

/// Parses the `state` filter (`open`, `acknowledged`, `closed`; empty: all).
pub fn parse_state(raw: Option<&str>) -> AppResult<Option<ComplaintState>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => ComplaintState::parse(s)
            .map(Some)
            .map_err(|m| AppError::invalid("state", m)),
    }
}

async fn tenant_names(state: &AppState) -> AppResult<HashMap<TenantId, String>> {
    Ok(state
        .store
        .list_tenants()
        .await?
        .into_iter()
        .map(|t| (t.id, t.name.to_string()))
        .collect())
}

/// The caller's tickets: overdue first, then newest first.
pub async fn list(
    state: &AppState,
    who: &Principal,
    filter: Option<ComplaintState>,
    only_overdue: bool,
) -> AppResult<Vec<ComplaintView>> {
    let scope = read_scope(who)?;
    let rows = state
        .store
        .list_complaints(
            scope,
            ComplaintFilter {
                state: filter,
                limit: LIST_CAP,
                offset: 0,
            },
        )
        .await?;
    let names = tenant_names(state).await?;
    let mut out: Vec<ComplaintView> = rows
        .into_iter()
        .map(|c| {
            let name = c.tenant_id.and_then(|t| names.get(&t).cloned());
            ComplaintView::new(state, c, name)
        })
        .filter(|v| !only_overdue || v.overdue)
        .collect();
    // Stable: within each group the store's newest-first order stays.
    out.sort_by_key(|v| !v.overdue);
    Ok(out)
}

/// One ticket of the caller's scope (another tenant's: not found).
pub async fn find(state: &AppState, who: &Principal, id: Uuid) -> AppResult<ComplaintView> {
    let scope = read_scope(who)?;
    view_of(state, scope, id).await
}

async fn view_of(state: &AppState, scope: ComplaintScope, id: Uuid) -> AppResult<ComplaintView> {
    let c = state
        .store
        .get_complaint(scope, id)
        .await?
        .ok_or_else(|| AppError::not_found("complaint"))?;
    let name = match c.tenant_id {
        Some(t) => state.store.get_tenant(t).await?.map(|t| t.name.to_string()),
        None => None,
    };
    Ok(ComplaintView::new(state, c, name))
}

fn note(raw: &str, field: &str) -> AppResult<String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(AppError::invalid(
            field,
            format!("{field} must not be empty"),
        ));
    }
    if s.chars().count() > MAX_NOTE {
        return Err(AppError::invalid(
            field,
            format!("{field} is longer than {MAX_NOTE} characters"),
        ));
    }
    Ok(s.to_string())
}

/// Acknowledges a ticket (tenant admin or operator; audited by the store).
pub async fn ack(state: &AppState, who: &Principal, id: Uuid) -> AppResult<ComplaintView> {
    let scope = act_scope(who)?;
    let now = state.clock.now();
    state
        .store
        .ack_complaint(scope, id, now, &who.actor)
        .await?;
    view_of(state, scope, id).await
}

/// The tenant's answer (tenant admins only; acknowledges an open ticket).
pub async fn answer(
    state: &AppState,
    who: &Principal,
    id: Uuid,
    text: &str,
) -> AppResult<ComplaintView> {
    let t = who.tenant_for(TENANT_ADMINS)?;
    let scope = ComplaintScope::Tenant(t);
    // Unknown or foreign ids are not found before the text is judged.
    view_of(state, scope, id).await?;
    let text = note(text, "answer")?;
    let now = state.clock.now();
    state
        .store
        .answer_complaint(scope, id, &text, now, &who.actor)
        .await?;
    view_of(state, scope, id).await
}

/// Closes a ticket with a resolution note (tenant admin or operator).
pub async fn close(
    state: &AppState,
    who: &Principal,
    id: Uuid,
    resolution: &str,
) -> AppResult<ComplaintView> {
    let scope = act_scope(who)?;
    view_of(state, scope, id).await?;
    let text = note(resolution, "resolution")?;
    let now = state.clock.now();
    state
        .store
        .close_complaint(scope, id, &text, now, &who.actor)
        .await?;
    view_of(state, scope, id).await
}

/// Whether the caller may acknowledge and close tickets.
pub fn can_act(who: &Principal) -> bool {
    ACTORS.contains(&who.role)
}

/// Whether the caller may answer tickets (tenant admins).
pub fn can_answer(who: &Principal) -> bool {
    who.role == Role::Admin && who.tenant_id.is_some()
}

// --- complaint rates (operator) ---------------------------------------------------

/// One tenant's complaint rate as the rights rules count it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplaintRateView {
    /// The tenant.
    pub tenant_id: Uuid,
    /// Complaints that count (verified, naming a call) in the window.
    pub counted: u64,
    /// Complaints in the window that do not count.
    pub ignored: u64,
    /// Answered calls in the window.
    pub answered_calls: u64,
    /// Counted complaints per 1,000 answered calls (`null` without answered calls).
    pub per_1000: Option<f64>,
    /// Over the operator's threshold.
    pub over_threshold: bool,
    /// The tenant's tasks paused automatically for the complaint rate.
    pub auto_paused_tasks: usize,
}

/// Every tenant's complaint rate by tenant id, with the platform settings.
pub async fn rates(
    state: &AppState,
) -> AppResult<(RightsSettings, HashMap<Uuid, ComplaintRateView>)> {
    let settings = state.store.rights_settings().await?;
    let mut out = HashMap::new();
    for r in state.store.complaint_rates(state.clock.now()).await? {
        let paused = state
            .store
            .list_tasks(r.tenant_id)
            .await?
            .iter()
            .filter(|t| {
                t.state_reason
                    .as_deref()
                    .is_some_and(|s| s.contains(AUTO_PAUSE_MARK))
            })
            .count();
        out.insert(
            r.tenant_id.0,
            ComplaintRateView {
                tenant_id: r.tenant_id.0,
                counted: r.counts.counted,
                ignored: r.counts.ignored,
                answered_calls: r.counts.answered_calls,
                per_1000: r.counts.per_1000(),
                over_threshold: r.decision.pauses(),
                auto_paused_tasks: paused,
            },
        );
    }
    Ok((settings, out))
}

// --- retention --------------------------------------------------------------------

//! Leads (the agents' work list: regrade, follow-up status) and the lead push
//! dead letters (retry). The robot's grade is never changed here.

use super::{non_empty, store_window, Window};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;
use waihu_core::TenantId;
use waihu_store::{Delivery, Lead, LeadFilter, LeadStatus};

/// Longest agent note (characters).
pub const MAX_NOTE: usize = 500;

/// Filters of the lead list (query string).
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeadQuery {
    /// Only this task's leads (task id).
    pub task: Option<String>,
    /// Only this status: `new`, `contacted`, `closed`.
    pub status: Option<String>,
}

/// Parses a lead status, naming `field` on error.
pub fn parse_status(raw: &str, field: &str) -> AppResult<LeadStatus> {
    LeadStatus::parse(raw.trim()).map_err(|m| AppError::invalid(field, m))
}

/// A page of the tenant's leads matching `q`, newest first.
pub async fn list(
    state: &AppState,
    tenant: TenantId,
    q: &LeadQuery,
    limit: usize,
    offset: usize,
) -> AppResult<Window<Lead>> {
    let task_id = match non_empty(&q.task) {
        Some(t) => Some(
            t.parse::<Uuid>()
                .map_err(|_| AppError::invalid("task", "not a task id"))?,
        ),
        None => None,
    };
    let status = non_empty(&q.status)
        .map(|s| parse_status(s, "status"))
        .transpose()?;
    let (lim, off) = store_window(limit, offset)?;
    let rows = state
        .store
        .list_leads(
            tenant,
            LeadFilter {
                task_id,
                status,
                limit: lim,
                offset: off,
            },
        )
        .await?;
    Ok(Window::cut(rows, limit))
}

/// One of the tenant's leads; another tenant's is 404.
pub async fn find(state: &AppState, tenant: TenantId, id: Uuid) -> AppResult<Lead> {
    state
        .store
        .get_lead(tenant, id)
        .await?
        .ok_or_else(|| AppError::not_found("lead"))
}

/// An agent's grade and note. The store records the signed-in user who
/// regraded, or none for an API token (its audit entry names the token).
pub async fn regrade(
    state: &AppState,
    tenant: TenantId,
    id: Uuid,
    grade: &str,
    note: Option<&str>,
    who: &Principal,
) -> AppResult<Lead> {
    // Another tenant's lead is 404 for everyone, tokens included.
    find(state, tenant, id).await?;
    let grade = grade.trim();
    super::check_grade(grade)?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > MAX_NOTE) {
        return Err(AppError::invalid(
            "note",
            "the note is longer than 500 characters",
        ));
    }
    Ok(state
        .store
        .regrade_lead(
            tenant,
            id,
            grade,
            note,
            who.user().map(|u| u.id),
            &who.actor,
        )
        .await?)
}

/// Sets a lead's follow-up status.
pub async fn set_status(
    state: &AppState,
    tenant: TenantId,
    id: Uuid,
    status: &str,
    who: &Principal,
) -> AppResult<Lead> {
    let status = parse_status(status, "status")?;
    find(state, tenant, id).await?;
    Ok(state
        .store
        .set_lead_status(tenant, id, status, &who.actor)
        .await?)
}

/// The tenant's dead deliveries, newest first.
pub async fn dead_letters(state: &AppState, tenant: TenantId) -> AppResult<Vec<Delivery>> {
    Ok(state.store.dead_letters(tenant).await?)
}

/// Queues one of the tenant's dead deliveries again; another tenant's (or one
/// that is not dead) is 404.
pub async fn retry(state: &AppState, tenant: TenantId, id: Uuid, who: &Principal) -> AppResult<()> {
    if !dead_letters(state, tenant)
        .await?
        .iter()
        .any(|d| d.id == id)
    {
        return Err(AppError::not_found("dead letter"));
    }
    state
        .store
        .retry_dead_letter(tenant, id, state.clock.now(), &who.actor)
        .await?;
    Ok(())
}

//! Leads: list and one lead (admins, agents, auditors, tokens); regrade (admins,
//! agents, tokens: the store records the user, or the token as the audit actor)
//! and follow-up status (admins, agents, tokens). Dead letters of lead push: list (admins, auditors, tokens) and
//! retry (admins, tokens).

use super::campaign_dto::{DeadLetterDto, LeadDto, LeadPage, LeadStatusReq, RegradeReq};
use super::dto::Page;
use super::{page, parse_id, ApiJson, PageQuery};
use crate::auth::principal::{CAMPAIGN_READERS, LEAD_WORKERS, TENANT_ADMINS, TENANT_READERS};
use crate::auth::Principal;
use crate::campaign::leads::{self, LeadQuery};
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use uuid::Uuid;

/// The tenant's leads, newest first, filtered by task and status.
#[utoipa::path(get, path = "/api/v1/leads", tag = "leads", params(LeadQuery, PageQuery),
    responses((status = 200, body = LeadPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
    Query(f): Query<LeadQuery>,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<LeadPage>> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    let (limit, offset) = q.checked()?;
    let w = leads::list(&state, t, &f, limit, offset).await?;
    let items: Vec<LeadDto> = w.rows.into_iter().map(LeadDto::from).collect();
    let next_offset = w.more.then_some(offset + items.len());
    Ok(Json(LeadPage {
        items,
        limit,
        offset,
        next_offset,
    }))
}

/// One lead.
#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "leads", params(("id" = Uuid, Path, description = "lead id")),
    responses((status = 200, body = LeadDto), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn get(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<LeadDto>> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    let id: Uuid = parse_id(&id, "lead")?;
    Ok(Json(leads::find(&state, t, id).await?.into()))
}

/// An agent's grade and note (the robot's grade is kept). Admins, agents and
/// API tokens; a token's regrade has no `agent_id` (the audit actor names the token).
#[utoipa::path(post, path = "/api/v1/leads/{id}/grade", tag = "leads", params(("id" = Uuid, Path, description = "lead id")),
    request_body = RegradeReq,
    responses((status = 200, body = LeadDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn regrade(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RegradeReq>,
) -> AppResult<Json<LeadDto>> {
    let t = who.tenant_for(LEAD_WORKERS)?;
    let id: Uuid = parse_id(&id, "lead")?;
    Ok(Json(
        leads::regrade(&state, t, id, &req.grade, req.note.as_deref(), &who)
            .await?
            .into(),
    ))
}

/// Sets a lead's follow-up status.
#[utoipa::path(post, path = "/api/v1/leads/{id}/status", tag = "leads", params(("id" = Uuid, Path, description = "lead id")),
    request_body = LeadStatusReq,
    responses((status = 200, body = LeadDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn set_status(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<LeadStatusReq>,
) -> AppResult<Json<LeadDto>> {
    let t = who.tenant_for(LEAD_WORKERS)?;
    let id: Uuid = parse_id(&id, "lead")?;
    Ok(Json(
        leads::set_status(&state, t, id, &req.status, &who)
            .await?
            .into(),
    ))
}

/// Lead pushes given up after their retries, newest first.
#[utoipa::path(get, path = "/api/v1/dead-letters", tag = "leads", params(PageQuery),
    responses((status = 200, body = Page<DeadLetterDto>), (status = 403, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn dead_letters(
    State(state): State<AppState>,
    who: Principal,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<Page<DeadLetterDto>>> {
    let t = who.tenant_for(TENANT_READERS)?;
    Ok(Json(page(
        leads::dead_letters(&state, t).await?,
        &q,
        DeadLetterDto::from,
    )?))
}

/// Queues a dead letter again, due now → 204.
#[utoipa::path(post, path = "/api/v1/dead-letters/{id}/retry", tag = "leads", params(("id" = Uuid, Path, description = "delivery id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn retry(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let t = who.tenant_for(TENANT_ADMINS)?;
    let id: Uuid = parse_id(&id, "dead letter")?;
    leads::retry(&state, t, id, &who).await?;
    Ok(StatusCode::NO_CONTENT)
}

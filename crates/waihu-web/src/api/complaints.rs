//! Complaint tickets, retention periods and the platform's rights settings over
//! the JSON API. Tenant tokens and users see their tenant's tickets (another
//! tenant's id is 404); admins (and tokens) acknowledge, answer and close them;
//! the operator's session sees every ticket and acknowledges or closes it. Lists
//! put overdue tickets first. Every change is audited by the store.

use super::{parse_id, ApiJson, PageQuery};
use crate::auth::Principal;
use crate::error::{AppResult, ErrorBody};
use crate::rights::complaints::{self as cc, ComplaintView};
use crate::rights::retention::{self as rr, RetentionReq, RetentionView, RightsSettingsDto};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Filters of the ticket list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplaintQuery {
    /// Only this state: `open`, `acknowledged`, `closed`.
    pub state: Option<String>,
    /// Only overdue tickets.
    pub overdue: Option<bool>,
}

/// A page of tickets, overdue first, then newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintPage {
    /// The tickets of this page.
    pub items: Vec<ComplaintView>,
    /// Tickets in the whole list.
    pub total: usize,
    /// The page size.
    pub limit: usize,
    /// Tickets skipped.
    pub offset: usize,
    /// The offset of the next page, if any.
    pub next_offset: Option<usize>,
}

/// An answer to a ticket.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerReq {
    /// The tenant's answer (not empty, at most 4,000 characters).
    pub answer: String,
}

/// Closing a ticket.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CloseReq {
    /// What was done (not empty, at most 4,000 characters).
    pub resolution: String,
}

/// The caller's tickets with their SLA clocks.
#[utoipa::path(get, path = "/api/v1/complaints", tag = "complaints", params(ComplaintQuery, PageQuery),
    responses((status = 200, body = ComplaintPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
    Query(f): Query<ComplaintQuery>,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<ComplaintPage>> {
    let filter = cc::parse_state(f.state.as_deref())?;
    let rows = cc::list(&state, &who, filter, f.overdue.unwrap_or(false)).await?;
    let p = super::page(rows, &q, |v| v)?;
    Ok(Json(ComplaintPage {
        items: p.items,
        total: p.total,
        limit: p.limit,
        offset: p.offset,
        next_offset: p.next_offset,
    }))
}

/// One ticket.
#[utoipa::path(get, path = "/api/v1/complaints/{id}", tag = "complaints", params(("id" = Uuid, Path, description = "ticket id")),
    responses((status = 200, body = ComplaintView), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn get(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<ComplaintView>> {
    let id: Uuid = parse_id(&id, "complaint")?;
    Ok(Json(cc::find(&state, &who, id).await?))
}

/// Acknowledges a ticket (tenant admin or operator); a closed one is a conflict.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/ack", tag = "complaints", params(("id" = Uuid, Path, description = "ticket id")),
    responses((status = 200, body = ComplaintView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn ack(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<ComplaintView>> {
    let id: Uuid = parse_id(&id, "complaint")?;
    Ok(Json(cc::ack(&state, &who, id).await?))
}

/// The tenant's answer (tenant admins and tokens); acknowledges an open ticket.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/answer", tag = "complaints", params(("id" = Uuid, Path, description = "ticket id")),
    request_body = AnswerReq,
    responses((status = 200, body = ComplaintView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn answer(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AnswerReq>,
) -> AppResult<Json<ComplaintView>> {
    let id: Uuid = parse_id(&id, "complaint")?;
    Ok(Json(cc::answer(&state, &who, id, &req.answer).await?))
}

/// Closes a ticket with a resolution note (tenant admin or operator).
#[utoipa::path(post, path = "/api/v1/complaints/{id}/close", tag = "complaints", params(("id" = Uuid, Path, description = "ticket id")),
    request_body = CloseReq,
    responses((status = 200, body = ComplaintView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn close(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CloseReq>,
) -> AppResult<Json<ComplaintView>> {
    let id: Uuid = parse_id(&id, "complaint")?;
    Ok(Json(cc::close(&state, &who, id, &req.resolution).await?))
}

/// The tenant's retention periods and the platform maximum.
#[utoipa::path(get, path = "/api/v1/retention", tag = "complaints",
    responses((status = 200, body = RetentionView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get_retention(
    State(state): State<AppState>,
    who: Principal,
) -> AppResult<Json<RetentionView>> {
    Ok(Json(rr::retention(&state, &who).await?))
}

/// Sets the tenant's retention periods (admins, tokens). A period over the
/// platform maximum or of zero days is 422 with the field at fault; nothing saved.
#[utoipa::path(put, path = "/api/v1/retention", tag = "complaints", request_body = RetentionReq,
    responses((status = 200, body = RetentionView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn put_retention(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(req): ApiJson<RetentionReq>,
) -> AppResult<Json<RetentionView>> {
    Ok(Json(rr::set_retention(&state, &who, req).await?))
}

/// The platform's complaint threshold, rate window and retention maximum.
#[utoipa::path(get, path = "/api/v1/rights-settings", tag = "platform",
    responses((status = 200, body = RightsSettingsDto), (status = 403, body = ErrorBody)), security(("session" = [])))]
pub async fn get_rights_settings(
    State(state): State<AppState>,
    who: Principal,
) -> AppResult<Json<RightsSettingsDto>> {
    Ok(Json(rr::rights_settings(&state, &who).await?))
}

/// Changes the platform's rights settings (operator; audited `rights.settings`).
#[utoipa::path(put, path = "/api/v1/rights-settings", tag = "platform", request_body = RightsSettingsDto,
    responses((status = 200, body = RightsSettingsDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn put_rights_settings(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(req): ApiJson<RightsSettingsDto>,
) -> AppResult<Json<RightsSettingsDto>> {
    Ok(Json(rr::set_rights_settings(&state, &who, req).await?))
}

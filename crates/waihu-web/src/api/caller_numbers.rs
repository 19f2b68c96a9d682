//! The caller-number registry. The operator (session) lists every number,
//! registers, verifies and assigns them; a tenant's callers (admins, auditors,
//! tokens) list only their tenant's numbers. Numbers travel in request bodies.

use super::settings::CallerNumberDto;
use super::{page, ApiJson, PageQuery};
use crate::auth::principal::TENANT_READERS;
use crate::auth::Principal;
use crate::campaign::operator::{self as op, NumberAction};
use crate::campaign::task_create::tenant_numbers;
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use waihu_core::{Role, TenantId};

/// A number in a request body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NumberReq {
    /// The number (E.164, or a national CN number).
    pub number: String,
}

/// A number and the tenant to assign it to.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignReq {
    /// The number.
    pub number: String,
    /// The tenant.
    pub tenant_id: Uuid,
}

/// Caller numbers: all (operator) or the caller's tenant's.
#[utoipa::path(get, path = "/api/v1/caller-numbers", tag = "settings", params(PageQuery),
    responses((status = 200, body = super::dto::Page<CallerNumberDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<super::dto::Page<CallerNumberDto>>> {
    let numbers = if who.role == Role::Operator {
        state.store.list_caller_numbers().await?
    } else {
        tenant_numbers(&state, who.tenant_for(TENANT_READERS)?).await?
    };
    Ok(Json(page(numbers, &q, CallerNumberDto::from)?))
}

/// Registers a number (unverified, unassigned) → 201.
#[utoipa::path(post, path = "/api/v1/caller-numbers", tag = "platform", request_body = NumberReq,
    responses((status = 201, body = CallerNumberDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn register(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(req): ApiJson<NumberReq>,
) -> AppResult<(StatusCode, Json<CallerNumberDto>)> {
    who.require(&[Role::Operator])?;
    let n = op::change_number(&state, &req.number, NumberAction::Register, &who.actor).await?;
    Ok((StatusCode::CREATED, Json(n.into())))
}

/// Marks a number verified.
#[utoipa::path(post, path = "/api/v1/caller-numbers/verify", tag = "platform", request_body = NumberReq,
    responses((status = 200, body = CallerNumberDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn verify(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(req): ApiJson<NumberReq>,
) -> AppResult<Json<CallerNumberDto>> {
    who.require(&[Role::Operator])?;
    let n = op::change_number(&state, &req.number, NumberAction::Verify, &who.actor).await?;
    Ok(Json(n.into()))
}

/// Assigns a number to a tenant.
#[utoipa::path(post, path = "/api/v1/caller-numbers/assign", tag = "platform", request_body = AssignReq,
    responses((status = 200, body = CallerNumberDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn assign(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(req): ApiJson<AssignReq>,
) -> AppResult<Json<CallerNumberDto>> {
    who.require(&[Role::Operator])?;
    let action = NumberAction::Assign(TenantId(req.tenant_id));
    let n = op::change_number(&state, &req.number, action, &who.actor).await?;
    Ok(Json(n.into()))
}

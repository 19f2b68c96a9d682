//! The operator's platform routes: tenants and their users. Session auth only
//! (API tokens belong to a tenant and never reach these).

use super::dto::{CreateTenantReq, CreateUserReq, Page, StatusReq, TenantDto, UserDto};
use super::{page, parse_id, ApiJson, PageQuery};
use crate::auth::Principal;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use waihu_core::{Role, TenantId, TenantName};
use waihu_store::TenantStatus;

const OPERATOR: &[Role] = &[Role::Operator];

/// All tenants.
#[utoipa::path(get, path = "/api/v1/tenants", tag = "platform", params(PageQuery),
    responses((status = 200, body = Page<TenantDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<Page<TenantDto>>> {
    who.require(OPERATOR)?;
    Ok(Json(page(
        state.store.list_tenants().await?,
        &q,
        TenantDto::from,
    )?))
}

/// Creates a tenant.
#[utoipa::path(post, path = "/api/v1/tenants", tag = "platform", request_body = CreateTenantReq,
    responses((status = 201, body = TenantDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn create(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(req): ApiJson<CreateTenantReq>,
) -> AppResult<(StatusCode, Json<TenantDto>)> {
    who.require(OPERATOR)?;
    let name =
        TenantName::parse(req.name.trim()).map_err(|e| AppError::invalid("name", e.to_string()))?;
    let t = state.store.create_tenant(&name, &who.actor).await?;
    Ok((StatusCode::CREATED, Json(t.into())))
}

async fn find(state: &AppState, id: &str) -> AppResult<waihu_store::Tenant> {
    let id: TenantId = parse_id(id, "tenant")?;
    state
        .store
        .get_tenant(id)
        .await?
        .ok_or_else(|| AppError::not_found("tenant"))
}

/// One tenant.
#[utoipa::path(get, path = "/api/v1/tenants/{id}", tag = "platform", params(("id" = Uuid, Path, description = "tenant id")),
    responses((status = 200, body = TenantDto), (status = 404, body = ErrorBody)), security(("session" = [])))]
pub async fn get(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<TenantDto>> {
    who.require(OPERATOR)?;
    Ok(Json(find(&state, &id).await?.into()))
}

async fn set(
    state: &AppState,
    who: &Principal,
    id: &str,
    status: TenantStatus,
    req: StatusReq,
) -> AppResult<Json<TenantDto>> {
    who.require(OPERATOR)?;
    let t = find(state, id).await?;
    let reason = req
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or("api");
    Ok(Json(
        state
            .store
            .set_tenant_status(t.id, status, reason, &who.actor)
            .await?
            .into(),
    ))
}

/// Suspends a tenant: nothing of it is dialled any more.
#[utoipa::path(post, path = "/api/v1/tenants/{id}/suspend", tag = "platform", params(("id" = Uuid, Path, description = "tenant id")),
    request_body = StatusReq, responses((status = 200, body = TenantDto), (status = 404, body = ErrorBody)), security(("session" = [])))]
pub async fn suspend(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<StatusReq>,
) -> AppResult<Json<TenantDto>> {
    set(&state, &who, &id, TenantStatus::Suspended, req).await
}

/// Resumes a suspended tenant.
#[utoipa::path(post, path = "/api/v1/tenants/{id}/resume", tag = "platform", params(("id" = Uuid, Path, description = "tenant id")),
    request_body = StatusReq, responses((status = 200, body = TenantDto), (status = 404, body = ErrorBody)), security(("session" = [])))]
pub async fn resume(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<StatusReq>,
) -> AppResult<Json<TenantDto>> {
    set(&state, &who, &id, TenantStatus::Active, req).await
}

/// A tenant's users.
#[utoipa::path(get, path = "/api/v1/tenants/{id}/users", tag = "platform", params(("id" = Uuid, Path, description = "tenant id"), PageQuery),
    responses((status = 200, body = Page<UserDto>), (status = 404, body = ErrorBody)), security(("session" = [])))]
pub async fn list_users(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<Page<UserDto>>> {
    who.require(OPERATOR)?;
    let t = find(&state, &id).await?;
    Ok(Json(page(
        state.store.list_users(t.id).await?,
        &q,
        UserDto::from,
    )?))
}

/// Creates a user in a tenant (e.g. its first admin).
#[utoipa::path(post, path = "/api/v1/tenants/{id}/users", tag = "platform", params(("id" = Uuid, Path, description = "tenant id")),
    request_body = CreateUserReq, responses((status = 201, body = UserDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn create_user(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CreateUserReq>,
) -> AppResult<(StatusCode, Json<UserDto>)> {
    who.require(OPERATOR)?;
    let t = find(&state, &id).await?;
    super::users::create_in(&state, &who, t.id, req).await
}

/// A tenant's robot-line quota.
#[derive(Debug, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotaReq {
    /// Robot lines the tenant's tasks may use at once, 0–10000.
    pub lines: u32,
}

/// Sets a tenant's robot-line quota (audited `tenant.limits`).
#[utoipa::path(post, path = "/api/v1/tenants/{id}/quota", tag = "platform", params(("id" = Uuid, Path, description = "tenant id")),
    request_body = QuotaReq,
    responses((status = 200, body = QuotaReq), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn set_quota(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<QuotaReq>,
) -> AppResult<Json<QuotaReq>> {
    who.require(OPERATOR)?;
    let t = find(&state, &id).await?;
    if req.lines > 10_000 {
        return Err(AppError::invalid("lines", "a whole number from 0 to 10000"));
    }
    state
        .store
        .set_line_quota(t.id, req.lines, &who.actor)
        .await?;
    let lines = state.store.get_limits(t.id).await?.line_quota;
    Ok(Json(QuotaReq { lines }))
}

//! A tenant's settings: caller numbers and line quota (read), lead push targets
//! (list; add and enable/disable for admins and tokens). Secrets are never
//! answered; a robot's URL comes back without its access key.

use super::ApiJson;
use super::{parse_id, PageQuery};
use crate::auth::principal::{TENANT_ADMINS, TENANT_READERS};
use crate::auth::Principal;
use crate::campaign::settings::{self as cs, EnabledReq, NewPushTargetReq, PushTargetView};
use crate::campaign::task_create::tenant_numbers;
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;
use waihu_store::CallerNumber;

/// A caller number.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallerNumberDto {
    /// E.164.
    pub number: String,
    /// The tenant it is assigned to (operator view; tenants see only theirs).
    pub tenant_id: Option<Uuid>,
    /// Whether the operator verified it (tasks use only verified numbers).
    pub verified: bool,
    /// When it was verified.
    pub verified_at: Option<DateTime<Utc>>,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
}

impl From<CallerNumber> for CallerNumberDto {
    fn from(n: CallerNumber) -> Self {
        Self {
            number: n.number,
            tenant_id: n.tenant_id.map(|t| t.0),
            verified: n.verified_at.is_some(),
            verified_at: n.verified_at,
            created_at: n.created_at,
        }
    }
}

/// The tenant's settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsDto {
    /// The tenant's caller numbers.
    pub caller_numbers: Vec<CallerNumberDto>,
    /// Robot lines the tenant may use (set by the operator).
    pub line_quota: u32,
    /// Lead push targets.
    pub push_targets: Vec<PushTargetView>,
}

/// The tenant's settings in one answer.
#[utoipa::path(get, path = "/api/v1/settings", tag = "settings",
    responses((status = 200, body = SettingsDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get(State(state): State<AppState>, who: Principal) -> AppResult<Json<SettingsDto>> {
    let t = who.tenant_for(TENANT_READERS)?;
    Ok(Json(SettingsDto {
        caller_numbers: tenant_numbers(&state, t)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
        line_quota: state.store.get_limits(t).await?.line_quota,
        push_targets: cs::push_targets(&state, t).await?,
    }))
}

/// The tenant's lead push targets.
#[utoipa::path(get, path = "/api/v1/push-targets", tag = "settings", params(PageQuery),
    responses((status = 200, body = super::dto::Page<PushTargetView>), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list_push_targets(
    State(state): State<AppState>,
    who: Principal,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<super::dto::Page<PushTargetView>>> {
    let t = who.tenant_for(TENANT_READERS)?;
    Ok(Json(super::page(
        cs::push_targets(&state, t).await?,
        &q,
        |p| p,
    )?))
}

/// Adds a push target (checked like `waihu push target add`: http(s) URL, a
/// secret for `webhook`, none for `wecom`) → 201.
#[utoipa::path(post, path = "/api/v1/push-targets", tag = "settings", request_body = NewPushTargetReq,
    responses((status = 201, body = PushTargetView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn add_push_target(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(req): ApiJson<NewPushTargetReq>,
) -> AppResult<(StatusCode, Json<PushTargetView>)> {
    let t = who.tenant_for(TENANT_ADMINS)?;
    let added = cs::add_push_target(&state, t, req, &who.actor).await?;
    Ok((StatusCode::CREATED, Json(added)))
}

/// Enables or disables a push target.
#[utoipa::path(post, path = "/api/v1/push-targets/{id}/enabled", tag = "settings",
    params(("id" = Uuid, Path, description = "push target id")), request_body = EnabledReq,
    responses((status = 200, body = PushTargetView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn set_enabled(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<EnabledReq>,
) -> AppResult<Json<PushTargetView>> {
    let t = who.tenant_for(TENANT_ADMINS)?;
    let id: Uuid = parse_id(&id, "push target")?;
    Ok(Json(
        cs::set_enabled(&state, t, id, req.enabled, &who.actor).await?,
    ))
}

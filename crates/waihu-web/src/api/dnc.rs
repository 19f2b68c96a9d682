//! The tenant's do-not-call list. Numbers travel in JSON bodies only (never in
//! URLs, which end up in logs) and come back masked. Checking is read-only
//! (admins, auditors, tokens); adding and removing are the admin's, with a
//! reason, and audited by the store.

use super::dto::{DncAddedDto, DncChangeReq, DncCheckReq, DncStatusDto, DncSummaryDto};
use super::ApiJson;
use crate::auth::principal::{TENANT_ADMINS, TENANT_READERS};
use crate::auth::Principal;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::numbers;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use waihu_store::DncScope;

/// The tenant's list: how many entries, and whether numbers can be checked here.
#[utoipa::path(get, path = "/api/v1/dnc", tag = "dnc",
    responses((status = 200, body = DncSummaryDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn summary(
    State(state): State<AppState>,
    who: Principal,
) -> AppResult<Json<DncSummaryDto>> {
    let t = who.tenant_for(TENANT_READERS)?;
    Ok(Json(DncSummaryDto {
        tenant_entries: state.store.count_dnc(DncScope::Tenant(t)).await?,
        lookups_enabled: state.phone_key.is_some(),
    }))
}

/// On which do-not-call lists (tenant, platform, registry) a number is.
#[utoipa::path(post, path = "/api/v1/dnc/check", tag = "dnc", request_body = DncCheckReq,
    responses((status = 200, body = DncStatusDto), (status = 409, body = ErrorBody, description = "phone-number keys not configured"), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn check(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(req): ApiJson<DncCheckReq>,
) -> AppResult<Json<DncStatusDto>> {
    let t = who.tenant_for(TENANT_READERS)?;
    let n = numbers::parse(&state, &req.number, "number")?;
    let m = state.store.dnc_membership(t, &n.hash).await?;
    Ok(Json(DncStatusDto {
        number_masked: n.masked,
        tenant: m.tenant,
        platform: m.platform,
        registry: m.registry,
    }))
}

/// Adds a number to the tenant's list: 201 when added, 200 when already there.
#[utoipa::path(post, path = "/api/v1/dnc", tag = "dnc", request_body = DncChangeReq,
    responses((status = 201, body = DncAddedDto), (status = 200, body = DncAddedDto, description = "already on the list"),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody, description = "phone-number keys not configured"), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn add(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(req): ApiJson<DncChangeReq>,
) -> AppResult<(StatusCode, Json<DncAddedDto>)> {
    let t = who.tenant_for(TENANT_ADMINS)?;
    let reason = numbers::reason(req.reason.as_deref())?;
    let n = numbers::parse(&state, &req.number, "number")?;
    let added = state
        .store
        .add_dnc(
            DncScope::Tenant(t),
            &n.hash,
            &n.masked,
            &reason,
            "api",
            &who.actor,
        )
        .await?;
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(DncAddedDto {
            number_masked: n.masked,
            added,
        }),
    ))
}

/// Removes a number from the tenant's list (reason required): 204, or 404 when
/// it was not on the list.
#[utoipa::path(delete, path = "/api/v1/dnc", tag = "dnc", request_body = DncChangeReq,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "phone-number keys not configured"), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn remove(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(req): ApiJson<DncChangeReq>,
) -> AppResult<StatusCode> {
    let t = who.tenant_for(TENANT_ADMINS)?;
    let reason = numbers::reason(req.reason.as_deref())?;
    let n = numbers::parse(&state, &req.number, "number")?;
    let removed = state
        .store
        .remove_dnc(DncScope::Tenant(t), &n.hash, &n.masked, &reason, &who.actor)
        .await?;
    if removed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::not_found("do-not-call entry"))
    }
}

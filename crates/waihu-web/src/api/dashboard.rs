//! Dashboard figures: a tenant's calls of the current UTC day (attempts, answer
//! rate, grades, refusals by rule) and its live calls; for the operator, every
//! tenant's refusal, opt-out and complaint rates over the last 30 days.

use crate::auth::principal::CAMPAIGN_READERS;
use crate::auth::Principal;
use crate::campaign::operator::{self as op, TenantRatesView};
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use waihu_core::{Role, TenantId};
use waihu_store::DashboardFigures;

/// Today's figures of a tenant.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardDto {
    /// Start of the day counted (UTC midnight).
    pub day_start: DateTime<Utc>,
    /// Dialled calls ended today.
    pub calls: i64,
    /// Of those, answered.
    pub answered: i64,
    /// `answered / calls` (0 without calls).
    pub answer_rate: f64,
    /// Calls in flight now.
    pub live_calls: i64,
    /// Calls by grade `A`..`F`.
    pub grades: BTreeMap<String, i64>,
    /// Gate refusals today.
    pub refused: i64,
    /// Refusals by refusing rule.
    pub refusals_by_reason: BTreeMap<String, i64>,
}

/// The UTC day containing `now`: `[midnight, midnight + 1 day)`.
pub fn today(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc())
        .unwrap_or(now);
    (start, start + Duration::days(1))
}

/// The tenant's figures of the current UTC day.
pub async fn figures(state: &AppState, tenant: TenantId) -> AppResult<DashboardDto> {
    let (from, to) = today(state.clock.now());
    let f: DashboardFigures = state.store.dashboard_figures(tenant, from, to).await?;
    Ok(DashboardDto {
        day_start: from,
        calls: f.attempts,
        answered: f.answered,
        answer_rate: if f.attempts > 0 {
            f.answered as f64 / f.attempts as f64
        } else {
            0.0
        },
        live_calls: f.live,
        grades: f.grades,
        refused: f.refused,
        refusals_by_reason: f.refusals_by_rule,
    })
}

/// Today's figures of the caller's tenant.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "dashboard",
    responses((status = 200, body = DashboardDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get(State(state): State<AppState>, who: Principal) -> AppResult<Json<DashboardDto>> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    Ok(Json(figures(&state, t).await?))
}

/// Every tenant's rates over the last 30 days (operator).
#[utoipa::path(get, path = "/api/v1/rates", tag = "platform",
    responses((status = 200, body = Vec<TenantRatesView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("session" = [])))]
pub async fn rates(
    State(state): State<AppState>,
    who: Principal,
) -> AppResult<Json<Vec<TenantRatesView>>> {
    who.require(&[Role::Operator])?;
    Ok(Json(op::rates(&state, state.clock.now()).await?))
}

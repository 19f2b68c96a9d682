//! `GET /api/v1/live`: the calls in progress in the caller's scope (JSON).

use super::{scope_of, LiveCall};
use crate::auth::Principal;
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// The calls in progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct LiveCallsDto {
    /// Whether this server dials (only then are there live calls to show).
    pub enabled: bool,
    /// Calls in progress, oldest first, with their last transcript lines.
    pub calls: Vec<LiveCall>,
}

/// The calls in progress (a tenant's own; the operator's session: all tenants).
#[utoipa::path(get, path = "/api/v1/live", tag = "calls",
    responses((status = 200, body = LiveCallsDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn current(
    State(state): State<AppState>,
    who: Principal,
) -> AppResult<Json<LiveCallsDto>> {
    let scope = scope_of(&who)?;
    Ok(Json(match &state.live {
        Some(hub) => LiveCallsDto {
            enabled: true,
            calls: hub.current(scope),
        },
        None => LiveCallsDto {
            enabled: false,
            calls: Vec::new(),
        },
    }))
}

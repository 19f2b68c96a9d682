//! The audit log: the tenant's entries (admin, auditor, API token) or the
//! platform's (operator), filtered and paged; and chain verification.

use super::dto::{AuditDto, ChainResult, Page};
use super::PageQuery;
use crate::auth::Principal;
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

/// Filter and paging.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Action prefix, e.g. `auth.`.
    pub action: Option<String>,
    /// Substring of the actor.
    pub actor: Option<String>,
    /// Items per page, 1-200 (default 50).
    pub limit: Option<usize>,
    /// Items to skip.
    pub offset: Option<usize>,
}

/// Audit entries, newest first, filtered over the whole log.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Page<AuditDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
    Query(q): Query<AuditQuery>,
) -> AppResult<Json<Page<AuditDto>>> {
    let (limit, offset) = PageQuery {
        limit: q.limit,
        offset: q.offset,
    }
    .checked()?;
    let (entries, total) = crate::pages::audit::visible(
        &state,
        &who,
        q.action.as_deref(),
        q.actor.as_deref(),
        offset,
        limit,
    )
    .await?;
    let items: Vec<AuditDto> = entries.into_iter().map(AuditDto::from).collect();
    let next_offset = (offset + items.len() < total).then_some(offset + items.len());
    Ok(Json(Page {
        items,
        total,
        limit,
        offset,
        next_offset,
    }))
}

/// Walks the whole chain. The operator gets the platform's count and head; a
/// tenant gets only its own entries' count and whether the chain is intact.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, body = ChainResult), (status = 403, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn verify(State(state): State<AppState>, who: Principal) -> AppResult<Json<ChainResult>> {
    Ok(Json(
        crate::pages::audit::verified(&state, &who).await?.into(),
    ))
}

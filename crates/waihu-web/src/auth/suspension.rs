//! Suspension: a suspended tenant's people and API tokens may still sign in, read
//! and export their own data, and nothing else. This middleware is the one place
//! that enforces it: installed with `route_layer` on the JSON API and the page
//! routers, it refuses every state-changing request (any method but GET, HEAD and
//! OPTIONS) whose caller belongs to a suspended tenant with 403 `tenant_suspended`,
//! except the few routes in [`ALLOWED_WHEN_SUSPENDED`] that change nothing of the
//! tenant's (signing in and out, look-ups sent as POST). Deny by default: a new
//! route is refused without anyone remembering to say so.

use super::session;
use crate::error::{AppError, ErrorCode};
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use waihu_store::TenantStatus;

/// State-changing routes (by matched path) a suspended tenant's caller may still
/// use: they sign in or out, or only read (a do-not-call look-up, the script
/// simulator, a preview of phrases taught to a script).
pub const ALLOWED_WHEN_SUSPENDED: &[&str] = &[
    "/login",
    "/logout",
    "/dnc/check",
    "/api/v1/dnc/check",
    "/script-versions/{id}/chat",
    "/api/v1/script-versions/{id}/chat",
    "/insight/tasks/{id}/unknown/teach",
    "/api/v1/insight/tasks/{id}/unknown/teach",
];

/// The refusal: HTTP 403 with the stable code `tenant_suspended`.
pub fn refused() -> AppError {
    AppError::new(
        ErrorCode::TenantSuspended,
        "the tenant is suspended: it can sign in, read and export, nothing else",
    )
    .localised(Msg::ErrTenantSuspendedHint)
}

/// The middleware (see the module documentation).
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !super::csrf::is_unsafe(req.method()) {
        return next.run(req).await;
    }
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    if ALLOWED_WHEN_SUSPENDED.contains(&path.as_str()) {
        return next.run(req).await;
    }
    match caller_suspended(&state, req.headers()).await {
        Ok(false) => next.run(req).await,
        Ok(true) => refused().into_response(),
        // A bad credential is the handler's to refuse (the same 401 as always).
        Err(e) if e.code == ErrorCode::Unauthorized => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

/// Whether the request's caller (bearer token first, else session cookie) belongs
/// to a suspended tenant. Anonymous callers and operators are not suspended.
async fn caller_suspended(state: &AppState, headers: &HeaderMap) -> Result<bool, AppError> {
    let who = match session::from_bearer(state, headers).await? {
        Some(p) => Some(p),
        None => session::from_cookie(state, headers).await?,
    };
    let Some(tenant) = who.and_then(|p| p.tenant_id) else {
        return Ok(false);
    };
    Ok(state
        .store
        .get_tenant(tenant)
        .await?
        .is_none_or(|t| t.status == TenantStatus::Suspended))
}

//! Resolving the caller from a request: the session cookie (browser) or a bearer
//! API token (JSON API), and creating and ending sessions.

use super::cookies::{self, SESSION_COOKIE};
use super::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::http::header::AUTHORIZATION;
use axum::http::HeaderMap;
use waihu_store::password::{random_secret, token_hash};
use waihu_store::{NewSession, User};

/// The caller's session from the cookie, if it is valid now.
pub async fn from_cookie(state: &AppState, headers: &HeaderMap) -> AppResult<Option<Principal>> {
    let Some(token) = cookies::get(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let now = state.clock.now();
    Ok(state
        .store
        .find_session(&token_hash(&token), now)
        .await?
        .map(|(session, user)| Principal::from_session(user, session)))
}

/// The caller's API token from `Authorization: Bearer`, if one is presented.
/// A presented but unknown or revoked token is an error, not "anonymous".
pub async fn from_bearer(state: &AppState, headers: &HeaderMap) -> AppResult<Option<Principal>> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let secret = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            AppError::new(
                crate::error::ErrorCode::Unauthorized,
                "expected Authorization: Bearer <token>",
            )
        })?;
    match state.store.authenticate_api_token(secret).await? {
        Some(token) => Ok(Some(Principal::from_token(token))),
        None => Err(AppError::new(
            crate::error::ErrorCode::Unauthorized,
            "unknown or revoked API token",
        )),
    }
}

/// A new session for `user`: returns the browser's token (for the cookie).
pub async fn create(state: &AppState, user: &User) -> AppResult<String> {
    let token = random_secret(43);
    let now = state.clock.now();
    state
        .store
        .create_session(&NewSession {
            token_hash: token_hash(&token),
            user_id: user.id,
            csrf_token: random_secret(32),
            created_at: now,
            expires_at: now + state.config.session_ttl,
        })
        .await?;
    // Housekeeping at login time keeps the table small without a background job.
    if let Err(e) = state.store.delete_expired_sessions(now).await {
        tracing::warn!(error = %e, "could not purge expired sessions");
    }
    Ok(token)
}

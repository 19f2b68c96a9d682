//! The signed-in user's own account: changing one's password (session only: an
//! API token has no user). Other sessions of the user end; this one stays.

use super::ApiJson;
use crate::auth::Principal;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use waihu_store::password::verify_password;

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnPasswordReq {
    /// The current password.
    pub current: String,
    /// The new one (12-128 characters, not a common password, not containing the
    /// username or the tenant's name).
    pub new: String,
}

/// Changes the signed-in user's password (audited); other sessions end.
#[utoipa::path(post, path = "/api/v1/account/password", tag = "users", request_body = OwnPasswordReq,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn change_password(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(req): ApiJson<OwnPasswordReq>,
) -> AppResult<StatusCode> {
    let (Some(user), Some(session)) = (who.user().cloned(), who.session().cloned()) else {
        return Err(AppError::unauthorized());
    };
    let phc = user.password_hash.clone();
    let current = req.current;
    let ok = tokio::task::spawn_blocking(move || verify_password(&current, &phc))
        .await
        .map_err(AppError::internal)?;
    if !ok {
        return Err(AppError::invalid(
            "current",
            "the current password is wrong",
        ));
    }
    state
        .store
        .change_own_password(&user, &req.new, &session.token_hash, &who.actor)
        .await
        .map_err(|e| AppError::from(e).with_field("new"))?;
    Ok(StatusCode::NO_CONTENT)
}

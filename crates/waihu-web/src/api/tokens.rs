//! A tenant's API tokens: the secret is in the creation answer only.

use super::dto::{CreateTokenReq, CreatedToken, Page, TokenDto};
use super::{page, parse_id, ApiJson, PageQuery};
use crate::auth::principal::{TENANT_ADMINS, TENANT_READERS};
use crate::auth::Principal;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use waihu_core::ids::ApiTokenId;

/// The tenant's tokens (without secrets).
#[utoipa::path(get, path = "/api/v1/api-tokens", tag = "api-tokens", params(PageQuery),
    responses((status = 200, body = Page<TokenDto>), (status = 401, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<Page<TokenDto>>> {
    let t = who.tenant_for(TENANT_READERS)?;
    Ok(Json(page(
        state.store.list_api_tokens(t).await?,
        &q,
        TokenDto::from,
    )?))
}

/// Creates a token; its secret is returned this once.
#[utoipa::path(post, path = "/api/v1/api-tokens", tag = "api-tokens", request_body = CreateTokenReq,
    responses((status = 201, body = CreatedToken), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn create(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(req): ApiJson<CreateTokenReq>,
) -> AppResult<(StatusCode, Json<CreatedToken>)> {
    let t = who.tenant_for(TENANT_ADMINS)?;
    let (token, secret) = state
        .store
        .create_api_token(t, &req.name, &who.actor)
        .await
        .map_err(|e| AppError::from(e).with_field("name"))?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token: token.into(),
            secret,
        }),
    ))
}

/// Revokes one of the tenant's tokens.
#[utoipa::path(delete, path = "/api/v1/api-tokens/{id}", tag = "api-tokens", params(("id" = Uuid, Path, description = "token id")),
    responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn revoke(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let t = who.tenant_for(TENANT_ADMINS)?;
    let id: ApiTokenId = parse_id(&id, "api token")?;
    state.store.revoke_api_token(t, id, &who.actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

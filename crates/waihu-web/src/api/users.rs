//! A tenant's users. Admins (and admin-rights API tokens) change them, auditors
//! read them; another tenant's user is 404.

use super::dto::{CreateUserReq, Page, UserDto};
use super::{page, parse_id, ApiJson, PageQuery};
use crate::auth::principal::{TENANT_ADMINS, TENANT_READERS};
use crate::auth::Principal;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use waihu_core::{Role, TenantId, UserId};

/// The login name of an account a tenant's admin creates: the name typed, then
/// `@` and the tenant's name (`carl@acme`). Each tenant thus has a namespace of
/// its own, so that "already taken" can only ever name one of the tenant's own
/// users, never reveal another tenant's. The typed name may not hold `@` itself.
pub async fn tenant_login_name(
    state: &AppState,
    tenant: TenantId,
    typed: &str,
) -> AppResult<String> {
    let typed = typed.trim();
    if typed.contains('@') {
        return Err(AppError::invalid(
            "username",
            "the username may not contain '@': the platform adds @ and the tenant's name",
        ));
    }
    let t = state
        .store
        .get_tenant(tenant)
        .await?
        .ok_or_else(|| AppError::not_found("tenant"))?;
    Ok(format!("{typed}@{}", t.name))
}

/// Creates a user in `tenant` after checking the role name and the fields.
pub async fn create_in(
    state: &AppState,
    who: &Principal,
    tenant: TenantId,
    req: CreateUserReq,
) -> AppResult<(StatusCode, Json<UserDto>)> {
    let role = match req.role.parse::<Role>() {
        Ok(r) if r.is_tenant_role() => r,
        _ => {
            return Err(AppError::invalid(
                "role",
                "role must be admin, agent or auditor",
            ))
        }
    };
    let u = state
        .store
        .create_user(
            Some(tenant),
            req.username.trim(),
            &req.password,
            role,
            &who.actor,
        )
        .await
        .map_err(|e| {
            let e = AppError::from(e);
            // The store's messages name the field; tell API clients which one.
            match (&e.code, e.message.as_str()) {
                (crate::error::ErrorCode::Invalid, m) if m.contains("password") => {
                    e.with_field("password")
                }
                (crate::error::ErrorCode::Invalid | crate::error::ErrorCode::Conflict, _) => {
                    e.with_field("username")
                }
                _ => e,
            }
        })?;
    Ok((StatusCode::CREATED, Json(u.into())))
}

/// The tenant's users.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(PageQuery),
    responses((status = 200, body = Page<UserDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<Page<UserDto>>> {
    let t = who.tenant_for(TENANT_READERS)?;
    Ok(Json(page(
        state.store.list_users(t).await?,
        &q,
        UserDto::from,
    )?))
}

/// Creates a user in the tenant. Its login name is the name given followed by
/// `@` and the tenant's name (`carl@acme`), so names never clash with — or
/// reveal — another tenant's.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUserReq,
    responses((status = 201, body = UserDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(mut req): ApiJson<CreateUserReq>,
) -> AppResult<(StatusCode, Json<UserDto>)> {
    let t = who.tenant_for(TENANT_ADMINS)?;
    req.username = tenant_login_name(&state, t, &req.username).await?;
    create_in(&state, &who, t, req).await
}

/// One of the tenant's users.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = Uuid, Path, description = "user id")),
    responses((status = 200, body = UserDto), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn get(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<UserDto>> {
    let t = who.tenant_for(TENANT_READERS)?;
    let id: UserId = parse_id(&id, "user")?;
    let u = state
        .store
        .get_user(t, id)
        .await?
        .ok_or_else(|| AppError::not_found("user"))?;
    Ok(Json(u.into()))
}

/// Deletes one of the tenant's users (not oneself).
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users", params(("id" = Uuid, Path, description = "user id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let t = who.tenant_for(TENANT_ADMINS)?;
    let id: UserId = parse_id(&id, "user")?;
    if who.user().is_some_and(|me| me.id == id) {
        return Err(AppError::invalid(
            "id",
            "you cannot delete your own account",
        ));
    }
    state.store.delete_user(t, id, &who.actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets a new password for one of the tenant's users (not oneself); the user's
/// sessions end.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", params(("id" = Uuid, Path, description = "user id")),
    request_body = super::dto::PasswordReq,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn set_password(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<super::dto::PasswordReq>,
) -> AppResult<StatusCode> {
    let t = who.tenant_for(TENANT_ADMINS)?;
    let id: UserId = parse_id(&id, "user")?;
    crate::pages::users::reset_in(&state, &who, t, id, &req.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! The JSON API under `/api/v1`. Tenant routes authenticate with a tenant API
//! token (`Authorization: Bearer wh_…`, acting as the tenant's admin); the
//! operator's platform routes (and any route, for a logged-in browser) accept the
//! back-office session cookie, with the session's anti-CSRF token in
//! `X-CSRF-Token` on state-changing calls. Errors are always
//! `{"error":{"code","message","field"}}`; lists are paged with `limit`/`offset`.
//! The OpenAPI 3 document at `/api/v1/openapi.json` is generated from this code.

pub mod account;
pub mod audit;
pub mod caller_numbers;
pub mod calls;
pub mod campaign_dto;
pub mod complaints;
pub mod contact_import;
pub mod contacts;
pub mod dashboard;
pub mod dnc;
pub mod dto;
pub mod leads;
pub mod openapi;
pub mod prompts;
pub mod script_chat;
pub mod scripts;
pub mod settings;
pub mod tasks;
pub mod tenants;
pub mod tokens;
pub mod trunks;
pub mod users;

use crate::auth::{csrf, session, Principal};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use utoipa::IntoParams;

/// The `/api/v1` routes (relative to the prefix).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/me", get(dto::me))
        .route("/tenants", get(tenants::list).post(tenants::create))
        .route("/tenants/{id}", get(tenants::get))
        .route("/tenants/{id}/suspend", post(tenants::suspend))
        .route("/tenants/{id}/resume", post(tenants::resume))
        .route("/tenants/{id}/quota", post(tenants::set_quota))
        .route("/account/password", post(account::change_password))
        .route(
            "/tenants/{id}/users",
            get(tenants::list_users).post(tenants::create_user),
        )
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", get(users::get).delete(users::delete))
        .route("/users/{id}/password", post(users::set_password))
        .route("/api-tokens", get(tokens::list).post(tokens::create))
        .route("/api-tokens/{id}", axum::routing::delete(tokens::revoke))
        .route("/contact-lists", get(contacts::list))
        .route(
            "/contact-lists/import",
            post(contact_import::import).layer(axum::extract::DefaultBodyLimit::max(
                crate::contacts::import::MAX_BODY,
            )),
        )
        .route("/contact-lists/{id}", get(contacts::get))
        .route("/contact-lists/{id}/contacts", get(contacts::contacts))
        .route("/dnc", get(dnc::summary).post(dnc::add).delete(dnc::remove))
        .route("/dnc/check", post(dnc::check))
        .route("/scripts", get(scripts::list).post(scripts::upload))
        .route("/scripts/{id}/versions", get(scripts::versions))
        .route("/script-versions/{id}", get(scripts::version))
        .route("/script-versions/{id}/publish", post(scripts::publish))
        .route("/script-versions/{id}/chat", post(script_chat::chat))
        .route("/tasks", get(tasks::list).post(tasks::create))
        .route("/tasks/{id}", get(tasks::get))
        .route("/tasks/{id}/counts", get(tasks::counts))
        .route("/tasks/{id}/start", post(tasks::start))
        .route("/tasks/{id}/pause", post(tasks::pause))
        .route("/tasks/{id}/resume", post(tasks::resume))
        .route("/tasks/{id}/stop", post(tasks::stop))
        .route("/calls", get(calls::list))
        .route("/calls/{id}", get(calls::get))
        .route("/calls/{id}/recording", get(calls::recording))
        .route("/live", get(crate::live::api::current))
        .route("/leads", get(leads::list))
        .route("/leads/{id}", get(leads::get))
        .route("/leads/{id}/grade", post(leads::regrade))
        .route("/leads/{id}/status", post(leads::set_status))
        .route("/dead-letters", get(leads::dead_letters))
        .route("/dead-letters/{id}/retry", post(leads::retry))
        .route("/dashboard", get(dashboard::get))
        .route("/rates", get(dashboard::rates))
        .route("/settings", get(settings::get))
        .route(
            "/push-targets",
            get(settings::list_push_targets).post(settings::add_push_target),
        )
        .route("/push-targets/{id}/enabled", post(settings::set_enabled))
        .route("/trunks", get(trunks::list).post(trunks::add))
        .route(
            "/prompts",
            get(prompts::list)
                .post(prompts::upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::campaign::prompts::MAX_UPLOAD + 1,
                )),
        )
        .route("/prompts/{id}/audio", get(prompts::audio))
        .route(
            "/caller-numbers",
            get(caller_numbers::list).post(caller_numbers::register),
        )
        .route("/caller-numbers/verify", post(caller_numbers::verify))
        .route("/caller-numbers/assign", post(caller_numbers::assign))
        .route("/audit", get(audit::list))
        .route("/audit/verify", get(audit::verify))
        .route("/complaints", get(complaints::list))
        .route("/complaints/{id}", get(complaints::get))
        .route("/complaints/{id}/ack", post(complaints::ack))
        .route("/complaints/{id}/answer", post(complaints::answer))
        .route("/complaints/{id}/close", post(complaints::close))
        .route(
            "/retention",
            get(complaints::get_retention).put(complaints::put_retention),
        )
        .route(
            "/rights-settings",
            get(complaints::get_rights_settings).put(complaints::put_rights_settings),
        )
        .merge(crate::insight::api_routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn method_not_allowed() -> AppError {
    AppError::new(
        ErrorCode::MethodNotAllowed,
        "this route does not take this method",
    )
}

async fn not_found() -> AppError {
    AppError::new(ErrorCode::NotFound, "no such API route")
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(p) = session::from_bearer(state, &parts.headers).await? {
            return Ok(p);
        }
        let p = session::from_cookie(state, &parts.headers)
            .await?
            .ok_or_else(AppError::unauthorized)?;
        if csrf::is_unsafe(&parts.method) {
            csrf::check_header(&parts.headers, p.csrf())?;
        }
        Ok(p)
    }
}

/// A JSON body whose errors are API errors (with the field at fault when serde
/// names one).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(axum::extract::rejection::JsonRejection::JsonDataError(e)) => {
                let text = e.body_text();
                let mut err = AppError::new(ErrorCode::Invalid, text.clone());
                if let Some(field) = text.split('`').nth(1) {
                    err = err.with_field(field);
                }
                Err(err)
            }
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(crate::body_limit::too_large(crate::body_limit::JSON_MAX))
            }
            Err(e) => Err(AppError::new(ErrorCode::BadRequest, e.body_text())),
        }
    }
}

/// Paging of list endpoints.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1-200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
    /// Items to skip (default 0).
    pub offset: Option<usize>,
}

impl PageQuery {
    /// Checked limit and offset.
    pub fn checked(&self) -> AppResult<(usize, usize)> {
        let limit = self.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(AppError::invalid(
                "limit",
                "limit must be between 1 and 200",
            ));
        }
        Ok((limit, self.offset.unwrap_or(0)))
    }
}

/// One page of `items`.
pub fn page<T, D>(items: Vec<T>, q: &PageQuery, map: impl Fn(T) -> D) -> AppResult<dto::Page<D>> {
    let (limit, offset) = q.checked()?;
    let total = items.len();
    let items: Vec<D> = items
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(map)
        .collect();
    let next_offset = (offset + items.len() < total).then_some(offset + items.len());
    Ok(dto::Page {
        items,
        total,
        limit,
        offset,
        next_offset,
    })
}

pub use crate::error::parse_id;

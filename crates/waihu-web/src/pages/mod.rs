//! The server-rendered back office (maud templates compiled into the binary).
//! Each page is one file; the frame (`layout`) draws the navigation (`nav`) for
//! the caller's role. A page handler takes [`PageCtx`] (the logged-in caller and
//! the language), returns `AppResult<Response>`, and lets errors propagate: the
//! [`error_pages`] middleware turns them into a localised page (or a redirect to
//! the login page). New areas (scripts, contacts, tasks, calls, leads) add a file
//! here, a route in [`routes`] and an entry in `nav::NAV`.

pub mod account;
pub mod audit;
pub mod calls;
pub mod complaints;
pub mod contact_import;
pub mod contacts;
pub mod dashboard;
pub mod dead_letters;
pub mod dnc;
pub mod layout;
pub mod leads;
pub mod login;
pub mod nav;
pub mod operator;
pub mod prompts;
pub mod retention;
pub mod script_tools;
pub mod scripts;
pub mod settings;
pub mod task_new;
pub mod tasks;
pub mod tenants;
pub mod tokens;
pub mod trunks;
pub mod users;

use crate::auth::{csrf, session, Principal};
use crate::error::{AppError, ErrorCode};
use crate::i18n::{Lang, Msg};
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use maud::{html, Markup};
use serde::de::DeserializeOwned;
use waihu_core::Role;

/// The page routes, with the CSRF guard and HTML error rendering.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::page))
        .route("/login", get(login::page).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/tenants", get(tenants::list).post(tenants::create))
        .route("/tenants/{id}", get(tenants::detail))
        .route("/tenants/{id}/status", post(tenants::set_status))
        .route("/tenants/{id}/quota", post(tenants::set_quota))
        .route("/tenants/{id}/users", post(tenants::create_user))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", get(users::detail))
        .route("/users/{id}/delete", post(users::delete))
        .route("/users/{id}/password", post(users::reset_password))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{id}/revoke", post(tokens::revoke))
        .route("/contacts", get(contacts::lists))
        .route(
            "/contacts/import",
            get(contact_import::back)
                .post(contact_import::submit)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::contacts::import::MAX_BODY,
                )),
        )
        .route("/contacts/{id}", get(contacts::detail))
        .route("/dnc", get(dnc::page).post(dnc::add))
        .route("/dnc/check", get(dnc::back).post(dnc::check))
        .route("/dnc/remove", get(dnc::back).post(dnc::remove))
        .route("/scripts", get(scripts::list).post(scripts::upload))
        .route("/scripts/{id}", get(scripts::detail))
        .route("/script-versions/{id}", get(scripts::version))
        .route("/script-versions/{id}/publish", post(scripts::publish))
        .route("/script-versions/{id}/chat", post(script_tools::chat))
        .route("/tasks", get(tasks::list).post(task_new::create))
        .route("/tasks/new", get(task_new::page))
        .route("/tasks/{id}", get(tasks::detail))
        .route("/tasks/{id}/{action}", post(tasks::act))
        .route("/calls", get(calls::list))
        .route("/calls/{id}", get(calls::detail))
        .route("/calls/{id}/recording", get(calls::recording))
        .route("/live", get(crate::live::page::page))
        .route("/live/events", get(crate::live::sse::events))
        .route("/leads", get(leads::list))
        .route("/leads/{id}/grade", post(leads::regrade))
        .route("/leads/{id}/status", post(leads::set_status))
        .route("/dead-letters", get(dead_letters::list))
        .route("/dead-letters/{id}/retry", post(dead_letters::retry))
        .route("/prompts", get(prompts::list))
        .route("/prompts/{id}/audio", get(prompts::audio))
        .route("/settings", get(settings::page))
        .route("/settings/push-targets", post(settings::add_push_target))
        .route(
            "/settings/push-targets/{id}/enabled",
            post(settings::set_enabled),
        )
        .route("/trunks", get(trunks::list).post(trunks::add))
        .route(
            "/caller-numbers",
            get(operator::numbers).post(operator::register),
        )
        .route("/caller-numbers/{action}", post(operator::act))
        .route("/rates", get(operator::rates))
        .route("/rates/settings", post(retention::set_platform))
        .route("/complaints", get(complaints::list))
        .route("/complaints/{id}", get(complaints::detail))
        .route("/complaints/{id}/ack", post(complaints::ack))
        .route("/complaints/{id}/answer", post(complaints::answer))
        .route("/complaints/{id}/close", post(complaints::close))
        .route("/settings/retention", post(retention::set))
        .route("/audit", get(audit::list))
        .route("/audit/verify", get(audit::verify))
        .route(
            "/account/password",
            get(account::page).post(account::submit),
        )
        .merge(crate::insight::page_routes())
        .fallback(|| async { AppError::not_found("page") })
        .route_layer(from_fn_with_state(
            state.clone(),
            crate::auth::suspension::guard,
        ))
        .layer(from_fn_with_state(state, csrf::guard))
        .layer(from_fn(error_pages))
}

/// The caller of a page: logged in (else the request is redirected to the login
/// page), with the language of the request.
pub struct PageCtx {
    /// Who is asking.
    pub who: Principal,
    /// The UI language.
    pub lang: Lang,
    /// The request path (for the navigation's active entry).
    pub path: String,
}

impl PageCtx {
    /// Shorthand for a translated string.
    pub fn t(&self, m: Msg) -> &'static str {
        m.t(self.lang)
    }
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let lang = parts.extensions.get::<Lang>().copied().unwrap_or_default();
        let who = session::from_cookie(state, &parts.headers)
            .await?
            .ok_or_else(AppError::unauthorized)?;
        Ok(Self {
            who,
            lang,
            path: parts.uri.path().to_string(),
        })
    }
}

/// A form body; a malformed one is a 400 error page, not axum's plain text.
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequest<S> for PageForm<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        axum::Form::<T>::from_request(req, state)
            .await
            .map(|f| PageForm(f.0))
            .map_err(|e| AppError::new(ErrorCode::BadRequest, e.body_text()))
    }
}

/// Turns an [`AppError`] from a page handler into HTML: a redirect to the login
/// page for 401, a localised error page otherwise.
pub async fn error_pages(req: Request, next: Next) -> Response {
    let lang = req.extensions().get::<Lang>().copied().unwrap_or_default();
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    let Some(err) = resp.extensions().get::<AppError>().cloned() else {
        return resp;
    };
    if err.code == ErrorCode::Unauthorized {
        let target = if path == "/" || path.starts_with("/login") || path == "/logout" {
            "/login".to_string()
        } else {
            format!("/login?next={}", urlencode(&path))
        };
        return Redirect::to(&target).into_response();
    }
    let title = match err.code {
        ErrorCode::Unauthorized => Msg::ErrUnauthorized,
        ErrorCode::Forbidden => Msg::ErrForbidden,
        ErrorCode::CsrfFailed => Msg::ErrCsrf,
        ErrorCode::NotFound => Msg::ErrNotFound,
        ErrorCode::Conflict => Msg::ErrConflict,
        ErrorCode::Invalid => Msg::ErrInvalid,
        ErrorCode::BadRequest | ErrorCode::MethodNotAllowed | ErrorCode::PayloadTooLarge => {
            Msg::ErrBadRequest
        }
        ErrorCode::LockedOut => Msg::ErrLockedOut,
        ErrorCode::TenantSuspended => Msg::ErrTenantSuspended,
        ErrorCode::Internal => Msg::ErrInternal,
    };
    let body = html! {
        div.card.login {
            h2 { (err.code.status().as_u16()) " · " (title.t(lang)) }
            @if let Some(local) = err.local { p.hint { (local.t(lang)) } }
            @else if err.code != ErrorCode::Internal { p.hint { (err.message) } }
            p { a.btn.secondary href="/" { (Msg::BackToDashboard.t(lang)) } }
        }
    };
    (err.code.status(), layout::bare(lang, title.t(lang), body)).into_response()
}

/// Percent-encodes a path for a query value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A local redirect target: an absolute path on this site, else `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

/// 303 See Other to `to` after a successful form.
pub fn see_other(to: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(axum::http::header::LOCATION, to.to_string())],
    )
        .into_response()
}

/// The hidden anti-CSRF field of a form.
pub fn csrf_field(ctx: &PageCtx) -> Markup {
    html! { input type="hidden" name=(csrf::FIELD) value=(ctx.who.csrf()); }
}

/// Times as shown in tables (UTC).
pub fn fmt_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A role's name in the UI.
pub fn role_label(role: Role) -> Msg {
    match role {
        Role::Operator => Msg::RoleOperator,
        Role::Admin => Msg::RoleAdmin,
        Role::Agent => Msg::RoleAgent,
        Role::Auditor => Msg::RoleAuditor,
    }
}

/// The success notice shown after a redirect with `?done=1`.
pub fn done_notice(ctx: &PageCtx, done: bool) -> Markup {
    html! { @if done { div.notice.ok data-autohide { (ctx.t(Msg::Done)) } } }
}

pub use crate::error::parse_id;

/// `?done=` on list pages.
#[derive(Debug, Default, serde::Deserialize)]
pub struct DoneQuery {
    /// Set after a successful change.
    pub done: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_redirect_targets() {
        assert_eq!(safe_next(Some("/users?x=1")), "/users?x=1");
        for evil in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "users",
        ] {
            assert_eq!(safe_next(Some(evil)), "/", "{evil}");
        }
        assert_eq!(safe_next(None), "/");
        assert_eq!(urlencode("/a b?c"), "/a%20b%3Fc");
    }
}

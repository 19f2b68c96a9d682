//! The public pages for callees (docs/public-pages.md): no login, zh-CN first
//! and English, small enough for a phone, no tracking and no inline script.
//! A callee proves control of a number with a one-time code delivered by a
//! [`CodeSender`] (a call that reads the code out), then may opt out of one
//! business or all of them, file a complaint, see the data held about the
//! number, or have it erased. Every form is CSRF-protected (double-submit
//! cookie), bounded in size and rate-limited per client address — the address
//! of the connection, never a header a client could forge.

pub mod codes;
mod complaint;
mod data;
mod frame;
pub mod limit;
mod optout;
pub mod recording;
pub mod session;
pub mod state;
mod verify;

pub use state::Public;
pub use waihu_app::verify::{CodeSender, SendError};

use crate::auth::cookies;
use crate::auth::csrf;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::{Lang, Msg};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;
use std::net::{IpAddr, SocketAddr};
use waihu_compliance::pii::mask;
use waihu_contacts::phone::Normaliser;

/// The anti-CSRF cookie of the public pages (double submit).
pub const CSRF_COOKIE: &str = "waihu_pub_csrf";
/// Largest form body accepted (a complaint's text included).
pub const MAX_FORM_BYTES: usize = 16 * 1024;

/// The public routes, under `/p`.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/p", get(verify::index))
        .route("/p/code", post(verify::request_code))
        .route("/p/verify", get(verify::code_page).post(verify::check_code))
        .route("/p/me", get(verify::me))
        .route("/p/logout", post(verify::logout))
        .route("/p/optout", post(optout::submit))
        .route("/p/complaint", post(complaint::submit))
        .route("/p/data", get(data::page))
        .route("/p/erase", post(data::erase))
        .route("/p/recording", get(recording::serve))
        .layer(from_fn(frame::error_pages))
        .layer(from_fn_with_state(state, csrf_cookie))
}

/// The anti-CSRF token of this browser (from its cookie, or new).
#[derive(Debug, Clone)]
struct CsrfToken(String);

/// Gives every browser an anti-CSRF cookie on its first visit.
async fn csrf_cookie(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let existing = cookies::get(req.headers(), CSRF_COOKIE);
    let token = existing
        .clone()
        .unwrap_or_else(|| waihu_store::password::random_secret(24));
    let secure = cookies::secure(&state, req.headers());
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let mut resp = next.run(req).await;
    if existing.is_none() {
        if let Ok(v) = cookies::set(CSRF_COOKIE, &token, 3600 * 12, secure).parse() {
            resp.headers_mut().append(SET_COOKIE, v);
        }
    }
    resp
}

/// The caller of a public page: language, client address, anti-CSRF token.
pub struct PubCtx {
    /// UI language.
    pub lang: Lang,
    /// The client's address: the connection's peer, or the address a trusted
    /// proxy forwarded for (absent only in in-process tests).
    pub ip: Option<IpAddr>,
    /// The token forms carry.
    pub csrf: String,
    /// The request headers (cookies).
    pub headers: axum::http::HeaderMap,
}

impl PubCtx {
    /// The rate-limit key of the client address.
    pub fn addr_key(&self) -> String {
        match self.ip {
            Some(ip) => format!("pubip:{ip}"),
            None => "pubip:unknown".into(),
        }
    }
}

impl FromRequestParts<AppState> for PubCtx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let lang = parts.extensions.get::<Lang>().copied().unwrap_or_default();
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| a.ip());
        let ip = state.config.trusted_proxies.client_ip(peer, &parts.headers);
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        Ok(Self {
            lang,
            ip,
            csrf,
            headers: parts.headers.clone(),
        })
    }
}

/// A public form: at most [`MAX_FORM_BYTES`], carrying the browser's anti-CSRF
/// token, counted against the address's post limit, then decoded.
pub struct PubForm<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for PubForm<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        let (mut parts, body) = req.into_parts();
        let ctx = PubCtx::from_request_parts(&mut parts, state).await?;
        if !state
            .public
            .limits
            .posts_by_address
            .hit(&ctx.addr_key(), state.clock.now())
        {
            return Err(AppError::new(
                ErrorCode::LockedOut,
                "too many requests from your address; try again in 10 minutes",
            )
            .localised(Msg::PubErrPostsPerAddress));
        }
        let bytes: Bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| {
                AppError::new(
                    ErrorCode::BadRequest,
                    format!("the form is larger than {} KiB", MAX_FORM_BYTES / 1024),
                )
                .localised(Msg::PubErrFormTooLarge)
            })?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            AppError::new(ErrorCode::BadRequest, format!("unreadable form: {e}"))
                .localised(Msg::PubErrBadForm)
        })?;
        let given = fields
            .iter()
            .find(|(k, _)| k == csrf::FIELD)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        let expected = cookies::get(&parts.headers, CSRF_COOKIE).unwrap_or_default();
        if !csrf::matches(&expected, given) {
            return Err(AppError::new(
                ErrorCode::CsrfFailed,
                "missing or wrong anti-CSRF token",
            ));
        }
        serde_urlencoded::from_bytes::<T>(&bytes)
            .map(PubForm)
            .map_err(|e| {
                AppError::new(ErrorCode::BadRequest, format!("unreadable form: {e}"))
                    .localised(Msg::PubErrBadForm)
            })
    }
}

/// A number typed on a public page: E.164 (default region CN), hashed and masked.
pub struct Typed {
    /// E.164 (only to hand to the code sender; never stored or shown).
    pub e164: String,
    /// The number's keyed hash and masked form.
    pub target: codes::Target,
}

/// Parses a typed number from field `field`.
pub fn parse_number(state: &AppState, raw: &str, field: &str) -> AppResult<Typed> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(AppError::invalid(field, "a phone number is required")
            .localised(Msg::PubErrNumberRequired));
    }
    if raw.len() > 32 {
        return Err(AppError::invalid(field, "not a valid phone number")
            .localised(Msg::PubErrNumberInvalid));
    }
    let key = state
        .phone_key
        .as_ref()
        .ok_or_else(crate::numbers::keys_missing)?;
    let e164 = Normaliser::new(phonenumber::country::Id::CN)
        .normalise(raw)
        .map_err(|_| {
            AppError::invalid(field, "not a valid phone number").localised(Msg::PubErrNumberInvalid)
        })?;
    Ok(Typed {
        target: codes::Target {
            hash: key.hash(&e164),
            masked: mask(&e164),
        },
        e164,
    })
}

/// The verified number of this browser, if its session is live and this is the
/// client address that verified it.
pub fn verified(state: &AppState, ctx: &PubCtx) -> Option<codes::Target> {
    state
        .public
        .sessions
        .get(&ctx.headers, ctx.ip, state.clock.now())
}

/// Where a page needing a verified number sends a browser without one.
pub fn expired() -> Response {
    crate::pages::see_other("/p?expired=1")
}

/// Shorthand: `Ok(resp)` for a handler.
pub(crate) fn ok(r: impl IntoResponse) -> AppResult<Response> {
    Ok(r.into_response())
}

//! Anti-CSRF for cookie-authenticated, state-changing requests. Pages: every
//! non-GET request must carry the session's token in the form field `_csrf`
//! (urlencoded or, for file uploads of a session, multipart) or the
//! `X-CSRF-Token` header; before login, the token is the pre-login cookie's
//! value (double submit). The JSON API checks the header when a session cookie,
//! not a bearer token, authenticates the call. SameSite=Strict cookies are the
//! second line of defence.

use super::cookies::{self, PRE_LOGIN_COOKIE};
use super::session;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

/// The form field carrying the token.
pub const FIELD: &str = "_csrf";
/// The header carrying the token (scripts, the JSON API).
pub const HEADER: &str = "x-csrf-token";
/// Largest form body read by the check (script uploads use the header instead).
const MAX_FORM: usize = crate::body_limit::FORM_MAX;
/// Largest `multipart/form-data` body read by the check (a contact file).
const MAX_MULTIPART: usize = crate::contacts::import::MAX_BODY;

/// Whether a method changes state.
pub fn is_unsafe(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Constant-time token comparison; an empty expected token never matches.
pub fn matches(expected: &str, given: &str) -> bool {
    !expected.is_empty() && expected.as_bytes().ct_eq(given.as_bytes()).into()
}

fn csrf_error() -> AppError {
    AppError::new(ErrorCode::CsrfFailed, "missing or wrong anti-CSRF token")
}

/// Checks the `X-CSRF-Token` header against `expected`.
pub fn check_header(headers: &HeaderMap, expected: &str) -> AppResult<()> {
    let given = headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if matches(expected, given) {
        Ok(())
    } else {
        Err(csrf_error())
    }
}

/// Middleware for the page routes.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !is_unsafe(req.method()) {
        return next.run(req).await;
    }
    match check(&state, req).await {
        Ok(req) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

async fn check(state: &AppState, req: Request) -> AppResult<Request> {
    let session = session::from_cookie(state, req.headers()).await?;
    let logged_in = session.is_some();
    let expected = match session {
        Some(p) => p.csrf().to_string(),
        None => cookies::get(req.headers(), PRE_LOGIN_COOKIE).unwrap_or_default(),
    };
    if let Some(h) = req.headers().get(HEADER) {
        let given = h.to_str().unwrap_or("");
        return if matches(&expected, given) {
            Ok(req)
        } else {
            Err(csrf_error())
        };
    }
    if let Some(boundary) = crate::multipart::boundary(req.headers()) {
        // File uploads: only for a session, read up to the largest upload.
        if !logged_in {
            return Err(csrf_error());
        }
        let (parts, body) = req.into_parts();
        let bytes: Bytes = axum::body::to_bytes(body, MAX_MULTIPART)
            .await
            .map_err(|_| crate::body_limit::too_large(MAX_MULTIPART).with_field("file"))?;
        let form = crate::multipart::parse(&boundary, bytes.clone()).await?;
        if !matches(&expected, &form.text(FIELD).unwrap_or_default()) {
            return Err(csrf_error());
        }
        return Ok(Request::from_parts(parts, Body::from(bytes)));
    }
    let (parts, body) = req.into_parts();
    let bytes: Bytes = axum::body::to_bytes(body, MAX_FORM)
        .await
        .map_err(|_| crate::body_limit::too_large(MAX_FORM))?;
    let given = form_field(&bytes, FIELD).unwrap_or_default();
    if !matches(&expected, &given) {
        return Err(csrf_error());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The value of one field of an `application/x-www-form-urlencoded` body.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_and_fields_decode() {
        assert!(matches("abc", "abc"));
        assert!(!matches("abc", "abd"));
        assert!(!matches("", ""));
        assert_eq!(
            form_field(b"a=1&_csrf=t%2Bk&b=2", FIELD).as_deref(),
            Some("t+k")
        );
        assert_eq!(form_field(b"a=1", FIELD), None);
    }
}

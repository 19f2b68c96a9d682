//! Reading and writing the few cookies the back office uses.

use crate::state::{AppState, SecureCookies};
use axum::http::header::COOKIE;
use axum::http::HeaderMap;

/// The session cookie: a random token whose hash the database holds.
pub const SESSION_COOKIE: &str = "waihu_session";
/// The pre-login anti-CSRF cookie (double-submit for the login form).
pub const PRE_LOGIN_COOKIE: &str = "waihu_pre";

/// The value of cookie `name` in one `Cookie` header value.
pub fn find(header: &str, name: &str) -> Option<String> {
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then(|| v.trim().to_string())
    })
}

/// The value of cookie `name` among the request headers.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| find(c, name))
        .filter(|v| !v.is_empty())
}

/// Whether cookies set in answer to this request get the `Secure` attribute. With
/// `auto`, `X-Forwarded-Proto` is a fact here: the `tls` middleware has removed
/// it unless a trusted proxy sent it, and set it when the connection was TLS.
pub fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    match state.config.secure_cookies {
        SecureCookies::Always => true,
        SecureCookies::Never => false,
        SecureCookies::Auto => headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https")),
    }
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, path `/`, optionally Secure;
/// `max_age` in seconds (0 deletes the cookie).
pub fn set(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cookies_and_builds_strict_ones() {
        assert_eq!(
            find("a=1; waihu_session=xyz; b=2", SESSION_COOKIE).as_deref(),
            Some("xyz")
        );
        assert_eq!(find("waihu_sessionx=1", SESSION_COOKIE), None);
        let c = set(SESSION_COOKIE, "v", 60, true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.ends_with("; Secure"));
        assert!(!set(SESSION_COOKIE, "v", 60, false).contains("Secure"));
    }
}

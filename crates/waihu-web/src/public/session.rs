//! The verified number of a browser: after a right code, a random token in a
//! short-lived cookie (`waihu_pub`, HttpOnly, SameSite=Strict, 15 minutes) maps
//! to the number's hash and masked form on the server. Nothing else about the
//! person is kept, and the full number never is.

use super::codes::Target;
use crate::auth::cookies;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The cookie of a verified browser.
pub const COOKIE: &str = "waihu_pub";
/// The cookie naming the pending code challenge.
pub const CHALLENGE_COOKIE: &str = "waihu_pub_challenge";
/// How long a verified session lasts (absolute).
pub const SESSION_MINUTES: i64 = 15;
/// Sessions kept at most.
const MAX_SESSIONS: usize = 20_000;

/// The verified number and the session's end, per token hash.
type Table = HashMap<[u8; 32], (Target, DateTime<Utc>)>;

/// Verified sessions.
#[derive(Debug, Clone, Default)]
pub struct Sessions {
    inner: Arc<Mutex<Table>>,
}

fn key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Sessions {
    /// Starts a session for `target`; returns the cookie token.
    pub fn start(&self, target: Target, now: DateTime<Utc>) -> String {
        let token = waihu_store::password::random_secret(32);
        let mut map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, (_, until)| *until > now);
        if map.len() >= MAX_SESSIONS {
            let oldest = map.iter().min_by_key(|(_, (_, u))| *u).map(|(k, _)| *k);
            if let Some(k) = oldest {
                map.remove(&k);
            }
        }
        map.insert(
            key(&token),
            (target, now + Duration::minutes(SESSION_MINUTES)),
        );
        token
    }

    /// The verified number of the request's cookie, if the session is live.
    pub fn get(&self, headers: &axum::http::HeaderMap, now: DateTime<Utc>) -> Option<Target> {
        let token = cookies::get(headers, COOKIE)?;
        let map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&key(&token))
            .filter(|(_, until)| *until > now)
            .map(|(t, _)| t.clone())
    }

    /// Ends the request's session.
    pub fn end(&self, headers: &axum::http::HeaderMap) {
        if let Some(token) = cookies::get(headers, COOKIE) {
            self.inner
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&key(&token));
        }
    }

    /// Ends every session of a number (after its data was erased).
    pub fn end_all(&self, hash: &waihu_compliance::pii::PhoneHash) {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, (t, _)| t.hash != *hash);
    }
}

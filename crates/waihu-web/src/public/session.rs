//! The verified number of a browser: after a right code, a random token in a
//! short-lived cookie (`waihu_pub`, HttpOnly, SameSite=Strict, 15 minutes) maps
//! to the number's hash and masked form on the server, and to the client address
//! that typed the code: the cookie works from that address only, so a copied
//! cookie is worth nothing elsewhere. Nothing else about the person is kept, and
//! the full number never is.

use super::codes::Target;
use crate::auth::cookies;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// The cookie of a verified browser.
pub const COOKIE: &str = "waihu_pub";
/// The cookie naming the pending code challenge.
pub const CHALLENGE_COOKIE: &str = "waihu_pub_challenge";
/// How long a verified session lasts (absolute).
pub const SESSION_MINUTES: i64 = 15;
/// Sessions kept at most.
const MAX_SESSIONS: usize = 20_000;

/// One verified browser.
#[derive(Debug, Clone)]
struct Entry {
    /// The number it verified.
    target: Target,
    /// The client address that typed the right code (`None`: unknown, in tests).
    client: Option<IpAddr>,
    /// When the session ends.
    until: DateTime<Utc>,
}

/// The verified sessions, per token hash.
type Table = HashMap<[u8; 32], Entry>;

/// Verified sessions.
#[derive(Debug, Clone, Default)]
pub struct Sessions {
    inner: Arc<Mutex<Table>>,
}

fn key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Sessions {
    /// Starts a session for `target`, verified from `client`; returns the cookie
    /// token.
    pub fn start(&self, target: Target, client: Option<IpAddr>, now: DateTime<Utc>) -> String {
        let token = waihu_store::password::random_secret(32);
        let mut map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, e| e.until > now);
        if map.len() >= MAX_SESSIONS {
            let oldest = map.iter().min_by_key(|(_, e)| e.until).map(|(k, _)| *k);
            if let Some(k) = oldest {
                map.remove(&k);
            }
        }
        map.insert(
            key(&token),
            Entry {
                target,
                client,
                until: now + Duration::minutes(SESSION_MINUTES),
            },
        );
        token
    }

    /// The verified number of the request's cookie, if the session is live and
    /// the request comes from the client address that verified it.
    pub fn get(
        &self,
        headers: &axum::http::HeaderMap,
        client: Option<IpAddr>,
        now: DateTime<Utc>,
    ) -> Option<Target> {
        let token = cookies::get(headers, COOKIE)?;
        let map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&key(&token))
            .filter(|e| e.until > now && e.client == client)
            .map(|e| e.target.clone())
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
            .retain(|_, e| e.target.hash != *hash);
    }
}

//! Back-office login sessions. The browser holds a random session token; the
//! database holds only its SHA-256 hash, so that a copy of the database cannot be
//! used to take over a session. A session belongs to one user and ends at a fixed
//! expiry, at logout, when the user changes the password (other sessions) or when
//! the user is deleted (the rows cascade).

use crate::audit::Actor;
use crate::error::StoreResult;
use crate::model::User;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use waihu_core::UserId;

/// A session about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// Hex SHA-256 of the token the browser holds (see `password::token_hash`).
    pub token_hash: String,
    /// The logged-in user.
    pub user_id: UserId,
    /// The anti-CSRF token forms of this session must carry.
    pub csrf_token: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it stops being valid.
    pub expires_at: DateTime<Utc>,
}

/// A stored, unexpired session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    /// Hex SHA-256 of the browser's token.
    pub token_hash: String,
    /// The anti-CSRF token.
    pub csrf_token: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it stops being valid.
    pub expires_at: DateTime<Utc>,
}

/// Back-office sessions and the user's own password.
#[async_trait]
pub trait SessionRepo {
    /// Stores a new session.
    async fn create_session(&self, session: &NewSession) -> StoreResult<()>;
    /// The session with this token hash and its user, if it exists and has not
    /// expired at `now`.
    async fn find_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(WebSession, User)>>;
    /// Ends one session (logout); ending a missing session is not an error.
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Ends every session of a user (after an administrator reset its password);
    /// returns how many. Callers check the user's tenant first.
    async fn delete_user_sessions(&self, user_id: UserId) -> StoreResult<u64>;
    /// Removes sessions expired at `now`; returns how many.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64>;
    /// Changes a user's own password (any role, operators included), ends the
    /// user's other sessions except `keep_session` (a token hash), and appends
    /// `user.password` to the audit log, all in one transaction.
    async fn change_own_password(
        &self,
        user: &User,
        new_password: &str,
        keep_session: &str,
        actor: &Actor,
    ) -> StoreResult<()>;
}

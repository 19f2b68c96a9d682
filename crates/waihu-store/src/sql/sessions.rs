//! Back-office sessions (hashed tokens) and the user's own password change.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A session joined with its user, as both backends decode it.
#[derive(sqlx::FromRow)]
pub(crate) struct SessionUserRow {
    pub token_hash: String,
    pub csrf_token: String,
    pub s_created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
}

impl SessionUserRow {
    pub(crate) fn split(
        self,
    ) -> crate::error::StoreResult<(crate::sessions::WebSession, crate::model::User)> {
        let user = crate::model::User::try_from(crate::rows::UserRow {
            id: self.id,
            tenant_id: self.tenant_id,
            username: self.username,
            password_hash: self.password_hash,
            role: self.role,
            created_at: self.created_at,
        })?;
        let session = crate::sessions::WebSession {
            token_hash: self.token_hash,
            csrf_token: self.csrf_token,
            created_at: self.s_created_at,
            expires_at: self.expires_at,
        };
        Ok((session, user))
    }
}

macro_rules! impl_sessions {
    ($backend:ty, $db:ty) => {
        mod sessions {
            #[allow(unused_imports)]
            use super::prelude::*;
            use $crate::sessions::{NewSession, SessionRepo, WebSession};
            use $crate::sql::sessions::SessionUserRow;

            #[async_trait]
            impl SessionRepo for $backend {
                async fn create_session(&self, s: &NewSession) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO web_sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&s.token_hash)
                    .bind(s.user_id.0)
                    .bind(&s.csrf_token)
                    .bind(storage_time(s.created_at))
                    .bind(storage_time(s.expires_at))
                    .execute(&self.pool)
                    .await?;
                    Ok(())
                }

                async fn find_session(
                    &self,
                    token_hash: &str,
                    now: chrono::DateTime<Utc>,
                ) -> StoreResult<Option<(WebSession, User)>> {
                    let row: Option<SessionUserRow> = sqlx::query_as(
                        "SELECT s.token_hash, s.csrf_token, s.created_at AS s_created_at, s.expires_at, \
                         u.id, u.tenant_id, u.username, u.password_hash, u.role, u.created_at \
                         FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
                    )
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await?;
                    match row {
                        // Expiry is checked here, not in SQL, so that it does not
                        // depend on how each backend compares stored times.
                        Some(r) if r.expires_at > now => r.split().map(Some),
                        _ => Ok(None),
                    }
                }

                async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
                    sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
                        .bind(token_hash)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                }

                async fn delete_user_sessions(&self, user_id: UserId) -> StoreResult<u64> {
                    let done = sqlx::query("DELETE FROM web_sessions WHERE user_id = $1")
                        .bind(user_id.0)
                        .execute(&self.pool)
                        .await?;
                    Ok(done.rows_affected())
                }

                async fn delete_expired_sessions(&self, now: chrono::DateTime<Utc>) -> StoreResult<u64> {
                    let done = sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1")
                        .bind(storage_time(now))
                        .execute(&self.pool)
                        .await?;
                    Ok(done.rows_affected())
                }

                async fn change_own_password(
                    &self,
                    user: &User,
                    new_password: &str,
                    keep_session: &str,
                    actor: &Actor,
                ) -> StoreResult<()> {
                    let tenant_name: Option<(String,)> = match user.tenant_id {
                        Some(t) => sqlx::query_as("SELECT name FROM tenants WHERE id = $1")
                            .bind(t.0)
                            .fetch_optional(&self.pool)
                            .await?,
                        None => None,
                    };
                    $crate::password::require_strong(
                        new_password,
                        &[&user.username, tenant_name.as_ref().map_or("", |n| n.0.as_str())],
                    )?;
                    let hash = hash_password(new_password)?;
                    let mut w = self.begin_write().await?;
                    let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                        .bind(&hash)
                        .bind(user.id.0)
                        .execute(&mut *w.tx)
                        .await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound("user"));
                    }
                    let ended = sqlx::query("DELETE FROM web_sessions WHERE user_id = $1 AND token_hash <> $2")
                        .bind(user.id.0)
                        .bind(keep_session)
                        .execute(&mut *w.tx)
                        .await?
                        .rows_affected();
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, user.tenant_id, "user.password", format!("user:{}", user.username))
                            .with_details(serde_json::json!({ "self": true, "sessions_ended": ended })),
                    )
                    .await?;
                    w.tx.commit().await?;
                    Ok(())
                }
            }
        }
    };
}
pub(crate) use impl_sessions;

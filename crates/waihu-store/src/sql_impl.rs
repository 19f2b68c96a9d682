//! The repository traits implemented once, in SQL both backends understand, and
//! expanded for each backend by a macro (sqlx's generic bounds make a generic
//! implementation unreadable). Placeholders are `$N`, which SQLite accepts too.
//! Each backend provides `begin_write()`, which serialises writers so that audit
//! entries chain without races.

macro_rules! impl_repositories {
    ($backend:ty, $db:ty) => {
        mod repositories {
        use $crate::audit::{
            entry_hash, storage_time, Actor, AuditEntry, ChainBreak, ChainHead, ChainVerifier,
            NewAudit, GENESIS_HASH,
        };
        use $crate::error::{StoreError, StoreResult};
        use $crate::model::{ApiToken, Tenant, TenantStatus, User};
        use $crate::password::{hash_password, random_secret, token_hash};
        use $crate::repo::{ApiTokenRepo, AuditRepo, TenantRepo, UserRepo};
        use $crate::rows::{ApiTokenRow, AuditRow, TenantRow, UserRow};
        use async_trait::async_trait;
        use chrono::Utc;
        use futures_util::TryStreamExt as _;
        use waihu_core::ids::ApiTokenId;
        use waihu_core::{Role, TenantId, TenantName, UserId};

        const TENANT_COLS: &str = "id, name, status, created_at";
        const USER_COLS: &str = "id, tenant_id, username, password_hash, role, created_at";
        const TOKEN_COLS: &str = "id, tenant_id, name, created_by, created_at, revoked_at";
        const AUDIT_COLS: &str =
            "seq, at, actor, tenant_id, action, target, details, prev_hash, hash";

        /// Appends an audit entry inside the caller's (serialised) transaction.
        async fn append_in(
            tx: &mut sqlx::Transaction<'static, $db>,
            entry: NewAudit,
        ) -> StoreResult<AuditEntry> {
            let last: Option<(i64, String)> =
                sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut **tx)
                    .await?;
            let (seq, prev_hash) = match last {
                Some((seq, hash)) => (seq + 1, hash),
                None => (1, GENESIS_HASH.to_string()),
            };
            let at = storage_time(Utc::now());
            let details = entry.details.to_string();
            let hash = entry_hash(
                seq,
                at,
                entry.actor.as_str(),
                entry.tenant_id,
                &entry.action,
                &entry.target,
                &details,
                &prev_hash,
            );
            sqlx::query(
                "INSERT INTO audit_log (seq, at, actor, tenant_id, action, target, details, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(seq)
            .bind(at)
            .bind(entry.actor.as_str())
            .bind(entry.tenant_id.map(|t| t.0))
            .bind(&entry.action)
            .bind(&entry.target)
            .bind(&details)
            .bind(&prev_hash)
            .bind(&hash)
            .execute(&mut **tx)
            .await?;
            Ok(AuditEntry {
                seq,
                at,
                actor: entry.actor.as_str().to_string(),
                tenant_id: entry.tenant_id,
                action: entry.action,
                target: entry.target,
                details,
                prev_hash,
                hash,
            })
        }

        fn unique_or(e: sqlx::Error, conflict: impl FnOnce() -> String) -> StoreError {
            if StoreError::is_unique_violation(&e) {
                StoreError::Conflict(conflict())
            } else {
                StoreError::Database(e)
            }
        }

        #[async_trait]
        impl TenantRepo for $backend {
            async fn create_tenant(&self, name: &TenantName, actor: &Actor) -> StoreResult<Tenant> {
                let tenant = Tenant {
                    id: TenantId::new(),
                    name: name.clone(),
                    status: TenantStatus::Active,
                    created_at: storage_time(Utc::now()),
                };
                let mut w = self.begin_write().await?;
                sqlx::query("INSERT INTO tenants (id, name, status, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(tenant.id.0)
                    .bind(tenant.name.as_str())
                    .bind(tenant.status.as_str())
                    .bind(tenant.created_at)
                    .execute(&mut *w.tx)
                    .await
                    .map_err(|e| unique_or(e, || format!("tenant name {:?} is already taken", name.as_str())))?;
                append_in(
                    &mut w.tx,
                    NewAudit::new(actor, Some(tenant.id), "tenant.create", format!("tenant:{}", name)),
                )
                .await?;
                w.tx.commit().await?;
                Ok(tenant)
            }

            async fn list_tenants(&self) -> StoreResult<Vec<Tenant>> {
                let rows: Vec<TenantRow> =
                    sqlx::query_as(&format!("SELECT {TENANT_COLS} FROM tenants ORDER BY name"))
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter().map(Tenant::try_from).collect()
            }

            async fn get_tenant(&self, id: TenantId) -> StoreResult<Option<Tenant>> {
                let row: Option<TenantRow> =
                    sqlx::query_as(&format!("SELECT {TENANT_COLS} FROM tenants WHERE id = $1"))
                        .bind(id.0)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(Tenant::try_from).transpose()
            }

            async fn find_tenant_by_name(&self, name: &TenantName) -> StoreResult<Option<Tenant>> {
                let row: Option<TenantRow> =
                    sqlx::query_as(&format!("SELECT {TENANT_COLS} FROM tenants WHERE name = $1"))
                        .bind(name.as_str())
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(Tenant::try_from).transpose()
            }

            async fn set_tenant_status(
                &self,
                id: TenantId,
                status: TenantStatus,
                reason: &str,
                actor: &Actor,
            ) -> StoreResult<Tenant> {
                let mut w = self.begin_write().await?;
                let done = sqlx::query("UPDATE tenants SET status = $1 WHERE id = $2")
                    .bind(status.as_str())
                    .bind(id.0)
                    .execute(&mut *w.tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound("tenant"));
                }
                let action = match status {
                    TenantStatus::Active => "tenant.resume",
                    TenantStatus::Suspended => "tenant.suspend",
                };
                append_in(
                    &mut w.tx,
                    NewAudit::new(actor, Some(id), action, format!("tenant:{id}"))
                        .with_details(serde_json::json!({ "reason": reason })),
                )
                .await?;
                let row: TenantRow =
                    sqlx::query_as(&format!("SELECT {TENANT_COLS} FROM tenants WHERE id = $1"))
                        .bind(id.0)
                        .fetch_one(&mut *w.tx)
                        .await?;
                w.tx.commit().await?;
                Tenant::try_from(row)
            }
        }

        #[async_trait]
        impl UserRepo for $backend {
            async fn create_user(
                &self,
                tenant_id: Option<TenantId>,
                username: &str,
                password: &str,
                role: Role,
                actor: &Actor,
            ) -> StoreResult<User> {
                match (role.is_tenant_role(), tenant_id) {
                    (true, None) => {
                        return Err(StoreError::Invalid(format!("a user with role {role} needs a tenant")))
                    }
                    (false, Some(_)) => {
                        return Err(StoreError::Invalid("an operator belongs to no tenant".into()))
                    }
                    _ => {}
                }
                $crate::sql_impl::check_username(username)?;
                let user = User {
                    id: UserId::new(),
                    tenant_id,
                    username: username.to_string(),
                    password_hash: hash_password(password)?,
                    role,
                    created_at: storage_time(Utc::now()),
                };
                let mut w = self.begin_write().await?;
                if let Some(t) = tenant_id {
                    let exists: Option<(uuid::Uuid,)> = sqlx::query_as("SELECT id FROM tenants WHERE id = $1")
                        .bind(t.0)
                        .fetch_optional(&mut *w.tx)
                        .await?;
                    if exists.is_none() {
                        return Err(StoreError::NotFound("tenant"));
                    }
                }
                sqlx::query(
                    "INSERT INTO users (id, tenant_id, username, password_hash, role, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(user.id.0)
                .bind(user.tenant_id.map(|t| t.0))
                .bind(&user.username)
                .bind(&user.password_hash)
                .bind(user.role.as_str())
                .bind(user.created_at)
                .execute(&mut *w.tx)
                .await
                .map_err(|e| unique_or(e, || format!("username {username:?} is already taken")))?;
                append_in(
                    &mut w.tx,
                    NewAudit::new(actor, tenant_id, "user.create", format!("user:{username}"))
                        .with_details(serde_json::json!({ "role": role.as_str() })),
                )
                .await?;
                w.tx.commit().await?;
                Ok(user)
            }

            async fn list_users(&self, tenant_id: TenantId) -> StoreResult<Vec<User>> {
                let rows: Vec<UserRow> = sqlx::query_as(&format!(
                    "SELECT {USER_COLS} FROM users WHERE tenant_id = $1 ORDER BY username"
                ))
                .bind(tenant_id.0)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(User::try_from).collect()
            }

            async fn get_user(&self, tenant_id: TenantId, id: UserId) -> StoreResult<Option<User>> {
                let row: Option<UserRow> = sqlx::query_as(&format!(
                    "SELECT {USER_COLS} FROM users WHERE tenant_id = $1 AND id = $2"
                ))
                .bind(tenant_id.0)
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await?;
                row.map(User::try_from).transpose()
            }

            async fn set_user_password(
                &self,
                tenant_id: TenantId,
                id: UserId,
                password: &str,
                actor: &Actor,
            ) -> StoreResult<()> {
                let hash = hash_password(password)?;
                let mut w = self.begin_write().await?;
                let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE tenant_id = $2 AND id = $3")
                    .bind(&hash)
                    .bind(tenant_id.0)
                    .bind(id.0)
                    .execute(&mut *w.tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound("user"));
                }
                append_in(&mut w.tx, NewAudit::new(actor, Some(tenant_id), "user.password", format!("user:{id}")))
                    .await?;
                w.tx.commit().await?;
                Ok(())
            }

            async fn delete_user(&self, tenant_id: TenantId, id: UserId, actor: &Actor) -> StoreResult<()> {
                let mut w = self.begin_write().await?;
                let done = sqlx::query("DELETE FROM users WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant_id.0)
                    .bind(id.0)
                    .execute(&mut *w.tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound("user"));
                }
                append_in(&mut w.tx, NewAudit::new(actor, Some(tenant_id), "user.delete", format!("user:{id}")))
                    .await?;
                w.tx.commit().await?;
                Ok(())
            }

            async fn list_operators(&self) -> StoreResult<Vec<User>> {
                let rows: Vec<UserRow> = sqlx::query_as(&format!(
                    "SELECT {USER_COLS} FROM users WHERE tenant_id IS NULL ORDER BY username"
                ))
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(User::try_from).collect()
            }

            async fn find_user_for_login(&self, username: &str) -> StoreResult<Option<User>> {
                let row: Option<UserRow> =
                    sqlx::query_as(&format!("SELECT {USER_COLS} FROM users WHERE username = $1"))
                        .bind(username)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(User::try_from).transpose()
            }

            async fn count_users(&self) -> StoreResult<i64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(n)
            }
        }

        #[async_trait]
        impl ApiTokenRepo for $backend {
            async fn create_api_token(
                &self,
                tenant_id: TenantId,
                name: &str,
                actor: &Actor,
            ) -> StoreResult<(ApiToken, String)> {
                let name = name.trim();
                if name.is_empty() || name.chars().count() > 64 {
                    return Err(StoreError::Invalid("token name must be 1-64 characters".into()));
                }
                let secret = format!("wh_{}", random_secret(40));
                let token = ApiToken {
                    id: ApiTokenId::new(),
                    tenant_id,
                    name: name.to_string(),
                    created_by: actor.as_str().to_string(),
                    created_at: storage_time(Utc::now()),
                    revoked_at: None,
                };
                let mut w = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO api_tokens (id, tenant_id, name, token_hash, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(token.id.0)
                .bind(tenant_id.0)
                .bind(&token.name)
                .bind(token_hash(&secret))
                .bind(&token.created_by)
                .bind(token.created_at)
                .execute(&mut *w.tx)
                .await?;
                append_in(
                    &mut w.tx,
                    NewAudit::new(actor, Some(tenant_id), "api_token.create", format!("api_token:{}", token.id))
                        .with_details(serde_json::json!({ "name": token.name })),
                )
                .await?;
                w.tx.commit().await?;
                Ok((token, secret))
            }

            async fn list_api_tokens(&self, tenant_id: TenantId) -> StoreResult<Vec<ApiToken>> {
                let rows: Vec<ApiTokenRow> = sqlx::query_as(&format!(
                    "SELECT {TOKEN_COLS} FROM api_tokens WHERE tenant_id = $1 ORDER BY created_at"
                ))
                .bind(tenant_id.0)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(ApiToken::from).collect())
            }

            async fn revoke_api_token(&self, tenant_id: TenantId, id: ApiTokenId, actor: &Actor) -> StoreResult<()> {
                let mut w = self.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $1 WHERE tenant_id = $2 AND id = $3 AND revoked_at IS NULL",
                )
                .bind(storage_time(Utc::now()))
                .bind(tenant_id.0)
                .bind(id.0)
                .execute(&mut *w.tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound("api token"));
                }
                append_in(
                    &mut w.tx,
                    NewAudit::new(actor, Some(tenant_id), "api_token.revoke", format!("api_token:{id}")),
                )
                .await?;
                w.tx.commit().await?;
                Ok(())
            }

            async fn authenticate_api_token(&self, secret: &str) -> StoreResult<Option<ApiToken>> {
                let row: Option<ApiTokenRow> = sqlx::query_as(&format!(
                    "SELECT {TOKEN_COLS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL"
                ))
                .bind(token_hash(secret))
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(ApiToken::from))
            }
        }

        #[async_trait]
        impl AuditRepo for $backend {
            async fn append_audit(&self, entry: NewAudit) -> StoreResult<AuditEntry> {
                let mut w = self.begin_write().await?;
                let e = append_in(&mut w.tx, entry).await?;
                w.tx.commit().await?;
                Ok(e)
            }

            async fn list_audit(&self, tenant_id: TenantId, limit: i64) -> StoreResult<Vec<AuditEntry>> {
                let rows: Vec<AuditRow> = sqlx::query_as(&format!(
                    "SELECT {AUDIT_COLS} FROM audit_log WHERE tenant_id = $1 ORDER BY seq DESC LIMIT $2"
                ))
                .bind(tenant_id.0)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(AuditEntry::from).collect())
            }

            async fn list_audit_platform(&self, limit: i64) -> StoreResult<Vec<AuditEntry>> {
                let rows: Vec<AuditRow> =
                    sqlx::query_as(&format!("SELECT {AUDIT_COLS} FROM audit_log ORDER BY seq DESC LIMIT $1"))
                        .bind(limit)
                        .fetch_all(&self.pool)
                        .await?;
                Ok(rows.into_iter().map(AuditEntry::from).collect())
            }

            async fn audit_hash_at(&self, seq: i64) -> StoreResult<Option<String>> {
                let row: Option<(String,)> = sqlx::query_as("SELECT hash FROM audit_log WHERE seq = $1")
                    .bind(seq)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.map(|(h,)| h))
            }

            async fn verify_audit_chain(&self) -> StoreResult<Result<ChainHead, ChainBreak>> {
                let sql = format!("SELECT {AUDIT_COLS} FROM audit_log ORDER BY seq");
                let mut rows = sqlx::query_as::<_, AuditRow>(&sql).fetch(&self.pool);
                let mut verifier = ChainVerifier::default();
                while let Some(row) = rows.try_next().await? {
                    if !verifier.push(&AuditEntry::from(row)) {
                        break;
                    }
                }
                Ok(verifier.finish())
            }
        }
        }
    };
}

pub(crate) use impl_repositories;

use crate::error::{StoreError, StoreResult};

/// Usernames: 2-64 characters, letters, digits, `.`, `_`, `-`, `@`.
pub(crate) fn check_username(username: &str) -> StoreResult<()> {
    let len = username.chars().count();
    let ok_chars = username
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !(2..=64).contains(&len) || !ok_chars {
        return Err(StoreError::Invalid(format!(
            "invalid username {username:?}: 2-64 letters, digits, '.', '_', '-' or '@'"
        )));
    }
    Ok(())
}

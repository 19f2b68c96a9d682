//! Back-office accounts.

macro_rules! impl_users {
    ($backend:ty, $db:ty) => {
        mod users {
            #[allow(unused_imports)]
            use super::prelude::*;

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
                $crate::sql::check_username(username)?;
                let tenant_name = match tenant_id {
                    Some(t) => {
                        let name: Option<(String,)> = sqlx::query_as("SELECT name FROM tenants WHERE id = $1")
                            .bind(t.0)
                            .fetch_optional(&self.pool)
                            .await?;
                        Some(name.ok_or(StoreError::NotFound("tenant"))?.0)
                    }
                    None => None,
                };
                $crate::password::require_strong(
                    password,
                    &[username, tenant_name.as_deref().unwrap_or("")],
                )?;
                let user = User {
                    id: UserId::new(),
                    tenant_id,
                    username: username.to_string(),
                    password_hash: hash_password(password)?,
                    role,
                    created_at: storage_time(Utc::now()),
                };
                let mut w = self.begin_write().await?;
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
                let names: Option<(String, String)> = sqlx::query_as(
                    "SELECT u.username, t.name FROM users u JOIN tenants t ON t.id = u.tenant_id \
                     WHERE u.tenant_id = $1 AND u.id = $2",
                )
                .bind(tenant_id.0)
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await?;
                let (username, tenant_name) = names.ok_or(StoreError::NotFound("user"))?;
                $crate::password::require_strong(password, &[&username, &tenant_name])?;
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
        }
    };
}
pub(crate) use impl_users;

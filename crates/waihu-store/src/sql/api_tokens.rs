//! Tenant API tokens, stored hashed.

macro_rules! impl_api_tokens {
    ($backend:ty, $db:ty) => {
        mod api_tokens {
            #[allow(unused_imports)]
            use super::prelude::*;

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
        }
    };
}
pub(crate) use impl_api_tokens;

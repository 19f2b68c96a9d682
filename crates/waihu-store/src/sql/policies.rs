//! Jurisdiction policies: the operator's per jurisdiction and tenants' overrides.

macro_rules! impl_policies {
    ($backend:ty, $db:ty) => {
        mod policies {
            #[allow(unused_imports)]
            use super::prelude::*;
            use $crate::contacts::{PolicyRepo, PolicyScope};

            #[async_trait]
            impl PolicyRepo for $backend {
                async fn get_policy(&self, scope: PolicyScope, jurisdiction: &str) -> StoreResult<Option<String>> {
                    let row: Option<(String,)> =
                        sqlx::query_as("SELECT body FROM policies WHERE scope_key = $1 AND jurisdiction = $2")
                            .bind(scope.key())
                            .bind(jurisdiction)
                            .fetch_optional(&self.pool)
                            .await?;
                    Ok(row.map(|(b,)| b))
                }

                async fn set_policy(
                    &self,
                    scope: PolicyScope,
                    jurisdiction: &str,
                    body: &serde_json::Value,
                    actor: &Actor,
                ) -> StoreResult<()> {
                    let mut w = self.begin_write().await?;
                    sqlx::query(
                        "INSERT INTO policies (scope_key, jurisdiction, body, updated_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (scope_key, jurisdiction) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                    )
                    .bind(scope.key())
                    .bind(jurisdiction)
                    .bind(body.to_string())
                    .bind(storage_time(Utc::now()))
                    .execute(&mut *w.tx)
                    .await?;
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, scope.tenant(), "policy.set", format!("policy:{}:{jurisdiction}", scope.key()))
                            .with_details(body.clone()),
                    )
                    .await?;
                    w.tx.commit().await?;
                    // After the commit: a reader that sees the old count may cache the new value, never the reverse.
                    self.settings_writes.fetch_add(1, std::sync::atomic::Ordering::Release);
                    Ok(())
                }
            }
        }
    };
}
pub(crate) use impl_policies;

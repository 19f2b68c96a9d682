//! Tenant limits: one optional row per tenant, upserted by the operator.

use crate::error::{StoreError, StoreResult};

/// A count from the API as the INT the tables store, or a clear error.
pub(crate) fn int_column(value: u32, what: &str) -> StoreResult<i32> {
    i32::try_from(value).map_err(|_| {
        StoreError::Invalid(format!(
            "{what} {value} is too large (at most {})",
            i32::MAX
        ))
    })
}

/// An INT read back as a count, or a `Corrupt` error when negative.
pub(crate) fn count_column(value: i32, table: &'static str, what: &str) -> StoreResult<u32> {
    u32::try_from(value).map_err(|_| StoreError::Corrupt {
        table,
        why: format!("negative {what} {value}"),
    })
}

macro_rules! impl_limits {
    ($backend:ty, $db:ty) => {
        mod limits {
            #[allow(unused_imports)]
            use super::prelude::*;
            use $crate::campaign::{LimitsRepo, TenantLimits};
            use $crate::sql::limits::{count_column, int_column};

            impl $backend {
                /// Upserts one column of the tenant's limits row and audits it.
                async fn set_limit(
                    &self,
                    tenant_id: TenantId,
                    column: &'static str,
                    value: impl for<'q> sqlx::Encode<'q, $db> + sqlx::Type<$db> + Send + Sync,
                    details: serde_json::Value,
                    actor: &Actor,
                ) -> StoreResult<()> {
                    let mut w = self.begin_write().await?;
                    let exists: Option<(uuid::Uuid,)> = sqlx::query_as("SELECT id FROM tenants WHERE id = $1")
                        .bind(tenant_id.0)
                        .fetch_optional(&mut *w.tx)
                        .await?;
                    if exists.is_none() {
                        return Err(StoreError::NotFound("tenant"));
                    }
                    sqlx::query(
                        "INSERT INTO tenant_limits (tenant_id, line_quota, full_numbers_in_push) \
                         VALUES ($1, 0, FALSE) ON CONFLICT (tenant_id) DO NOTHING",
                    )
                    .bind(tenant_id.0)
                    .execute(&mut *w.tx)
                    .await?;
                    sqlx::query(&format!("UPDATE tenant_limits SET {column} = $1 WHERE tenant_id = $2"))
                        .bind(value)
                        .bind(tenant_id.0)
                        .execute(&mut *w.tx)
                        .await?;
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, Some(tenant_id), "tenant.limits", format!("tenant:{tenant_id}"))
                            .with_details(details),
                    )
                    .await?;
                    w.tx.commit().await?;
                    Ok(())
                }
            }

            #[async_trait]
            impl LimitsRepo for $backend {
                async fn get_limits(&self, tenant_id: TenantId) -> StoreResult<TenantLimits> {
                    let row: Option<(i32, bool)> = sqlx::query_as(
                        "SELECT line_quota, full_numbers_in_push FROM tenant_limits WHERE tenant_id = $1",
                    )
                    .bind(tenant_id.0)
                    .fetch_optional(&self.pool)
                    .await?;
                    Ok(match row {
                        Some((lines, full)) => TenantLimits {
                            line_quota: count_column(lines, "tenant_limits", "line quota")?,
                            full_numbers_in_push: full,
                        },
                        None => TenantLimits::default(),
                    })
                }

                async fn set_line_quota(
                    &self,
                    tenant_id: TenantId,
                    lines: u32,
                    actor: &Actor,
                ) -> StoreResult<()> {
                    let value = int_column(lines, "line quota")?;
                    self.set_limit(tenant_id, "line_quota", value, serde_json::json!({ "line_quota": lines }), actor)
                        .await
                }

                async fn set_full_numbers_in_push(
                    &self,
                    tenant_id: TenantId,
                    allowed: bool,
                    actor: &Actor,
                ) -> StoreResult<()> {
                    self.set_limit(
                        tenant_id,
                        "full_numbers_in_push",
                        allowed,
                        serde_json::json!({ "full_numbers_in_push": allowed }),
                        actor,
                    )
                    .await
                }
            }
        }
    };
}
pub(crate) use impl_limits;

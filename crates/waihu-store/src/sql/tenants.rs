//! Tenants: create, list, look up, suspend and resume.

macro_rules! impl_tenants {
    ($backend:ty, $db:ty) => {
        mod tenants {
            #[allow(unused_imports)]
            use super::prelude::*;

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
        }
    };
}
pub(crate) use impl_tenants;

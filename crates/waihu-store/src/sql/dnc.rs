//! Do-not-call lists: tenant, platform and registry, keyed by the number's hash.

macro_rules! impl_dnc {
    ($backend:ty, $db:ty) => {
        mod dnc {
            #[allow(unused_imports)]
            use super::prelude::*;
            use $crate::contacts::{DncMembership, DncRepo, DncScope};
            use $crate::sql::contacts::INSERT_CHUNK;
            use waihu_compliance::pii::PhoneHash;

            #[async_trait]
            impl DncRepo for $backend {
                async fn add_dnc(
                    &self,
                    scope: DncScope,
                    number: &PhoneHash,
                    masked: &str,
                    reason: &str,
                    source: &str,
                    actor: &Actor,
                ) -> StoreResult<bool> {
                    let mut w = self.begin_write().await?;
                    let added = sqlx::query(
                        "INSERT INTO dnc_entries (scope_key, tenant_id, number_hash, reason, source, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope_key, number_hash) DO NOTHING",
                    )
                    .bind(scope.key())
                    .bind(scope.tenant().map(|t| t.0))
                    .bind(number.0.to_vec())
                    .bind(reason)
                    .bind(source)
                    .bind(storage_time(Utc::now()))
                    .execute(&mut *w.tx)
                    .await?
                    .rows_affected()
                        == 1;
                    if added {
                        append_in(
                            &mut w.tx,
                            NewAudit::new(actor, scope.tenant(), "dnc.add", format!("number:{masked}"))
                                .with_details(serde_json::json!({
                                    "list": scope.label(),
                                    "number_hash": number.to_hex(),
                                    "reason": reason,
                                    "source": source,
                                })),
                        )
                        .await?;
                    }
                    w.tx.commit().await?;
                    Ok(added)
                }

                async fn import_dnc(
                    &self,
                    scope: DncScope,
                    numbers: &[PhoneHash],
                    source: &str,
                    actor: &Actor,
                ) -> StoreResult<u64> {
                    let now = storage_time(Utc::now());
                    let mut w = self.begin_write().await?;
                    let mut added = 0;
                    for chunk in numbers.chunks(INSERT_CHUNK) {
                        let mut qb = sqlx::QueryBuilder::<$db>::new(
                            "INSERT INTO dnc_entries (scope_key, tenant_id, number_hash, reason, source, created_at) ",
                        );
                        qb.push_values(chunk, |mut b, n| {
                            b.push_bind(scope.key())
                                .push_bind(scope.tenant().map(|t| t.0))
                                .push_bind(n.0.to_vec())
                                .push_bind("import")
                                .push_bind(source.to_string())
                                .push_bind(now);
                        });
                        qb.push(" ON CONFLICT (scope_key, number_hash) DO NOTHING");
                        added += qb.build().execute(&mut *w.tx).await?.rows_affected();
                    }
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, scope.tenant(), "dnc.import", format!("dnc:{}", scope.label()))
                            .with_details(serde_json::json!({
                                "given": numbers.len(),
                                "added": added,
                                "source": source,
                            })),
                    )
                    .await?;
                    w.tx.commit().await?;
                    Ok(added)
                }

                async fn remove_dnc(
                    &self,
                    scope: DncScope,
                    number: &PhoneHash,
                    masked: &str,
                    reason: &str,
                    actor: &Actor,
                ) -> StoreResult<bool> {
                    if reason.trim().is_empty() {
                        return Err(StoreError::Invalid(
                            "removing a number from a do-not-call list needs a reason".into(),
                        ));
                    }
                    let mut w = self.begin_write().await?;
                    let removed = sqlx::query("DELETE FROM dnc_entries WHERE scope_key = $1 AND number_hash = $2")
                        .bind(scope.key())
                        .bind(number.0.to_vec())
                        .execute(&mut *w.tx)
                        .await?
                        .rows_affected()
                        == 1;
                    if removed {
                        append_in(
                            &mut w.tx,
                            NewAudit::new(actor, scope.tenant(), "dnc.remove", format!("number:{masked}"))
                                .with_details(serde_json::json!({
                                    "list": scope.label(),
                                    "number_hash": number.to_hex(),
                                    "reason": reason,
                                })),
                        )
                        .await?;
                    }
                    w.tx.commit().await?;
                    Ok(removed)
                }

                async fn dnc_membership(
                    &self,
                    tenant_id: TenantId,
                    number: &PhoneHash,
                ) -> StoreResult<DncMembership> {
                    let rows: Vec<(String,)> = sqlx::query_as(
                        "SELECT scope_key FROM dnc_entries WHERE number_hash = $1 AND scope_key IN ($2, 'platform', 'registry')",
                    )
                    .bind(number.0.to_vec())
                    .bind(DncScope::Tenant(tenant_id).key())
                    .fetch_all(&self.pool)
                    .await?;
                    let mut m = DncMembership::default();
                    for (key,) in rows {
                        match key.as_str() {
                            "platform" => m.platform = true,
                            "registry" => m.registry = true,
                            _ => m.tenant = true,
                        }
                    }
                    Ok(m)
                }

                async fn dnc_hashes(&self, tenant_id: TenantId) -> StoreResult<Vec<PhoneHash>> {
                    let rows: Vec<(Vec<u8>,)> = sqlx::query_as(
                        "SELECT number_hash FROM dnc_entries WHERE scope_key IN ($1, 'platform', 'registry')",
                    )
                    .bind(DncScope::Tenant(tenant_id).key())
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|(h,)| $crate::sql::contacts::phone_hash(h, "dnc_entries"))
                        .collect()
                }

                async fn count_dnc(&self, scope: DncScope) -> StoreResult<i64> {
                    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM dnc_entries WHERE scope_key = $1")
                        .bind(scope.key())
                        .fetch_one(&self.pool)
                        .await?;
                    Ok(n)
                }
            }
        }
    };
}
pub(crate) use impl_dnc;

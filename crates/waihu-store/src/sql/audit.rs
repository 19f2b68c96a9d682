//! The hash-chained audit log: append, list, verify (whole, or as one tenant sees it).

macro_rules! impl_audit {
    ($backend:ty, $db:ty) => {
        mod audit {
            #[allow(unused_imports)]
            use super::prelude::*;

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

            async fn search_audit(
                &self,
                search: &crate::audit::AuditSearch,
            ) -> StoreResult<(Vec<AuditEntry>, u64)> {
                fn filter<'a>(qb: &mut sqlx::QueryBuilder<'a, $db>, s: &'a crate::audit::AuditSearch) {
                    qb.push(" WHERE 1 = 1");
                    if let Some(t) = s.tenant_id {
                        qb.push(" AND tenant_id = ").push_bind(t.0);
                    }
                    if let Some(a) = s.action_prefix.as_deref().filter(|a| !a.is_empty()) {
                        qb.push(" AND action LIKE ")
                            .push_bind(format!("{}%", crate::audit::like_literal(a)))
                            .push(" ESCAPE '\\'");
                    }
                    if let Some(a) = s.actor_contains.as_deref().filter(|a| !a.is_empty()) {
                        qb.push(" AND actor LIKE ")
                            .push_bind(format!("%{}%", crate::audit::like_literal(a)))
                            .push(" ESCAPE '\\'");
                    }
                }
                let mut count = sqlx::QueryBuilder::<$db>::new("SELECT COUNT(*) FROM audit_log");
                filter(&mut count, search);
                let (total,): (i64,) = count.build_query_as().fetch_one(&self.pool).await?;
                let mut qb = sqlx::QueryBuilder::<$db>::new(format!("SELECT {AUDIT_COLS} FROM audit_log"));
                filter(&mut qb, search);
                qb.push(" ORDER BY seq DESC LIMIT ")
                    .push_bind(search.limit.max(0))
                    .push(" OFFSET ")
                    .push_bind(search.offset.max(0));
                let rows: Vec<AuditRow> = qb.build_query_as().fetch_all(&self.pool).await?;
                Ok((
                    rows.into_iter().map(AuditEntry::from).collect(),
                    u64::try_from(total).unwrap_or(0),
                ))
            }

            async fn audit_hash_at(&self, seq: i64) -> StoreResult<Option<String>> {
                let row: Option<(String,)> = sqlx::query_as("SELECT hash FROM audit_log WHERE seq = $1")
                    .bind(seq)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.map(|(h,)| h))
            }

            async fn verify_audit_chain(&self) -> StoreResult<Result<ChainHead, ChainBreak>> {
                let verifier = self.walk_audit(ChainVerifier::new(self.loaded_audit_key())).await?;
                Ok(verifier.finish())
            }

            async fn verify_audit_tenant(&self, tenant_id: TenantId) -> StoreResult<Result<i64, ChainBreak>> {
                let verifier = ChainVerifier::new(self.loaded_audit_key()).counting_tenant(tenant_id);
                let verifier = self.walk_audit(verifier).await?;
                let count = verifier.tenant_count();
                Ok(verifier.finish().map(|_| count))
            }

            fn use_audit_key(&self, key: std::sync::Arc<$crate::AuditKey>) {
                *self.audit_key.write().unwrap_or_else(|p| p.into_inner()) = Some(key);
            }

            async fn audit_head(&self) -> StoreResult<ChainHead> {
                let row: Option<(i64, String)> =
                    sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(match row {
                    Some((count, hash)) => ChainHead { count, hash },
                    None => ChainHead { count: 0, hash: GENESIS_HASH.into() },
                })
            }

            async fn audit_first_keyed(&self) -> StoreResult<Option<(i64, String)>> {
                Ok(sqlx::query_as(
                    "SELECT seq, key_id FROM audit_log WHERE key_id IS NOT NULL ORDER BY seq LIMIT 1",
                )
                .fetch_optional(&self.pool)
                .await?)
            }
        }

        impl $backend {
            /// Feeds every entry, in order, to `verifier` (stopping at the first break).
            async fn walk_audit(&self, mut verifier: ChainVerifier) -> StoreResult<ChainVerifier> {
                let sql = format!("SELECT {AUDIT_COLS} FROM audit_log ORDER BY seq");
                let mut rows = sqlx::query_as::<_, AuditRow>(&sql).fetch(&self.pool);
                while let Some(row) = rows.try_next().await? {
                    if !verifier.push(&AuditEntry::from(row)) {
                        break;
                    }
                }
                Ok(verifier)
            }
        }
        }
    };
}
pub(crate) use impl_audit;

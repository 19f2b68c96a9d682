//! The dial-attempt history across all tenants: written before every dial, read
//! by the gate's frequency caps.

macro_rules! impl_attempts {
    ($backend:ty, $db:ty) => {
        mod attempts {
            #[allow(unused_imports)]
            use super::prelude::*;
            use $crate::contacts::{AttemptHistory, AttemptRepo};
            use chrono::{DateTime, Duration};
            use uuid::Uuid;
            use waihu_compliance::pii::PhoneHash;

            #[async_trait]
            impl AttemptRepo for $backend {
                async fn record_attempt(
                    &self,
                    tenant_id: TenantId,
                    number: &PhoneHash,
                    purpose: &str,
                    at: DateTime<Utc>,
                ) -> StoreResult<Uuid> {
                    let id = Uuid::new_v4();
                    sqlx::query(
                        "INSERT INTO dial_attempts (id, tenant_id, number_hash, purpose, at) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(id)
                    .bind(tenant_id.0)
                    .bind(number.0.to_vec())
                    .bind(purpose)
                    .bind(storage_time(at))
                    .execute(&self.pool)
                    .await?;
                    Ok(id)
                }

                async fn set_attempt_outcome(&self, id: Uuid, outcome: &str) -> StoreResult<()> {
                    sqlx::query("UPDATE dial_attempts SET outcome = $1 WHERE id = $2")
                        .bind(outcome)
                        .bind(id)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                }

                async fn attempt_history(
                    &self,
                    number: &PhoneHash,
                    now: DateTime<Utc>,
                ) -> StoreResult<AttemptHistory> {
                    let day = storage_time(now - Duration::hours(24));
                    let month = storage_time(now - Duration::days(30));
                    let rows: Vec<(String, DateTime<Utc>)> = sqlx::query_as(
                        "SELECT purpose, at FROM dial_attempts WHERE number_hash = $1 AND at > $2 AND at <= $3",
                    )
                    .bind(number.0.to_vec())
                    .bind(month)
                    .bind(storage_time(now))
                    .fetch_all(&self.pool)
                    .await?;
                    let mut h = AttemptHistory::default();
                    for (purpose, at) in rows {
                        let recent = at > day;
                        if purpose == "verification" {
                            if recent {
                                h.verification_last_24h += 1;
                            }
                        } else {
                            h.last_30d += 1;
                            if recent {
                                h.last_24h += 1;
                            }
                        }
                    }
                    Ok(h)
                }
            }
        }
    };
}
pub(crate) use impl_attempts;

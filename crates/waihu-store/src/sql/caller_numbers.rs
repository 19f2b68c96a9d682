//! Caller numbers: registered and verified by the operator, assigned to one tenant.

macro_rules! impl_caller_numbers {
    ($backend:ty, $db:ty) => {
        mod caller_numbers {
            #[allow(unused_imports)]
            use super::prelude::*;
            use $crate::contacts::{CallerNumber, CallerNumberRepo};
            use chrono::DateTime;

            #[derive(sqlx::FromRow)]
            struct Row {
                number: String,
                tenant_id: Option<uuid::Uuid>,
                verified_at: Option<DateTime<Utc>>,
                created_at: DateTime<Utc>,
            }

            impl From<Row> for CallerNumber {
                fn from(r: Row) -> Self {
                    CallerNumber {
                        number: r.number,
                        tenant_id: r.tenant_id.map(TenantId),
                        verified_at: r.verified_at,
                        created_at: r.created_at,
                    }
                }
            }

            async fn fetch(
                tx: &mut WriteTx<$db>,
                number: &str,
            ) -> StoreResult<CallerNumber> {
                let row: Option<Row> = sqlx::query_as(
                    "SELECT number, tenant_id, verified_at, created_at FROM caller_numbers WHERE number = $1",
                )
                .bind(number)
                .fetch_optional(&mut **tx)
                .await?;
                row.map(CallerNumber::from).ok_or(StoreError::NotFound("caller number"))
            }

            #[async_trait]
            impl CallerNumberRepo for $backend {
                async fn add_caller_number(&self, number: &str, actor: &Actor) -> StoreResult<CallerNumber> {
                    let mut w = self.begin_write().await?;
                    sqlx::query("INSERT INTO caller_numbers (number, created_at) VALUES ($1, $2)")
                        .bind(number)
                        .bind(storage_time(Utc::now()))
                        .execute(&mut *w.tx)
                        .await
                        .map_err(|e| unique_or(e, || format!("caller number {number} is already registered")))?;
                    append_in(&mut w.tx, NewAudit::new(actor, None, "caller_number.add", format!("caller_number:{number}")))
                        .await?;
                    let n = fetch(&mut w.tx, number).await?;
                    w.tx.commit().await?;
                    // After the commit: a reader that sees the old count may cache the new value, never the reverse.
                    self.settings_writes.fetch_add(1, std::sync::atomic::Ordering::Release);
                    Ok(n)
                }

                async fn verify_caller_number(&self, number: &str, actor: &Actor) -> StoreResult<CallerNumber> {
                    let mut w = self.begin_write().await?;
                    let done = sqlx::query("UPDATE caller_numbers SET verified_at = $1 WHERE number = $2")
                        .bind(storage_time(Utc::now()))
                        .bind(number)
                        .execute(&mut *w.tx)
                        .await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound("caller number"));
                    }
                    append_in(&mut w.tx, NewAudit::new(actor, None, "caller_number.verify", format!("caller_number:{number}")))
                        .await?;
                    let n = fetch(&mut w.tx, number).await?;
                    w.tx.commit().await?;
                    // After the commit: a reader that sees the old count may cache the new value, never the reverse.
                    self.settings_writes.fetch_add(1, std::sync::atomic::Ordering::Release);
                    Ok(n)
                }

                async fn assign_caller_number(
                    &self,
                    number: &str,
                    tenant_id: TenantId,
                    actor: &Actor,
                ) -> StoreResult<CallerNumber> {
                    let mut w = self.begin_write().await?;
                    let done = sqlx::query("UPDATE caller_numbers SET tenant_id = $1 WHERE number = $2")
                        .bind(tenant_id.0)
                        .bind(number)
                        .execute(&mut *w.tx)
                        .await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound("caller number"));
                    }
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, Some(tenant_id), "caller_number.assign", format!("caller_number:{number}")),
                    )
                    .await?;
                    let n = fetch(&mut w.tx, number).await?;
                    w.tx.commit().await?;
                    // After the commit: a reader that sees the old count may cache the new value, never the reverse.
                    self.settings_writes.fetch_add(1, std::sync::atomic::Ordering::Release);
                    Ok(n)
                }

                async fn get_caller_number(&self, number: &str) -> StoreResult<Option<CallerNumber>> {
                    let row: Option<Row> = sqlx::query_as(
                        "SELECT number, tenant_id, verified_at, created_at FROM caller_numbers WHERE number = $1",
                    )
                    .bind(number)
                    .fetch_optional(&self.pool)
                    .await?;
                    Ok(row.map(CallerNumber::from))
                }

                async fn list_caller_numbers(&self) -> StoreResult<Vec<CallerNumber>> {
                    let rows: Vec<Row> = sqlx::query_as(
                        "SELECT number, tenant_id, verified_at, created_at FROM caller_numbers ORDER BY number",
                    )
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(CallerNumber::from).collect())
                }
            }
        }
    };
}
pub(crate) use impl_caller_numbers;

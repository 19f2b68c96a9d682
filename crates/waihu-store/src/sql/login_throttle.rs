//! Failed sign-in counters (see `login_throttle.rs`).

/// A counter row as both backends decode it.
#[derive(sqlx::FromRow)]
pub(crate) struct CounterRow {
    pub account: String,
    pub client: String,
    pub failures: i64,
    pub first_failure: chrono::DateTime<chrono::Utc>,
    pub last_failure: chrono::DateTime<chrono::Utc>,
}

impl From<CounterRow> for crate::login_throttle::LoginCounter {
    fn from(r: CounterRow) -> Self {
        Self {
            account: r.account,
            client: r.client,
            failures: r.failures,
            first_failure: r.first_failure,
            last_failure: r.last_failure,
        }
    }
}

macro_rules! impl_login_throttle {
    ($backend:ty, $db:ty) => {
        mod login_throttle {
            #[allow(unused_imports)]
            use super::prelude::*;
            use $crate::login_throttle::{FailureKey, LoginCounter, LoginThrottleRepo};
            use $crate::sql::login_throttle::CounterRow;

            const COLS: &str = "account, client, failures, first_failure, last_failure";

            #[async_trait]
            impl LoginThrottleRepo for $backend {
                async fn login_counters(
                    &self,
                    keys: &[(String, String)],
                ) -> StoreResult<Vec<LoginCounter>> {
                    let mut out = Vec::new();
                    for (account, client) in keys {
                        let row: Option<CounterRow> = sqlx::query_as(&format!(
                            "SELECT {COLS} FROM login_failures WHERE account = $1 AND client = $2"
                        ))
                        .bind(account)
                        .bind(client)
                        .fetch_optional(&self.pool)
                        .await?;
                        out.extend(row.map(LoginCounter::from));
                    }
                    Ok(out)
                }

                async fn record_login_failure(
                    &self,
                    keys: &[FailureKey],
                    now: chrono::DateTime<Utc>,
                ) -> StoreResult<Vec<LoginCounter>> {
                    let now = storage_time(now);
                    let mut w = self.begin_write().await?;
                    sqlx::query("DELETE FROM login_failures WHERE last_failure < $1")
                        .bind(now - chrono::Duration::days(1))
                        .execute(&mut *w.tx)
                        .await?;
                    let mut out = Vec::new();
                    for k in keys {
                        let old: Option<CounterRow> = sqlx::query_as(&format!(
                            "SELECT {COLS} FROM login_failures WHERE account = $1 AND client = $2"
                        ))
                        .bind(&k.account)
                        .bind(&k.client)
                        .fetch_optional(&mut *w.tx)
                        .await?;
                        // Times are compared here, not in SQL, so that it does not
                        // depend on how each backend compares stored times.
                        let (failures, first) = match old {
                            Some(o) if o.first_failure + k.window > now => {
                                (o.failures + 1, o.first_failure)
                            }
                            _ => (1, now),
                        };
                        sqlx::query(
                            "INSERT INTO login_failures (account, client, failures, first_failure, last_failure) \
                             VALUES ($1, $2, $3, $4, $5) \
                             ON CONFLICT (account, client) DO UPDATE SET failures = excluded.failures, \
                             first_failure = excluded.first_failure, last_failure = excluded.last_failure",
                        )
                        .bind(&k.account)
                        .bind(&k.client)
                        .bind(failures)
                        .bind(first)
                        .bind(now)
                        .execute(&mut *w.tx)
                        .await?;
                        out.push(LoginCounter {
                            account: k.account.clone(),
                            client: k.client.clone(),
                            failures,
                            first_failure: first,
                            last_failure: now,
                        });
                    }
                    w.tx.commit().await?;
                    Ok(out)
                }

                async fn clear_login_failures(&self, account: &str, client: &str) -> StoreResult<()> {
                    sqlx::query(
                        "DELETE FROM login_failures WHERE account = $1 AND (client = '' OR client = $2)",
                    )
                    .bind(account)
                    .bind(client)
                    .execute(&self.pool)
                    .await?;
                    Ok(())
                }

                async fn unlock_account(&self, account: &str, actor: &Actor) -> StoreResult<u64> {
                    if account.is_empty() {
                        return Err(StoreError::Invalid("an account name is needed".into()));
                    }
                    let mut w = self.begin_write().await?;
                    let done = sqlx::query("DELETE FROM login_failures WHERE account = $1")
                        .bind(account)
                        .execute(&mut *w.tx)
                        .await?;
                    let dropped = done.rows_affected();
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, None, "auth.unlock", format!("user:{account}"))
                            .with_details(serde_json::json!({ "counters": dropped })),
                    )
                    .await?;
                    w.tx.commit().await?;
                    Ok(dropped)
                }
            }
        }
    };
}
pub(crate) use impl_login_throttle;

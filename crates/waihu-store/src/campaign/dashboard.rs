//! Small aggregates for the back office's dashboard and the operator console,
//! read from the hourly rollups (`call_rollup`, `refusal_rollup`, kept in the
//! transaction that ends a call) and the in-flight calls, so they stay cheap on
//! large tenants. Hours are UTC; a range is `[from, to)` rounded to whole hours.

use crate::error::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use waihu_core::TenantId;

/// A tenant's figures over a time range.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DashboardFigures {
    /// Ended calls that were dialled (refusals are not attempts).
    pub attempts: i64,
    /// Of those, answered.
    pub answered: i64,
    /// Calls in flight right now.
    pub live: i64,
    /// Graded calls by grade letter `A`..`F` (every letter present, maybe 0).
    pub grades: BTreeMap<String, i64>,
    /// Gate refusals by refusing rule (a refusal with several rules counts under each).
    pub refusals_by_rule: BTreeMap<String, i64>,
    /// Gate refusals (each once).
    pub refused: i64,
}

/// One tenant's rates over a range (operator console).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantRates {
    /// The tenant.
    pub tenant_id: TenantId,
    /// Dialled calls.
    pub attempts: i64,
    /// Answered.
    pub answered: i64,
    /// Gate refusals.
    pub refused: i64,
    /// Callees who opted out.
    pub opt_outs: i64,
    /// Calls where the callee complained.
    pub complaints: i64,
}

/// Dashboard reads (tenant-scoped, except the operator's per-tenant rates).
#[async_trait]
pub trait DashboardRepo {
    /// The tenant's figures for calls ended in `[from, to)` (whole UTC hours),
    /// plus its calls in flight now.
    async fn dashboard_figures(
        &self,
        tenant_id: TenantId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<DashboardFigures>;
    /// Every tenant with calls or refusals in `[from, to)`, by tenant id.
    async fn tenant_rates(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<TenantRates>>;
}

macro_rules! impl_dashboard {
    ($backend:ty, $db:ty) => {
        mod dashboard {
            #[allow(unused_imports)]
            use super::prelude::*;
            use $crate::campaign::dashboard::{DashboardFigures, DashboardRepo, TenantRates};
            use $crate::insight::rollup_hour_key as hour_key;
            use chrono::DateTime;

            #[async_trait]
            impl DashboardRepo for $backend {
                async fn dashboard_figures(
                    &self,
                    tenant_id: TenantId,
                    from: DateTime<Utc>,
                    to: DateTime<Utc>,
                ) -> StoreResult<DashboardFigures> {
                    let (from, to) = (hour_key(from), hour_key(to));
                    let sums: (i64, i64, i64, i64, i64, i64, i64, i64, i64) = sqlx::query_as(
                        "SELECT CAST(COALESCE(SUM(attempts), 0) AS BIGINT), CAST(COALESCE(SUM(answered), 0) AS BIGINT), \
                         CAST(COALESCE(SUM(grade_a), 0) AS BIGINT), CAST(COALESCE(SUM(grade_b), 0) AS BIGINT), CAST(COALESCE(SUM(grade_c), 0) AS BIGINT), \
                         CAST(COALESCE(SUM(grade_d), 0) AS BIGINT), CAST(COALESCE(SUM(grade_e), 0) AS BIGINT), CAST(COALESCE(SUM(grade_f), 0) AS BIGINT), \
                         CAST(COALESCE(SUM(refused), 0) AS BIGINT) \
                         FROM call_rollup WHERE tenant_id = $1 AND hour >= $2 AND hour < $3",
                    )
                    .bind(tenant_id.0)
                    .bind(&from)
                    .bind(&to)
                    .fetch_one(&self.pool)
                    .await?;
                    let rules: Vec<(String, i64)> = sqlx::query_as(
                        "SELECT rule, CAST(COALESCE(SUM(refused), 0) AS BIGINT) FROM refusal_rollup \
                         WHERE tenant_id = $1 AND hour >= $2 AND hour < $3 GROUP BY rule ORDER BY rule",
                    )
                    .bind(tenant_id.0)
                    .bind(&from)
                    .bind(&to)
                    .fetch_all(&self.pool)
                    .await?;
                    let (live,): (i64,) = sqlx::query_as(
                        "SELECT CAST(COUNT(*) AS BIGINT) FROM calls WHERE tenant_id = $1 AND state = 'in_flight'",
                    )
                    .bind(tenant_id.0)
                    .fetch_one(&self.pool)
                    .await?;
                    let grades = ["A", "B", "C", "D", "E", "F"]
                        .iter()
                        .zip([sums.2, sums.3, sums.4, sums.5, sums.6, sums.7])
                        .map(|(g, n)| (g.to_string(), n))
                        .collect();
                    Ok(DashboardFigures {
                        attempts: sums.0,
                        answered: sums.1,
                        live,
                        grades,
                        refusals_by_rule: rules.into_iter().collect(),
                        refused: sums.8,
                    })
                }

                async fn tenant_rates(
                    &self,
                    from: DateTime<Utc>,
                    to: DateTime<Utc>,
                ) -> StoreResult<Vec<TenantRates>> {
                    let rows: Vec<(uuid::Uuid, i64, i64, i64, i64, i64)> = sqlx::query_as(
                        "SELECT tenant_id, CAST(COALESCE(SUM(attempts), 0) AS BIGINT), CAST(COALESCE(SUM(answered), 0) AS BIGINT), \
                         CAST(COALESCE(SUM(refused), 0) AS BIGINT), CAST(COALESCE(SUM(opt_outs), 0) AS BIGINT), CAST(COALESCE(SUM(complaints), 0) AS BIGINT) \
                         FROM call_rollup WHERE hour >= $1 AND hour < $2 GROUP BY tenant_id ORDER BY tenant_id",
                    )
                    .bind(hour_key(from))
                    .bind(hour_key(to))
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows
                        .into_iter()
                        .map(|(t, attempts, answered, refused, opt_outs, complaints)| TenantRates {
                            tenant_id: TenantId(t),
                            attempts,
                            answered,
                            refused,
                            opt_outs,
                            complaints,
                        })
                        .collect())
                }
            }
        }
    };
}
pub(crate) use impl_dashboard;

//! Reads for reports and the hourly rollups. `bump_rollup` and `bump_refusals`
//! are called inside the transactions that end a call (finish, refusal,
//! reconciliation), so the rollups always match the call rows.

use crate::campaign::CallId;
use crate::error::{StoreError, StoreResult};
use crate::insight::{CallFactRow, RefusalHour, RollupHour, Totals};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What one ended call adds to its task's hour.
#[derive(Debug, Clone, Default)]
pub(crate) struct RollupDelta {
    pub tenant_id: Uuid,
    pub task_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub variant: Option<String>,
    pub totals: Totals,
}

impl RollupDelta {
    /// The counts of a finished call.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn finished(
        answered: bool,
        duration_ms: Option<i64>,
        grade: Option<&str>,
        lead: bool,
        opt_out: bool,
        intents_json: Option<&str>,
        attempted: bool,
    ) -> Totals {
        let mut t = Totals {
            attempts: i64::from(attempted),
            answered: i64::from(answered),
            talk_ms: if answered {
                duration_ms.unwrap_or(0).max(0)
            } else {
                0
            },
            leads: i64::from(lead),
            opt_outs: i64::from(opt_out),
            complaints: i64::from(intents_json.is_some_and(|i| i.contains("\"complaint\""))),
            ..Totals::default()
        };
        if let Some(i) = grade
            .and_then(|g| "ABCDEF".find(g))
            .filter(|_| grade.is_some_and(|g| g.len() == 1))
        {
            t.grades[i] = 1;
        }
        t
    }
}

pub(crate) const ROLLUP_UPSERT: &str =
    "INSERT INTO call_rollup (tenant_id, task_id, hour, variant, \
     attempts, answered, talk_ms, grade_a, grade_b, grade_c, grade_d, grade_e, grade_f, leads, \
     opt_outs, complaints, refused, interrupted) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
     ON CONFLICT (task_id, hour, variant) DO UPDATE SET \
     attempts = call_rollup.attempts + excluded.attempts, \
     answered = call_rollup.answered + excluded.answered, \
     talk_ms = call_rollup.talk_ms + excluded.talk_ms, \
     grade_a = call_rollup.grade_a + excluded.grade_a, \
     grade_b = call_rollup.grade_b + excluded.grade_b, \
     grade_c = call_rollup.grade_c + excluded.grade_c, \
     grade_d = call_rollup.grade_d + excluded.grade_d, \
     grade_e = call_rollup.grade_e + excluded.grade_e, \
     grade_f = call_rollup.grade_f + excluded.grade_f, \
     leads = call_rollup.leads + excluded.leads, \
     opt_outs = call_rollup.opt_outs + excluded.opt_outs, \
     complaints = call_rollup.complaints + excluded.complaints, \
     refused = call_rollup.refused + excluded.refused, \
     interrupted = call_rollup.interrupted + excluded.interrupted";

pub(crate) const REFUSAL_UPSERT: &str =
    "INSERT INTO refusal_rollup (tenant_id, task_id, hour, rule, refused) \
     VALUES ($1, $2, $3, $4, 1) ON CONFLICT (task_id, hour, rule) \
     DO UPDATE SET refused = refusal_rollup.refused + 1";

pub(crate) const ROLLUP_COLS: &str = "task_id, hour, variant, attempts, answered, talk_ms, grade_a, \
     grade_b, grade_c, grade_d, grade_e, grade_f, leads, opt_outs, complaints, refused, interrupted";

pub(crate) const FACT_SELECT: &str = "SELECT k.id, k.task_id, k.script_version_id, k.variant, \
     k.created_at, k.answered_at, k.duration_ms, k.outcome, k.script_outcome, k.grade, k.opt_out, \
     EXISTS (SELECT 1 FROM leads l WHERE l.call_id = k.id) AS lead, k.gate, k.path, k.turn_log, \
     k.transcript, k.number_hash, k.number_masked FROM calls k WHERE k.tenant_id = ";

#[derive(sqlx::FromRow)]
pub(crate) struct FactRow {
    id: Uuid,
    task_id: Option<Uuid>,
    script_version_id: Option<Uuid>,
    variant: Option<String>,
    created_at: DateTime<Utc>,
    answered_at: Option<DateTime<Utc>>,
    duration_ms: Option<i64>,
    outcome: Option<String>,
    script_outcome: Option<String>,
    grade: Option<String>,
    opt_out: bool,
    lead: bool,
    gate: String,
    path: Option<String>,
    turn_log: Option<String>,
    transcript: Option<String>,
    number_hash: Vec<u8>,
    number_masked: String,
}

impl TryFrom<FactRow> for CallFactRow {
    type Error = StoreError;
    fn try_from(r: FactRow) -> StoreResult<Self> {
        Ok(CallFactRow {
            id: r.id as CallId,
            task_id: r.task_id,
            script_version_id: r.script_version_id,
            variant: r.variant,
            created_at: r.created_at,
            answered_at: r.answered_at,
            duration_ms: r.duration_ms,
            outcome: r.outcome,
            script_outcome: r.script_outcome,
            grade: r.grade,
            opt_out: r.opt_out,
            lead: r.lead,
            gate_json: r.gate,
            path_json: r.path,
            turn_log_json: r.turn_log,
            transcript_json: r.transcript,
            number_hash: crate::sql::contacts::phone_hash(&r.number_hash, "calls")?,
            number_masked: r.number_masked,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RollupRow {
    task_id: Uuid,
    hour: String,
    variant: String,
    attempts: i64,
    answered: i64,
    talk_ms: i64,
    grade_a: i64,
    grade_b: i64,
    grade_c: i64,
    grade_d: i64,
    grade_e: i64,
    grade_f: i64,
    leads: i64,
    opt_outs: i64,
    complaints: i64,
    refused: i64,
    interrupted: i64,
}

impl TryFrom<RollupRow> for RollupHour {
    type Error = StoreError;
    fn try_from(r: RollupRow) -> StoreResult<Self> {
        Ok(RollupHour {
            task_id: r.task_id,
            hour: crate::insight::rollup_parse_hour(&r.hour, "call_rollup")?,
            variant: (!r.variant.is_empty()).then_some(r.variant),
            totals: Totals {
                attempts: r.attempts,
                answered: r.answered,
                talk_ms: r.talk_ms,
                grades: [
                    r.grade_a, r.grade_b, r.grade_c, r.grade_d, r.grade_e, r.grade_f,
                ],
                leads: r.leads,
                opt_outs: r.opt_outs,
                complaints: r.complaints,
                refused: r.refused,
                interrupted: r.interrupted,
            },
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RefusalRow {
    task_id: Uuid,
    hour: String,
    rule: String,
    refused: i64,
}

impl TryFrom<RefusalRow> for RefusalHour {
    type Error = StoreError;
    fn try_from(r: RefusalRow) -> StoreResult<Self> {
        Ok(RefusalHour {
            task_id: r.task_id,
            hour: crate::insight::rollup_parse_hour(&r.hour, "refusal_rollup")?,
            rule: r.rule,
            refused: r.refused,
        })
    }
}

macro_rules! impl_insight {
    ($backend:ty, $db:ty) => {
        mod insight {
            #[allow(unused_imports)]
            use super::prelude::*;
            use $crate::insight::{
                rollup_gate_rules, rollup_hour_key, CallFactRow, FactPage, FactScope, HistoricCall,
                InsightRepo, RefusalHour, RollupHour, MAX_FACT_PAGE,
            };
            use $crate::sql::insight::{
                FactRow, RefusalRow, RollupDelta, RollupRow, FACT_SELECT, REFUSAL_UPSERT, ROLLUP_COLS,
                ROLLUP_UPSERT,
            };
            use uuid::Uuid;

            /// Adds an ended call's counts to its task's hour (inside the caller's transaction).
            pub(in super) async fn bump_rollup(
                tx: &mut WriteTx<$db>,
                d: &RollupDelta,
            ) -> StoreResult<()> {
                let t = &d.totals;
                sqlx::query(ROLLUP_UPSERT)
                    .bind(d.tenant_id)
                    .bind(d.task_id)
                    .bind(rollup_hour_key(d.created_at))
                    .bind(d.variant.clone().unwrap_or_default())
                    .bind(t.attempts)
                    .bind(t.answered)
                    .bind(t.talk_ms)
                    .bind(t.grades[0])
                    .bind(t.grades[1])
                    .bind(t.grades[2])
                    .bind(t.grades[3])
                    .bind(t.grades[4])
                    .bind(t.grades[5])
                    .bind(t.leads)
                    .bind(t.opt_outs)
                    .bind(t.complaints)
                    .bind(t.refused)
                    .bind(t.interrupted)
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }

            /// Counts a gate refusal under each of its rules (inside the caller's transaction).
            pub(in super) async fn bump_refusals(
                tx: &mut WriteTx<$db>,
                tenant_id: Uuid,
                task_id: Uuid,
                at: DateTime<Utc>,
                gate_json: &str,
            ) -> StoreResult<()> {
                let hour = rollup_hour_key(at);
                for rule in rollup_gate_rules(gate_json) {
                    sqlx::query(REFUSAL_UPSERT)
                        .bind(tenant_id)
                        .bind(task_id)
                        .bind(&hour)
                        .bind(rule)
                        .execute(&mut **tx)
                        .await?;
                }
                Ok(())
            }

            use chrono::DateTime;

            impl $backend {
                async fn owns_task_for_report(&self, tenant_id: TenantId, task_id: Uuid) -> StoreResult<()> {
                    let row: Option<(Uuid,)> = sqlx::query_as("SELECT id FROM tasks WHERE tenant_id = $1 AND id = $2")
                        .bind(tenant_id.0)
                        .bind(task_id)
                        .fetch_optional(&self.pool)
                        .await?;
                    row.map(|_| ()).ok_or(StoreError::NotFound("task"))
                }
            }

            #[async_trait]
            impl InsightRepo for $backend {
                async fn call_facts(&self, tenant_id: TenantId, page: &FactPage) -> StoreResult<Vec<CallFactRow>> {
                    if page.limit == 0 || page.limit > MAX_FACT_PAGE {
                        return Err(StoreError::Invalid(format!(
                            "a page of calls holds 1 to {MAX_FACT_PAGE} calls, not {}",
                            page.limit
                        )));
                    }
                    let mut qb = sqlx::QueryBuilder::<$db>::new(FACT_SELECT);
                    qb.push_bind(tenant_id.0);
                    match page.scope {
                        FactScope::Task(t) => {
                            qb.push(" AND k.task_id = ").push_bind(t);
                        }
                        FactScope::ScriptVersion(v) => {
                            qb.push(" AND k.script_version_id = ").push_bind(v);
                        }
                        FactScope::Tenant => {}
                    }
                    if let Some(b) = page.before {
                        qb.push(" AND k.id < ").push_bind(b);
                    }
                    if page.only_unknown {
                        // A pre-filter on the stored JSON: a turn labelled
                        // `unknown`, or a callee line recognised with a
                        // confidence below 0.5 (serde writes `0.42`).
                        qb.push(" AND (k.turn_log LIKE '%\"intent\":\"unknown\"%'");
                        for d in 0..5 {
                            qb.push(format!(" OR k.transcript LIKE '%\"confidence\":0.{d}%'"));
                        }
                        qb.push(")");
                    }
                    qb.push(" ORDER BY k.id DESC LIMIT ").push_bind(i64::from(page.limit));
                    let rows: Vec<FactRow> = qb.build_query_as().fetch_all(&self.pool).await?;
                    rows.into_iter().map(CallFactRow::try_from).collect()
                }

                async fn task_rollup(&self, tenant_id: TenantId, task_id: Uuid) -> StoreResult<Vec<RollupHour>> {
                    self.owns_task_for_report(tenant_id, task_id).await?;
                    let rows: Vec<RollupRow> = sqlx::query_as(&format!(
                        "SELECT {ROLLUP_COLS} FROM call_rollup WHERE tenant_id = $1 AND task_id = $2 ORDER BY hour, variant"
                    ))
                    .bind(tenant_id.0)
                    .bind(task_id)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.into_iter().map(RollupHour::try_from).collect()
                }

                async fn task_refusals(&self, tenant_id: TenantId, task_id: Uuid) -> StoreResult<Vec<RefusalHour>> {
                    self.owns_task_for_report(tenant_id, task_id).await?;
                    let rows: Vec<RefusalRow> = sqlx::query_as(
                        "SELECT task_id, hour, rule, refused FROM refusal_rollup \
                         WHERE tenant_id = $1 AND task_id = $2 ORDER BY hour, rule",
                    )
                    .bind(tenant_id.0)
                    .bind(task_id)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.into_iter().map(RefusalHour::try_from).collect()
                }

                async fn task_complaint_tickets(&self, tenant_id: TenantId, task_id: Uuid) -> StoreResult<Vec<DateTime<Utc>>> {
                    self.owns_task_for_report(tenant_id, task_id).await?;
                    let rows: Vec<(DateTime<Utc>,)> = sqlx::query_as(
                        "SELECT MIN(k.created_at) FROM complaint_calls cc \
                         JOIN calls k ON k.id = cc.call_id \
                         WHERE k.tenant_id = $1 AND k.task_id = $2 \
                         GROUP BY cc.complaint_id ORDER BY 1",
                    )
                    .bind(tenant_id.0)
                    .bind(task_id)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(|(at,)| at).collect())
                }

                async fn import_call_history(
                    &self,
                    tenant_id: TenantId,
                    task_id: Uuid,
                    calls: &[HistoricCall],
                    actor: &Actor,
                ) -> StoreResult<u64> {
                    self.import_call_history_in(tenant_id, task_id, calls, actor).await
                }

                async fn tenant_rollup(&self, tenant_id: TenantId) -> StoreResult<Vec<RollupHour>> {
                    let rows: Vec<RollupRow> = sqlx::query_as(&format!(
                        "SELECT {ROLLUP_COLS} FROM call_rollup WHERE tenant_id = $1 ORDER BY hour, task_id, variant"
                    ))
                    .bind(tenant_id.0)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.into_iter().map(RollupHour::try_from).collect()
                }
            }
        }
    };
}
pub(crate) use impl_insight;

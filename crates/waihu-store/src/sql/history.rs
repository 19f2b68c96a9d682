//! Importing ended calls of a task from elsewhere (`InsightRepo::import_call_history`):
//! the checks and the rollup counts are plain functions here; the inserts (dial
//! attempts, calls, leads, then the rollups and one audit entry, all in one
//! transaction) expand for each backend beside `insight` by `impl_all!`.

use crate::error::{StoreError, StoreResult};
use crate::insight::{rollup_gate_rules, rollup_hour_key, HistoricCall, Totals};
use crate::sql::insight::RollupDelta;
use std::collections::BTreeMap;
use uuid::Uuid;
use waihu_core::CallOutcome;

/// Rows per multi-row INSERT (well under both backends' bind limits).
pub(crate) const IMPORT_CHUNK: usize = 1_000;

/// Refuses the whole import if one call is not storable: no outcome, a grade
/// that is not a grade, a lead without a grade, a variant other than A or B.
pub(crate) fn check_history(calls: &[HistoricCall]) -> StoreResult<()> {
    for c in calls {
        if c.result.outcome.trim().is_empty() {
            return Err(StoreError::Invalid("a historic call has no outcome".into()));
        }
        if let Some(g) = &c.result.grade {
            crate::campaign::check_grade(g, "a historic call's grade")?;
        }
        if c.lead && c.result.grade.is_none() {
            return Err(StoreError::Invalid("a historic lead needs a grade".into()));
        }
        if c.variant.as_deref().is_some_and(|v| v != "A" && v != "B") {
            return Err(StoreError::Invalid(
                "a historic call's variant must be A or B".into(),
            ));
        }
    }
    Ok(())
}

/// A historic call with the ids it is stored under.
pub(crate) struct Placed<'a> {
    pub call: &'a HistoricCall,
    /// The call's id.
    pub id: Uuid,
    /// Its dial attempt's id; a gate refusal was never dialled and has none.
    pub attempt: Option<Uuid>,
}

/// Fresh ids for each call of `chunk`, in order.
pub(crate) fn place(chunk: &[HistoricCall]) -> Vec<Placed<'_>> {
    chunk
        .iter()
        .map(|call| {
            let refused = CallOutcome::Refused.is(Some(&call.result.outcome));
            Placed {
                call,
                id: Uuid::now_v7(),
                attempt: (!refused).then(Uuid::now_v7),
            }
        })
        .collect()
}

/// The rollup counts of the imported calls, summed per hour (and variant, or
/// gate rule) so that each hour is written once.
#[derive(Default)]
pub(crate) struct HistoryRollup {
    /// Totals by (hour key, variant or "").
    pub calls: BTreeMap<(String, String), Totals>,
    /// Refusals by (hour key, gate rule).
    pub refusals: BTreeMap<(String, String), i64>,
}

impl HistoryRollup {
    /// Counts one call as the end of a live call would.
    pub(crate) fn add(&mut self, c: &HistoricCall) {
        let hour = rollup_hour_key(c.created_at);
        let r = &c.result;
        let t = if CallOutcome::Refused.is(Some(&r.outcome)) {
            for rule in rollup_gate_rules(&c.gate_json) {
                *self.refusals.entry((hour.clone(), rule)).or_default() += 1;
            }
            Totals {
                refused: 1,
                ..Totals::default()
            }
        } else {
            let mut t = RollupDelta::finished(
                r.answered_at.is_some() || CallOutcome::Answered.is(Some(&r.outcome)),
                r.duration_ms,
                r.grade.as_deref(),
                c.lead,
                r.opt_out,
                r.intents_json.as_deref(),
                true,
            );
            t.interrupted = i64::from(CallOutcome::Interrupted.is(Some(&r.outcome)));
            t
        };
        self.calls
            .entry((hour, c.variant.clone().unwrap_or_default()))
            .or_default()
            .add(&t);
    }
}

macro_rules! impl_history {
    ($backend:ty, $db:ty) => {
        mod history {
            #[allow(unused_imports)]
            use super::prelude::*;
            use uuid::Uuid;
            use $crate::insight::HistoricCall;
            use $crate::sql::history::{check_history, place, HistoryRollup, Placed, IMPORT_CHUNK};
            use $crate::sql::insight::RollupDelta;

            use super::insight::bump_rollup;

            type Tx = WriteTx<$db>;

            impl $backend {
                /// `InsightRepo::import_call_history`.
                pub(super) async fn import_call_history_in(
                    &self,
                    tenant_id: TenantId,
                    task_id: Uuid,
                    calls: &[HistoricCall],
                    actor: &Actor,
                ) -> StoreResult<u64> {
                    check_history(calls)?;
                    let mut w = self.begin_write().await?;
                    let owned: Option<(String,)> = sqlx::query_as("SELECT purpose FROM tasks WHERE tenant_id = $1 AND id = $2")
                        .bind(tenant_id.0)
                        .bind(task_id)
                        .fetch_optional(&mut *w.tx)
                        .await?;
                    let (purpose,) = owned.ok_or(StoreError::NotFound("task"))?;
                    let mut rollup = HistoryRollup::default();
                    for chunk in calls.chunks(IMPORT_CHUNK) {
                        let placed = place(chunk);
                        insert_attempts(&mut w.tx, tenant_id, &purpose, &placed).await?;
                        insert_calls(&mut w.tx, tenant_id, task_id, &placed).await?;
                        insert_leads(&mut w.tx, tenant_id, task_id, &placed).await?;
                        for c in chunk {
                            rollup.add(c);
                        }
                    }
                    write_rollup(&mut w.tx, tenant_id, task_id, rollup).await?;
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, Some(tenant_id), "task.import_history", format!("task:{task_id}"))
                            .with_details(serde_json::json!({ "calls": calls.len() })),
                    )
                    .await?;
                    w.tx.commit().await?;
                    Ok(calls.len() as u64)
                }
            }

            /// The dial attempts of the calls that were dialled (for the
            /// frequency limits, as if the task had placed them).
            async fn insert_attempts(
                tx: &mut Tx,
                tenant_id: TenantId,
                purpose: &str,
                placed: &[Placed<'_>],
            ) -> StoreResult<()> {
                let attempted: Vec<_> = placed.iter().filter_map(|p| Some((p.call, p.attempt?))).collect();
                if attempted.is_empty() {
                    return Ok(());
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO dial_attempts (id, tenant_id, number_hash, purpose, at, outcome) ",
                );
                qb.push_values(attempted, |mut b, (c, a)| {
                    b.push_bind(a)
                        .push_bind(tenant_id.0)
                        .push_bind(c.number_hash.0.to_vec())
                        .push_bind(purpose.to_string())
                        .push_bind(storage_time(c.created_at))
                        .push_bind(c.result.outcome.clone());
                });
                qb.build().execute(&mut **tx).await?;
                Ok(())
            }

            /// The calls, ended (`done`), as a finished call stores them.
            async fn insert_calls(
                tx: &mut Tx,
                tenant_id: TenantId,
                task_id: Uuid,
                placed: &[Placed<'_>],
            ) -> StoreResult<()> {
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO calls (id, tenant_id, task_id, contact_id, attempt_id, number_hash, \
                     number_masked, state, created_at, answered_at, ended_at, duration_ms, outcome, \
                     sip_status, gate, script_version_id, variant, script_outcome, grade, grade_reason, \
                     opt_out, recording_stopped, transcript, path, intents, turn_log, latency_ms) ",
                );
                qb.push_values(placed, |mut b, p| {
                    let (c, r) = (p.call, &p.call.result);
                    b.push_bind(p.id)
                        .push_bind(tenant_id.0)
                        .push_bind(task_id)
                        .push_bind(c.contact_id)
                        .push_bind(p.attempt)
                        .push_bind(c.number_hash.0.to_vec())
                        .push_bind(c.number_masked.clone())
                        .push_bind("done")
                        .push_bind(storage_time(c.created_at))
                        .push_bind(r.answered_at.map(storage_time))
                        .push_bind(r.ended_at.map(storage_time))
                        .push_bind(r.duration_ms)
                        .push_bind(r.outcome.clone())
                        .push_bind(r.sip_status)
                        .push_bind(c.gate_json.clone())
                        .push_bind(c.script_version_id)
                        .push_bind(c.variant.clone())
                        .push_bind(r.script_outcome.clone())
                        .push_bind(r.grade.clone())
                        .push_bind(r.grade_reason.clone())
                        .push_bind(r.opt_out)
                        .push_bind(r.recording_stopped)
                        .push_bind(r.transcript_json.clone())
                        .push_bind(r.path_json.clone())
                        .push_bind(r.intents_json.clone())
                        .push_bind(r.turn_log_json.clone())
                        .push_bind(r.latency_ms);
                });
                qb.build().execute(&mut **tx).await?;
                Ok(())
            }

            /// The leads of the calls that made one: new, not shareable, never pushed.
            async fn insert_leads(
                tx: &mut Tx,
                tenant_id: TenantId,
                task_id: Uuid,
                placed: &[Placed<'_>],
            ) -> StoreResult<()> {
                let leads: Vec<_> = placed.iter().filter(|p| p.call.lead).collect();
                if leads.is_empty() {
                    return Ok(());
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO leads (id, tenant_id, task_id, call_id, contact_id, number_masked, \
                     robot_grade, robot_reason, shareable, status, created_at) ",
                );
                qb.push_values(leads, |mut b, p| {
                    let c = p.call;
                    b.push_bind(Uuid::now_v7())
                        .push_bind(tenant_id.0)
                        .push_bind(task_id)
                        .push_bind(p.id)
                        .push_bind(c.contact_id)
                        .push_bind(c.number_masked.clone())
                        .push_bind(c.result.grade.clone().unwrap_or_default())
                        .push_bind(c.result.grade_reason.clone().unwrap_or_default())
                        .push_bind(false)
                        .push_bind("new")
                        .push_bind(storage_time(c.created_at));
                });
                qb.build().execute(&mut **tx).await?;
                Ok(())
            }

            /// Adds the summed counts to the task's hourly rollups.
            async fn write_rollup(
                tx: &mut Tx,
                tenant_id: TenantId,
                task_id: Uuid,
                rollup: HistoryRollup,
            ) -> StoreResult<()> {
                for ((hour, variant), totals) in rollup.calls {
                    let d = RollupDelta {
                        tenant_id: tenant_id.0,
                        task_id,
                        created_at: $crate::insight::rollup_parse_hour(&hour, "call_rollup")?,
                        variant: (!variant.is_empty()).then_some(variant),
                        totals,
                    };
                    bump_rollup(tx, &d).await?;
                }
                for ((hour, rule), n) in rollup.refusals {
                    sqlx::query(
                        "INSERT INTO refusal_rollup (tenant_id, task_id, hour, rule, refused) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (task_id, hour, rule) \
                         DO UPDATE SET refused = refusal_rollup.refused + excluded.refused",
                    )
                    .bind(tenant_id.0)
                    .bind(task_id)
                    .bind(hour)
                    .bind(rule)
                    .bind(n)
                    .execute(&mut **tx)
                    .await?;
                }
                Ok(())
            }
        }
    };
}
pub(crate) use impl_history;

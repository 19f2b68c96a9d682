//! Calls: persisted (with their dial attempt) before dialling, finished with the
//! task contact, lead and push deliveries in one transaction, reconciled as
//! `interrupted` after a crash. Scheduler bookkeeping: not audited.

use crate::campaign::{CallRecord, CallState, InFlight};
use crate::error::{StoreError, StoreResult};
use crate::sql::contacts::phone_hash;
use crate::sql::limits::count_column;
use chrono::{DateTime, Utc};
use uuid::Uuid;
use waihu_core::TenantId;

pub(crate) const CALL_COLS: &str = "id, tenant_id, task_id, contact_id, attempt_id, number_hash, \
     number_masked, worker, state, created_at, answered_at, ended_at, duration_ms, outcome, \
     sip_status, gate, script_version_id, script_outcome, grade, grade_reason, opt_out, \
     recording_stopped, recording_path, transcript, path, intents, turn_log, latency_ms, variant";

#[derive(sqlx::FromRow)]
pub(crate) struct CallRow {
    id: Uuid,
    tenant_id: Uuid,
    task_id: Option<Uuid>,
    contact_id: Option<Uuid>,
    attempt_id: Option<Uuid>,
    number_hash: Vec<u8>,
    number_masked: String,
    worker: Option<String>,
    state: String,
    created_at: DateTime<Utc>,
    answered_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    duration_ms: Option<i64>,
    outcome: Option<String>,
    sip_status: Option<i32>,
    gate: String,
    script_version_id: Option<Uuid>,
    script_outcome: Option<String>,
    grade: Option<String>,
    grade_reason: Option<String>,
    opt_out: bool,
    recording_stopped: bool,
    recording_path: Option<String>,
    transcript: Option<String>,
    path: Option<String>,
    intents: Option<String>,
    turn_log: Option<String>,
    latency_ms: Option<i64>,
    variant: Option<String>,
}

impl TryFrom<CallRow> for CallRecord {
    type Error = StoreError;
    fn try_from(r: CallRow) -> StoreResult<Self> {
        Ok(CallRecord {
            id: r.id,
            tenant_id: TenantId(r.tenant_id),
            task_id: r.task_id,
            contact_id: r.contact_id,
            attempt_id: r.attempt_id,
            number_hash: phone_hash(&r.number_hash, "calls")?,
            number_masked: r.number_masked,
            worker: r.worker,
            state: CallState::parse(&r.state)?,
            created_at: r.created_at,
            answered_at: r.answered_at,
            ended_at: r.ended_at,
            duration_ms: r.duration_ms,
            outcome: r.outcome,
            sip_status: r.sip_status,
            gate_json: r.gate,
            script_version_id: r.script_version_id,
            variant: r.variant,
            script_outcome: r.script_outcome,
            grade: r.grade,
            grade_reason: r.grade_reason,
            opt_out: r.opt_out,
            recording_stopped: r.recording_stopped,
            recording_path: r.recording_path,
            transcript_json: r.transcript,
            path_json: r.path,
            intents_json: r.intents,
            turn_log_json: r.turn_log,
            latency_ms: r.latency_ms,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct InFlightRow {
    id: Uuid,
    tenant_id: Uuid,
    task_id: Option<Uuid>,
    contact_id: Option<Uuid>,
    created_at: DateTime<Utc>,
    attempts: i32,
}

impl TryFrom<InFlightRow> for InFlight {
    type Error = StoreError;
    fn try_from(r: InFlightRow) -> StoreResult<Self> {
        Ok(InFlight {
            call_id: r.id,
            tenant_id: TenantId(r.tenant_id),
            task_id: r.task_id,
            contact_id: r.contact_id,
            created_at: r.created_at,
            attempts: count_column(r.attempts, "task_contacts", "attempt count")?,
        })
    }
}

/// What an ended call's row says about where its bookkeeping goes.
#[derive(sqlx::FromRow)]
pub(crate) struct EndedCall {
    pub tenant_id: Uuid,
    pub task_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub attempt_id: Option<Uuid>,
    pub number_masked: String,
    pub created_at: DateTime<Utc>,
    pub variant: Option<String>,
}

macro_rules! impl_calls {
    ($backend:ty, $db:ty) => {
        mod calls {
            #[allow(unused_imports)]
            use super::prelude::*;
            use super::insight::{bump_refusals, bump_rollup};
            use super::tasks::apply_next;
            use $crate::insight::Totals;
            use $crate::sql::insight::RollupDelta;
            use $crate::campaign::grade::check_grade;
            use $crate::campaign::{
                BeginCall, CallFilter, CallId, CallRecord, CallRepo, CallResult, InFlight, NewLead, Next,
            };
            use $crate::sql::calls::{CallRow, EndedCall, InFlightRow, CALL_COLS};
            use chrono::DateTime;
            use uuid::Uuid;
            use waihu_compliance::pii::PhoneHash;
            use waihu_core::CallOutcome;

            /// The statement that ends an in-flight call: the one that decides, so a
            /// call is finished or reconciled exactly once. `set` assigns columns from $2.
            fn end_call_sql(set: &str) -> String {
                format!(
                    "UPDATE calls SET state = 'done', {set} WHERE id = $1 AND state = 'in_flight' \
                     RETURNING tenant_id, task_id, contact_id, attempt_id, number_masked, created_at, variant"
                )
            }

            /// Why an in-flight call could not be ended.
            async fn not_in_flight(
                tx: &mut WriteTx<$db>,
                call_id: CallId,
            ) -> StoreError {
                let state: Result<Option<(String,)>, _> = sqlx::query_as("SELECT state FROM calls WHERE id = $1")
                    .bind(call_id)
                    .fetch_optional(&mut **tx)
                    .await;
                match state {
                    Ok(None) => StoreError::NotFound("call"),
                    Ok(Some(_)) => StoreError::Conflict(format!("call {call_id} has already ended")),
                    Err(e) => StoreError::Database(e),
                }
            }

            /// Inserts the lead of a finished call and queues it for every enabled
            /// push target of the tenant whose minimum grade it meets.
            async fn insert_lead(
                tx: &mut WriteTx<$db>,
                call_id: CallId,
                call: &EndedCall,
                lead: &NewLead,
                now: DateTime<Utc>,
            ) -> StoreResult<Uuid> {
                let task_id = call.task_id.ok_or_else(|| {
                    StoreError::Invalid(format!("call {call_id} belongs to no task and cannot make a lead"))
                })?;
                let lead_id = Uuid::now_v7();
                sqlx::query(
                    "INSERT INTO leads (id, tenant_id, task_id, call_id, contact_id, number_masked, \
                     robot_grade, robot_reason, shareable, status, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'new', $10)",
                )
                .bind(lead_id)
                .bind(call.tenant_id)
                .bind(task_id)
                .bind(call_id)
                .bind(call.contact_id)
                .bind(&call.number_masked)
                .bind(&lead.grade)
                .bind(&lead.reason)
                .bind(lead.shareable)
                .bind(now)
                .execute(&mut **tx)
                .await?;
                if !lead.shareable {
                    return Ok(lead_id);
                }
                // Grades are letters with A best, so "meets the minimum" is text order.
                let targets: Vec<(Uuid,)> = sqlx::query_as(
                    "SELECT id FROM push_targets WHERE tenant_id = $1 AND enabled = $2 AND min_grade >= $3",
                )
                .bind(call.tenant_id)
                .bind(true)
                .bind(&lead.grade)
                .fetch_all(&mut **tx)
                .await?;
                for (target,) in targets {
                    sqlx::query(
                        "INSERT INTO push_deliveries (id, tenant_id, lead_id, target_id, state, attempts, \
                         next_at, created_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
                    )
                    .bind(Uuid::now_v7())
                    .bind(call.tenant_id)
                    .bind(lead_id)
                    .bind(target)
                    .bind(now)
                    .execute(&mut **tx)
                    .await?;
                }
                Ok(lead_id)
            }

            #[async_trait]
            impl CallRepo for $backend {
                async fn begin_call(&self, call: BeginCall) -> StoreResult<CallId> {
                    if let Some(v) = &call.variant {
                        if v != "A" && v != "B" {
                            return Err(StoreError::Invalid(format!("call variant {v:?}: use A or B")));
                        }
                    }
                    let now = storage_time(call.now);
                    let attempt_id = Uuid::now_v7();
                    let call_id = Uuid::now_v7();
                    let mut w = self.begin_bookkeeping().await?;
                    let counted = sqlx::query(
                        "UPDATE task_contacts SET attempts = attempts + 1 \
                         WHERE task_id = $1 AND contact_id = $2 AND tenant_id = $3",
                    )
                    .bind(call.task_id)
                    .bind(call.contact_id)
                    .bind(call.tenant_id.0)
                    .execute(&mut *w.tx)
                    .await?
                    .rows_affected();
                    if counted != 1 {
                        return Err(StoreError::NotFound("task contact"));
                    }
                    sqlx::query(
                        "INSERT INTO dial_attempts (id, tenant_id, number_hash, purpose, at) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(attempt_id)
                    .bind(call.tenant_id.0)
                    .bind(call.number_hash.0.to_vec())
                    .bind(&call.purpose)
                    .bind(now)
                    .execute(&mut *w.tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO calls (id, tenant_id, task_id, contact_id, attempt_id, number_hash, \
                         number_masked, worker, state, created_at, gate, script_version_id, variant) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'in_flight', $9, $10, $11, $12)",
                    )
                    .bind(call_id)
                    .bind(call.tenant_id.0)
                    .bind(call.task_id)
                    .bind(call.contact_id)
                    .bind(attempt_id)
                    .bind(call.number_hash.0.to_vec())
                    .bind(&call.number_masked)
                    .bind(&call.worker)
                    .bind(now)
                    .bind(&call.gate_json)
                    .bind(call.script_version_id)
                    .bind(&call.variant)
                    .execute(&mut *w.tx)
                    .await?;
                    w.tx.commit().await?;
                    Ok(call_id)
                }

                async fn record_refusal(
                    &self,
                    tenant_id: TenantId,
                    task_id: Uuid,
                    contact_id: Uuid,
                    number_hash: &PhoneHash,
                    number_masked: &str,
                    gate_json: &str,
                    now: DateTime<Utc>,
                    next: Next,
                ) -> StoreResult<CallId> {
                    let now = storage_time(now);
                    let call_id = Uuid::now_v7();
                    let mut w = self.begin_bookkeeping().await?;
                    let refused = CallOutcome::Refused.as_str();
                    apply_next(&mut w.tx, task_id, contact_id, &next, Some(refused), true).await?;
                    let owned: Option<(Uuid,)> = sqlx::query_as(
                        "SELECT contact_id FROM task_contacts WHERE task_id = $1 AND contact_id = $2 AND tenant_id = $3",
                    )
                    .bind(task_id)
                    .bind(contact_id)
                    .bind(tenant_id.0)
                    .fetch_optional(&mut *w.tx)
                    .await?;
                    owned.ok_or(StoreError::NotFound("task contact"))?;
                    sqlx::query(
                        "INSERT INTO calls (id, tenant_id, task_id, contact_id, number_hash, number_masked, \
                         state, created_at, ended_at, outcome, gate) \
                         VALUES ($1, $2, $3, $4, $5, $6, 'done', $7, $7, $9, $8)",
                    )
                    .bind(call_id)
                    .bind(tenant_id.0)
                    .bind(task_id)
                    .bind(contact_id)
                    .bind(number_hash.0.to_vec())
                    .bind(number_masked)
                    .bind(now)
                    .bind(gate_json)
                    .bind(refused)
                    .execute(&mut *w.tx)
                    .await?;
                    let delta = RollupDelta {
                        tenant_id: tenant_id.0,
                        task_id,
                        created_at: now,
                        variant: None,
                        totals: Totals { refused: 1, ..Totals::default() },
                    };
                    bump_rollup(&mut w.tx, &delta).await?;
                    bump_refusals(&mut w.tx, tenant_id.0, task_id, now, gate_json).await?;
                    w.tx.commit().await?;
                    Ok(call_id)
                }

                async fn finish_call(
                    &self,
                    call_id: CallId,
                    result: CallResult,
                    next: Next,
                    lead: Option<NewLead>,
                ) -> StoreResult<Option<Uuid>> {
                    if let Some(g) = &result.grade {
                        check_grade(g, "the call grade")?;
                    }
                    if let Some(l) = &lead {
                        check_grade(&l.grade, "the lead grade")?;
                    }
                    if result.outcome.trim().is_empty() {
                        return Err(StoreError::Invalid(format!("call {call_id}: the outcome is empty")));
                    }
                    let now = storage_time(result.ended_at.unwrap_or_else(Utc::now));
                    let mut w = self.begin_bookkeeping().await?;
                    let sql = end_call_sql(
                        "answered_at = $2, ended_at = $3, duration_ms = $4, outcome = $5, sip_status = $6, \
                         script_outcome = $7, grade = $8, grade_reason = $9, opt_out = $10, \
                         recording_stopped = $11, recording_path = $12, transcript = $13, path = $14, \
                         intents = $15, turn_log = $16, latency_ms = $17",
                    );
                    let ended: Option<EndedCall> = sqlx::query_as(&sql)
                        .bind(call_id)
                        .bind(result.answered_at.map(storage_time))
                        .bind(result.ended_at.map(storage_time))
                        .bind(result.duration_ms)
                        .bind(&result.outcome)
                        .bind(result.sip_status)
                        .bind(&result.script_outcome)
                        .bind(&result.grade)
                        .bind(&result.grade_reason)
                        .bind(result.opt_out)
                        .bind(result.recording_stopped)
                        .bind(&result.recording_path)
                        .bind(&result.transcript_json)
                        .bind(&result.path_json)
                        .bind(&result.intents_json)
                        .bind(&result.turn_log_json)
                        .bind(result.latency_ms)
                        .fetch_optional(&mut *w.tx)
                        .await?;
                    let Some(ended) = ended else {
                        return Err(not_in_flight(&mut w.tx, call_id).await);
                    };
                    if let Some(attempt) = ended.attempt_id {
                        sqlx::query("UPDATE dial_attempts SET outcome = $1 WHERE id = $2")
                            .bind(&result.outcome)
                            .bind(attempt)
                            .execute(&mut *w.tx)
                            .await?;
                    }
                    // An erased contact has no queue row left to update.
                    if let (Some(task), Some(contact)) = (ended.task_id, ended.contact_id) {
                        apply_next(&mut w.tx, task, contact, &next, Some(&result.outcome), false).await?;
                    }
                    let lead_id = match &lead {
                        Some(l) => Some(insert_lead(&mut w.tx, call_id, &ended, l, now).await?),
                        None => None,
                    };
                    if let Some(task_id) = ended.task_id {
                        let totals = RollupDelta::finished(
                            result.answered_at.is_some() || CallOutcome::Answered.is(Some(&result.outcome)),
                            result.duration_ms,
                            result.grade.as_deref(),
                            lead_id.is_some(),
                            result.opt_out,
                            result.intents_json.as_deref(),
                            ended.attempt_id.is_some(),
                        );
                        let delta = RollupDelta {
                            tenant_id: ended.tenant_id,
                            task_id,
                            created_at: ended.created_at,
                            variant: ended.variant.clone(),
                            totals,
                        };
                        bump_rollup(&mut w.tx, &delta).await?;
                    }
                    w.tx.commit().await?;
                    Ok(lead_id)
                }

                async fn in_flight_calls(&self, worker: Option<&str>) -> StoreResult<Vec<InFlight>> {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "SELECT k.id, k.tenant_id, k.task_id, k.contact_id, k.created_at, \
                         COALESCE(tc.attempts, 0) AS attempts FROM calls k \
                         LEFT JOIN task_contacts tc ON tc.task_id = k.task_id AND tc.contact_id = k.contact_id \
                         WHERE k.state = 'in_flight'",
                    );
                    if let Some(w) = worker {
                        qb.push(" AND k.worker = ").push_bind(w.to_string());
                    }
                    qb.push(" ORDER BY k.created_at, k.id");
                    let rows: Vec<InFlightRow> = qb.build_query_as().fetch_all(&self.pool).await?;
                    rows.into_iter().map(InFlight::try_from).collect()
                }

                async fn reconcile_call(&self, call_id: CallId, now: DateTime<Utc>, next: Next) -> StoreResult<()> {
                    let now = storage_time(now);
                    let mut w = self.begin_bookkeeping().await?;
                    let interrupted = CallOutcome::Interrupted.as_str();
                    let sql = end_call_sql("outcome = $3, ended_at = $2");
                    let ended: Option<EndedCall> = sqlx::query_as(&sql)
                        .bind(call_id)
                        .bind(now)
                        .bind(interrupted)
                        .fetch_optional(&mut *w.tx)
                        .await?;
                    let Some(ended) = ended else {
                        return Err(not_in_flight(&mut w.tx, call_id).await);
                    };
                    // The attempt stays: the number was (perhaps) dialled and caps count it.
                    if let Some(attempt) = ended.attempt_id {
                        sqlx::query("UPDATE dial_attempts SET outcome = $2 WHERE id = $1")
                            .bind(attempt)
                            .bind(interrupted)
                            .execute(&mut *w.tx)
                            .await?;
                    }
                    if let (Some(task), Some(contact)) = (ended.task_id, ended.contact_id) {
                        apply_next(&mut w.tx, task, contact, &next, Some(interrupted), false).await?;
                    }
                    if let Some(task_id) = ended.task_id {
                        let delta = RollupDelta {
                            tenant_id: ended.tenant_id,
                            task_id,
                            created_at: ended.created_at,
                            variant: ended.variant.clone(),
                            totals: Totals {
                                attempts: i64::from(ended.attempt_id.is_some()),
                                interrupted: 1,
                                ..Totals::default()
                            },
                        };
                        bump_rollup(&mut w.tx, &delta).await?;
                    }
                    w.tx.commit().await?;
                    Ok(())
                }

                async fn get_call(&self, tenant_id: TenantId, id: CallId) -> StoreResult<Option<CallRecord>> {
                    let row: Option<CallRow> = sqlx::query_as(&format!(
                        "SELECT {CALL_COLS} FROM calls WHERE tenant_id = $1 AND id = $2"
                    ))
                    .bind(tenant_id.0)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                    row.map(CallRecord::try_from).transpose()
                }

                async fn list_calls(&self, tenant_id: TenantId, filter: CallFilter) -> StoreResult<Vec<CallRecord>> {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(format!("SELECT {CALL_COLS} FROM calls WHERE tenant_id = "));
                    qb.push_bind(tenant_id.0);
                    if let Some(t) = filter.task_id {
                        qb.push(" AND task_id = ").push_bind(t);
                    }
                    if let Some(o) = filter.outcome {
                        qb.push(" AND outcome = ").push_bind(o);
                    }
                    if let Some(g) = filter.grade {
                        qb.push(" AND grade = ").push_bind(g);
                    }
                    if let Some(s) = filter.since {
                        qb.push(" AND created_at >= ").push_bind(storage_time(s));
                    }
                    if let Some(u) = filter.until {
                        qb.push(" AND created_at < ").push_bind(storage_time(u));
                    }
                    qb.push(" ORDER BY created_at DESC, id DESC LIMIT ")
                        .push_bind(filter.limit.max(0))
                        .push(" OFFSET ")
                        .push_bind(filter.offset.max(0));
                    let rows: Vec<CallRow> = qb.build_query_as().fetch_all(&self.pool).await?;
                    rows.into_iter().map(CallRecord::try_from).collect()
                }
            }
        }
    };
}
pub(crate) use impl_calls;

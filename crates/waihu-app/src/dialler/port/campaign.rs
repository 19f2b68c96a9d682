//! The scheduler's view of the world: [`CampaignPort`] over the store (running
//! tasks, claims, refusals, call records, crash reconciliation) and the
//! compliance gate, asked with task facts and the number's facts read fresh from
//! the database before every dial (policies and caller numbers from the port's
//! short-lived [`crate::gate::GateSettings`]).

use super::script::script_for;
use super::{add_since, err, store_next, DialRecord, Finished, StorePort};
use crate::gate::{GateQuestion, Gatekeeper};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use uuid::Uuid;
use waihu_campaign::{
    CampaignPort, Dialled, InFlight, LeadThreshold, Next, PortError, RetryPolicy, TaskCommand,
    TaskRun, Verdict,
};
use waihu_compliance::{CheckScope, Purpose, TaskFacts, WeeklyWindows};
use waihu_core::CallOutcome;
use waihu_store::{Actor, BeginCall, CallResult, Claim, NewLead};

#[async_trait]
impl CampaignPort for StorePort {
    type Claim = Claim;
    type Record = DialRecord;

    async fn running_tasks(&self) -> Result<Vec<TaskRun>, PortError> {
        let tasks = self.store.list_running_tasks().await.map_err(err)?;
        let mut runs = Vec::with_capacity(tasks.len());
        let mut quotas = HashMap::new();
        for t in tasks {
            let retry: RetryPolicy = match serde_json::from_str(&t.retry_json) {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(task = %t.name, error = %e, "unreadable retry policy; task skipped");
                    continue;
                }
            };
            let trunk = self.trunk(t.trunk_id).await?;
            let quota = match quotas.get(&t.tenant_id) {
                Some(q) => *q,
                None => {
                    let q = self
                        .store
                        .get_limits(t.tenant_id)
                        .await
                        .map_err(err)?
                        .line_quota;
                    quotas.insert(t.tenant_id, q);
                    q
                }
            };
            runs.push(TaskRun {
                id: t.id,
                tenant_id: t.tenant_id,
                name: t.name.clone(),
                priority: t.priority,
                lines: t.lines,
                tenant_quota: quota,
                trunk: trunk.name.clone(),
                trunk_cps: trunk.cps_limit,
                task_cps: t.cps_limit,
                retry,
                starts_at: t.starts_at,
                ends_at: t.ends_at,
            });
            self.tasks
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(t.id, t);
        }
        Ok(runs)
    }

    async fn remaining(&self, task: &TaskRun) -> Result<i64, PortError> {
        self.store.task_remaining(task.id).await.map_err(err)
    }

    async fn command(
        &self,
        task: &TaskRun,
        command: TaskCommand,
        reason: &str,
    ) -> Result<(), PortError> {
        self.store
            .set_task_state(
                task.tenant_id,
                task.id,
                command.sources(),
                command.target(),
                Some(reason),
                &Actor::raw(format!("scheduler:{}", self.worker)),
            )
            .await
            .map(|_| ())
            .map_err(err)
    }

    async fn claim(
        &self,
        task: &TaskRun,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Claim>, PortError> {
        let t = std::time::Instant::now();
        let claims = self
            .store
            .claim_due(task.id, now, limit, &self.worker)
            .await
            .map_err(err);
        add_since(&self.overhead.claim_us, t);
        if claims.as_ref().is_ok_and(|c| !c.is_empty()) {
            self.overhead.claims.fetch_add(1, Ordering::Relaxed);
        }
        claims
    }

    fn attempts_before(claim: &Claim) -> u32 {
        claim.attempts
    }

    async fn gate(
        &self,
        task: &TaskRun,
        claim: &Claim,
        now: DateTime<Utc>,
    ) -> Result<Verdict, PortError> {
        let started = std::time::Instant::now();
        // Fresh from the database: a pause between claim and dial must stop the dial.
        let row = self
            .store
            .get_task(task.tenant_id, task.id)
            .await
            .map_err(err)?
            .ok_or_else(|| PortError(format!("task {} vanished", task.id)))?;
        let tenant = self
            .store
            .get_tenant(task.tenant_id)
            .await
            .map_err(err)?
            .ok_or_else(|| PortError(format!("tenant {} vanished", task.tenant_id)))?;
        let windows: WeeklyWindows = serde_json::from_str(&row.windows_json).map_err(err)?;
        let facts = TaskFacts {
            state: row.state,
            windows,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
        };
        let question = GateQuestion {
            tenant,
            number: self.number(claim)?,
            purpose: Purpose::parse(&row.purpose).map_err(|e| PortError(format!("{e:?}")))?,
            caller_number: Some(row.caller_number.clone()),
            jurisdiction: None,
            scope: CheckScope::Dial,
        };
        let gk = Gatekeeper {
            store: &self.store,
            pii: &self.pii,
            settings: Some(&self.gate_settings),
        };
        let decision = gk
            .decide_in_task(&question, Some(&facts), now)
            .await
            .map_err(|e| PortError(format!("{e:#}")))?;
        add_since(&self.overhead.gate_us, started);
        self.overhead.gates.fetch_add(1, Ordering::Relaxed);
        Ok(Verdict { decision, at: now })
    }

    async fn refuse(
        &self,
        task: &TaskRun,
        claim: &Claim,
        verdict: &Verdict,
        next: Next,
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        self.store
            .record_refusal(
                task.tenant_id,
                task.id,
                claim.contact_id,
                &claim.number_hash,
                &claim.number_masked,
                &verdict.to_json(),
                now,
                store_next(next),
            )
            .await
            .map_err(err)?;
        if let Some(tx) = &self.finished {
            let _ = tx.send(Finished {
                grade: None,
                lead: false,
                opt_out: false,
                speech_latencies_ms: vec![],
                key_latencies_ms: vec![],
            });
        }
        Ok(())
    }

    async fn release(&self, task: &TaskRun, claim: &Claim, next: Next) -> Result<(), PortError> {
        self.store
            .release_claim(task.id, claim.contact_id, store_next(next))
            .await
            .map_err(err)
    }

    async fn begin(
        &self,
        task: &TaskRun,
        claim: &Claim,
        verdict: &Verdict,
        now: DateTime<Utc>,
    ) -> Result<Uuid, PortError> {
        let row = self.task(task.id)?;
        let (version, variant) = script_for(&row, claim.contact_id);
        let started = std::time::Instant::now();
        self.overhead.attempts.fetch_add(1, Ordering::Relaxed);
        let id = self
            .store
            .begin_call(BeginCall {
                tenant_id: task.tenant_id,
                task_id: task.id,
                contact_id: claim.contact_id,
                number_hash: claim.number_hash,
                number_masked: claim.number_masked.clone(),
                purpose: row.purpose.clone(),
                gate_json: verdict.to_json(),
                script_version_id: Some(version),
                variant: variant.map(|v| v.to_string()),
                worker: self.worker.clone(),
                now,
            })
            .await
            .map_err(err);
        add_since(&self.overhead.begin_us, started);
        id
    }

    async fn dial(&self, task: &TaskRun, claim: &Claim, call: Uuid) -> Dialled<DialRecord> {
        let result = self.dial_inner(task, claim, call).await;
        let outcome = match &result {
            Ok(r) => r.report.outcome.call_outcome(),
            Err(_) => CallOutcome::Failed,
        };
        if let Err(e) = &result {
            tracing::warn!(task = %task.name, %call, error = %e, "call could not be placed");
        }
        Dialled {
            outcome,
            record: DialRecord { call: result },
        }
    }

    async fn finish(
        &self,
        task: &TaskRun,
        claim: &Claim,
        call: Uuid,
        dialled: Dialled<DialRecord>,
        next: Next,
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let row = self.task(task.id)?;
        let mut result = CallResult {
            outcome: dialled.outcome.as_str().to_string(),
            ended_at: Some(now),
            ..CallResult::default()
        };
        let mut lead = None;
        let mut finished = Finished {
            grade: None,
            lead: false,
            opt_out: false,
            speech_latencies_ms: vec![],
            key_latencies_ms: vec![],
        };
        match &dialled.record.call {
            Err(e) => result.grade_reason = Some(format!("not placed: {e}")),
            Ok(rec) => {
                result.sip_status = rec.report.sip_status.map(i32::from);
                result.duration_ms = Some(rec.report.duration_ms as i64);
                if rec.report.duration_ms > 0 {
                    result.answered_at =
                        Some(now - chrono::Duration::milliseconds(rec.report.duration_ms as i64));
                }
                if let Some(c) = &rec.conversation {
                    let grade = c.grade.to_string();
                    result.script_outcome = Some(c.script_outcome.clone());
                    result.grade = Some(grade.clone());
                    result.grade_reason = Some(c.grade_reason.clone());
                    result.opt_out = c.opt_out.is_some();
                    result.recording_stopped = c.recording_stopped;
                    result.transcript_json = serde_json::to_string(&c.transcript).ok();
                    result.path_json = serde_json::to_string(&c.path).ok();
                    result.intents_json =
                        serde_json::to_string(&heard_intents(&c.intents, &c.turn_log)).ok();
                    result.turn_log_json = serde_json::to_string(&c.turn_log).ok();
                    let lat: Vec<u64> = c.turn_log.iter().filter_map(|t| t.latency_ms).collect();
                    if !lat.is_empty() {
                        result.latency_ms =
                            Some((lat.iter().sum::<u64>() / lat.len() as u64) as i64);
                    }
                    if let Some(dir) = &self.recordings {
                        let path = dir
                            .join(task.tenant_id.to_string())
                            .join(format!("{call}.wav"));
                        if path.is_file() {
                            result.recording_path = Some(path.display().to_string());
                        }
                    }
                    let threshold: LeadThreshold = row.lead_grade.parse().unwrap_or_default();
                    if threshold.admits(&grade) && c.opt_out.is_none() {
                        lead = Some(NewLead {
                            grade: grade.clone(),
                            reason: c.grade_reason.clone(),
                            shareable: claim.consent.share_leads
                                && claim.consent_withdrawn_at.is_none(),
                        });
                    }
                    finished.grade = Some(c.grade);
                    finished.opt_out = c.opt_out.is_some();
                    let (keys, speech) = split_latencies(&c.turn_log);
                    finished.speech_latencies_ms = speech;
                    finished.key_latencies_ms = keys;
                }
            }
        }
        finished.lead = lead.is_some();
        let started = std::time::Instant::now();
        self.store
            .finish_call(call, result, store_next(next), lead)
            .await
            .map_err(err)?;
        add_since(&self.overhead.finish_us, started);
        if let Some(tx) = &self.finished {
            let _ = tx.send(finished);
        }
        Ok(())
    }

    async fn in_flight(&self) -> Result<Vec<InFlight>, PortError> {
        // Claims a crashed run took but never dialled go back to the queue as they were.
        let released = self
            .store
            .release_stale_claims(&self.worker, self.clock.now())
            .await
            .map_err(err)?;
        if released > 0 {
            tracing::info!(released, "claims left by an earlier run released");
        }
        let rows = self
            .store
            .in_flight_calls(Some(&self.worker))
            .await
            .map_err(err)?;
        let mut out = Vec::new();
        for r in rows {
            let (Some(task_id), Some(contact_id)) = (r.task_id, r.contact_id) else {
                continue;
            };
            let retry = match self
                .store
                .get_task(r.tenant_id, task_id)
                .await
                .map_err(err)?
            {
                Some(t) => serde_json::from_str(&t.retry_json).unwrap_or_default(),
                None => RetryPolicy::default(),
            };
            out.push(InFlight {
                call_id: r.call_id,
                task_id,
                contact_id,
                attempts: r.attempts,
                retry,
            });
        }
        Ok(out)
    }

    async fn reconcile(
        &self,
        call: &InFlight,
        next: Next,
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        self.store
            .reconcile_call(call.call_id, now, store_next(next))
            .await
            .map_err(err)
    }
}

/// The response latencies of a call's turns, split into key-press turns and
/// speech turns (the callee's speech ended); no-input timeouts are neither.
fn split_latencies(turns: &[waihu_call::Turn]) -> (Vec<u64>, Vec<u64>) {
    let (mut keys, mut speech) = (Vec::new(), Vec::new());
    for t in turns {
        match (t.latency_ms, t.dtmf, t.timings.speech_end_ms) {
            (Some(l), Some(_), _) => keys.push(l),
            (Some(l), None, Some(_)) => speech.push(l),
            _ => {}
        }
    }
    (keys, speech)
}

/// The intents stored with a call: one per callee turn, then the other intents
/// heard in the same words (a complaint said with an opt-out), so that reports
/// counting calls with a complaint count that call too.
fn heard_intents(per_turn: &[String], turns: &[waihu_call::Turn]) -> Vec<String> {
    let mut heard = per_turn.to_vec();
    for also in turns.iter().flat_map(|t| &t.also) {
        if !heard.contains(also) {
            heard.push(also.clone());
        }
    }
    heard
}

#[cfg(test)]
mod tests {
    use super::{heard_intents, split_latencies};
    use waihu_call::{Turn, TurnTimings};

    fn turn(dtmf: Option<char>, speech_end_ms: Option<u64>, latency_ms: u64) -> Turn {
        Turn {
            callee: None,
            dtmf,
            intent: "x".into(),
            also: Vec::new(),
            robot: None,
            latency_ms: Some(latency_ms),
            timings: TurnTimings {
                speech_end_ms,
                ..TurnTimings::default()
            },
        }
    }

    #[test]
    fn key_presses_and_timeouts_are_kept_out_of_speech_latencies() {
        let turns = [
            turn(Some('1'), None, 40),
            turn(None, Some(3_000), 650),
            turn(None, None, 8),
            turn(None, Some(9_000), 720),
        ];
        assert_eq!(split_latencies(&turns), (vec![40], vec![650, 720]));
    }

    #[test]
    fn a_complaint_heard_with_an_opt_out_is_stored_with_the_intents() {
        let mut t = turn(None, Some(1_000), 500);
        t.intent = "opt_out".into();
        t.also = vec!["complaint".into()];
        let per_turn = vec!["affirm".to_string(), "opt_out".to_string()];
        assert_eq!(
            heard_intents(&per_turn, &[turn(None, None, 1), t]),
            ["affirm", "opt_out", "complaint"]
        );
        assert_eq!(heard_intents(&per_turn, &[]), per_turn);
    }
}

//! The scheduler's port over the real world: tasks, claims and call records in
//! the database, the compliance gate with facts read fresh from the database
//! before every dial, and calls placed through `waihu-call` on the trunk of the
//! task, with the tenant's do-not-call list as the opt-out sink.

use super::optout::DncOptOut;
use crate::gatekeeper::{GateQuestion, Gatekeeper};
use crate::pii::Pii;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;
use waihu_call::{CallRecord, ConversationConfig, ConversationSetup, Engines};
use waihu_campaign::{
    CampaignPort, Dialled, InFlight, LeadThreshold, Next, PortError, RetryPolicy, Split,
    TaskCommand, TaskRun, Variant, Verdict,
};
use waihu_compliance::{CheckScope, Purpose, TaskFacts, WeeklyWindows};
use waihu_core::Clock;
use waihu_dialog::interp::Interpreter;
use waihu_sip::{DialRequest, UserAgent};
use waihu_speech::prompts::PromptLibrary;
use waihu_store::{Actor, BeginCall, CallResult, Claim, NewLead, Store, Task, Trunk};

/// What one dial left behind.
#[derive(Debug)]
pub struct DialRecord {
    /// The call, or why it could not be placed.
    pub call: Result<CallRecord, String>,
}

/// Something the port reports as calls finish (the demo's progress bar).
#[derive(Debug, Clone)]
pub struct Finished {
    /// The grade, if answered.
    pub grade: Option<char>,
    /// A lead was made.
    pub lead: bool,
    /// The callee opted out.
    pub opt_out: bool,
    /// Response latencies of the call's turns, ms.
    pub latencies_ms: Vec<u64>,
}

/// Time the scheduler spent on its own work (database and gate), per kind.
#[derive(Debug, Default)]
pub struct Overhead {
    /// Microseconds claiming contacts.
    pub claim_us: AtomicU64,
    /// Claim batches.
    pub claims: AtomicU64,
    /// Microseconds asking the gate (facts read from the database).
    pub gate_us: AtomicU64,
    /// Gate questions.
    pub gates: AtomicU64,
    /// Microseconds persisting attempts before dialling.
    pub begin_us: AtomicU64,
    /// Microseconds storing results (and refusals).
    pub finish_us: AtomicU64,
    /// Attempts dialled.
    pub attempts: AtomicU64,
}

fn add_since(counter: &AtomicU64, since: std::time::Instant) {
    counter.fetch_add(since.elapsed().as_micros() as u64, Ordering::Relaxed);
}

/// The real port.
pub struct StorePort {
    overhead: Overhead,
    store: Store,
    pii: Arc<Pii>,
    ua: Arc<UserAgent>,
    engines: Arc<Engines>,
    clock: Arc<dyn Clock>,
    worker: String,
    recordings: Option<PathBuf>,
    conversation: ConversationConfig,
    ring_timeout: Duration,
    prompts: Option<PathBuf>,
    libraries: Mutex<HashMap<waihu_core::TenantId, Arc<PromptLibrary>>>,
    tasks: Mutex<HashMap<Uuid, Task>>,
    interpreters: Mutex<HashMap<Uuid, Arc<Interpreter>>>,
    trunks: Mutex<HashMap<Uuid, Trunk>>,
    finished: Option<tokio::sync::mpsc::UnboundedSender<Finished>>,
    live: Option<waihu_web::live::LiveHub>,
}

/// How the port is built.
pub struct PortConfig {
    /// This process's name in claims.
    pub worker: String,
    /// Recordings directory (none: do not record).
    pub recordings: Option<PathBuf>,
    /// Conversation tuning.
    pub conversation: ConversationConfig,
    /// Ringing time before `no_answer`.
    pub ring_timeout: Duration,
    /// Root of the tenants' prompt libraries (`<root>/<tenant id>/`).
    pub prompts: Option<PathBuf>,
}

fn err(e: impl std::fmt::Display) -> PortError {
    PortError(e.to_string())
}

fn store_next(next: Next) -> waihu_store::Next {
    match next {
        Next::RetryAt(at, why) => waihu_store::Next::RetryAt(at, why),
        Next::Done(why) => waihu_store::Next::Done(why),
    }
}

impl StorePort {
    /// A port dialling through `ua` with `engines`.
    pub fn new(
        store: Store,
        pii: Arc<Pii>,
        ua: Arc<UserAgent>,
        engines: Arc<Engines>,
        clock: Arc<dyn Clock>,
        config: PortConfig,
    ) -> StorePort {
        StorePort {
            overhead: Overhead::default(),
            store,
            pii,
            ua,
            engines,
            clock,
            worker: config.worker,
            recordings: config.recordings,
            conversation: config.conversation,
            ring_timeout: config.ring_timeout,
            prompts: config.prompts,
            libraries: Mutex::new(HashMap::new()),
            tasks: Mutex::new(HashMap::new()),
            interpreters: Mutex::new(HashMap::new()),
            trunks: Mutex::new(HashMap::new()),
            finished: None,
            live: None,
        }
    }

    /// Time spent on the scheduler's own work so far.
    pub fn overhead(&self) -> &Overhead {
        &self.overhead
    }

    /// Reports every finished call on `tx`.
    pub fn with_progress(mut self, tx: tokio::sync::mpsc::UnboundedSender<Finished>) -> Self {
        self.finished = Some(tx);
        self
    }

    /// Publishes every call's live events to `hub` (the back office's live page).
    pub fn with_live(mut self, hub: waihu_web::live::LiveHub) -> Self {
        self.live = Some(hub);
        self
    }

    fn task(&self, id: Uuid) -> Result<Task, PortError> {
        self.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
            .cloned()
            .ok_or_else(|| PortError(format!("task {id} is not loaded")))
    }

    async fn trunk(&self, id: Uuid) -> Result<Trunk, PortError> {
        if let Some(t) = self
            .trunks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
        {
            return Ok(t.clone());
        }
        let t = self
            .store
            .get_trunk(id)
            .await
            .map_err(err)?
            .ok_or_else(|| PortError(format!("trunk {id} does not exist")))?;
        self.trunks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, t.clone());
        Ok(t)
    }

    async fn interpreter(&self, task: &Task, id: Uuid) -> Result<Arc<Interpreter>, PortError> {
        if let Some(i) = self
            .interpreters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
        {
            return Ok(Arc::clone(i));
        }
        let version = self
            .store
            .get_script_version(task.tenant_id, id)
            .await
            .map_err(err)?
            .ok_or_else(|| PortError(format!("script version {id} does not exist")))?;
        let loaded = waihu_dialog::script::load_str(&version.yaml);
        let script = loaded
            .script
            .ok_or_else(|| PortError(format!("script version {id} does not parse")))?;
        let it = Arc::new(Interpreter::new(script).map_err(err)?);
        self.interpreters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, Arc::clone(&it));
        Ok(it)
    }

    /// The tenant's prompt library, opened once (none if it has no prompts yet).
    fn library(&self, tenant: waihu_core::TenantId) -> Option<Arc<PromptLibrary>> {
        let dir = self.prompts.as_ref()?.join(tenant.to_string());
        let mut libs = self.libraries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(l) = libs.get(&tenant) {
            return Some(Arc::clone(l));
        }
        if !dir.is_dir() {
            return None;
        }
        match PromptLibrary::open(&dir) {
            Ok(l) => {
                let l = Arc::new(l);
                libs.insert(tenant, Arc::clone(&l));
                Some(l)
            }
            Err(e) => {
                tracing::warn!(%tenant, error = %e, "cannot open the prompt library; prompts fall back to TTS");
                None
            }
        }
    }

    fn number(&self, claim: &Claim) -> Result<String, PortError> {
        self.pii
            .cipher
            .open(&claim.number_enc)
            .map_err(|e| PortError(format!("cannot decrypt a contact's number: {e}")))
    }
}

/// The script version a contact of the task gets, and its A/B variant (none
/// unless the task runs two versions): the same every time for the same contact.
pub fn script_for(task: &Task, contact_id: Uuid) -> (Uuid, Option<Variant>) {
    let Some(v) = task.variant else {
        return (task.script_version_id, None);
    };
    match Split::new(i64::from(v.split_percent)) {
        Ok(split) => match split.choose(task.id, contact_id) {
            Variant::A => (task.script_version_id, Some(Variant::A)),
            Variant::B => (v.script_version_id, Some(Variant::B)),
        },
        // The store refuses such splits; never dial a version nobody chose.
        Err(_) => (task.script_version_id, None),
    }
}

/// The contact's fields as script variables (strings; other JSON values as text).
fn vars_of(fields: &str) -> BTreeMap<String, String> {
    match serde_json::from_str::<serde_json::Value>(fields) {
        Ok(serde_json::Value::Object(map)) => map
            .into_iter()
            .map(|(k, v)| {
                let s = match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                (k, s)
            })
            .collect(),
        _ => BTreeMap::new(),
    }
}

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
        let from: Vec<_> = command
            .sources()
            .iter()
            .map(|s| crate::cmd::task::state_name(*s))
            .collect();
        self.store
            .set_task_state(
                task.tenant_id,
                task.id,
                &from,
                crate::cmd::task::state_name(command.target()),
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
            state: match row.state {
                waihu_store::TaskStateName::Draft => waihu_compliance::TaskState::Draft,
                waihu_store::TaskStateName::Running => waihu_compliance::TaskState::Running,
                waihu_store::TaskStateName::Paused => waihu_compliance::TaskState::Paused,
                waihu_store::TaskStateName::Completed => waihu_compliance::TaskState::Finished,
                waihu_store::TaskStateName::Stopped => waihu_compliance::TaskState::Stopped,
            },
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
        };
        let decision = gk
            .decide_in_task(&question, Some(&facts), now)
            .await
            .map_err(|e| PortError(format!("{e:#}")))?;
        add_since(&self.overhead.gate_us, started);
        self.overhead.gates.fetch_add(1, Ordering::Relaxed);
        let reasons: Vec<_> = decision
            .reasons()
            .iter()
            .map(|r| serde_json::json!({"rule": r.rule.id(), "message": r.message}))
            .collect();
        Ok(Verdict {
            allowed: decision.is_allow(),
            rules: decision
                .reasons()
                .iter()
                .map(|r| r.rule.id().to_string())
                .collect(),
            json: serde_json::json!({"decision": decision.as_str(), "reasons": reasons, "at": now.to_rfc3339()})
                .to_string(),
        })
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
                &verdict.json,
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
                latencies_ms: vec![],
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
                gate_json: verdict.json.clone(),
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
            Ok(r) => r.report.outcome.code().to_string(),
            Err(_) => "failed".to_string(),
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
            outcome: dialled.outcome.clone(),
            ended_at: Some(now),
            ..CallResult::default()
        };
        let mut lead = None;
        let mut finished = Finished {
            grade: None,
            lead: false,
            opt_out: false,
            latencies_ms: vec![],
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
                    result.intents_json = serde_json::to_string(&c.intents).ok();
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
                    finished.latencies_ms = lat;
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

impl StorePort {
    async fn dial_inner(
        &self,
        task: &TaskRun,
        claim: &Claim,
        call: Uuid,
    ) -> Result<CallRecord, String> {
        let row = self.task(task.id).map_err(|e| e.0)?;
        let trunk = self.trunk(row.trunk_id).await.map_err(|e| e.0)?;
        let (version, _) = script_for(&row, claim.contact_id);
        let interpreter = self.interpreter(&row, version).await.map_err(|e| e.0)?;
        let number = self.number(claim).map_err(|e| e.0)?;
        let target = trunk
            .address
            .strip_prefix("sip:")
            .unwrap_or(&trunk.address)
            .to_string();
        let mut req = DialRequest::new(target, number);
        req.transport = match trunk.transport {
            waihu_store::Transport::Udp => waihu_sip::Transport::Udp,
            waihu_store::Transport::Tcp => waihu_sip::Transport::Tcp,
        };
        req.from = row.caller_number.trim_start_matches('+').to_string();
        if let (Some(u), Some(p)) = (&trunk.username, &trunk.password) {
            req.credentials = Some((u.clone(), p.clone()));
        }
        req.ring_timeout = self.ring_timeout;
        let record_to = match &self.recordings {
            Some(dir) => {
                let d = dir.join(task.tenant_id.to_string());
                std::fs::create_dir_all(&d).map_err(|e| format!("recordings: {e}"))?;
                Some(d.join(format!("{call}.wav")))
            }
            None => None,
        };
        let setup = ConversationSetup {
            interpreter,
            vars: vars_of(&claim.fields),
            engines: Arc::clone(&self.engines),
            opt_out: Arc::new(DncOptOut {
                store: self.store.clone(),
                tenant_id: task.tenant_id,
                hash: claim.number_hash,
                masked: claim.number_masked.clone(),
                call_id: call,
            }),
            record_to,
            prompt_dir: None,
            prompt_library: self.library(task.tenant_id),
            config: self.conversation.clone(),
            observer: self.live.as_ref().map(|hub| {
                Arc::new(super::live::HubObserver {
                    hub: hub.clone(),
                    call_id: call,
                    tenant_id: task.tenant_id,
                    task_id: task.id,
                    task_name: task.name.clone(),
                    number_masked: claim.number_masked.clone(),
                }) as Arc<dyn waihu_call::CallObserver>
            }),
        };
        waihu_call::place_call(&self.ua, req, setup, None)
            .await
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(variant: Option<waihu_store::TaskVariant>) -> Task {
        let now = Utc::now();
        Task {
            id: Uuid::now_v7(),
            tenant_id: waihu_core::TenantId::new(),
            name: "t".into(),
            purpose: "marketing".into(),
            script_version_id: Uuid::from_u128(1),
            variant,
            caller_number: "+861088886666".into(),
            trunk_id: Uuid::now_v7(),
            list_ids: vec![],
            windows_json: "{}".into(),
            lines: 1,
            cps_limit: None,
            retry_json: "{}".into(),
            priority: 0,
            lead_grade: "B".into(),
            starts_at: None,
            ends_at: None,
            state: waihu_store::TaskStateName::Running,
            state_reason: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn a_contact_runs_its_variants_version_every_time() {
        let plain = task(None);
        assert_eq!(
            script_for(&plain, Uuid::now_v7()),
            (Uuid::from_u128(1), None)
        );
        let b = Uuid::from_u128(2);
        let ab = task(Some(waihu_store::TaskVariant {
            script_version_id: b,
            split_percent: 50,
        }));
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let contact = Uuid::now_v7();
            let (version, variant) = script_for(&ab, contact);
            assert_eq!(script_for(&ab, contact), (version, variant));
            match variant {
                Some(Variant::A) => assert_eq!(version, Uuid::from_u128(1)),
                Some(Variant::B) => assert_eq!(version, b),
                None => panic!("an A/B task's call has a variant"),
            }
            seen.insert(variant);
        }
        assert_eq!(seen.len(), 2, "both variants are used");
    }
}

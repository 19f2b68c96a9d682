//! The scheduler. Each tick it walks the running tasks (higher priority first),
//! claims as many due contacts as the task has free robot lines, and for each
//! claim — paced per trunk — asks the gate, persists the attempt, dials, and
//! stores the result with the retry decision. On start it reconciles calls a
//! crashed run left in flight: they count as attempts and are retried later
//! per the task's policy, never at once.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinSet;
use tracing::{debug, info, warn};
use waihu_core::{CallOutcome, Clock};

use crate::command::TaskCommand;
use crate::lines::{LineGuard, Lines};
use crate::pacer::Pacer;
use crate::port::{CampaignPort, PortError, TaskRun};
use crate::refusal::{after_refusal, RefusalEffect};
use crate::retry::Next;

/// Scheduler settings.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Pause between passes over the tasks.
    pub tick: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            tick: Duration::from_millis(500),
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Contacts claimed.
    pub claimed: usize,
    /// Tasks completed.
    pub completed: usize,
}

/// The scheduler over one port.
pub struct Engine<P: CampaignPort> {
    port: Arc<P>,
    clock: Arc<dyn Clock>,
    config: EngineConfig,
    lines: Lines,
    pacers: Mutex<HashMap<String, Arc<Pacer>>>,
    calls: tokio::sync::Mutex<JoinSet<()>>,
}

impl<P: CampaignPort> Engine<P> {
    /// A scheduler; nothing runs until [`Engine::run`] or [`Engine::tick`].
    pub fn new(port: Arc<P>, clock: Arc<dyn Clock>, config: EngineConfig) -> Arc<Self> {
        Arc::new(Engine {
            port,
            clock,
            config,
            lines: Lines::default(),
            pacers: Mutex::new(HashMap::new()),
            calls: tokio::sync::Mutex::new(JoinSet::new()),
        })
    }

    /// The port (for its statistics).
    pub fn port(&self) -> &Arc<P> {
        &self.port
    }

    /// Line accounting (for status displays).
    pub fn lines(&self) -> &Lines {
        &self.lines
    }

    /// Closes calls left in flight by a crashed run: each counts as an attempt
    /// with the outcome `interrupted` and is retried per the task's policy.
    pub async fn reconcile(&self) -> Result<usize, PortError> {
        let stale = self.port.in_flight().await?;
        let now = self.clock.now();
        for call in &stale {
            let next = call
                .retry
                .decide(CallOutcome::Interrupted, call.attempts, now);
            info!(call = %call.call_id, task = %call.task_id, ?next, "reconciling a call left in flight");
            self.port.reconcile(call, next, now).await?;
        }
        Ok(stale.len())
    }

    /// Runs passes until `shutdown` resolves, then waits for the calls in
    /// progress to end (conversations are never cut by a shutdown).
    pub async fn run(
        self: &Arc<Self>,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), PortError> {
        self.reconcile().await?;
        tokio::pin!(shutdown);
        loop {
            if let Err(e) = self.tick().await {
                warn!(error = %e, "scheduler pass failed; retrying");
            }
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tokio::time::sleep(self.config.tick) => {}
            }
        }
        self.drain().await;
        Ok(())
    }

    /// Waits until every call in progress has ended and been stored.
    pub async fn drain(&self) {
        let mut calls = self.calls.lock().await;
        while let Some(r) = calls.join_next().await {
            if let Err(e) = r {
                warn!(error = %e, "a call task failed");
            }
        }
    }

    /// Calls in progress.
    pub async fn calls_in_progress(&self) -> usize {
        let mut calls = self.calls.lock().await;
        while calls.try_join_next().is_some() {}
        calls.len()
    }

    /// One pass over the running tasks.
    pub async fn tick(self: &Arc<Self>) -> Result<TickReport, PortError> {
        let mut tasks = self.port.running_tasks().await?;
        tasks.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.name.cmp(&b.name)));
        let mut report = TickReport::default();
        for task in tasks {
            let now = self.clock.now();
            if task.ends_at.is_some_and(|end| now >= end) {
                if self.lines.in_use(task.id) == 0 {
                    self.port
                        .command(&task, TaskCommand::Complete, "end date reached")
                        .await?;
                    report.completed += 1;
                }
                continue;
            }
            if task.starts_at.is_some_and(|start| now < start) {
                continue;
            }
            let free = self.lines.free_for(&task);
            let mut claimed = 0;
            if free > 0 {
                let claims = self.port.claim(&task, now, free).await?;
                claimed = claims.len();
                report.claimed += claimed;
                let task = Arc::new(task.clone());
                for claim in claims {
                    let Some(line) = self.lines.take(&task) else {
                        // Cannot happen (we claimed no more than free lines); put it back.
                        self.port
                            .release(&task, &claim, Next::RetryAt(now, "no line".into()))
                            .await?;
                        continue;
                    };
                    let me = Arc::clone(self);
                    let task = Arc::clone(&task);
                    self.calls
                        .lock()
                        .await
                        .spawn(async move { me.attempt(task, claim, line).await });
                }
            }
            if claimed == 0
                && self.lines.in_use(task.id) == 0
                && self.port.remaining(&task).await? == 0
            {
                self.port
                    .command(&task, TaskCommand::Complete, "every contact is done")
                    .await?;
                report.completed += 1;
            }
        }
        Ok(report)
    }

    fn pacer(&self, task: &TaskRun) -> Arc<Pacer> {
        let cps = match task.task_cps {
            Some(t) if t > 0.0 && (task.trunk_cps <= 0.0 || t < task.trunk_cps) => t,
            _ => task.trunk_cps,
        };
        // One pacer per trunk; a task with a stricter limit gets its own on top.
        let key = match task.task_cps {
            Some(_) => format!("{}#{}", task.trunk, task.id),
            None => task.trunk.clone(),
        };
        let mut p = self.pacers.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(p.entry(key).or_insert_with(|| Arc::new(Pacer::new(cps))))
    }

    /// One claimed contact: pace, gate, persist, dial, store.
    async fn attempt(self: Arc<Self>, task: Arc<TaskRun>, claim: P::Claim, line: LineGuard) {
        if let Err(e) = self.attempt_inner(&task, &claim).await {
            // The call row (if any) stays in flight and is reconciled at the next start.
            warn!(task = %task.name, error = %e, "attempt could not be stored");
        }
        drop(line);
    }

    async fn attempt_inner(&self, task: &TaskRun, claim: &P::Claim) -> Result<(), PortError> {
        self.pacer(task).wait().await;
        let now = self.clock.now();
        let verdict = self.port.gate(task, claim, now).await?;
        if !verdict.allowed() {
            let rules = verdict.rules();
            debug!(task = %task.name, ?rules, "gate refused");
            return match after_refusal(&rules, now) {
                RefusalEffect::Contact(next) => {
                    self.port.refuse(task, claim, &verdict, next, now).await
                }
                RefusalEffect::PauseTask(reason) => {
                    self.port
                        .release(task, claim, Next::RetryAt(now, "task paused".into()))
                        .await?;
                    warn!(task = %task.name, %reason, "pausing the task");
                    self.port.command(task, TaskCommand::Pause, &reason).await
                }
                RefusalEffect::Release => {
                    self.port
                        .release(task, claim, Next::RetryAt(now, "task not running".into()))
                        .await
                }
            };
        }
        let call = self.port.begin(task, claim, &verdict, now).await?;
        let dialled = self.port.dial(task, claim, call).await;
        let attempts = P::attempts_before(claim) + 1;
        let end = self.clock.now();
        let next = task.retry.decide(dialled.outcome, attempts, end);
        debug!(task = %task.name, outcome = %dialled.outcome, ?next, "attempt done");
        self.port
            .finish(task, claim, call, dialled, next, end)
            .await
    }
}

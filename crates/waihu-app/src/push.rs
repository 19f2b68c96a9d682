//! The lead pusher: drains the push-delivery queue. Every tick it takes the due
//! deliveries, builds each lead as the sales team may see it (masked number unless
//! the tenant allows full numbers; nothing without the contact's `share_leads`
//! consent), signs a fresh request per attempt, sends it with
//! [`waihu_push::Deliverer`] and records the outcome: delivered, retry at the
//! [`Backoff`] time, or dead (dead-letter list). Secrets, robot URLs and full
//! numbers are never logged.

mod lead;

use crate::pii::Pii;
use crate::{AppError, AppResult};
use chrono::{DateTime, Utc};
use lead::Unpushable;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use waihu_core::Clock;
use waihu_push::{AfterFailure, Backoff, Deliverer, OutboundPolicy};
use waihu_store::{DueDelivery, Store};

/// How the pusher runs.
#[derive(Debug, Clone)]
pub struct PusherConfig {
    /// Pause between passes over the queue.
    pub interval: Duration,
    /// Deliveries taken per pass.
    pub batch: u32,
    /// Deliveries sent at the same time within a pass.
    pub concurrency: usize,
    /// Timeout of one HTTP attempt (connect and reply).
    pub timeout: Duration,
    /// When to retry and when to give up.
    pub backoff: Backoff,
    /// Which addresses a target may reach: public ones plus the operator's
    /// `[outbound] allow` list (docs/leadpush.md).
    pub outbound: OutboundPolicy,
}

impl Default for PusherConfig {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(1),
            batch: 50,
            concurrency: 4,
            timeout: Duration::from_secs(10),
            backoff: Backoff::default(),
            outbound: OutboundPolicy::public_only(),
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassSummary {
    /// Deliveries the receiver took.
    pub delivered: u32,
    /// Failed attempts scheduled for a retry.
    pub retrying: u32,
    /// Deliveries put on the dead-letter list.
    pub dead: u32,
    /// Deliveries left as they were because the database failed (tried next pass).
    pub skipped: u32,
}

impl PassSummary {
    /// Deliveries handled in the pass.
    pub fn total(&self) -> u32 {
        self.delivered + self.retrying + self.dead + self.skipped
    }
}

/// The outcome of one delivery within a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Delivered,
    Retrying,
    Dead,
    Skipped,
}

/// Drains the push queue. Cheap to share: clone the `Arc` it lives in.
pub struct Pusher {
    store: Store,
    pii: Arc<Pii>,
    clock: Arc<dyn Clock>,
    deliverer: Deliverer,
    config: PusherConfig,
}

impl Pusher {
    /// A pusher over `store`. `clock` decides what is due and when to retry (the
    /// dialler's clock, which stamped the deliveries); signatures always carry the
    /// real time, since the receivers check them against their own clocks.
    pub fn new(
        store: Store,
        pii: Arc<Pii>,
        clock: Arc<dyn Clock>,
        config: PusherConfig,
    ) -> AppResult<Self> {
        let deliverer = Deliverer::new(config.timeout, config.outbound.clone())
            .map_err(|e| AppError::unavailable("cannot start the lead pusher", e))?;
        Ok(Self {
            store,
            pii,
            clock,
            deliverer,
            config,
        })
    }

    /// One pass: every delivery due now (up to the batch size), sent and recorded.
    pub async fn run_once(self: &Arc<Self>) -> AppResult<PassSummary> {
        let now = self.clock.now();
        let due = self
            .store
            .due_deliveries(now, self.config.batch.max(1))
            .await?;
        let mut summary = PassSummary::default();
        let mut running = JoinSet::new();
        for item in due {
            while running.len() >= self.config.concurrency.max(1) {
                if let Some(done) = running.join_next().await {
                    count(&mut summary, done);
                }
            }
            let me = Arc::clone(self);
            running.spawn(async move { me.push_one(item).await });
        }
        while let Some(done) = running.join_next().await {
            count(&mut summary, done);
        }
        Ok(summary)
    }

    /// Passes every `interval` until `stop` resolves. A failing database is logged
    /// and retried on the next pass.
    pub async fn run(self: Arc<Self>, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            match self.run_once().await {
                Ok(s) if s.total() > 0 => tracing::info!(
                    delivered = s.delivered,
                    retrying = s.retrying,
                    dead = s.dead,
                    skipped = s.skipped,
                    "lead push pass"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "lead push pass failed"),
            }
            tokio::select! {
                _ = &mut stop => return,
                _ = tokio::time::sleep(self.config.interval) => {}
            }
        }
    }

    /// One attempt of one delivery, recorded in the store.
    async fn push_one(&self, due: DueDelivery) -> Outcome {
        let id = due.delivery.id;
        let attempt = u32::try_from(due.delivery.attempts.max(0)).unwrap_or(u32::MAX);
        let attempt = attempt.saturating_add(1);
        let now = self.clock.now();
        let prepared = match lead::prepare(&self.store, &self.pii, &due, now).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(delivery = %id, error = %format!("{e:#}"), "cannot load the lead to push");
                return Outcome::Skipped;
            }
        };
        let sent = match prepared {
            Ok(p) => {
                self.deliverer
                    .attempt(&p.target, &p.lead, p.consent_share_leads, id, Utc::now())
                    .await
            }
            Err(Unpushable::Push(e)) => Err(e),
            Err(Unpushable::BadData(why)) => {
                return self
                    .record_failure(&due, attempt, None, why, Outcome::Dead)
                    .await
            }
        };
        match sent {
            Ok(_) => self.record_delivered(&due, now).await,
            Err(error) => match self.config.backoff.after_failure(attempt, &error, now) {
                AfterFailure::RetryAt(at) => {
                    self.record_failure(
                        &due,
                        attempt,
                        Some(at),
                        error.to_string(),
                        Outcome::Retrying,
                    )
                    .await
                }
                AfterFailure::Dead { reason } => {
                    let text = format!("{error} [{}]", reason.as_str());
                    self.record_failure(&due, attempt, None, text, Outcome::Dead)
                        .await
                }
            },
        }
    }

    async fn record_delivered(&self, due: &DueDelivery, now: DateTime<Utc>) -> Outcome {
        match self.store.mark_delivered(due.delivery.id, now).await {
            Ok(()) => {
                tracing::info!(
                    delivery = %due.delivery.id,
                    tenant = %due.delivery.tenant_id,
                    target = %due.target.name,
                    kind = due.target.kind.as_str(),
                    "lead pushed"
                );
                Outcome::Delivered
            }
            Err(e) => {
                // Sent but not recorded: the next pass sends it again, which the
                // receivers de-duplicate by delivery id (a lost lead costs more).
                tracing::warn!(delivery = %due.delivery.id, error = %e, "lead pushed but not recorded");
                Outcome::Skipped
            }
        }
    }

    /// Records a failed attempt: retry at `next_at`, or dead when `None`.
    async fn record_failure(
        &self,
        due: &DueDelivery,
        attempt: u32,
        next_at: Option<DateTime<Utc>>,
        text: String,
        outcome: Outcome,
    ) -> Outcome {
        let id = due.delivery.id;
        // PushError texts hold status codes and short reasons, never the reply
        // body, the URL, the secret or the number.
        tracing::warn!(
            delivery = %id,
            tenant = %due.delivery.tenant_id,
            target = %due.target.name,
            attempt,
            retry_at = ?next_at,
            error = %text,
            "lead push failed"
        );
        match self.store.mark_failed(id, &text, next_at).await {
            Ok(()) => outcome,
            Err(e) => {
                tracing::warn!(delivery = %id, error = %e, "cannot record the failed push");
                Outcome::Skipped
            }
        }
    }
}

fn count(summary: &mut PassSummary, done: Result<Outcome, tokio::task::JoinError>) {
    match done {
        Ok(Outcome::Delivered) => summary.delivered += 1,
        Ok(Outcome::Retrying) => summary.retrying += 1,
        Ok(Outcome::Dead) => summary.dead += 1,
        Ok(Outcome::Skipped) => summary.skipped += 1,
        Err(e) => {
            tracing::error!(error = %e, "a lead push task failed");
            summary.skipped += 1;
        }
    }
}

/// Runs the pusher with the default configuration (a pass every second) and the
/// operator's `outbound` policy until `stop` resolves. `waihu serve` and `waihu
/// demo` start it next to the dialler.
pub async fn run_pusher(
    store: Store,
    pii: Arc<Pii>,
    clock: Arc<dyn Clock>,
    outbound: OutboundPolicy,
    stop: impl Future<Output = ()>,
) -> AppResult<()> {
    let config = PusherConfig {
        outbound,
        ..PusherConfig::default()
    };
    let pusher = Arc::new(Pusher::new(store, pii, clock, config)?);
    pusher.run(stop).await;
    Ok(())
}

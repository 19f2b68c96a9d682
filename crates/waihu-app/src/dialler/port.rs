//! The scheduler's port over the real world: tasks, claims and call records in
//! the database, the compliance gate with task and number facts read fresh from
//! the database before every dial (policies and caller numbers cached for a few
//! seconds), and calls placed through `waihu-call` on the trunk of the
//! task, with the tenant's do-not-call list as the opt-out sink.
//!
//! The port is split by concept: this file holds the port's state, its
//! construction and the small helpers the parts share; `cache` loads tasks,
//! trunks, scripts and prompt libraries; `script` picks a contact's script
//! version and variables; `campaign` implements [`waihu_campaign::CampaignPort`];
//! `dial` places one call.

mod cache;
mod campaign;
mod dial;
mod script;

use crate::pii::Pii;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;
use waihu_call::{CallRecord, ConversationConfig, Engines};
use waihu_campaign::{Next, PortError};
use waihu_core::Clock;
use waihu_dialog::interp::Interpreter;
use waihu_sip::UserAgent;
use waihu_speech::prompts::PromptLibrary;
use waihu_store::{Store, Task, Trunk};

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
    /// Response latencies of the call's speech turns (the callee spoke), ms.
    pub speech_latencies_ms: Vec<u64>,
    /// Response latencies of the call's key-press turns, ms (answered in tens
    /// of ms: kept apart so they do not flatter the speech figure).
    pub key_latencies_ms: Vec<u64>,
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
    /// Policies and caller numbers for the gate, kept [`crate::gate::DIALLER_TTL`].
    gate_settings: crate::gate::GateSettings,
    finished: Option<tokio::sync::mpsc::UnboundedSender<Finished>>,
    live: Option<crate::live::LiveHub>,
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
            gate_settings: crate::gate::GateSettings::new(crate::gate::DIALLER_TTL),
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
    pub fn with_live(mut self, hub: crate::live::LiveHub) -> Self {
        self.live = Some(hub);
        self
    }
}

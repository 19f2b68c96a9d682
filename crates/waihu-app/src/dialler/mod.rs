//! The dialler: the campaign scheduler (`waihu-campaign`) wired to
//! the database, the compliance gate, the SIP user agent and the speech engines.
//! `waihu serve` runs it in the background, `waihu task run` in the foreground
//! ([`run_foreground`]), `waihu demo` with a progress bar.

pub mod live;
pub mod optout;
pub mod port;

pub use port::Finished;

use crate::config::DiallerSettings;
use crate::live::LiveHub;
use crate::pii::Pii;
use crate::{AppError, AppResult};
use port::{PortConfig, StorePort};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use waihu_call::{ConversationConfig, Engines};
use waihu_campaign::{Engine, EngineConfig};
use waihu_core::Clock;
use waihu_sip::{SipConfig, UserAgent};
use waihu_store::Store;

/// A running dialler.
pub struct Dialler {
    /// The scheduler.
    pub engine: Arc<Engine<StorePort>>,
    /// Its SIP user agent.
    pub ua: Arc<UserAgent>,
}

/// What a dialler is built from.
pub struct DiallerParts<'a> {
    /// The `[dialler]` settings.
    pub settings: &'a DiallerSettings,
    /// The data directory (recordings, prompt libraries).
    pub data_dir: &'a Path,
    /// The number keys.
    pub pii: Arc<Pii>,
    /// The speech engines calls share ([`crate::speech::engines`]).
    pub engines: Arc<Engines>,
    /// The database.
    pub store: Store,
    /// The time source of the scheduler and the gate.
    pub clock: Arc<dyn Clock>,
    /// Where finished calls are reported (the demo's progress bar).
    pub progress: Option<tokio::sync::mpsc::UnboundedSender<Finished>>,
    /// Where every call's live events are published (`waihu serve`'s live page).
    pub live: Option<LiveHub>,
}

/// Builds the dialler: the SIP user agent, the port over store, gate and
/// `waihu-call`, and the scheduler.
pub async fn build(parts: DiallerParts<'_>) -> AppResult<Dialler> {
    let settings = parts.settings;
    let ua = UserAgent::start(SipConfig {
        listen: settings.sip_listen,
        ..SipConfig::default()
    })
    .await
    .map_err(|e| {
        AppError::unavailable(
            format!("cannot start the SIP user agent on {}", settings.sip_listen),
            e,
        )
    })?;
    let ua = Arc::new(ua);
    let recordings = if settings.record {
        let dir = parts.data_dir.join("recordings");
        std::fs::create_dir_all(&dir).map_err(|e| AppError::io("cannot create", &dir, e))?;
        Some(dir)
    } else {
        None
    };
    let conversation = ConversationConfig {
        max_duration: Duration::from_secs(settings.max_call_secs.max(10)),
        ..ConversationConfig::default()
    };
    let mut port = StorePort::new(
        parts.store,
        parts.pii,
        Arc::clone(&ua),
        parts.engines,
        Arc::clone(&parts.clock),
        PortConfig {
            worker: settings.worker.clone(),
            recordings,
            conversation,
            ring_timeout: Duration::from_secs(settings.ring_timeout_secs.clamp(5, 300)),
            prompts: Some(parts.data_dir.join("prompts")),
        },
    );
    if let Some(tx) = parts.progress {
        port = port.with_progress(tx);
    }
    if let Some(hub) = parts.live {
        port = port.with_live(hub);
    }
    let engine = Engine::new(
        Arc::new(port),
        parts.clock,
        EngineConfig {
            tick: Duration::from_millis(settings.tick_ms.clamp(10, 60_000)),
        },
    );
    Ok(Dialler { engine, ua })
}

/// Runs the scheduler in the foreground (`waihu task run`) until `stop`
/// resolves or, with `until_idle`, no task is running and no call is in
/// progress; calls a crashed run left in flight are reconciled first and their
/// number handed to `on_reconciled` before dialling starts.
pub async fn run_foreground(
    dialler: Dialler,
    store: Store,
    until_idle: bool,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
    on_reconciled: impl FnOnce(usize),
) -> AppResult<()> {
    let engine = Arc::clone(&dialler.engine);
    let reconciled = engine
        .reconcile()
        .await
        .map_err(|e| AppError::unavailable("cannot reconcile calls left in flight", e))?;
    on_reconciled(reconciled);
    let idle_store = store.clone();
    let idle_engine = Arc::clone(&engine);
    let stop = async move {
        tokio::pin!(stop);
        if !until_idle {
            stop.await;
            return;
        }
        loop {
            tokio::select! {
                _ = &mut stop => return,
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            }
            let running = idle_store
                .list_running_tasks()
                .await
                .map(|t| t.len())
                .unwrap_or(1);
            if running == 0 && idle_engine.calls_in_progress().await == 0 {
                return;
            }
        }
    };
    engine
        .run(stop)
        .await
        .map_err(|e| AppError::unavailable("the scheduler stopped", e))?;
    dialler.ua.shutdown();
    Ok(())
}

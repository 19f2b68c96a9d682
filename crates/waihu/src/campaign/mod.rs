//! The dialler of the binary: the campaign scheduler (`waihu-campaign`) wired to
//! the database, the compliance gate, the SIP user agent and the speech engines.
//! `waihu serve` runs it in the background, `waihu task run` in the foreground,
//! `waihu demo` with a progress bar.

pub mod live;
pub mod optout;
pub mod port;
pub mod pusher;
pub mod speech;

use crate::cmd::Context;
use crate::pii::Pii;
use anyhow::Context as _;
use port::{Finished, PortConfig, StorePort};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use waihu_call::ConversationConfig;
use waihu_campaign::{Engine, EngineConfig};
use waihu_core::Clock;
use waihu_sip::{SipConfig, UserAgent};
use waihu_store::Store;

/// `waihu task run`.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Exit once no task is running and no call is in progress (default: run
    /// until Ctrl-C).
    #[arg(long)]
    pub until_idle: bool,
}

/// A running dialler.
pub struct Dialler {
    /// The scheduler.
    pub engine: Arc<Engine<StorePort>>,
    /// Its SIP user agent.
    pub ua: Arc<UserAgent>,
}

/// Builds the dialler from the settings (SIP user agent, speech engines, port).
pub async fn build(
    ctx: &Context,
    store: Store,
    clock: Arc<dyn Clock>,
    progress: Option<tokio::sync::mpsc::UnboundedSender<Finished>>,
) -> anyhow::Result<Dialler> {
    build_with_live(ctx, store, clock, progress, None).await
}

/// [`build`], publishing every call's live events to `live` (the back
/// office's live calls, `waihu serve`).
pub async fn build_with_live(
    ctx: &Context,
    store: Store,
    clock: Arc<dyn Clock>,
    progress: Option<tokio::sync::mpsc::UnboundedSender<Finished>>,
    live: Option<waihu_web::live::LiveHub>,
) -> anyhow::Result<Dialler> {
    let settings = &ctx.settings;
    let pii = Arc::new(Pii::load(settings)?);
    let engines = speech::engines(settings)?;
    let ua = UserAgent::start(SipConfig {
        listen: settings.dialler.sip_listen,
        ..SipConfig::default()
    })
    .await
    .with_context(|| {
        format!(
            "cannot start the SIP user agent on {}",
            settings.dialler.sip_listen
        )
    })?;
    let ua = Arc::new(ua);
    let recordings = if settings.dialler.record {
        let dir = ctx.data_dir()?.join("recordings");
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Some(dir)
    } else {
        None
    };
    let conversation = ConversationConfig {
        max_duration: Duration::from_secs(settings.dialler.max_call_secs.max(10)),
        ..ConversationConfig::default()
    };
    let mut port = StorePort::new(
        store,
        pii,
        Arc::clone(&ua),
        Arc::clone(&engines),
        Arc::clone(&clock),
        PortConfig {
            worker: settings.dialler.worker.clone(),
            recordings,
            conversation,
            ring_timeout: Duration::from_secs(settings.dialler.ring_timeout_secs.clamp(5, 300)),
            prompts: Some(ctx.data_dir()?.join("prompts")),
        },
    );
    if let Some(tx) = progress {
        port = port.with_progress(tx);
    }
    if let Some(hub) = live {
        port = port.with_live(hub);
    }
    let engine = Engine::new(
        Arc::new(port),
        clock,
        EngineConfig {
            tick: Duration::from_millis(settings.dialler.tick_ms.clamp(10, 60_000)),
        },
    );
    Ok(Dialler { engine, ua })
}

/// `waihu task run`: the scheduler in the foreground.
pub async fn run_foreground(ctx: &Context, args: RunArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let dialler = build(ctx, store.clone(), Arc::new(waihu_core::SystemClock), None).await?;
    let engine = Arc::clone(&dialler.engine);
    let reconciled = engine
        .reconcile()
        .await
        .map_err(|e| anyhow::anyhow!("cannot reconcile calls left in flight: {e}"))?;
    if reconciled > 0 {
        eprintln!("reconciled {reconciled} call(s) left in flight by an earlier run");
    }
    let idle_store = store.clone();
    let idle_engine = Arc::clone(&engine);
    let until_idle = args.until_idle;
    let stop = async move {
        if !until_idle {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => return,
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
        .map_err(|e| anyhow::anyhow!("scheduler: {e}"))?;
    dialler.ua.shutdown();
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

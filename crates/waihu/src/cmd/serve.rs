//! `waihu serve`: the server. Opens and migrates the database, creates the first
//! operator account on an empty database (printing its password once), then serves
//! HTTP until SIGINT/SIGTERM and shuts down gracefully.

use super::Context;
use crate::settings::SecureCookiesSetting;
use anyhow::Context as _;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use waihu_core::{Role, SystemClock};
use waihu_store::{password::random_secret, Actor, Store};

/// Arguments of `waihu serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (overrides `server.listen`).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
}

/// Runs the server until a shutdown signal: the back office and API, and —
/// unless `dialler.enabled = false` — the scheduler dialling running tasks.
pub async fn run(ctx: &Context, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    ensure_first_operator(&store).await?;
    let addr = args.listen.unwrap_or(ctx.settings.server.listen);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    // The back office's live calls: the calls this process dials.
    let live = waihu_app::live::LiveHub::new(Arc::new(SystemClock));
    let dialler = if ctx.settings.dialler.enabled {
        let built = crate::wiring::dialler(
            ctx,
            store.clone(),
            Arc::new(SystemClock),
            None,
            Some(live.clone()),
        )
        .await;
        match built {
            Ok(d) => {
                let engine = Arc::clone(&d.engine);
                let mut rx = stop_rx.clone();
                Some(tokio::spawn(async move {
                    let stop = async move {
                        let _ = rx.wait_for(|s| *s).await;
                    };
                    if let Err(e) = engine.run(stop).await {
                        tracing::error!(error = %e, "the scheduler stopped");
                    }
                    d.ua.shutdown();
                }))
            }
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "dialling is disabled");
                eprintln!("warning: dialling is disabled: {e:#}");
                None
            }
        }
    } else {
        None
    };
    // Leads are pushed where the dialler runs (one pusher per deployment).
    let pusher = if ctx.settings.dialler.enabled {
        let pii = Arc::new(crate::wiring::pii(&ctx.settings)?);
        let mut rx = stop_rx.clone();
        let stop = async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        let run = waihu_app::push::run_pusher(
            store.clone(),
            pii,
            Arc::new(SystemClock),
            ctx.settings.outbound_policy()?,
            stop,
        );
        Some(tokio::spawn(run))
    } else {
        None
    };
    // The retention sweep (docs/rights.md); off with `rights.sweep_interval_secs = 0`.
    let retention = waihu_app::rights::sweep::spawn(
        &ctx.settings.rights,
        ctx.data_dir()?,
        &store,
        stop_rx.clone(),
    );
    let mut rx = stop_rx.clone();
    let live_for_web = dialler.is_some().then(|| live.clone());
    let web_stop = async move {
        let _ = rx.wait_for(|s| *s).await;
        // Open live-event streams end, or the graceful shutdown would wait on them.
        live.close();
    };
    let signal = tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    });
    serve_web_with(ctx, &store, listener, web_stop, live_for_web).await?;
    signal.abort();
    if let Some(d) = dialler {
        // Calls in progress end their conversations first.
        let _ = d.await;
    }
    if let Some(p) = pusher {
        if let Ok(Err(e)) = p.await {
            tracing::warn!(error = %format!("{e:#}"), "the lead pusher did not start");
        }
    }
    if let Some(r) = retention {
        let _ = r.await;
    }
    tracing::info!("shutting down");
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Serves the back office and API on `listener` until `shutdown` resolves.
pub async fn serve_web(
    ctx: &Context,
    store: &Store,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    serve_web_with(ctx, store, listener, shutdown, None).await
}

/// [`serve_web`], showing the live calls published to `live` (the dialler of
/// this process) when there is one.
pub async fn serve_web_with(
    ctx: &Context,
    store: &Store,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    live: Option<waihu_app::live::LiveHub>,
) -> anyhow::Result<()> {
    // The hash key lets the back office look up typed numbers (do-not-call list).
    let pii = crate::wiring::pii(&ctx.settings)?;
    let phone_key = pii.phone_key.clone();
    let local = listener.local_addr()?;
    tracing::info!(%local, backend = ?store.kind(), "waihu serving");
    println!("waihu listening on http://{local}");
    let web = waihu_web::WebConfig {
        secure_cookies: match ctx.settings.server.secure_cookies {
            SecureCookiesSetting::Auto => waihu_web::SecureCookies::Auto,
            SecureCookiesSetting::Always => waihu_web::SecureCookies::Always,
            SecureCookiesSetting::Never => waihu_web::SecureCookies::Never,
        },
        session_ttl: chrono::Duration::hours(i64::from(
            ctx.settings.server.session_ttl_hours.max(1),
        )),
        trusted_proxies: ctx.settings.trusted_proxies()?,
        complaints_per_number_day: ctx.settings.server.public_complaints_per_day,
    };
    let mut state = waihu_web::AppState::with(store.clone(), Arc::new(SystemClock), web)
        .with_pii(phone_key)
        .with_recordings(ctx.data_dir()?.join("recordings"))
        .with_prompt_audio(Arc::new(waihu_app::prompts::WebPrompts::new(
            ctx.data_dir()?.join("prompts"),
        )))
        .with_contact_importer(Arc::new(waihu_app::contact_import::WebImport::new(
            store.clone(),
            pii,
        )))
        .with_sla_calendar(ctx.settings.rights.calendar()?)
        .with_outbound(ctx.settings.outbound_policy()?);
    if let Some(hub) = live {
        state = state.with_live(hub);
    }
    // One-time codes of the public pages, read out by a call (`[verification]`).
    if let Some(sender) = crate::wiring::code_sender(&ctx.settings, store).await? {
        state = state.with_code_sender(sender);
    }
    waihu_web::serve(listener, state, shutdown).await?;
    Ok(())
}

/// On an empty database, creates the operator account `operator` with a random
/// password and prints it once; it is never shown again.
pub async fn ensure_first_operator(store: &Store) -> anyhow::Result<()> {
    if store.count_users().await? > 0 {
        return Ok(());
    }
    let password = random_secret(20);
    store
        .create_user(
            None,
            "operator",
            &password,
            Role::Operator,
            &Actor::system(),
        )
        .await?;
    println!("first start: created operator account 'operator' with password: {password}");
    println!("(this password is shown only once; change it after logging in)");
    Ok(())
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

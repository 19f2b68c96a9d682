//! Builds the application services of `waihu-app` from the effective settings:
//! the number keys, the speech engines, the dialler, the public pages' code
//! sender. The services take typed sections and paths; only this module knows
//! where in [`Settings`] each comes from.

use crate::cmd::Context;
use crate::settings::Settings;
use std::sync::Arc;
use waihu_app::dialler::{Dialler, DiallerParts, Finished};
use waihu_app::live::LiveHub;
use waihu_app::pii::Pii;
use waihu_app::verify::CodeSender;
use waihu_call::Engines;
use waihu_core::Clock;
use waihu_store::Store;

/// The number keys of the configuration (or its key file).
pub fn pii(settings: &Settings) -> anyhow::Result<Pii> {
    Ok(Pii::load(&settings.pii, &settings.data.dir)?)
}

/// The speech engines of `[speech]`.
pub fn engines(settings: &Settings) -> anyhow::Result<Arc<Engines>> {
    Ok(waihu_app::speech::engines(
        &settings.speech,
        &settings.data.dir,
    )?)
}

/// The dialler of `[dialler]` over `store`, reporting finished calls on
/// `progress` and publishing live events to `live` when given.
pub async fn dialler(
    ctx: &Context,
    store: Store,
    clock: Arc<dyn Clock>,
    progress: Option<tokio::sync::mpsc::UnboundedSender<Finished>>,
    live: Option<LiveHub>,
) -> anyhow::Result<Dialler> {
    let settings = &ctx.settings;
    Ok(waihu_app::dialler::build(DiallerParts {
        settings: &settings.dialler,
        data_dir: ctx.data_dir()?,
        pii: Arc::new(pii(settings)?),
        engines: engines(settings)?,
        store,
        clock,
        progress,
        live,
    })
    .await?)
}

/// The public pages' code sender of `[verification]`, or `None` when it is off
/// or cannot start (warned).
pub async fn code_sender(
    settings: &Settings,
    store: &Store,
) -> anyhow::Result<Option<Arc<dyn CodeSender>>> {
    if settings.verification.caller_number.trim().is_empty() {
        return Ok(None);
    }
    let pii = Arc::new(pii(settings)?);
    Ok(waihu_app::verify::sender(
        &settings.verification,
        settings.dialler.sip_listen.ip(),
        pii,
        store,
    )
    .await)
}

//! `waihu push target add|list|enable|disable`, `waihu push dead-letters`,
//! `waihu push retry` and `waihu push run`: a tenant's lead-push targets (WeCom,
//! DingTalk, Feishu robots and the signed webhook), its dead-letter list, and the
//! pusher in the foreground. Secrets are never printed; URLs are shown without
//! their query (robot URLs carry the access key).

use super::Context;
use anyhow::{anyhow, Context as _};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;
use waihu_app::push::{Pusher, PusherConfig};
use waihu_core::SystemClock;
use waihu_push::{Grade, PushError, Target};
use waihu_store::{Actor, NewPushTarget, PushKind, PushTarget, Store};

/// Lead-push subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum PushCommand {
    /// Where a tenant's leads go.
    #[command(subcommand)]
    Target(TargetCommand),
    /// Deliveries given up on (permanent refusal or every retry failed).
    #[command(name = "dead-letters")]
    DeadLetters {
        /// The tenant (name or id).
        #[arg(long)]
        tenant: String,
        /// Print one JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Queue a dead delivery again (after fixing its target), due now.
    Retry {
        /// The delivery id (from `waihu push dead-letters`), or `all`.
        delivery: String,
        /// The tenant (name or id).
        #[arg(long)]
        tenant: String,
    },
    /// Run the pusher in the foreground (`waihu serve` runs it in the background).
    Run {
        /// One pass over the due deliveries, then exit.
        #[arg(long)]
        once: bool,
        /// Seconds between passes.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=3600))]
        interval: u64,
    },
}

/// Push-target subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum TargetCommand {
    /// Add a target (checked: http(s) URL, a secret for webhooks, none for WeCom).
    Add {
        /// A name unique within the tenant, e.g. `sales-group`.
        name: String,
        /// The tenant (name or id).
        #[arg(long)]
        tenant: String,
        /// wecom, dingtalk, feishu or webhook.
        #[arg(long)]
        kind: String,
        /// The robot's webhook URL, or the receiver's URL.
        #[arg(long)]
        url: String,
        /// Signing secret: DingTalk 加签 SEC…, Feishu 签名校验 key, or the webhook's
        /// shared secret. Better passed in the environment than on the command line.
        #[arg(long, env = "WAIHU_PUSH_SECRET", hide_env_values = true)]
        secret: Option<String>,
        /// Push only leads graded this letter or better (A best).
        #[arg(long, default_value = "B")]
        min_grade: String,
        /// Add it switched off.
        #[arg(long)]
        disabled: bool,
    },
    /// List the tenant's targets (secrets and URL keys hidden).
    List {
        /// The tenant (name or id).
        #[arg(long)]
        tenant: String,
        /// Print one JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Queue new leads for a target again.
    Enable {
        /// The target (name or id).
        target: String,
        /// The tenant (name or id).
        #[arg(long)]
        tenant: String,
    },
    /// Stop queueing and sending leads to a target (pending ones wait).
    Disable {
        /// The target (name or id).
        target: String,
        /// The tenant (name or id).
        #[arg(long)]
        tenant: String,
    },
}

/// Runs a push subcommand.
pub async fn run(ctx: &Context, cmd: PushCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let actor = Actor::raw(ctx.cli_actor());
    match cmd {
        PushCommand::Target(t) => {
            target(&store, &actor, &ctx.settings.outbound_policy()?, t).await?
        }
        PushCommand::DeadLetters { tenant, json } => {
            let tenant = super::tenant::resolve(&store, &tenant).await?;
            let dead = store.dead_letters(tenant.id).await?;
            if dead.is_empty() && !json {
                println!("no dead deliveries for tenant {}", tenant.name);
            }
            for d in dead {
                let error = d.last_error.unwrap_or_default();
                if json {
                    let row = serde_json::json!({
                        "id": d.id,
                        "lead_id": d.lead_id,
                        "target": d.target_name,
                        "attempts": d.attempts,
                        "created_at": d.created_at,
                        "error": error,
                    });
                    println!("{row}");
                } else {
                    println!(
                        "{}  target={}  attempts={}  lead={}  {}",
                        d.id, d.target_name, d.attempts, d.lead_id, error
                    );
                }
            }
        }
        PushCommand::Retry { delivery, tenant } => {
            let tenant = super::tenant::resolve(&store, &tenant).await?;
            let ids = if delivery.trim().eq_ignore_ascii_case("all") {
                store
                    .dead_letters(tenant.id)
                    .await?
                    .into_iter()
                    .map(|d| d.id)
                    .collect()
            } else {
                let id = delivery.trim().parse::<Uuid>().map_err(|_| {
                    anyhow!("delivery {delivery:?} is not a delivery id (see `waihu push dead-letters`) or `all`")
                })?;
                vec![id]
            };
            let now = chrono::Utc::now();
            for id in &ids {
                store
                    .retry_dead_letter(tenant.id, *id, now, &actor)
                    .await
                    .with_context(|| {
                        format!("cannot re-queue delivery {id} of tenant {}", tenant.name)
                    })?;
            }
            println!(
                "re-queued {} delivery(ies) of tenant {}",
                ids.len(),
                tenant.name
            );
        }
        PushCommand::Run { once, interval } => {
            let pii = Arc::new(crate::wiring::pii(&ctx.settings)?);
            let config = PusherConfig {
                interval: Duration::from_secs(interval),
                outbound: ctx.settings.outbound_policy()?,
                ..PusherConfig::default()
            };
            let pusher = Arc::new(Pusher::new(
                store.clone(),
                pii,
                Arc::new(SystemClock),
                config,
            )?);
            if once {
                let s = pusher.run_once().await?;
                println!(
                    "pushed: {} delivered, {} to retry, {} dead, {} skipped",
                    s.delivered, s.retrying, s.dead, s.skipped
                );
            } else {
                let stop = async {
                    let _ = tokio::signal::ctrl_c().await;
                };
                pusher.run(stop).await;
            }
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn target(
    store: &Store,
    actor: &Actor,
    outbound: &waihu_push::OutboundPolicy,
    cmd: TargetCommand,
) -> anyhow::Result<()> {
    match cmd {
        TargetCommand::Add {
            name,
            tenant,
            kind,
            url,
            secret,
            min_grade,
            disabled,
        } => {
            let tenant = super::tenant::resolve(store, &tenant).await?;
            let push_kind: waihu_push::PushKind =
                kind.parse().map_err(|e| anyhow!("--kind: {e}"))?;
            let grade: Grade = min_grade.parse().map_err(|e| anyhow!("--min-grade: {e}"))?;
            let checked =
                Target::new(push_kind, &url, secret.as_deref()).map_err(|e| refused(&name, e))?;
            // The same outbound policy as the pusher's, so that a refused URL is
            // said now rather than in the dead-letter list.
            waihu_push::check_target_url(outbound, &checked.url, Duration::from_secs(3))
                .await
                .map_err(|e| refused(&name, e.into()))?;
            let added = store
                .add_push_target(
                    tenant.id,
                    NewPushTarget {
                        name: name.trim().to_string(),
                        kind: store_kind(push_kind),
                        url: checked.url,
                        secret: checked.secret,
                        min_grade: grade.as_str().to_string(),
                        enabled: !disabled,
                    },
                    actor,
                )
                .await
                .with_context(|| format!("cannot add push target {name:?}"))?;
            println!(
                "added push target {} ({}, {}, grade {} or better{}) for tenant {}",
                added.name,
                added.kind.as_str(),
                added.id,
                added.min_grade,
                if added.enabled { "" } else { ", disabled" },
                tenant.name
            );
        }
        TargetCommand::List { tenant, json } => {
            let tenant = super::tenant::resolve(store, &tenant).await?;
            let targets = store.list_push_targets(tenant.id).await?;
            if targets.is_empty() && !json {
                println!("no push targets for tenant {}", tenant.name);
            }
            for t in targets {
                let url = shown_url(t.kind, &t.url);
                if json {
                    let row = serde_json::json!({
                        "id": t.id,
                        "name": t.name,
                        "kind": t.kind.as_str(),
                        "url": url,
                        "signed": t.secret.is_some(),
                        "min_grade": t.min_grade,
                        "enabled": t.enabled,
                    });
                    println!("{row}");
                } else {
                    println!(
                        "{}  {}  {}  grade<={}  {}  {}{}",
                        t.id,
                        t.name,
                        t.kind.as_str(),
                        t.min_grade,
                        if t.enabled { "enabled" } else { "disabled" },
                        url,
                        if t.secret.is_some() { "  (signed)" } else { "" }
                    );
                }
            }
        }
        TargetCommand::Enable { target, tenant } => {
            set_enabled(store, actor, &tenant, &target, true).await?
        }
        TargetCommand::Disable { target, tenant } => {
            set_enabled(store, actor, &tenant, &target, false).await?
        }
    }
    Ok(())
}

async fn set_enabled(
    store: &Store,
    actor: &Actor,
    tenant: &str,
    target: &str,
    enabled: bool,
) -> anyhow::Result<()> {
    let tenant = super::tenant::resolve(store, tenant).await?;
    let found = find_target(store, &tenant, target).await?;
    let t = store
        .set_push_target_enabled(tenant.id, found.id, enabled, actor)
        .await?;
    println!(
        "push target {} of tenant {} is {}",
        t.name,
        tenant.name,
        if t.enabled { "enabled" } else { "disabled" }
    );
    Ok(())
}

/// A target of the tenant by name or id.
async fn find_target(
    store: &Store,
    tenant: &waihu_store::Tenant,
    name_or_id: &str,
) -> anyhow::Result<PushTarget> {
    let wanted = name_or_id.trim();
    let id = wanted.parse::<Uuid>().ok();
    store
        .list_push_targets(tenant.id)
        .await?
        .into_iter()
        .find(|t| Some(t.id) == id || t.name == wanted)
        .ok_or_else(|| anyhow!("tenant {} has no push target {wanted:?}", tenant.name))
}

/// Why a target was refused, said for the command line.
fn refused(name: &str, e: PushError) -> anyhow::Error {
    match e {
        PushError::MissingSecret { kind } => anyhow!(
            "push target {name:?}: a {kind} target needs a signing secret: pass --secret or set WAIHU_PUSH_SECRET"
        ),
        other => anyhow!("push target {name:?}: {other}"),
    }
}

fn store_kind(kind: waihu_push::PushKind) -> PushKind {
    match kind {
        waihu_push::PushKind::WeCom => PushKind::Wecom,
        waihu_push::PushKind::DingTalk => PushKind::Dingtalk,
        waihu_push::PushKind::Feishu => PushKind::Feishu,
        waihu_push::PushKind::Webhook => PushKind::Webhook,
    }
}

/// The URL without the robot's access key (`waihu_push::shown_url`).
fn shown_url(kind: PushKind, url: &str) -> String {
    let kind = match kind {
        PushKind::Wecom => waihu_push::PushKind::WeCom,
        PushKind::Dingtalk => waihu_push::PushKind::DingTalk,
        PushKind::Feishu => waihu_push::PushKind::Feishu,
        PushKind::Webhook => waihu_push::PushKind::Webhook,
    };
    waihu_push::shown_url(kind, url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_url_hides_the_query() {
        assert_eq!(
            shown_url(
                PushKind::Dingtalk,
                "https://oapi.dingtalk.com/robot/send?access_token=tok"
            ),
            "https://oapi.dingtalk.com/robot/send?…"
        );
        assert_eq!(
            shown_url(
                PushKind::Feishu,
                "https://open.feishu.cn/open-apis/bot/v2/hook/tok-123"
            ),
            "https://open.feishu.cn/open-apis/bot/v2/hook/…"
        );
        assert_eq!(
            shown_url(PushKind::Webhook, "https://crm.example/hook"),
            "https://crm.example/hook"
        );
    }
}

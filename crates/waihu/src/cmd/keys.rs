//! `waihu keys status|rotate|retire`: the number key's rotation (operator). Rotation
//! writes a new key, re-seals every stored number in batches while calls run, and is
//! resumable; `retire` then drops the old key once nothing needs it.

use super::Context;
use anyhow::Context as _;
use std::process::ExitCode;
use waihu_store::{Actor, NewAudit};

/// Key subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum KeysCommand {
    /// Show the number keys and how many stored numbers are not under the current one.
    Status,
    /// Make a new number key (unless a rotation is in progress) and re-seal every
    /// stored number under it, binding it to its tenant and number hash.
    Rotate {
        /// Rows per transaction.
        #[arg(long, default_value_t = 500)]
        batch: usize,
    },
    /// Drop the old number keys once every stored number is under the current one.
    Retire,
}

/// Runs a keys subcommand.
pub async fn run(ctx: &Context, cmd: KeysCommand) -> anyhow::Result<ExitCode> {
    if ctx.settings.pii.number_key.is_some() {
        anyhow::bail!(
            "pii.number_key is set in the configuration; `waihu keys` manages the key file {} only",
            ctx.settings.pii_key_file().display()
        );
    }
    let path = ctx.settings.pii_key_file();
    // Creates the key file on a fresh installation, and checks its permissions.
    crate::wiring::pii(&ctx.settings)?;
    let store = ctx.store().await?;
    let actor = Actor::raw(ctx.cli_actor());
    let code = match cmd {
        KeysCommand::Status => {
            let s = waihu_app::keys::status(&store, &path).await?;
            println!("current number key {}", s.current);
            for k in &s.older {
                println!("old number key {k} (still opened; retire after rotating)");
            }
            println!("{} stored numbers not under the current key", s.not_current);
            ExitCode::SUCCESS
        }
        KeysCommand::Rotate { batch } => {
            let (id, new) = waihu_app::keys::start_rotation(&path)
                .with_context(|| format!("cannot start the rotation in {}", path.display()))?;
            if new {
                println!("new number key {id}; re-sealing stored numbers");
            } else {
                println!("resuming the rotation to number key {id}");
            }
            let report = waihu_app::keys::reseal(&store, &path, batch, |n| {
                tracing::info!(resealed = n, "re-sealing stored numbers");
            })
            .await?;
            store
                .append_audit(
                    NewAudit::new(&actor, None, "keys.rotate", format!("number_key:{id}"))
                        .with_details(serde_json::json!({
                            "resealed": report.resealed,
                            "unreadable": report.unreadable,
                            "remaining": report.remaining,
                        })),
                )
                .await?;
            println!(
                "re-sealed {} numbers; {} unreadable; {} changed meanwhile; {} not yet under key {id}",
                report.resealed, report.unreadable, report.changed_meanwhile, report.remaining
            );
            if report.remaining == 0 {
                println!("the old key can now be retired: waihu keys retire");
                ExitCode::SUCCESS
            } else {
                println!("run `waihu keys rotate` again to resume");
                ExitCode::FAILURE
            }
        }
        KeysCommand::Retire => {
            let retired = waihu_app::keys::retire(&store, &path).await?;
            let ids: Vec<String> = retired.iter().map(ToString::to_string).collect();
            store
                .append_audit(
                    NewAudit::new(&actor, None, "keys.retire", "number_key")
                        .with_details(serde_json::json!({ "retired": ids })),
                )
                .await?;
            println!("retired {} old number keys: {}", ids.len(), ids.join(" "));
            ExitCode::SUCCESS
        }
    };
    store.close().await;
    Ok(code)
}

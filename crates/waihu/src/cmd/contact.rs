//! `waihu contact withdraw|delete`: a callee's consent withdrawn, or everything the
//! tenant holds about a number erased (only a hashed do-not-call entry remains).

use super::Context;
use chrono::Utc;
use std::process::ExitCode;
use waihu_app::gate::parse_number;
use waihu_store::Actor;

/// Contact subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ContactCommand {
    /// Record that the callee withdrew consent: the number is no longer called.
    Withdraw {
        /// The number.
        number: String,
        /// The tenant (name or id).
        #[arg(long)]
        tenant: String,
        /// How the withdrawal reached you.
        #[arg(long)]
        reason: String,
    },
    /// Delete every contact of the tenant with this number; keep only a hashed DNC entry.
    Delete {
        /// The number.
        number: String,
        /// The tenant (name or id).
        #[arg(long)]
        tenant: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
}

/// Runs a contact subcommand.
pub async fn run(ctx: &Context, cmd: ContactCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let pii = crate::wiring::pii(&ctx.settings)?;
    let actor = Actor::raw(ctx.cli_actor());
    match cmd {
        ContactCommand::Withdraw {
            number,
            tenant,
            reason,
        } => {
            let e164 = parse_number(&number)?;
            let t = super::tenant::resolve(&store, &tenant).await?;
            let n = store
                .withdraw_consent(
                    t.id,
                    &pii.hash(&e164),
                    &pii.mask(&e164),
                    &reason,
                    Utc::now(),
                    &actor,
                )
                .await?;
            println!("consent withdrawn for {} ({n} contacts)", pii.mask(&e164));
        }
        ContactCommand::Delete {
            number,
            tenant,
            reason,
        } => {
            let e164 = parse_number(&number)?;
            let t = super::tenant::resolve(&store, &tenant).await?;
            let n = store
                .delete_contact_number(t.id, &pii.hash(&e164), &pii.mask(&e164), &reason, &actor)
                .await?;
            println!(
                "deleted {n} contacts of {}; the number stays on the tenant's do-not-call list",
                pii.mask(&e164)
            );
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

//! `waihu caller-number add|verify|assign|list`: the operator registers the numbers
//! tenants may call from, verifies them and assigns each to one tenant. There is no
//! rotation: a task uses one fixed, verified number its tenant owns.

use super::Context;
use std::process::ExitCode;
use waihu_app::gate::parse_number;
use waihu_store::{Actor, CallerNumber};

/// Caller-number subcommands (operator).
#[derive(Debug, clap::Subcommand)]
pub enum CallerNumberCommand {
    /// Register a number (unverified, unassigned).
    Add {
        /// The number.
        number: String,
    },
    /// Mark a number verified (the operator checked the tenant really holds it).
    Verify {
        /// The number.
        number: String,
    },
    /// Assign a number to a tenant.
    Assign {
        /// The number.
        number: String,
        /// The tenant (name or id).
        #[arg(long)]
        tenant: String,
    },
    /// List all numbers.
    List,
}

fn show(n: &CallerNumber) -> String {
    format!(
        "{}\t{}\t{}",
        n.number,
        if n.verified_at.is_some() {
            "verified"
        } else {
            "unverified"
        },
        n.tenant_id
            .map(|t| t.to_string())
            .unwrap_or_else(|| "unassigned".into())
    )
}

/// Runs a caller-number subcommand.
pub async fn run(ctx: &Context, cmd: CallerNumberCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let actor = Actor::raw(ctx.cli_actor());
    match cmd {
        CallerNumberCommand::Add { number } => {
            let n = store
                .add_caller_number(&parse_number(&number)?, &actor)
                .await?;
            println!("{}", show(&n));
        }
        CallerNumberCommand::Verify { number } => {
            let n = store
                .verify_caller_number(&parse_number(&number)?, &actor)
                .await?;
            println!("{}", show(&n));
        }
        CallerNumberCommand::Assign { number, tenant } => {
            let t = super::tenant::resolve(&store, &tenant).await?;
            let n = store
                .assign_caller_number(&parse_number(&number)?, t.id, &actor)
                .await?;
            println!("{}", show(&n));
        }
        CallerNumberCommand::List => {
            for n in store.list_caller_numbers().await? {
                println!("{}", show(&n));
            }
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

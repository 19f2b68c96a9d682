//! `waihu tenant create|suspend|resume|set-quota|list`, and the `--tenant NAME|ID` resolution every other
//! subcommand uses.

use super::Context;
use anyhow::{anyhow, Context as _};
use std::process::ExitCode;
use waihu_core::{TenantId, TenantName};
use waihu_store::{Actor, Store, Tenant, TenantStatus};

/// Tenant subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum TenantCommand {
    /// Create a tenant with a unique short name (^[a-z][a-z0-9-]{1,31}$).
    Create {
        /// The short name, e.g. `acme-shop`.
        name: String,
    },
    /// Suspend a tenant: nothing of it is dialled until resumed (audited).
    Suspend {
        /// The tenant (name or id).
        tenant: String,
        /// Why (kept in the audit log).
        #[arg(long)]
        reason: String,
    },
    /// Resume a suspended tenant (audited).
    Resume {
        /// The tenant (name or id).
        tenant: String,
        /// Why (kept in the audit log).
        #[arg(long)]
        reason: String,
    },
    /// Set the tenant's robot-line quota: concurrent calls across all its tasks
    /// (operator; audited). A new tenant has none.
    #[command(name = "set-quota")]
    SetQuota {
        /// The tenant (name or id).
        tenant: String,
        /// Concurrent lines.
        #[arg(long)]
        lines: u32,
    },
    /// List all tenants.
    List {
        /// Print JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a tenant subcommand.
pub async fn run(ctx: &Context, cmd: TenantCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    match cmd {
        TenantCommand::Create { name } => {
            let name = TenantName::parse(&name)?;
            let t = store
                .create_tenant(&name, &Actor::raw(ctx.cli_actor()))
                .await?;
            println!("created tenant {} ({})", t.name, t.id);
        }
        TenantCommand::Suspend { tenant, reason } | TenantCommand::Resume { tenant, reason }
            if reason.trim().is_empty() =>
        {
            anyhow::bail!("--reason must not be empty (tenant {tenant})")
        }
        TenantCommand::Suspend { tenant, reason } => {
            let t = resolve(&store, &tenant).await?;
            let t = store
                .set_tenant_status(
                    t.id,
                    TenantStatus::Suspended,
                    &reason,
                    &Actor::raw(ctx.cli_actor()),
                )
                .await?;
            println!("tenant {} suspended", t.name);
        }
        TenantCommand::Resume { tenant, reason } => {
            let t = resolve(&store, &tenant).await?;
            let t = store
                .set_tenant_status(
                    t.id,
                    TenantStatus::Active,
                    &reason,
                    &Actor::raw(ctx.cli_actor()),
                )
                .await?;
            println!("tenant {} resumed", t.name);
        }
        TenantCommand::SetQuota { tenant, lines } => {
            anyhow::ensure!(lines <= 10_000, "--lines {lines} is more than 10000");
            let t = resolve(&store, &tenant).await?;
            store
                .set_line_quota(t.id, lines, &Actor::raw(ctx.cli_actor()))
                .await?;
            println!("tenant {} may use {lines} robot line(s)", t.name);
        }
        TenantCommand::List { json } => {
            for t in store.list_tenants().await? {
                if json {
                    println!(
                        "{}",
                        serde_json::json!({
                            "id": t.id.to_string(),
                            "name": t.name.as_str(),
                            "status": t.status.as_str(),
                            "created_at": t.created_at.to_rfc3339(),
                        })
                    );
                } else {
                    println!("{}\t{}\t{}", t.id, t.name, t.status);
                }
            }
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Finds a tenant given its name or its id, with a clear error when neither fits.
pub async fn resolve(store: &Store, name_or_id: &str) -> anyhow::Result<Tenant> {
    let found = if let Ok(id) = name_or_id.parse::<TenantId>() {
        store.get_tenant(id).await?
    } else {
        let name = TenantName::parse(name_or_id).with_context(|| {
            format!("--tenant {name_or_id:?} is neither a tenant id nor a name")
        })?;
        store.find_tenant_by_name(&name).await?
    };
    found.ok_or_else(|| anyhow!("no tenant {name_or_id:?}"))
}

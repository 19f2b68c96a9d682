//! `waihu policy show|set`: the jurisdiction policies. The operator sets the
//! platform's (calling hours, caps); a tenant's override may only tighten it.
//! Every change is audited with the new document.

use super::Context;
use anyhow::{bail, Context as _};
use std::path::PathBuf;
use std::process::ExitCode;
use waihu_app::gate::effective_policy;
use waihu_compliance::{Jurisdiction, Policy, PolicyOverride};
use waihu_store::{Actor, PolicyScope};

/// Policy subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum PolicyCommand {
    /// Print the policy in force (the platform's, or a tenant's effective one) as TOML.
    Show {
        /// CN, US or UK.
        #[arg(long)]
        jurisdiction: Jurisdiction,
        /// A tenant (name or id): show its effective policy.
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Set the platform policy (a full policy) or a tenant's override (only tightening).
    Set {
        /// CN, US or UK.
        #[arg(long)]
        jurisdiction: Jurisdiction,
        /// A tenant (name or id): set its override instead of the platform policy.
        #[arg(long)]
        tenant: Option<String>,
        /// A TOML file: `cap_24h = 2`, `cap_30d = 8`, `[calling_hours] mon = ["09:00-12:00"] …`
        #[arg(long)]
        file: PathBuf,
    },
}

/// Runs a policy subcommand.
pub async fn run(ctx: &Context, cmd: PolicyCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    match cmd {
        PolicyCommand::Show {
            jurisdiction,
            tenant,
        } => {
            let tenant = match tenant {
                Some(t) => Some(super::tenant::resolve(&store, &t).await?.id),
                None => None,
            };
            let p = effective_policy(&store, tenant, jurisdiction).await?;
            print!(
                "{}",
                toml::to_string(&p).context("cannot render the policy")?
            );
        }
        PolicyCommand::Set {
            jurisdiction,
            tenant,
            file,
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let actor = Actor::raw(ctx.cli_actor());
            match tenant {
                None => {
                    let mut doc: toml::Table = toml::from_str(&text)
                        .map_err(|e| anyhow::anyhow!("{}: {}", file.display(), e.message()))?;
                    doc.insert("jurisdiction".into(), jurisdiction.as_str().into());
                    let p: Policy = doc.try_into().map_err(|e: toml::de::Error| {
                        anyhow::anyhow!("{}: {}", file.display(), e.message())
                    })?;
                    store
                        .set_policy(
                            PolicyScope::Platform,
                            jurisdiction.as_str(),
                            &serde_json::to_value(&p)?,
                            &actor,
                        )
                        .await?;
                    println!("platform {} policy updated", jurisdiction.as_str());
                }
                Some(t) => {
                    let t = super::tenant::resolve(&store, &t).await?;
                    let o: PolicyOverride = toml::from_str(&text)
                        .map_err(|e| anyhow::anyhow!("{}: {}", file.display(), e.message()))?;
                    let platform = effective_policy(&store, None, jurisdiction).await?;
                    if let Err(e) = platform.tighten(&o) {
                        bail!("{e}");
                    }
                    store
                        .set_policy(
                            PolicyScope::Tenant(t.id),
                            jurisdiction.as_str(),
                            &serde_json::to_value(&o)?,
                            &actor,
                        )
                        .await?;
                    println!("tenant {} {} policy updated", t.name, jurisdiction.as_str());
                }
            }
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

//! `waihu trunk add|list`: the SIP trunks calls go out on (operator). Each has an
//! attempt-rate limit (CPS) that the scheduler never exceeds.

use super::Context;
use anyhow::Context as _;
use std::process::ExitCode;
use waihu_store::{Actor, NewTrunk, Transport};

/// Trunk subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum TrunkCommand {
    /// Register a trunk.
    Add {
        /// A unique name, e.g. `carrier-a`.
        #[arg(long)]
        name: String,
        /// Where to send INVITEs: `sip:host:port` or `host:port`.
        #[arg(long)]
        address: String,
        /// `udp` or `tcp`.
        #[arg(long, default_value = "udp")]
        transport: String,
        /// Digest user name, if the carrier asks for one.
        #[arg(long)]
        username: Option<String>,
        /// Digest password (read from the environment variable WAIHU_TRUNK_PASSWORD
        /// when not given, so that it stays out of shell history).
        #[arg(long, env = "WAIHU_TRUNK_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Call attempts per second the carrier allows.
        #[arg(long, default_value_t = 10.0)]
        cps: f64,
    },
    /// List trunks (passwords are never shown).
    List,
}

/// Runs a trunk subcommand.
pub async fn run(ctx: &Context, cmd: TrunkCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    match cmd {
        TrunkCommand::Add {
            name,
            address,
            transport,
            username,
            password,
            cps,
        } => {
            anyhow::ensure!(
                cps > 0.0 && cps <= 10_000.0,
                "--cps must be between 0 and 10000, not {cps}"
            );
            let target = address.strip_prefix("sip:").unwrap_or(&address);
            anyhow::ensure!(
                target
                    .rsplit_once(':')
                    .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok()),
                "--address {address:?} must be sip:HOST:PORT or HOST:PORT"
            );
            let transport = Transport::parse(&transport)
                .with_context(|| format!("--transport {transport:?}: use udp or tcp"))?;
            let t = store
                .add_trunk(
                    NewTrunk {
                        name,
                        address,
                        transport,
                        username,
                        password,
                        cps_limit: cps,
                    },
                    &Actor::raw(ctx.cli_actor()),
                )
                .await?;
            println!(
                "added trunk {} ({}) at {} with {} CPS",
                t.name, t.id, t.address, t.cps_limit
            );
        }
        TrunkCommand::List => {
            for t in store.list_trunks().await? {
                println!(
                    "{}\t{}\t{}\t{} CPS\t{}",
                    t.name,
                    t.address,
                    t.transport.as_str(),
                    t.cps_limit,
                    if t.username.is_some() {
                        "auth"
                    } else {
                        "no auth"
                    }
                );
            }
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

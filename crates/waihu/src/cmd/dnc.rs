//! `waihu dnc add|remove|check|import`: the tenant's, the platform's and the
//! registry's do-not-call lists. Every change is audited (with a masked number).

use super::Context;
use anyhow::{bail, Context as _};
use std::path::PathBuf;
use std::process::ExitCode;
use waihu_app::gate::parse_number;
use waihu_store::{Actor, DncScope, Store};

/// Which list: exactly one of `--tenant`, `--platform`, `--registry`.
#[derive(Debug, Clone, clap::Args)]
pub struct ListArgs {
    /// The tenant's own list (name or id).
    #[arg(long, conflicts_with_all = ["platform", "registry"])]
    pub tenant: Option<String>,
    /// The platform-wide list (operator).
    #[arg(long, conflicts_with = "registry")]
    pub platform: bool,
    /// The imported national registry list (operator).
    #[arg(long)]
    pub registry: bool,
}

impl ListArgs {
    async fn scope(&self, store: &Store) -> anyhow::Result<DncScope> {
        match (&self.tenant, self.platform, self.registry) {
            (Some(t), false, false) => {
                Ok(DncScope::Tenant(super::tenant::resolve(store, t).await?.id))
            }
            (None, true, false) => Ok(DncScope::Platform),
            (None, false, true) => Ok(DncScope::Registry),
            _ => bail!("name the list: --tenant T, --platform or --registry"),
        }
    }
}

/// Do-not-call subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum DncCommand {
    /// Add a number.
    Add {
        /// The number.
        number: String,
        #[command(flatten)]
        list: ListArgs,
        /// Why (kept in the audit log).
        #[arg(long, default_value = "manual")]
        reason: String,
    },
    /// Remove a number (a reason is required and audited).
    Remove {
        /// The number.
        number: String,
        #[command(flatten)]
        list: ListArgs,
        /// Why the number may be called again.
        #[arg(long)]
        reason: String,
    },
    /// Is a number on the tenant's, the platform's or the registry list?
    Check {
        /// The number.
        number: String,
        /// The tenant (name or id).
        #[arg(long)]
        tenant: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Import numbers: one per line, or the first column of a CSV.
    Import {
        /// The file.
        file: PathBuf,
        #[command(flatten)]
        list: ListArgs,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a do-not-call subcommand.
pub async fn run(ctx: &Context, cmd: DncCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let pii = crate::wiring::pii(&ctx.settings)?;
    let actor = Actor::raw(ctx.cli_actor());
    match cmd {
        DncCommand::Add {
            number,
            list,
            reason,
        } => {
            let e164 = parse_number(&number)?;
            let scope = list.scope(&store).await?;
            let added = store
                .add_dnc(
                    scope,
                    &pii.hash(&e164),
                    &pii.mask(&e164),
                    &reason,
                    "cli",
                    &actor,
                )
                .await?;
            let masked = pii.mask(&e164);
            if added {
                println!("added {masked} to the {} do-not-call list", scope.label());
            } else {
                println!(
                    "{masked} was already on the {} do-not-call list",
                    scope.label()
                );
            }
        }
        DncCommand::Remove {
            number,
            list,
            reason,
        } => {
            let e164 = parse_number(&number)?;
            let scope = list.scope(&store).await?;
            let removed = store
                .remove_dnc(scope, &pii.hash(&e164), &pii.mask(&e164), &reason, &actor)
                .await?;
            if !removed {
                bail!(
                    "{} is not on the {} do-not-call list",
                    pii.mask(&e164),
                    scope.label()
                );
            }
            println!(
                "removed {} from the {} do-not-call list",
                pii.mask(&e164),
                scope.label()
            );
        }
        DncCommand::Check {
            number,
            tenant,
            json,
        } => check(&store, &pii, &number, &tenant, json).await?,
        DncCommand::Import { file, list, json } => {
            let scope = list.scope(&store).await?;
            import(&store, &pii, &file, scope, json, &actor).await?;
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// `waihu dnc check`: the lists a number is on, for a tenant.
async fn check(
    store: &Store,
    pii: &waihu_app::pii::Pii,
    number: &str,
    tenant: &str,
    json: bool,
) -> anyhow::Result<()> {
    let e164 = parse_number(number)?;
    let t = super::tenant::resolve(store, tenant).await?;
    let m = store.dnc_membership(t.id, &pii.hash(&e164)).await?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "number": pii.mask(&e164),
                "tenant": m.tenant, "platform": m.platform, "registry": m.registry,
            })
        );
    } else {
        let lists: Vec<&str> = [
            ("tenant", m.tenant),
            ("platform", m.platform),
            ("registry", m.registry),
        ]
        .into_iter()
        .filter_map(|(n, on)| on.then_some(n))
        .collect();
        if lists.is_empty() {
            println!("{}: on no do-not-call list", pii.mask(&e164));
        } else {
            println!(
                "{}: on the {} do-not-call list(s)",
                pii.mask(&e164),
                lists.join(", ")
            );
        }
    }
    Ok(())
}

/// `waihu dnc import`: the first column of a CSV or text file, one number a
/// line (a header line is skipped), onto a list; bad lines are reported.
async fn import(
    store: &Store,
    pii: &waihu_app::pii::Pii,
    file: &std::path::Path,
    scope: DncScope,
    json: bool,
    actor: &Actor,
) -> anyhow::Result<()> {
    let text = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let text = String::from_utf8_lossy(&text);
    let mut hashes = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let cell = line
            .split(',')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('"');
        if cell.is_empty() || (i == 0 && !cell.chars().any(|c| c.is_ascii_digit())) {
            continue; // blank line or header
        }
        match parse_number(cell) {
            Ok(e164) => hashes.push(pii.hash(&e164)),
            Err(_) => bad.push(i + 1),
        }
    }
    let source = file
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let added = store.import_dnc(scope, &hashes, &source, actor).await?;
    if json {
        println!(
            "{}",
            serde_json::json!({ "added": added, "already": hashes.len() as u64 - added, "invalid_rows": bad })
        );
    } else {
        println!(
            "added {added} numbers to the {} do-not-call list ({} already there, {} invalid lines{})",
            scope.label(),
            hashes.len() as u64 - added,
            bad.len(),
            if bad.is_empty() { String::new() } else { format!(": rows {bad:?}") }
        );
    }
    Ok(())
}

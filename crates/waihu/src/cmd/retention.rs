//! `waihu retention run|show|set`: the retention sweep (recordings, transcripts,
//! results, ended consent; recording files deleted too), and a tenant's periods
//! (capped by the platform maximum). Everything is audited.

use super::Context;
use anyhow::Context as _;
use chrono::{DateTime, Utc};
use std::process::ExitCode;
use waihu_app::rights::sweep::run_once;
use waihu_compliance::retention::RetentionPeriods;
use waihu_store::Actor;

/// Retention subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum RetentionCommand {
    /// Delete what every tenant's retention periods make due (and the files).
    Run {
        /// Report what is due without deleting anything.
        #[arg(long)]
        dry_run: bool,
        /// Stand at this instant instead of now (RFC 3339, e.g. 2026-12-01T00:00:00Z).
        #[arg(long)]
        now: Option<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// A tenant's retention periods and the platform maximum.
    Show {
        /// The tenant (name or id).
        #[arg(long)]
        tenant: String,
    },
    /// Set a tenant's retention periods in days (at most the platform maximum).
    Set {
        /// The tenant (name or id).
        #[arg(long)]
        tenant: String,
        /// Days recordings are kept.
        #[arg(long)]
        recordings_days: u32,
        /// Days transcripts are kept.
        #[arg(long)]
        transcripts_days: u32,
        /// Days call results (grades, leads) are kept.
        #[arg(long)]
        results_days: u32,
    },
}

/// Parses `--now`.
pub fn parse_instant(text: &str, flag: &str) -> anyhow::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .with_context(|| format!("{flag} {text:?}: expected RFC 3339, e.g. 2026-12-01T00:00:00Z"))
}

/// Runs a retention subcommand.
pub async fn run(ctx: &Context, cmd: RetentionCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let actor = Actor::raw(ctx.cli_actor());
    match cmd {
        RetentionCommand::Run { dry_run, now, json } => {
            let now = match now {
                Some(t) => parse_instant(&t, "--now")?,
                None => Utc::now(),
            };
            let data_dir = ctx.data_dir()?.to_path_buf();
            let (report, files) = run_once(&store, &data_dir, now, dry_run, &actor).await?;
            if json {
                let out = serde_json::json!({ "report": report, "files": files });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                let verb = if dry_run { "due" } else { "deleted" };
                if report.tenants.is_empty() {
                    println!("nothing due at {now}");
                }
                for t in &report.tenants {
                    let name = match t.tenant_id {
                        Some(id) => store.get_tenant(id).await?.map(|t| t.name.to_string()),
                        None => None,
                    };
                    println!(
                        "{}: {verb} {} recordings, {} transcripts, {} results ({} leads), {} contacts with ended consent ({} consent records)",
                        name.unwrap_or_default(),
                        t.recordings.len(),
                        t.transcripts.len(),
                        t.results.len(),
                        t.leads,
                        t.contacts,
                        t.consent_records
                    );
                }
                for p in &files.deleted {
                    println!("deleted file {p}");
                }
                for p in &files.missing {
                    println!("already gone: {p}");
                }
                for p in &files.refused {
                    println!("left alone (outside the data directory): {p}");
                }
                for p in &files.failed {
                    eprintln!("could not delete {p}");
                }
            }
            if !files.failed.is_empty() {
                return Ok(ExitCode::FAILURE);
            }
        }
        RetentionCommand::Show { tenant } => {
            let t = super::tenant::resolve(&store, &tenant).await?;
            let periods = store.retention_periods(t.id).await?;
            let settings = store.rights_settings().await?;
            let used = periods.capped(settings.retention_max_days);
            println!(
                "{}: recordings {} days, transcripts {} days, results {} days (platform maximum {} days)",
                t.name, used.recordings_days, used.transcripts_days, used.results_days, settings.retention_max_days
            );
        }
        RetentionCommand::Set {
            tenant,
            recordings_days,
            transcripts_days,
            results_days,
        } => {
            let t = super::tenant::resolve(&store, &tenant).await?;
            let periods = RetentionPeriods {
                recordings_days,
                transcripts_days,
                results_days,
            };
            store.set_retention_periods(t.id, periods, &actor).await?;
            println!(
                "{}: recordings {recordings_days} days, transcripts {transcripts_days} days, results {results_days} days",
                t.name
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

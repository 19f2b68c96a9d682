//! `waihu subject export|erase --number N`: data subject requests handled by the
//! operator (e.g. a request received by letter). Export prints everything held
//! about the number as JSON; erasure removes it across the platform — keeping only
//! the hashed do-not-call entries and the audit entry — and deletes the recording
//! files under the data directory. Both are audited.

use super::Context;
use chrono::Utc;
use std::path::PathBuf;
use std::process::ExitCode;
use waihu_app::gate::parse_number;
use waihu_app::rights::files::delete_recordings;
use waihu_store::Actor;

/// Data subject subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum SubjectCommand {
    /// Everything held about a number, as JSON.
    Export {
        /// The number.
        #[arg(long)]
        number: String,
        /// Write the JSON to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Erase a number across the platform (contacts, calls' content, recordings,
    /// results, leads); only the hashed DNC entry and the audit entry remain.
    Erase {
        /// The number.
        #[arg(long)]
        number: String,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a data subject subcommand.
pub async fn run(ctx: &Context, cmd: SubjectCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let pii = crate::wiring::pii(&ctx.settings)?;
    let actor = Actor::raw(ctx.cli_actor());
    match cmd {
        SubjectCommand::Export { number, out } => {
            let e164 = parse_number(&number)?;
            let export = store
                .export_subject(&pii.hash(&e164), &pii.mask(&e164), Utc::now(), &actor)
                .await?;
            let text = serde_json::to_string_pretty(&export)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, text)
                        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
                    eprintln!(
                        "{}: {} calls, {} contacts, {} do-not-call entries written to {}",
                        export.number_masked,
                        export.calls.len(),
                        export.contacts.len(),
                        export.dnc.len(),
                        path.display()
                    );
                }
                None => println!("{text}"),
            }
        }
        SubjectCommand::Erase { number, json } => {
            let e164 = parse_number(&number)?;
            let masked = pii.mask(&e164);
            let report = store
                .erase_subject(&pii.hash(&e164), &masked, &actor)
                .await?;
            let data_dir = ctx.data_dir()?.to_path_buf();
            let files =
                delete_recordings(&data_dir, report.recording_paths.iter().map(String::as_str));
            if json {
                let out = serde_json::json!({ "report": report, "files": files });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                println!(
                    "erased {masked}: {} contacts, {} queue rows, {} consent records, {} calls, {} leads, {} push deliveries, {} dial attempts, {} complaints anonymised; {} recordings deleted",
                    report.contacts,
                    report.queue_rows,
                    report.consent_records,
                    report.calls,
                    report.leads,
                    report.push_deliveries,
                    report.dial_attempts,
                    report.complaints,
                    files.deleted.len()
                );
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
    }
    Ok(ExitCode::SUCCESS)
}

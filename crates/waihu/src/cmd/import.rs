//! `waihu import contacts`: a CSV or XLSX file into a tenant's contact list, with
//! validation, de-duplication, consent evidence, encryption and a per-row report.
//! The rows that pass are stored in one transaction: a failed import writes nothing.
//! The import itself is [`waihu_app::contact_import`], shared with the back office.

use super::Context;
use anyhow::Context as _;
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::process::ExitCode;
use waihu_app::contact_import::import_file;
use waihu_compliance::ConsentEvidence;
use waihu_contacts::{ColumnMapping, Encoding, ImportOptions};
use waihu_store::Actor;

/// Import subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {
    /// Import contacts from a CSV (UTF-8 or GB18030) or XLSX file.
    Contacts(ImportContactsArgs),
}

/// Arguments of `waihu import contacts`.
#[derive(Debug, clap::Args)]
pub struct ImportContactsArgs {
    /// The CSV or XLSX file.
    pub file: PathBuf,
    /// The tenant (name or id).
    #[arg(long)]
    pub tenant: String,
    /// The contact list (created if missing).
    #[arg(long)]
    pub list: String,
    /// A TOML column mapping (number = "手机", name = "姓名", …); default: recognise headers.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// auto (UTF-8 if valid, else GB18030), utf-8 or gb18030.
    #[arg(long, default_value = "auto")]
    pub encoding: Encoding,
    #[command(flatten)]
    pub consent: ConsentArgs,
    /// Print the report as one JSON object on the last line.
    #[arg(long)]
    pub json: bool,
}

/// Consent evidence given once for the whole import (rows may carry their own).
#[derive(Debug, Clone, clap::Args)]
pub struct ConsentArgs {
    /// Where consent was collected (web_form, in_store, customer_agreement, …).
    #[arg(long)]
    pub consent_source: Option<String>,
    /// When consent was given (RFC 3339).
    #[arg(long)]
    pub consent_time: Option<DateTime<Utc>>,
    /// PURPOSE[,PURPOSE…][,share_leads]
    #[arg(long)]
    pub consent_scope: Option<String>,
    /// A reference to the evidence (form id, contract number, …).
    #[arg(long, conflicts_with = "consent_wording")]
    pub consent_ref: Option<String>,
    /// The wording the callee agreed to.
    #[arg(long)]
    pub consent_wording: Option<String>,
    /// When consent lapses (RFC 3339).
    #[arg(long)]
    pub consent_expiry: Option<DateTime<Utc>>,
}

impl ConsentArgs {
    /// The import-wide evidence, if given; an error if given only in part.
    pub fn evidence(&self) -> anyhow::Result<Option<ConsentEvidence>> {
        let input = waihu_contacts::ConsentInput {
            source: self.consent_source.clone(),
            given_at: self.consent_time,
            scope: self.consent_scope.clone(),
            reference: self.consent_ref.clone(),
            wording: self.consent_wording.clone(),
            expires_at: self.consent_expiry,
        };
        input
            .evidence()
            .map_err(|e| anyhow::anyhow!("--consent-{}: {e}", cli_flag(e.field())))
    }
}

/// The `--consent-…` flag of a consent input field.
fn cli_flag(field: &str) -> &str {
    match field {
        "reference" => "ref",
        f => f,
    }
}

/// The first `limit + 1` bytes of `path`.
fn read_bounded(path: &std::path::Path, limit: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Runs an import subcommand.
pub async fn run(ctx: &Context, cmd: ImportCommand) -> anyhow::Result<ExitCode> {
    let ImportCommand::Contacts(args) = cmd;
    let mut opts = ImportOptions::new(Utc::now());
    opts.encoding = args.encoding;
    opts.consent = args.consent.evidence()?;
    if let Some(path) = &args.mapping {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read mapping file {}", path.display()))?;
        opts.mapping = toml::from_str::<ColumnMapping>(&text)
            .map_err(|e| anyhow::anyhow!("mapping file {}: {}", path.display(), e.message()))?;
    }
    // Read at most one byte over the limit: the import refuses a larger file
    // without this process holding it (or reading /dev/zero for ever).
    let bytes = read_bounded(&args.file, opts.limits.file_bytes)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let store = ctx.store().await?;
    let tenant = super::tenant::resolve(&store, &args.tenant).await?;
    let pii = crate::wiring::pii(&ctx.settings)?;
    let actor = Actor::raw(ctx.cli_actor());
    let summary = import_file(&store, &pii, tenant.id, &args.list, bytes, opts, &actor)
        .await?
        .map_err(|e| anyhow::anyhow!("{}: {e}; nothing was imported", args.file.display()))?;
    let (stored, report, on_dnc, list) =
        (summary.stored, summary.report, summary.on_dnc, summary.list);
    store.close().await;
    println!(
        "imported {} contacts into list {:?} ({} duplicates, {} rejected, {} on a do-not-call list)",
        stored.imported, list.name, report.duplicates, report.rejected, on_dnc
    );
    if !args.json {
        for e in &report.errors {
            println!("row {}: {}: {}: {}", e.row, e.column, e.reason, e.detail);
        }
    } else {
        let errors: Vec<_> = report
            .errors
            .iter()
            .map(|e| {
                serde_json::json!({
                    "row": e.row, "column": e.column, "reason": e.reason.as_str(), "detail": e.detail,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({
                "imported": stored.imported,
                "duplicates": report.duplicates,
                "rejected": report.rejected,
                "on_dnc": on_dnc,
                "errors_total": report.errors_total,
                "errors": errors,
            })
        );
    }
    Ok(ExitCode::SUCCESS)
}

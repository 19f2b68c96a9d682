//! `waihu import contacts`: a CSV or XLSX file into a tenant's contact list, with
//! validation, de-duplication, consent evidence, encryption and a per-row report.
//! The rows that pass are stored in one transaction: a failed import writes nothing.

use super::Context;
use crate::pii::Pii;
use anyhow::Context as _;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::ExitCode;
use waihu_compliance::ConsentEvidence;
use waihu_contacts::{ColumnMapping, Encoding, ImportError, ImportOptions, ImportReport};
use waihu_core::TenantId;
use waihu_store::{Actor, ContactList, FeedItem, NewContact, Store, StoredImport};

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

/// What an import stored and reported.
pub struct ImportSummary {
    /// What the store added.
    pub stored: StoredImport,
    /// The parser's report, with duplicates against the list added.
    pub report: ImportReport,
    /// Imported numbers that are on a do-not-call list (imported, never dialled).
    pub on_dnc: u64,
    /// The list.
    pub list: ContactList,
    /// Seconds spent reading, validating, hashing and encrypting (on its own thread,
    /// overlapping the inserts), and in all.
    pub timing: (f64, f64),
}

/// Contacts per message to the store.
const FEED_CHUNK: usize = 5000;

/// What the producer thread ends with.
type Produced = Result<(ImportReport, u64, f64), ImportError>;

/// Reads, validates, hashes, encrypts and masks the rows of `bytes` on a thread of
/// its own, streaming them to the store, which inserts while the file is still being
/// read — one transaction: a whole-file error leaves nothing behind, not even the list.
pub async fn import_file(
    store: &Store,
    pii: &Pii,
    tenant: TenantId,
    list_name: &str,
    bytes: Vec<u8>,
    opts: ImportOptions,
    actor: &Actor,
) -> anyhow::Result<Result<ImportSummary, ImportError>> {
    let started = std::time::Instant::now();
    let dnc: HashSet<[u8; 32]> = store
        .dnc_hashes(tenant)
        .await?
        .into_iter()
        .map(|h| h.0)
        .collect();
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let pii_thread = pii.clone();
    let producer = std::thread::spawn(move || -> Produced {
        let pii = pii_thread;
        let mut known: Vec<ConsentEvidence> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut last: Option<usize> = None;
        let mut chunk: Vec<NewContact> = Vec::with_capacity(FEED_CHUNK);
        let mut on_dnc = 0u64;
        // A closed channel means the store gave up; keep going, it reports why.
        let send = |item: FeedItem| {
            let _ = tx.blocking_send(item);
        };
        let result = waihu_contacts::import(&bytes, &opts, |c| {
            // Rows of one import mostly share one evidence record; the previous row's
            // record is checked first, which is nearly always a hit.
            let evidence = match last {
                Some(i) if known[i] == c.consent => i,
                _ => *index.entry(format!("{:?}", c.consent)).or_insert_with(|| {
                    known.push(c.consent.clone());
                    send(FeedItem::Evidence(c.consent.clone()));
                    known.len() - 1
                }),
            };
            last = Some(evidence);
            let number_hash = pii.hash(&c.e164);
            if dnc.contains(&number_hash.0) {
                on_dnc += 1;
            }
            let mut fields = serde_json::Map::new();
            if let Some(name) = &c.name {
                fields.insert("name".into(), name.clone().into());
            }
            for (k, v) in &c.fields {
                fields.insert(k.to_string(), v.clone().into());
            }
            chunk.push(NewContact {
                number_hash,
                number_enc: pii.cipher.seal(&c.e164),
                number_masked: pii.mask(&c.e164),
                fields: serde_json::Value::Object(fields),
                zone_override: c.zone_override.map(|z| z.name().to_string()),
                evidence,
            });
            if chunk.len() == FEED_CHUNK {
                send(FeedItem::Contacts(std::mem::take(&mut chunk)));
            }
        });
        match result {
            Ok(report) => {
                if !chunk.is_empty() {
                    send(FeedItem::Contacts(chunk));
                }
                Ok((report, on_dnc, started.elapsed().as_secs_f64()))
            }
            Err(e) => {
                send(FeedItem::Failed(e.to_string()));
                Err(e)
            }
        }
    });
    let stored = store
        .import_contacts_feed(tenant, list_name, rx, actor)
        .await;
    let produced = producer
        .join()
        .map_err(|_| anyhow::anyhow!("the import thread panicked"))?;
    let (mut report, on_dnc, read_secs) = match produced {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    let (list, stored) = stored?;
    report.duplicates += stored.duplicates;
    Ok(Ok(ImportSummary {
        stored,
        report,
        on_dnc,
        list,
        timing: (read_secs, started.elapsed().as_secs_f64()),
    }))
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
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let store = ctx.store().await?;
    let tenant = super::tenant::resolve(&store, &args.tenant).await?;
    let pii = Pii::load(&ctx.settings)?;
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

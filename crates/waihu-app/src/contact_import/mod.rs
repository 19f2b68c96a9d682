//! One contact import: a CSV or XLSX file read, validated, de-duplicated, hashed,
//! encrypted and masked on a thread of its own while the store inserts the rows in
//! one transaction. Shared by `waihu import contacts`, the demo, the benchmark and
//! the back office ([`WebImport`]); a whole-file error writes nothing.

mod importer;

pub use importer::{ContactImporter, ImportRejected, ImportSummaryDto, RowErrorView, WebImport};

use crate::pii::Pii;
use crate::{AppError, AppResult};
use std::collections::{HashMap, HashSet};
use waihu_compliance::ConsentEvidence;
use waihu_contacts::{ImportError, ImportOptions, ImportReport};
use waihu_core::TenantId;
use waihu_store::{Actor, ContactList, FeedItem, NewContact, Store, StoredImport};

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
) -> AppResult<Result<ImportSummary, ImportError>> {
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
                number_enc: pii.seal(&c.e164, tenant, number_hash),
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
        .map_err(|_| AppError::unavailable("contact import", "the import thread panicked"))?;
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

//! The back office's contact imports: the [`ContactImporter`] seam the web calls
//! (its handler tests plug in a recording one) and [`WebImport`] over
//! [`import_file`] with the server's number cipher: exactly what `waihu import
//! contacts` stores. A whole-file error (nothing written) is the uploader's
//! fault; a store or thread failure is the server's.

use super::import_file;
use crate::pii::Pii;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;
use waihu_contacts::ImportOptions;
use waihu_contacts::RowError;
use waihu_core::TenantId;
use waihu_store::{Actor, Store};

/// One row the import skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RowErrorView {
    /// The row (1-based, the header row is row 1).
    pub row: u64,
    /// The column at fault (its header text).
    pub column: String,
    /// Stable reason code: `missing_number`, `invalid_number`, `duplicate`,
    /// `no_consent`, `invalid_consent`, `consent_expired`, `invalid_timezone`,
    /// `field_too_long`, `control_character`.
    pub reason: String,
    /// What exactly is wrong.
    pub detail: String,
}

impl From<&RowError> for RowErrorView {
    fn from(e: &RowError) -> Self {
        Self {
            row: e.row,
            column: e.column.clone(),
            reason: e.reason.as_str().to_string(),
            detail: e.detail.clone(),
        }
    }
}

/// What an import stored and reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportSummaryDto {
    /// The list the contacts went into (created if it was missing).
    pub list_id: Uuid,
    /// Its name.
    pub list_name: String,
    /// Contacts stored.
    pub imported: u64,
    /// Rows whose number was already in the file or the list.
    pub duplicates: u64,
    /// Rows skipped with an error.
    pub rejected: u64,
    /// Imported numbers on a do-not-call list (kept, never dialled).
    pub on_dnc: u64,
    /// Row errors in all (`errors` keeps the first 1,000).
    pub errors_total: u64,
    /// The row errors kept.
    pub errors: Vec<RowErrorView>,
}

/// Why an importer refused or failed a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportRejected {
    /// The whole file cannot be imported (empty, damaged, no number column …);
    /// nothing was written.
    #[error("{0}; nothing was imported")]
    File(String),
    /// The server failed (the store, the import thread).
    #[error("{0}")]
    Internal(String),
}

/// The import the back office calls ([`WebImport`]; the web's handler tests
/// plug in a recording one).
#[async_trait::async_trait]
pub trait ContactImporter: Send + Sync {
    /// Imports `bytes` into list `list_name` of `tenant` (created if missing), in
    /// one transaction: a whole-file error writes nothing.
    async fn import(
        &self,
        tenant: TenantId,
        list_name: &str,
        bytes: Vec<u8>,
        opts: ImportOptions,
        actor: &Actor,
    ) -> Result<ImportSummaryDto, ImportRejected>;
}

/// Imports into the server's store, sealing numbers with its key.
pub struct WebImport {
    store: Store,
    pii: Pii,
}

impl WebImport {
    /// An importer over `store` with the server's number keys.
    pub fn new(store: Store, pii: Pii) -> Self {
        Self { store, pii }
    }
}

#[async_trait::async_trait]
impl ContactImporter for WebImport {
    async fn import(
        &self,
        tenant: TenantId,
        list_name: &str,
        bytes: Vec<u8>,
        opts: ImportOptions,
        actor: &Actor,
    ) -> Result<ImportSummaryDto, ImportRejected> {
        let s = import_file(
            &self.store,
            &self.pii,
            tenant,
            list_name,
            bytes,
            opts,
            actor,
        )
        .await
        .map_err(|e| ImportRejected::Internal(e.to_string()))?
        .map_err(|e| ImportRejected::File(e.to_string()))?;
        Ok(ImportSummaryDto {
            list_id: s.list.id,
            list_name: s.list.name,
            imported: s.stored.imported,
            duplicates: s.report.duplicates,
            rejected: s.report.rejected,
            on_dnc: s.on_dnc,
            errors_total: s.report.errors_total,
            errors: s.report.errors.iter().map(RowErrorView::from).collect(),
        })
    }
}

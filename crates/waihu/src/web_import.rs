//! The back office's contact imports over [`crate::contact_import`], with the
//! server's number cipher: exactly what `waihu import contacts` stores. A
//! whole-file error (nothing written) is the uploader's fault; a store or
//! thread failure is the server's.

use crate::contact_import::import_file;
use crate::pii::Pii;
use waihu_contacts::ImportOptions;
use waihu_core::TenantId;
use waihu_store::{Actor, Store};
use waihu_web::campaign::contact_import::{
    ContactImporter, ImportRejected, ImportSummaryDto, RowErrorView,
};

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
        .map_err(|e| ImportRejected::Internal(format!("{e:#}")))?
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

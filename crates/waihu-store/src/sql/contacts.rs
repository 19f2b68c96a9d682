//! Contact lists and contacts with their consent evidence. Imports are one
//! transaction with multi-row inserts, so a million rows take seconds and a failed
//! import leaves nothing behind.

use crate::contacts::StoredContact;
use crate::error::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use uuid::Uuid;
use waihu_compliance::pii::PhoneHash;
use waihu_compliance::{ConsentEvidence, ConsentRecord, EvidenceRef, Purpose};
use waihu_core::TenantId;

/// Rows per multi-row INSERT with one bind per value: well under both backends'
/// bind-parameter limits (SQLite 32,766; PostgreSQL 65,535).
pub(crate) const INSERT_CHUNK: usize = 1000;

/// Contacts per statement: they travel as one JSON text (SQLite) or as column
/// arrays (PostgreSQL), a constant number of binds whatever the size.
pub(crate) const CONTACT_CHUNK: usize = 5000;

pub(crate) const CONTACT_SELECT: &str = "SELECT c.id, c.list_id, c.number_hash, c.number_enc, \
     c.number_masked, c.fields, c.zone_override, c.consent_withdrawn_at, e.tenant_id, e.source, \
     e.given_at, e.purposes, e.share_leads, e.evidence_kind, e.evidence, e.expires_at \
     FROM contacts c JOIN consent_evidence e ON e.id = c.consent_id";

#[derive(sqlx::FromRow)]
pub(crate) struct ContactRow {
    id: Uuid,
    list_id: Uuid,
    number_hash: Vec<u8>,
    number_enc: Vec<u8>,
    number_masked: String,
    fields: String,
    zone_override: Option<String>,
    consent_withdrawn_at: Option<DateTime<Utc>>,
    tenant_id: Uuid,
    #[sqlx(flatten)]
    consent: ConsentColumns,
}

/// The columns of `consent_evidence` a contact or a claim reads (`e.source,
/// e.given_at, e.purposes, e.share_leads, e.evidence_kind, e.evidence,
/// e.expires_at`), read back into [`ConsentEvidence`] by [`Self::parse`].
#[derive(sqlx::FromRow)]
pub(crate) struct ConsentColumns {
    source: String,
    given_at: DateTime<Utc>,
    purposes: String,
    share_leads: bool,
    evidence_kind: String,
    evidence: String,
    expires_at: Option<DateTime<Utc>>,
}

impl ConsentColumns {
    /// The evidence as stored by [`purposes_text`] and [`evidence_parts`]; an
    /// unknown purpose or evidence kind is corruption of `table`.
    pub(crate) fn parse(self, table: &'static str) -> StoreResult<ConsentEvidence> {
        let corrupt = |why: String| StoreError::Corrupt { table, why };
        let purposes = self
            .purposes
            .split(',')
            .map(Purpose::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| corrupt(e.to_string()))?;
        let evidence = match self.evidence_kind.as_str() {
            "ref" => EvidenceRef::Reference(self.evidence),
            "wording" => EvidenceRef::Wording(self.evidence),
            other => return Err(corrupt(format!("evidence kind {other:?}"))),
        };
        Ok(ConsentEvidence {
            source: self.source,
            given_at: self.given_at,
            purposes,
            share_leads: self.share_leads,
            evidence,
            expires_at: self.expires_at,
        })
    }
}

pub(crate) fn phone_hash(bytes: &[u8], table: &'static str) -> StoreResult<PhoneHash> {
    <[u8; 32]>::try_from(bytes)
        .map(PhoneHash)
        .map_err(|_| StoreError::Corrupt {
            table,
            why: format!("number hash of {} bytes", bytes.len()),
        })
}

/// Purposes as stored: comma-separated names.
pub(crate) fn purposes_text(purposes: &[Purpose]) -> String {
    purposes
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The evidence kind and text as stored.
pub(crate) fn evidence_parts(e: &EvidenceRef) -> (&'static str, &str) {
    match e {
        EvidenceRef::Reference(r) => ("ref", r),
        EvidenceRef::Wording(w) => ("wording", w),
    }
}

impl TryFrom<ContactRow> for StoredContact {
    type Error = StoreError;
    fn try_from(r: ContactRow) -> StoreResult<Self> {
        let corrupt = |why: String| StoreError::Corrupt {
            table: "contacts",
            why,
        };
        Ok(StoredContact {
            id: r.id,
            list_id: r.list_id,
            number_hash: phone_hash(&r.number_hash, "contacts")?,
            number_enc: r.number_enc,
            number_masked: r.number_masked,
            fields: serde_json::from_str(&r.fields).map_err(|e| corrupt(e.to_string()))?,
            zone_override: r.zone_override,
            consent: ConsentRecord {
                tenant: TenantId(r.tenant_id),
                evidence: r.consent.parse("contacts")?,
                withdrawn_at: r.consent_withdrawn_at,
            },
        })
    }
}

macro_rules! impl_contacts {
    ($backend:ty, $db:ty) => {
        mod contacts {
            #[allow(unused_imports)]
            use super::prelude::*;
            use $crate::contacts::{
                ContactList, ContactRepo, DncScope, FeedItem, ImportBatch, ImportFeed, NewContact,
                StoredContact, StoredImport,
            };
            use waihu_compliance::ConsentEvidence;
            use $crate::sql::contacts::{
                evidence_parts, purposes_text, ContactRow, CONTACT_CHUNK, CONTACT_SELECT, INSERT_CHUNK,
            };
            use chrono::DateTime;
            use uuid::Uuid;
            use waihu_compliance::pii::PhoneHash;

            #[derive(sqlx::FromRow)]
            struct ListRow {
                id: Uuid,
                tenant_id: Uuid,
                name: String,
                created_at: DateTime<Utc>,
            }

            impl From<ListRow> for ContactList {
                fn from(r: ListRow) -> Self {
                    ContactList {
                        id: r.id,
                        tenant_id: TenantId(r.tenant_id),
                        name: r.name,
                        created_at: r.created_at,
                    }
                }
            }

            /// Which list an import goes into.
            enum ListTarget<'a> {
                /// An existing list of the tenant.
                Id(Uuid),
                /// The tenant's list of that name, created in the import's transaction.
                Name(&'a str),
            }

            impl $backend {
                /// The one import path: evidence and contacts from a feed, in one
                /// transaction, numbers the list already has skipped in memory (so
                /// SQLite's insert cannot hit the unique index and needs no statement
                /// journal, which copies every page it touches).
                async fn import_feed(
                    &self,
                    tenant_id: TenantId,
                    target: ListTarget<'_>,
                    mut feed: ImportFeed,
                    actor: &Actor,
                ) -> StoreResult<(ContactList, StoredImport)> {
                    let now = storage_time(Utc::now());
                    let mut w = self.begin_write().await?;
                    let list = match target {
                        ListTarget::Id(id) => {
                            let row: Option<ListRow> = sqlx::query_as(
                                "SELECT id, tenant_id, name, created_at FROM contact_lists \
                                 WHERE tenant_id = $1 AND id = $2",
                            )
                            .bind(tenant_id.0)
                            .bind(id)
                            .fetch_optional(&mut *w.tx)
                            .await?;
                            row.map(ContactList::from).ok_or(StoreError::NotFound("contact list"))?
                        }
                        ListTarget::Name(name) => {
                            find_or_create_list(&mut w.tx, tenant_id, name, now, actor).await?
                        }
                    };
                    let existing: Vec<(Vec<u8>,)> =
                        sqlx::query_as("SELECT number_hash FROM contacts WHERE list_id = $1")
                            .bind(list.id)
                            .fetch_all(&mut *w.tx)
                            .await?;
                    let existing: std::collections::HashSet<Vec<u8>> =
                        existing.into_iter().map(|(h,)| h).collect();
                    let mut evidence_ids: Vec<Uuid> = Vec::new();
                    let mut pending: Vec<ConsentEvidence> = Vec::new();
                    let (mut given, mut imported) = (0u64, 0u64);
                    while let Some(item) = feed.recv().await {
                        let contacts = match item {
                            FeedItem::Evidence(e) => {
                                evidence_ids.push(Uuid::new_v4());
                                pending.push(e);
                                continue;
                            }
                            FeedItem::Failed(why) => return Err(StoreError::Aborted(why)),
                            FeedItem::Contacts(c) => c,
                        };
                        if !pending.is_empty() {
                            let first = evidence_ids.len() - pending.len();
                            insert_evidence(&mut w.tx, tenant_id, now, &evidence_ids[first..], &pending).await?;
                            pending.clear();
                        }
                        given += contacts.len() as u64;
                        if let Some(c) = contacts.iter().find(|c| c.evidence >= evidence_ids.len()) {
                            return Err(StoreError::Invalid(format!(
                                "contact refers to evidence #{} of {}",
                                c.evidence,
                                evidence_ids.len()
                            )));
                        }
                        let fresh: Vec<NewContact> = if existing.is_empty() {
                            contacts
                        } else {
                            contacts
                                .into_iter()
                                .filter(|c| !existing.contains(&c.number_hash.0[..]))
                                .collect()
                        };
                        for chunk in fresh.chunks(CONTACT_CHUNK) {
                            imported += <$backend>::insert_contacts(&mut w.tx, tenant_id, list.id, now, chunk, &evidence_ids)
                                .await?;
                        }
                    }
                    let duplicates = given - imported;
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, Some(tenant_id), "contact.import", format!("contact_list:{}", list.id))
                            .with_details(serde_json::json!({
                                "imported": imported,
                                "duplicates": duplicates,
                                "evidence_records": evidence_ids.len(),
                            })),
                    )
                    .await?;
                    w.tx.commit().await?;
                    Ok((list, StoredImport { imported, duplicates }))
                }
            }

            /// The tenant's list of that name, created (and audited) in `tx` if missing.
            async fn find_or_create_list(
                tx: &mut WriteTx<$db>,
                tenant_id: TenantId,
                name: &str,
                now: DateTime<Utc>,
                actor: &Actor,
            ) -> StoreResult<ContactList> {
                let name = name.trim();
                if name.is_empty() || name.chars().count() > 100 {
                    return Err(StoreError::Invalid(
                        "a contact list name must be 1-100 characters".into(),
                    ));
                }
                let row: Option<ListRow> = sqlx::query_as(
                    "SELECT id, tenant_id, name, created_at FROM contact_lists \
                     WHERE tenant_id = $1 AND name = $2",
                )
                .bind(tenant_id.0)
                .bind(name)
                .fetch_optional(&mut **tx)
                .await?;
                if let Some(r) = row {
                    return Ok(r.into());
                }
                let list = ContactList {
                    id: Uuid::new_v4(),
                    tenant_id,
                    name: name.to_string(),
                    created_at: now,
                };
                sqlx::query(
                    "INSERT INTO contact_lists (id, tenant_id, name, created_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(list.id)
                .bind(tenant_id.0)
                .bind(&list.name)
                .bind(list.created_at)
                .execute(&mut **tx)
                .await?;
                append_in(
                    tx,
                    NewAudit::new(actor, Some(tenant_id), "contact_list.create", format!("contact_list:{}", list.id))
                        .with_details(serde_json::json!({ "name": list.name })),
                )
                .await?;
                Ok(list)
            }

            /// Inserts consent evidence records with the given ids.
            async fn insert_evidence(
                tx: &mut WriteTx<$db>,
                tenant_id: TenantId,
                now: DateTime<Utc>,
                ids: &[Uuid],
                evidence: &[ConsentEvidence],
            ) -> StoreResult<()> {
                for (chunk_ids, chunk) in ids.chunks(INSERT_CHUNK).zip(evidence.chunks(INSERT_CHUNK)) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO consent_evidence (id, tenant_id, source, given_at, purposes, \
                         share_leads, evidence_kind, evidence, expires_at, created_at) ",
                    );
                    qb.push_values(chunk_ids.iter().zip(chunk), |mut b, (id, e)| {
                        let (kind, text) = evidence_parts(&e.evidence);
                        b.push_bind(*id)
                            .push_bind(tenant_id.0)
                            .push_bind(e.source.clone())
                            .push_bind(storage_time(e.given_at))
                            .push_bind(purposes_text(&e.purposes))
                            .push_bind(e.share_leads)
                            .push_bind(kind)
                            .push_bind(text.to_string())
                            .push_bind(e.expires_at.map(storage_time))
                            .push_bind(now);
                    });
                    qb.build().execute(&mut **tx).await?;
                }
                Ok(())
            }

            #[async_trait]
            impl ContactRepo for $backend {
                async fn ensure_contact_list(
                    &self,
                    tenant_id: TenantId,
                    name: &str,
                    actor: &Actor,
                ) -> StoreResult<ContactList> {
                    let mut w = self.begin_write().await?;
                    let list =
                        find_or_create_list(&mut w.tx, tenant_id, name, storage_time(Utc::now()), actor).await?;
                    w.tx.commit().await?;
                    Ok(list)
                }

                async fn list_contact_lists(&self, tenant_id: TenantId) -> StoreResult<Vec<ContactList>> {
                    let rows: Vec<ListRow> = sqlx::query_as(
                        "SELECT id, tenant_id, name, created_at FROM contact_lists \
                         WHERE tenant_id = $1 ORDER BY name",
                    )
                    .bind(tenant_id.0)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(ContactList::from).collect())
                }

                async fn import_contacts(
                    &self,
                    tenant_id: TenantId,
                    list_id: Uuid,
                    batch: ImportBatch,
                    actor: &Actor,
                ) -> StoreResult<StoredImport> {
                    let items = batch.evidence.len() + batch.contacts.len() / CONTACT_CHUNK + 1;
                    let (tx, rx) = tokio::sync::mpsc::channel(items.max(1));
                    for e in batch.evidence {
                        // The channel holds every item: sending cannot fail or wait.
                        let _ = tx.try_send(FeedItem::Evidence(e));
                    }
                    let mut contacts = batch.contacts;
                    while !contacts.is_empty() {
                        let rest = contacts.split_off(contacts.len().min(CONTACT_CHUNK));
                        let _ = tx.try_send(FeedItem::Contacts(contacts));
                        contacts = rest;
                    }
                    drop(tx);
                    let (_, stored) = self.import_feed(tenant_id, ListTarget::Id(list_id), rx, actor).await?;
                    Ok(stored)
                }

                async fn import_contacts_feed(
                    &self,
                    tenant_id: TenantId,
                    list_name: &str,
                    feed: ImportFeed,
                    actor: &Actor,
                ) -> StoreResult<(ContactList, StoredImport)> {
                    self.import_feed(tenant_id, ListTarget::Name(list_name), feed, actor).await
                }

                async fn contacts_by_number(
                    &self,
                    tenant_id: TenantId,
                    number: &PhoneHash,
                ) -> StoreResult<Vec<StoredContact>> {
                    let rows: Vec<ContactRow> = sqlx::query_as(&format!(
                        "{CONTACT_SELECT} WHERE c.tenant_id = $1 AND c.number_hash = $2 ORDER BY c.created_at"
                    ))
                    .bind(tenant_id.0)
                    .bind(number.0.to_vec())
                    .fetch_all(&self.pool)
                    .await?;
                    rows.into_iter().map(StoredContact::try_from).collect()
                }

                async fn list_contacts(
                    &self,
                    tenant_id: TenantId,
                    list_id: Uuid,
                    offset: i64,
                    limit: i64,
                ) -> StoreResult<Vec<StoredContact>> {
                    let rows: Vec<ContactRow> = sqlx::query_as(&format!(
                        "{CONTACT_SELECT} WHERE c.tenant_id = $1 AND c.list_id = $2 \
                         ORDER BY c.created_at, c.id LIMIT $3 OFFSET $4"
                    ))
                    .bind(tenant_id.0)
                    .bind(list_id)
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.into_iter().map(StoredContact::try_from).collect()
                }

                async fn withdraw_consent(
                    &self,
                    tenant_id: TenantId,
                    number: &PhoneHash,
                    masked: &str,
                    reason: &str,
                    at: DateTime<Utc>,
                    actor: &Actor,
                ) -> StoreResult<u64> {
                    let mut w = self.begin_write().await?;
                    let n = sqlx::query(
                        "UPDATE contacts SET consent_withdrawn_at = $1 \
                         WHERE tenant_id = $2 AND number_hash = $3 AND consent_withdrawn_at IS NULL",
                    )
                    .bind(storage_time(at))
                    .bind(tenant_id.0)
                    .bind(number.0.to_vec())
                    .execute(&mut *w.tx)
                    .await?
                    .rows_affected();
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, Some(tenant_id), "consent.withdraw", format!("number:{masked}"))
                            .with_details(serde_json::json!({
                                "number_hash": number.to_hex(),
                                "reason": reason,
                                "contacts": n,
                            })),
                    )
                    .await?;
                    w.tx.commit().await?;
                    Ok(n)
                }

                async fn delete_contact_number(
                    &self,
                    tenant_id: TenantId,
                    number: &PhoneHash,
                    masked: &str,
                    reason: &str,
                    actor: &Actor,
                ) -> StoreResult<u64> {
                    let mut w = self.begin_write().await?;
                    let n = sqlx::query("DELETE FROM contacts WHERE tenant_id = $1 AND number_hash = $2")
                        .bind(tenant_id.0)
                        .bind(number.0.to_vec())
                        .execute(&mut *w.tx)
                        .await?
                        .rows_affected();
                    let scope = DncScope::Tenant(tenant_id);
                    sqlx::query(
                        "INSERT INTO dnc_entries (scope_key, tenant_id, number_hash, reason, source, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope_key, number_hash) DO NOTHING",
                    )
                    .bind(scope.key())
                    .bind(tenant_id.0)
                    .bind(number.0.to_vec())
                    .bind(reason)
                    .bind("contact.delete")
                    .bind(storage_time(Utc::now()))
                    .execute(&mut *w.tx)
                    .await?;
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, Some(tenant_id), "contact.delete", format!("number:{masked}"))
                            .with_details(serde_json::json!({
                                "number_hash": number.to_hex(),
                                "reason": reason,
                                "contacts": n,
                                "dnc": "tenant",
                            })),
                    )
                    .await?;
                    w.tx.commit().await?;
                    Ok(n)
                }
            }
        }
    };
}
pub(crate) use impl_contacts;

//! Subject rights on both backends: exporting everything held about a number,
//! and erasing it (contacts, leads and consent records deleted; calls and
//! complaints kept anonymous; the number put on each tenant's do-not-call list).
//! Expanded beside `rights` by `impl_all!`; `RightsRepo::export_subject` and
//! `RightsRepo::erase_subject` delegate here.

macro_rules! impl_rights_subject {
    ($backend:ty, $db:ty) => {
        mod rights_subject {
            #[allow(unused_imports)]
            use super::prelude::*;
            use chrono::DateTime;
            use uuid::Uuid;
            use waihu_compliance::pii::PhoneHash;
            use $crate::contacts::DncScope;
            use $crate::rights::rows::{
                ComplaintRow, ExportCallRow, ExportContactRow, ExportDncRow, COMPLAINT_COLS,
            };
            use $crate::rights::{
                ErasureReport, ExportedCall, ExportedContact, ExportedDnc, SubjectExport,
            };
            use $crate::sql::rights::{erased_hash, ERASED};

            use super::rights::push_ids;

            impl $backend {
                pub(super) async fn export_subject_in(
                    &self,
                    number: &PhoneHash,
                    masked: &str,
                    at: DateTime<Utc>,
                    actor: &Actor,
                ) -> StoreResult<SubjectExport> {
                    let hash = number.0.to_vec();
                    let mut w = self.begin_write().await?;
                    let calls: Vec<ExportCallRow> = sqlx::query_as(
                        "SELECT k.id, k.tenant_id, t.name AS tenant_name, s.name AS task_name, k.created_at, \
                         k.answered_at, k.duration_ms, k.outcome, k.script_outcome, k.grade, k.opt_out, \
                         k.transcript, k.recording_path \
                         FROM calls k JOIN tenants t ON t.id = k.tenant_id LEFT JOIN tasks s ON s.id = k.task_id \
                         WHERE k.number_hash = $1 ORDER BY k.created_at, k.id",
                    )
                    .bind(&hash)
                    .fetch_all(&mut *w.tx)
                    .await?;
                    let contacts: Vec<ExportContactRow> = sqlx::query_as(
                        "SELECT c.id, c.tenant_id, t.name AS tenant_name, l.name AS list_name, c.fields, \
                         c.created_at, e.source, e.given_at, e.purposes, e.share_leads, e.evidence_kind, \
                         e.evidence, e.expires_at, c.consent_withdrawn_at \
                         FROM contacts c JOIN tenants t ON t.id = c.tenant_id \
                         JOIN contact_lists l ON l.id = c.list_id JOIN consent_evidence e ON e.id = c.consent_id \
                         WHERE c.number_hash = $1 ORDER BY c.created_at, c.id",
                    )
                    .bind(&hash)
                    .fetch_all(&mut *w.tx)
                    .await?;
                    let dnc: Vec<ExportDncRow> = sqlx::query_as(
                        "SELECT d.scope_key, d.tenant_id, t.name AS tenant_name, d.reason, d.source, d.created_at \
                         FROM dnc_entries d LEFT JOIN tenants t ON t.id = d.tenant_id \
                         WHERE d.number_hash = $1 ORDER BY d.created_at, d.scope_key",
                    )
                    .bind(&hash)
                    .fetch_all(&mut *w.tx)
                    .await?;
                    let complaint_rows: Vec<ComplaintRow> = sqlx::query_as(&format!(
                        "SELECT {COMPLAINT_COLS} FROM complaints WHERE number_hash = $1 ORDER BY created_at, id"
                    ))
                    .bind(&hash)
                    .fetch_all(&mut *w.tx)
                    .await?;
                    let mut complaints = Vec::with_capacity(complaint_rows.len());
                    for row in complaint_rows {
                        let ids = Self::call_ids_in(&mut *w.tx, row.id).await?;
                        complaints.push(row.into_complaint(ids)?);
                    }
                    let export = SubjectExport {
                        number_masked: masked.to_string(),
                        exported_at: storage_time(at),
                        calls: calls
                            .into_iter()
                            .map(|r| ExportedCall {
                                id: r.id,
                                tenant_id: TenantId(r.tenant_id),
                                tenant_name: r.tenant_name,
                                task_name: r.task_name,
                                at: r.created_at,
                                answered_at: r.answered_at,
                                duration_ms: r.duration_ms,
                                outcome: r.outcome,
                                script_outcome: r.script_outcome,
                                grade: r.grade,
                                opt_out: r.opt_out,
                                transcript: r.transcript,
                                recording_path: r.recording_path,
                            })
                            .collect(),
                        contacts: contacts
                            .into_iter()
                            .map(|r| ExportedContact {
                                id: r.id,
                                tenant_id: TenantId(r.tenant_id),
                                tenant_name: r.tenant_name,
                                list_name: r.list_name,
                                fields: serde_json::from_str(&r.fields)
                                    .unwrap_or(serde_json::Value::String(r.fields)),
                                created_at: r.created_at,
                                consent_source: r.source,
                                consent_given_at: r.given_at,
                                consent_purposes: r.purposes,
                                consent_share_leads: r.share_leads,
                                consent_evidence_kind: r.evidence_kind,
                                consent_evidence: r.evidence,
                                consent_expires_at: r.expires_at,
                                consent_withdrawn_at: r.consent_withdrawn_at,
                            })
                            .collect(),
                        dnc: dnc
                            .into_iter()
                            .map(|r| ExportedDnc {
                                list: match r.scope_key.as_str() {
                                    "platform" | "registry" => r.scope_key.clone(),
                                    _ => "tenant".into(),
                                },
                                tenant_id: r.tenant_id.map(TenantId),
                                tenant_name: r.tenant_name,
                                reason: r.reason,
                                source: r.source,
                                created_at: r.created_at,
                            })
                            .collect(),
                        complaints,
                    };
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, None, "subject.export", format!("number:{masked}"))
                            .with_details(serde_json::json!({
                                "number_hash": number.to_hex(),
                                "calls": export.calls.len(),
                                "contacts": export.contacts.len(),
                                "dnc": export.dnc.len(),
                                "complaints": export.complaints.len(),
                            })),
                    )
                    .await?;
                    w.tx.commit().await?;
                    Ok(export)
                }

                pub(super) async fn erase_subject_in(
                    &self,
                    number: &PhoneHash,
                    masked: &str,
                    actor: &Actor,
                ) -> StoreResult<ErasureReport> {
                    let hash = number.0.to_vec();
                    let now = storage_time(Utc::now());
                    let mut report = ErasureReport::default();
                    let mut w = self.begin_write().await?;
                    // A call in progress would write its transcript and recording after
                    // the erasure: the request waits until it ends.
                    let (busy,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM calls WHERE number_hash = $1 AND state = 'in_flight'",
                    )
                    .bind(&hash)
                    .fetch_one(&mut *w.tx)
                    .await?;
                    if busy > 0 {
                        return Err(StoreError::Conflict(format!(
                            "a call to {masked} is in progress; erase the number once it has ended"
                        )));
                    }

                    // Contacts, their queue rows and consent records only they use.
                    let contacts: Vec<(Uuid, Uuid, Uuid)> = sqlx::query_as(
                        "SELECT id, tenant_id, consent_id FROM contacts WHERE number_hash = $1",
                    )
                    .bind(&hash)
                    .fetch_all(&mut *w.tx)
                    .await?;
                    report.queue_rows = sqlx::query(
                        "DELETE FROM task_contacts WHERE contact_id IN (SELECT id FROM contacts WHERE number_hash = $1)",
                    )
                    .bind(&hash)
                    .execute(&mut *w.tx)
                    .await?
                    .rows_affected();

                    // Leads of the number's calls or contacts, with their deliveries.
                    let lead_filter = "call_id IN (SELECT id FROM calls WHERE number_hash = $1) \
                         OR contact_id IN (SELECT id FROM contacts WHERE number_hash = $1)";
                    report.push_deliveries = sqlx::query(&format!(
                        "DELETE FROM push_deliveries WHERE lead_id IN (SELECT id FROM leads WHERE {lead_filter})"
                    ))
                    .bind(&hash)
                    .execute(&mut *w.tx)
                    .await?
                    .rows_affected();
                    report.leads = sqlx::query(&format!("DELETE FROM leads WHERE {lead_filter}"))
                        .bind(&hash)
                        .execute(&mut *w.tx)
                        .await?
                        .rows_affected();

                    // Calls: kept for statistics, stripped of everything about the person.
                    let calls: Vec<(Uuid, Option<String>)> = sqlx::query_as(
                        "SELECT id, recording_path FROM calls WHERE number_hash = $1 ORDER BY created_at, id",
                    )
                    .bind(&hash)
                    .fetch_all(&mut *w.tx)
                    .await?;
                    for (id, path) in &calls {
                        if let Some(p) = path {
                            report.recording_paths.push(p.clone());
                        }
                        sqlx::query(
                            "UPDATE calls SET number_hash = $1, number_masked = $2, contact_id = NULL, \
                             attempt_id = NULL, gate = '{}', script_outcome = NULL, grade = NULL, \
                             grade_reason = NULL, recording_path = NULL, transcript = NULL, path = NULL, \
                             intents = NULL, turn_log = NULL WHERE id = $3",
                        )
                        .bind(erased_hash())
                        .bind(ERASED)
                        .bind(*id)
                        .execute(&mut *w.tx)
                        .await?;
                    }
                    report.calls = calls.len() as u64;
                    report.dial_attempts = sqlx::query("DELETE FROM dial_attempts WHERE number_hash = $1")
                        .bind(&hash)
                        .execute(&mut *w.tx)
                        .await?
                        .rows_affected();

                    report.contacts = sqlx::query("DELETE FROM contacts WHERE number_hash = $1")
                        .bind(&hash)
                        .execute(&mut *w.tx)
                        .await?
                        .rows_affected();
                    let mut consent_ids: Vec<Uuid> = contacts.iter().map(|(_, _, e)| *e).collect();
                    consent_ids.sort();
                    consent_ids.dedup();
                    for chunk in consent_ids.chunks(500) {
                        let mut qb = sqlx::QueryBuilder::<$db>::new(
                            "DELETE FROM consent_evidence WHERE NOT EXISTS \
                             (SELECT 1 FROM contacts c WHERE c.consent_id = consent_evidence.id) AND id IN ",
                        );
                        push_ids(&mut qb, chunk);
                        report.consent_records += qb.build().execute(&mut *w.tx).await?.rows_affected();
                    }

                    // Complaints stay, anonymous, so they still count against the tenant.
                    let complaints: Vec<(Uuid,)> =
                        sqlx::query_as("SELECT id FROM complaints WHERE number_hash = $1")
                            .bind(&hash)
                            .fetch_all(&mut *w.tx)
                            .await?;
                    for (id,) in &complaints {
                        sqlx::query(
                            "UPDATE complaints SET number_hash = $1, number_masked = $2, description = $2 WHERE id = $3",
                        )
                        .bind(erased_hash())
                        .bind(ERASED)
                        .bind(*id)
                        .execute(&mut *w.tx)
                        .await?;
                    }
                    report.complaints = complaints.len() as u64;

                    // The hash stays on the do-not-call list of every tenant that held it.
                    let mut tenants: Vec<Uuid> = contacts.iter().map(|(_, t, _)| *t).collect();
                    tenants.sort();
                    tenants.dedup();
                    for t in tenants {
                        let scope = DncScope::Tenant(TenantId(t));
                        let added = sqlx::query(
                            "INSERT INTO dnc_entries (scope_key, tenant_id, number_hash, reason, source, created_at) \
                             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope_key, number_hash) DO NOTHING",
                        )
                        .bind(scope.key())
                        .bind(t)
                        .bind(&hash)
                        .bind("erasure")
                        .bind("subject.erase")
                        .bind(now)
                        .execute(&mut *w.tx)
                        .await?
                        .rows_affected()
                            == 1;
                        if added {
                            report.dnc_added.push(TenantId(t));
                        }
                    }

                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, None, "subject.erase", format!("number:{masked}"))
                            .with_details(serde_json::json!({
                                "number_hash": number.to_hex(),
                                "contacts": report.contacts,
                                "queue_rows": report.queue_rows,
                                "consent_records": report.consent_records,
                                "calls": report.calls,
                                "leads": report.leads,
                                "push_deliveries": report.push_deliveries,
                                "dial_attempts": report.dial_attempts,
                                "complaints": report.complaints,
                                "dnc_added": report.dnc_added,
                                "recordings": report.recording_paths.len(),
                            })),
                    )
                    .await?;
                    w.tx.commit().await?;
                    Ok(report)
                }
            }
        }
    };
}
pub(crate) use impl_rights_subject;

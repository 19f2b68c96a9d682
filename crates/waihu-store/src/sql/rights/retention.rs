//! The retention sweep on both backends: per tenant, recordings, transcripts and
//! call results past their periods are cleared, and contacts whose consent ended
//! are deleted, in one transaction (rolled back on a dry run). Expanded beside
//! `rights` by `impl_all!`; `RightsRepo::retention_sweep` delegates here.

macro_rules! impl_rights_retention {
    ($backend:ty, $db:ty) => {
        mod rights_retention {
            #[allow(unused_imports)]
            use super::prelude::*;
            use chrono::DateTime;
            use uuid::Uuid;
            use $crate::rights::{RetentionReport, TenantSweep};

            use super::rights::push_ids;

            impl $backend {
                pub(super) async fn retention_sweep_in(
                    &self,
                    now: DateTime<Utc>,
                    dry_run: bool,
                    actor: &Actor,
                ) -> StoreResult<RetentionReport> {
                    let now = storage_time(now);
                    let mut w = self.begin_write().await?;
                    let settings = Self::settings_in(&mut *w.tx).await?;
                    let tenants: Vec<(Uuid,)> = sqlx::query_as("SELECT id FROM tenants ORDER BY name")
                        .fetch_all(&mut *w.tx)
                        .await?;
                    let mut report = RetentionReport {
                        now: Some(now),
                        dry_run,
                        tenants: Vec::new(),
                    };
                    for (tenant,) in tenants {
                        let periods = Self::periods_in(&mut *w.tx, tenant)
                            .await?
                            .capped(settings.retention_max_days);
                        let cut = periods.cutoffs(settings.retention_max_days, now);
                        let mut sweep = TenantSweep {
                            tenant_id: Some(TenantId(tenant)),
                            periods: Some(periods),
                            ..TenantSweep::default()
                        };

                        let recordings: Vec<(Uuid, String)> = sqlx::query_as(
                            "SELECT id, recording_path FROM calls WHERE tenant_id = $1 \
                             AND recording_path IS NOT NULL AND created_at <= $2 ORDER BY created_at, id",
                        )
                        .bind(tenant)
                        .bind(cut.recordings)
                        .fetch_all(&mut *w.tx)
                        .await?;
                        sqlx::query(
                            "UPDATE calls SET recording_path = NULL WHERE tenant_id = $1 \
                             AND recording_path IS NOT NULL AND created_at <= $2",
                        )
                        .bind(tenant)
                        .bind(cut.recordings)
                        .execute(&mut *w.tx)
                        .await?;
                        for (id, path) in recordings {
                            sweep.recordings.push(id);
                            sweep.recording_paths.push(path);
                        }

                        let transcript_cond = "tenant_id = $1 AND created_at <= $2 AND (transcript IS NOT NULL \
                             OR path IS NOT NULL OR intents IS NOT NULL OR turn_log IS NOT NULL)";
                        let transcripts: Vec<(Uuid,)> = sqlx::query_as(&format!(
                            "SELECT id FROM calls WHERE {transcript_cond} ORDER BY created_at, id"
                        ))
                        .bind(tenant)
                        .bind(cut.transcripts)
                        .fetch_all(&mut *w.tx)
                        .await?;
                        sqlx::query(&format!(
                            "UPDATE calls SET transcript = NULL, path = NULL, intents = NULL, turn_log = NULL \
                             WHERE {transcript_cond}"
                        ))
                        .bind(tenant)
                        .bind(cut.transcripts)
                        .execute(&mut *w.tx)
                        .await?;
                        sweep.transcripts = transcripts.into_iter().map(|(id,)| id).collect();

                        let result_cond = "k.tenant_id = $1 AND k.created_at <= $2 AND (k.script_outcome IS NOT NULL \
                             OR k.grade IS NOT NULL OR k.grade_reason IS NOT NULL \
                             OR EXISTS (SELECT 1 FROM leads l WHERE l.call_id = k.id))";
                        let results: Vec<(Uuid,)> = sqlx::query_as(&format!(
                            "SELECT k.id FROM calls k WHERE {result_cond} ORDER BY k.created_at, k.id"
                        ))
                        .bind(tenant)
                        .bind(cut.results)
                        .fetch_all(&mut *w.tx)
                        .await?;
                        let results: Vec<Uuid> = results.into_iter().map(|(id,)| id).collect();
                        for chunk in results.chunks(500) {
                            let mut qb = sqlx::QueryBuilder::<$db>::new(
                                "DELETE FROM push_deliveries WHERE lead_id IN (SELECT id FROM leads WHERE call_id IN ",
                            );
                            push_ids(&mut qb, chunk);
                            qb.push(")");
                            qb.build().execute(&mut *w.tx).await?;
                            let mut qb = sqlx::QueryBuilder::<$db>::new("DELETE FROM leads WHERE call_id IN ");
                            push_ids(&mut qb, chunk);
                            sweep.leads += qb.build().execute(&mut *w.tx).await?.rows_affected();
                            let mut qb = sqlx::QueryBuilder::<$db>::new(
                                "UPDATE calls SET script_outcome = NULL, grade = NULL, grade_reason = NULL WHERE id IN ",
                            );
                            push_ids(&mut qb, chunk);
                            qb.build().execute(&mut *w.tx).await?;
                        }
                        sweep.results = results;

                        // Contacts whose consent ended five months ago or more.
                        let ended: Vec<(Uuid, Uuid)> = sqlx::query_as(
                            "SELECT c.id, c.consent_id FROM contacts c JOIN consent_evidence e ON e.id = c.consent_id \
                             WHERE c.tenant_id = $1 AND (c.consent_withdrawn_at <= $2 OR e.expires_at <= $2)",
                        )
                        .bind(tenant)
                        .bind(cut.consent)
                        .fetch_all(&mut *w.tx)
                        .await?;
                        let contact_ids: Vec<Uuid> = ended.iter().map(|(c, _)| *c).collect();
                        let mut consent_ids: Vec<Uuid> = ended.iter().map(|(_, e)| *e).collect();
                        consent_ids.sort();
                        consent_ids.dedup();
                        for chunk in contact_ids.chunks(500) {
                            let mut qb =
                                sqlx::QueryBuilder::<$db>::new("DELETE FROM task_contacts WHERE contact_id IN ");
                            push_ids(&mut qb, chunk);
                            qb.build().execute(&mut *w.tx).await?;
                            let mut qb = sqlx::QueryBuilder::<$db>::new("DELETE FROM contacts WHERE id IN ");
                            push_ids(&mut qb, chunk);
                            sweep.contacts += qb.build().execute(&mut *w.tx).await?.rows_affected();
                        }
                        for chunk in consent_ids.chunks(500) {
                            let mut qb = sqlx::QueryBuilder::<$db>::new(
                                "DELETE FROM consent_evidence WHERE NOT EXISTS \
                                 (SELECT 1 FROM contacts c WHERE c.consent_id = consent_evidence.id) AND id IN ",
                            );
                            push_ids(&mut qb, chunk);
                            sweep.consent_records += qb.build().execute(&mut *w.tx).await?.rows_affected();
                        }

                        if !sweep.is_empty() {
                            append_in(
                                &mut w.tx,
                                NewAudit::new(actor, Some(TenantId(tenant)), "retention.sweep", format!("tenant:{tenant}"))
                                    .with_details(serde_json::json!({
                                        "now": now,
                                        "periods": periods,
                                        "recordings": sweep.recordings.len(),
                                        "transcripts": sweep.transcripts.len(),
                                        "results": sweep.results.len(),
                                        "leads": sweep.leads,
                                        "contacts": sweep.contacts,
                                        "consent_records": sweep.consent_records,
                                    })),
                            )
                            .await?;
                            report.tenants.push(sweep);
                        }
                    }
                    if dry_run {
                        w.tx.rollback().await?;
                    } else {
                        w.tx.commit().await?;
                    }
                    Ok(report)
                }
            }
        }
    };
}
pub(crate) use impl_rights_retention;

//! Filing a complaint on both backends: the tenant it is about, the calls it
//! matches, the DNC entry and the auto-pause when the tenant's complaint rate goes
//! over the threshold, all in one transaction. Expanded beside `rights` by
//! `impl_all!`; `RightsRepo::file_complaint` delegates here.

macro_rules! impl_rights_complaints {
    ($backend:ty, $db:ty) => {
        mod rights_complaints {
            #[allow(unused_imports)]
            use super::prelude::*;
            use chrono::{DateTime, Duration};
            use uuid::Uuid;
            use waihu_compliance::complaint_rate::pause_reason;
            use waihu_core::CallOutcome;
            use $crate::contacts::DncScope;
            use $crate::rights::{ComplaintScope, FiledComplaint, NewComplaint};

            use super::rights::{check_text, Conn};

            impl $backend {
                /// The tenant a complaint is about (see `NewComplaint::tenant_id`).
                async fn complaint_tenant(
                    conn: &mut Conn,
                    c: &NewComplaint,
                ) -> StoreResult<Option<TenantId>> {
                    if let Some(t) = c.tenant_id {
                        let exists: Option<(Uuid,)> = sqlx::query_as("SELECT id FROM tenants WHERE id = $1")
                            .bind(t.0)
                            .fetch_optional(&mut *conn)
                            .await?;
                        return exists.map(|_| Some(t)).ok_or(StoreError::NotFound("tenant"));
                    }
                    if let Some(caller) = &c.caller_number {
                        let owner: Option<(Option<Uuid>,)> =
                            sqlx::query_as("SELECT tenant_id FROM caller_numbers WHERE number = $1")
                                .bind(caller)
                                .fetch_optional(&mut *conn)
                                .await?;
                        if let Some((Some(t),)) = owner {
                            return Ok(Some(TenantId(t)));
                        }
                    }
                    let rows: Vec<(Uuid, DateTime<Utc>)> = sqlx::query_as(
                        "SELECT tenant_id, created_at FROM calls WHERE number_hash = $1 \
                         AND (outcome IS NULL OR outcome <> $4) AND created_at >= $2 AND created_at <= $3",
                    )
                    .bind(c.number_hash.0.to_vec())
                    .bind(c.occurred_at - c.match_window)
                    .bind(c.occurred_at + c.match_window)
                    .bind(CallOutcome::Refused.as_str())
                    .fetch_all(&mut *conn)
                    .await?;
                    Ok(rows
                        .into_iter()
                        .min_by_key(|(_, at)| (*at - c.occurred_at).num_milliseconds().abs())
                        .map(|(t, _)| TenantId(t)))
                }

                /// Pauses every running task of the tenant with `reason`; returns them.
                async fn pause_tenant_in(
                    tx: &mut WriteTx<$db>,
                    tenant: TenantId,
                    reason: &str,
                    at: DateTime<Utc>,
                ) -> StoreResult<Vec<Uuid>> {
                    let rows: Vec<(Uuid,)> = sqlx::query_as(
                        "SELECT id FROM tasks WHERE tenant_id = $1 AND state = 'running' ORDER BY id",
                    )
                    .bind(tenant.0)
                    .fetch_all(&mut **tx)
                    .await?;
                    sqlx::query(
                        "UPDATE tasks SET state = 'paused', state_reason = $1, updated_at = $2 \
                         WHERE tenant_id = $3 AND state = 'running'",
                    )
                    .bind(reason)
                    .bind(storage_time(at))
                    .bind(tenant.0)
                    .execute(&mut **tx)
                    .await?;
                    Ok(rows.into_iter().map(|(id,)| id).collect())
                }

                pub(super) async fn file_complaint_in(
                    &self,
                    c: NewComplaint,
                    actor: &Actor,
                ) -> StoreResult<FiledComplaint> {
                    check_text("the complaint's description", &c.description)?;
                    if c.match_window < Duration::zero() {
                        return Err(StoreError::Invalid("complaint match window is negative".into()));
                    }
                    let now = storage_time(c.filed_at);
                    let occurred_at = storage_time(c.occurred_at);
                    let mut w = self.begin_write().await?;
                    let tenant = Self::complaint_tenant(&mut *w.tx, &c).await?;
                    let calls: Vec<(Uuid,)> = match tenant {
                        Some(t) => {
                            sqlx::query_as(
                                "SELECT id FROM calls WHERE tenant_id = $1 AND number_hash = $2 \
                                 AND (outcome IS NULL OR outcome <> $5) \
                                 AND created_at >= $3 AND created_at <= $4 ORDER BY created_at, id",
                            )
                            .bind(t.0)
                            .bind(c.number_hash.0.to_vec())
                            .bind(occurred_at - c.match_window)
                            .bind(occurred_at + c.match_window)
                            .bind(CallOutcome::Refused.as_str())
                            .fetch_all(&mut *w.tx)
                            .await?
                        }
                        None => Vec::new(),
                    };
                    let id = Uuid::now_v7();
                    sqlx::query(
                        "INSERT INTO complaints (id, tenant_id, number_hash, number_masked, caller_number, \
                         verified, description, occurred_at, state, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9)",
                    )
                    .bind(id)
                    .bind(tenant.map(|t| t.0))
                    .bind(c.number_hash.0.to_vec())
                    .bind(&c.number_masked)
                    .bind(&c.caller_number)
                    .bind(c.verified)
                    .bind(c.description.trim())
                    .bind(occurred_at)
                    .bind(now)
                    .execute(&mut *w.tx)
                    .await?;
                    for (call,) in &calls {
                        sqlx::query("INSERT INTO complaint_calls (complaint_id, call_id) VALUES ($1, $2)")
                            .bind(id)
                            .bind(*call)
                            .execute(&mut *w.tx)
                            .await?;
                    }
                    let mut dnc_added = false;
                    if let Some(t) = tenant {
                        let scope = DncScope::Tenant(t);
                        dnc_added = sqlx::query(
                            "INSERT INTO dnc_entries (scope_key, tenant_id, number_hash, reason, source, created_at) \
                             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope_key, number_hash) DO NOTHING",
                        )
                        .bind(scope.key())
                        .bind(t.0)
                        .bind(c.number_hash.0.to_vec())
                        .bind("complaint")
                        .bind(format!("complaint:{id}"))
                        .bind(now)
                        .execute(&mut *w.tx)
                        .await?
                        .rows_affected()
                            == 1;
                        if dnc_added {
                            append_in(
                                &mut w.tx,
                                NewAudit::new(actor, Some(t), "dnc.add", format!("number:{}", c.number_masked))
                                    .with_details(serde_json::json!({
                                        "list": scope.label(),
                                        "number_hash": c.number_hash.to_hex(),
                                        "reason": "complaint",
                                        "source": format!("complaint:{id}"),
                                    })),
                            )
                            .await?;
                        }
                    }
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, tenant, "complaint.file", format!("complaint:{id}"))
                            .with_details(serde_json::json!({
                                "number": c.number_masked,
                                "number_hash": c.number_hash.to_hex(),
                                "verified": c.verified,
                                "calls": calls.iter().map(|(id,)| *id).collect::<Vec<_>>(),
                                "dnc_added": dnc_added,
                            })),
                    )
                    .await?;
                    let mut rate = None;
                    let mut paused_tasks = Vec::new();
                    if let Some(t) = tenant {
                        let settings = Self::settings_in(&mut *w.tx).await?;
                        let r = Self::rate_in(&mut *w.tx, t, now, &settings).await?;
                        if let waihu_compliance::complaint_rate::RateDecision::OverThreshold {
                            per_1000,
                            threshold,
                        } = r.decision
                        {
                            let reason = pause_reason(per_1000, threshold);
                            paused_tasks = Self::pause_tenant_in(&mut w.tx, t, &reason, now).await?;
                            if !paused_tasks.is_empty() {
                                append_in(
                                    &mut w.tx,
                                    NewAudit::new(actor, Some(t), "tenant.auto_pause", format!("tenant:{t}"))
                                        .with_details(serde_json::json!({
                                            "complaint": id,
                                            "counts": r.counts,
                                            "per_1000": per_1000.is_finite().then_some(per_1000),
                                            "threshold": threshold,
                                            "tasks": paused_tasks,
                                            "reason": reason,
                                        })),
                                )
                                .await?;
                            }
                        }
                        rate = Some(r);
                    }
                    let complaint = Self::complaint_in(&mut *w.tx, ComplaintScope::Platform, id).await?;
                    w.tx.commit().await?;
                    Ok(FiledComplaint {
                        complaint,
                        dnc_added,
                        rate,
                        paused_tasks,
                    })
                }
            }
        }
    };
}
pub(crate) use impl_rights_complaints;

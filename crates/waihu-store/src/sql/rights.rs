//! Callee rights on both backends: settings and retention periods, complaint
//! tickets (DNC entry and auto-pause in the filing transaction), complaint rates,
//! subject export and erasure, and the retention sweep. Row types live in
//! `crate::rights::rows`; the rules in `waihu_compliance`.

/// What erasure writes in place of a masked number or a complainant's words.
pub(crate) const ERASED: &str = "[已删除 erased]";

/// A random 32-byte value in place of an erased number's hash: the anonymous row
/// keeps its statistics but cannot be found by the number any more.
pub(crate) fn erased_hash() -> Vec<u8> {
    let mut out = Vec::with_capacity(32);
    out.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    out.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    out
}

macro_rules! impl_rights {
    ($backend:ty, $db:ty) => {
        mod rights {
            #[allow(unused_imports)]
            use super::prelude::*;
            use chrono::{DateTime, Duration};
            use uuid::Uuid;
            use waihu_compliance::complaint_rate::{decide, pause_reason, ComplaintCounts};
            use waihu_compliance::pii::PhoneHash;
            use waihu_compliance::retention::RetentionPeriods;
            use $crate::contacts::DncScope;
            use $crate::rights::rows::{
                ComplaintRow, ExportCallRow, ExportContactRow, ExportDncRow, COMPLAINT_COLS,
            };
            use $crate::rights::{
                Complaint, ComplaintFilter, ComplaintRate, ComplaintScope, ComplaintState,
                ErasureReport, ExportedCall, ExportedContact, ExportedDnc, FiledComplaint,
                NewComplaint, RetentionReport, RightsRepo, RightsSettings, SubjectExport,
                TenantSweep,
            };
            use $crate::sql::rights::{erased_hash, ERASED};

            type Conn = <$db as sqlx::Database>::Connection;

            /// Longest complaint description or answer, in characters.
            const MAX_TEXT: usize = 4000;

            fn check_text(what: &str, text: &str) -> StoreResult<()> {
                if text.trim().is_empty() {
                    return Err(StoreError::Invalid(format!("{what} is empty")));
                }
                if text.chars().count() > MAX_TEXT {
                    return Err(StoreError::Invalid(format!(
                        "{what} is longer than {MAX_TEXT} characters"
                    )));
                }
                Ok(())
            }

            fn scope_tenant(scope: ComplaintScope) -> Option<Uuid> {
                match scope {
                    ComplaintScope::Tenant(t) => Some(t.0),
                    ComplaintScope::Platform => None,
                }
            }

            fn days(n: u32) -> i32 {
                i32::try_from(n).unwrap_or(i32::MAX)
            }

            fn periods_from(row: Option<(i32, i32, i32)>) -> RetentionPeriods {
                let u = |v: i32| u32::try_from(v).unwrap_or(0);
                match row {
                    Some((r, t, s)) => RetentionPeriods {
                        recordings_days: u(r),
                        transcripts_days: u(t),
                        results_days: u(s),
                    },
                    None => RetentionPeriods::default(),
                }
            }

            /// `IN (...)` over ids, for a query builder.
            fn push_ids(qb: &mut sqlx::QueryBuilder<'_, $db>, ids: &[Uuid]) {
                qb.push("(");
                let mut sep = qb.separated(", ");
                for id in ids {
                    sep.push_bind(*id);
                }
                sep.push_unseparated(")");
            }

            impl $backend {
                async fn settings_in(conn: &mut Conn) -> StoreResult<RightsSettings> {
                    let row: Option<(f64, i32, i32)> = sqlx::query_as(
                        "SELECT complaint_threshold_per_1000, complaint_window_days, retention_max_days \
                         FROM rights_settings WHERE id = 1",
                    )
                    .fetch_optional(&mut *conn)
                    .await?;
                    let u = |v: i32| u32::try_from(v).unwrap_or(1);
                    Ok(match row {
                        Some((threshold, window, max)) => RightsSettings {
                            complaint_threshold_per_1000: threshold,
                            complaint_window_days: u(window),
                            retention_max_days: u(max),
                        },
                        None => RightsSettings::default(),
                    })
                }

                async fn periods_in(conn: &mut Conn, tenant: Uuid) -> StoreResult<RetentionPeriods> {
                    let row: Option<(i32, i32, i32)> = sqlx::query_as(
                        "SELECT recordings_days, transcripts_days, results_days FROM tenant_retention \
                         WHERE tenant_id = $1",
                    )
                    .bind(tenant)
                    .fetch_optional(&mut *conn)
                    .await?;
                    Ok(periods_from(row))
                }

                async fn call_ids_in(conn: &mut Conn, complaint: Uuid) -> StoreResult<Vec<Uuid>> {
                    let rows: Vec<(Uuid,)> = sqlx::query_as(
                        "SELECT cc.call_id FROM complaint_calls cc JOIN calls k ON k.id = cc.call_id \
                         WHERE cc.complaint_id = $1 ORDER BY k.created_at, k.id",
                    )
                    .bind(complaint)
                    .fetch_all(&mut *conn)
                    .await?;
                    Ok(rows.into_iter().map(|(id,)| id).collect())
                }

                async fn complaint_opt(
                    conn: &mut Conn,
                    scope: ComplaintScope,
                    id: Uuid,
                ) -> StoreResult<Option<Complaint>> {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(format!(
                        "SELECT {COMPLAINT_COLS} FROM complaints WHERE id = "
                    ));
                    qb.push_bind(id);
                    if let Some(t) = scope_tenant(scope) {
                        qb.push(" AND tenant_id = ").push_bind(t);
                    }
                    let row: Option<ComplaintRow> =
                        qb.build_query_as().fetch_optional(&mut *conn).await?;
                    match row {
                        Some(row) => {
                            let calls = Self::call_ids_in(conn, row.id).await?;
                            Ok(Some(row.into_complaint(calls)?))
                        }
                        None => Ok(None),
                    }
                }

                async fn complaint_in(
                    conn: &mut Conn,
                    scope: ComplaintScope,
                    id: Uuid,
                ) -> StoreResult<Complaint> {
                    Self::complaint_opt(conn, scope, id)
                        .await?
                        .ok_or(StoreError::NotFound("complaint"))
                }

                async fn rate_in(
                    conn: &mut Conn,
                    tenant: TenantId,
                    now: DateTime<Utc>,
                    settings: &RightsSettings,
                ) -> StoreResult<ComplaintRate> {
                    let now = storage_time(now);
                    let from = now - Duration::days(i64::from(settings.complaint_window_days));
                    let (total, counted): (i64, i64) = sqlx::query_as(
                        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN c.verified = $4 AND EXISTS \
                         (SELECT 1 FROM complaint_calls cc JOIN calls k ON k.id = cc.call_id \
                          WHERE cc.complaint_id = c.id) THEN 1 ELSE 0 END), 0) \
                         FROM complaints c WHERE c.tenant_id = $1 AND c.created_at > $2 AND c.created_at <= $3",
                    )
                    .bind(tenant.0)
                    .bind(from)
                    .bind(now)
                    .bind(true)
                    .fetch_one(&mut *conn)
                    .await?;
                    let (answered,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM calls WHERE tenant_id = $1 AND answered_at IS NOT NULL \
                         AND created_at > $2 AND created_at <= $3",
                    )
                    .bind(tenant.0)
                    .bind(from)
                    .bind(now)
                    .fetch_one(&mut *conn)
                    .await?;
                    let u = |v: i64| u64::try_from(v).unwrap_or(0);
                    let counts = ComplaintCounts {
                        counted: u(counted),
                        ignored: u(total - counted),
                        answered_calls: u(answered),
                    };
                    Ok(ComplaintRate {
                        tenant_id: tenant,
                        counts,
                        decision: decide(counts, settings.complaint_threshold_per_1000),
                    })
                }

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
                         AND (outcome IS NULL OR outcome <> 'refused') AND created_at >= $2 AND created_at <= $3",
                    )
                    .bind(c.number_hash.0.to_vec())
                    .bind(c.occurred_at - c.match_window)
                    .bind(c.occurred_at + c.match_window)
                    .fetch_all(&mut *conn)
                    .await?;
                    Ok(rows
                        .into_iter()
                        .min_by_key(|(_, at)| (*at - c.occurred_at).num_milliseconds().abs())
                        .map(|(t, _)| TenantId(t)))
                }

                /// Pauses every running task of the tenant with `reason`; returns them.
                async fn pause_tenant_in(
                    tx: &mut sqlx::Transaction<'static, $db>,
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

                /// Applies `set` (`$2` the instant, `$3` the text) to a ticket that is not
                /// closed, auditing `action` if anything changed.
                async fn complaint_step(
                    &self,
                    scope: ComplaintScope,
                    id: Uuid,
                    (action, set): (&str, &str),
                    text: Option<&str>,
                    at: DateTime<Utc>,
                    actor: &Actor,
                ) -> StoreResult<Complaint> {
                    let at = storage_time(at);
                    let mut w = self.begin_write().await?;
                    let before = Self::complaint_in(&mut *w.tx, scope, id).await?;
                    if before.state == ComplaintState::Closed {
                        return Err(StoreError::Conflict(format!("complaint {id} is already closed")));
                    }
                    sqlx::query(&format!("UPDATE complaints SET {set} WHERE id = $1"))
                        .bind(id)
                        .bind(at)
                        .bind(text)
                        .execute(&mut *w.tx)
                        .await?;
                    let after = Self::complaint_in(&mut *w.tx, scope, id).await?;
                    if after != before {
                        append_in(
                            &mut w.tx,
                            NewAudit::new(actor, before.tenant_id, action, format!("complaint:{id}"))
                                .with_details(serde_json::json!({
                                    "from": before.state.as_str(),
                                    "to": after.state.as_str(),
                                    "text": text,
                                })),
                        )
                        .await?;
                    }
                    w.tx.commit().await?;
                    Ok(after)
                }
            }

            #[async_trait]
            impl RightsRepo for $backend {
                async fn rights_settings(&self) -> StoreResult<RightsSettings> {
                    let mut conn = self.pool.acquire().await?;
                    Self::settings_in(&mut conn).await
                }

                async fn set_rights_settings(
                    &self,
                    settings: RightsSettings,
                    actor: &Actor,
                ) -> StoreResult<RightsSettings> {
                    if !(settings.complaint_threshold_per_1000.is_finite()
                        && settings.complaint_threshold_per_1000 >= 0.0)
                    {
                        return Err(StoreError::Invalid(format!(
                            "complaint threshold {} per 1,000: must be a number >= 0",
                            settings.complaint_threshold_per_1000
                        )));
                    }
                    if settings.complaint_window_days == 0 || settings.retention_max_days == 0 {
                        return Err(StoreError::Invalid(
                            "complaint window and retention maximum must be at least 1 day".into(),
                        ));
                    }
                    let mut w = self.begin_write().await?;
                    let before = Self::settings_in(&mut *w.tx).await?;
                    sqlx::query(
                        "INSERT INTO rights_settings (id, complaint_threshold_per_1000, complaint_window_days, \
                         retention_max_days, updated_at) VALUES (1, $1, $2, $3, $4) \
                         ON CONFLICT (id) DO UPDATE SET complaint_threshold_per_1000 = $1, \
                         complaint_window_days = $2, retention_max_days = $3, updated_at = $4",
                    )
                    .bind(settings.complaint_threshold_per_1000)
                    .bind(days(settings.complaint_window_days))
                    .bind(days(settings.retention_max_days))
                    .bind(storage_time(Utc::now()))
                    .execute(&mut *w.tx)
                    .await?;
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, None, "rights.settings", "platform").with_details(
                            serde_json::json!({ "from": before, "to": settings }),
                        ),
                    )
                    .await?;
                    w.tx.commit().await?;
                    Ok(settings)
                }

                async fn retention_periods(&self, tenant_id: TenantId) -> StoreResult<RetentionPeriods> {
                    let mut conn = self.pool.acquire().await?;
                    Self::periods_in(&mut conn, tenant_id.0).await
                }

                async fn set_retention_periods(
                    &self,
                    tenant_id: TenantId,
                    periods: RetentionPeriods,
                    actor: &Actor,
                ) -> StoreResult<RetentionPeriods> {
                    let mut w = self.begin_write().await?;
                    let settings = Self::settings_in(&mut *w.tx).await?;
                    periods
                        .validate(settings.retention_max_days)
                        .map_err(|e| StoreError::Invalid(e.to_string()))?;
                    let exists: Option<(Uuid,)> = sqlx::query_as("SELECT id FROM tenants WHERE id = $1")
                        .bind(tenant_id.0)
                        .fetch_optional(&mut *w.tx)
                        .await?;
                    exists.ok_or(StoreError::NotFound("tenant"))?;
                    let before = Self::periods_in(&mut *w.tx, tenant_id.0).await?;
                    sqlx::query(
                        "INSERT INTO tenant_retention (tenant_id, recordings_days, transcripts_days, \
                         results_days, updated_at) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (tenant_id) DO UPDATE SET recordings_days = $2, \
                         transcripts_days = $3, results_days = $4, updated_at = $5",
                    )
                    .bind(tenant_id.0)
                    .bind(days(periods.recordings_days))
                    .bind(days(periods.transcripts_days))
                    .bind(days(periods.results_days))
                    .bind(storage_time(Utc::now()))
                    .execute(&mut *w.tx)
                    .await?;
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, Some(tenant_id), "retention.set", format!("tenant:{tenant_id}"))
                            .with_details(serde_json::json!({ "from": before, "to": periods })),
                    )
                    .await?;
                    w.tx.commit().await?;
                    Ok(periods)
                }

                async fn file_complaint(
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
                                 AND (outcome IS NULL OR outcome <> 'refused') \
                                 AND created_at >= $3 AND created_at <= $4 ORDER BY created_at, id",
                            )
                            .bind(t.0)
                            .bind(c.number_hash.0.to_vec())
                            .bind(occurred_at - c.match_window)
                            .bind(occurred_at + c.match_window)
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

                async fn list_complaints(
                    &self,
                    scope: ComplaintScope,
                    filter: ComplaintFilter,
                ) -> StoreResult<Vec<Complaint>> {
                    let mut conn = self.pool.acquire().await?;
                    let mut qb = sqlx::QueryBuilder::<$db>::new(format!(
                        "SELECT {COMPLAINT_COLS} FROM complaints WHERE 1 = 1"
                    ));
                    if let Some(t) = scope_tenant(scope) {
                        qb.push(" AND tenant_id = ").push_bind(t);
                    }
                    if let Some(s) = filter.state {
                        qb.push(" AND state = ").push_bind(s.as_str());
                    }
                    qb.push(" ORDER BY created_at DESC, id DESC LIMIT ")
                        .push_bind(filter.limit.max(0))
                        .push(" OFFSET ")
                        .push_bind(filter.offset.max(0));
                    let rows: Vec<ComplaintRow> = qb.build_query_as().fetch_all(&mut *conn).await?;
                    let mut out = Vec::with_capacity(rows.len());
                    for row in rows {
                        let calls = Self::call_ids_in(&mut conn, row.id).await?;
                        out.push(row.into_complaint(calls)?);
                    }
                    Ok(out)
                }

                async fn get_complaint(
                    &self,
                    scope: ComplaintScope,
                    id: Uuid,
                ) -> StoreResult<Option<Complaint>> {
                    let mut conn = self.pool.acquire().await?;
                    Self::complaint_opt(&mut conn, scope, id).await
                }

                async fn ack_complaint(
                    &self,
                    scope: ComplaintScope,
                    id: Uuid,
                    at: DateTime<Utc>,
                    actor: &Actor,
                ) -> StoreResult<Complaint> {
                    self.complaint_step(
                        scope,
                        id,
                        (
                            "complaint.ack",
                            "state = CASE WHEN state = 'open' THEN 'acknowledged' ELSE state END, \
                             acked_at = COALESCE(acked_at, $2), resolution = COALESCE(resolution, $3)",
                        ),
                        None,
                        at,
                        actor,
                    )
                    .await
                }

                async fn answer_complaint(
                    &self,
                    scope: ComplaintScope,
                    id: Uuid,
                    answer: &str,
                    at: DateTime<Utc>,
                    actor: &Actor,
                ) -> StoreResult<Complaint> {
                    check_text("the answer", answer)?;
                    self.complaint_step(
                        scope,
                        id,
                        (
                            "complaint.answer",
                            "state = CASE WHEN state = 'open' THEN 'acknowledged' ELSE state END, \
                             acked_at = COALESCE(acked_at, $2), answered_at = $2, tenant_answer = $3",
                        ),
                        Some(answer.trim()),
                        at,
                        actor,
                    )
                    .await
                }

                async fn close_complaint(
                    &self,
                    scope: ComplaintScope,
                    id: Uuid,
                    resolution: &str,
                    at: DateTime<Utc>,
                    actor: &Actor,
                ) -> StoreResult<Complaint> {
                    check_text("the resolution", resolution)?;
                    self.complaint_step(
                        scope,
                        id,
                        ("complaint.close", "state = 'closed', closed_at = $2, resolution = $3"),
                        Some(resolution.trim()),
                        at,
                        actor,
                    )
                    .await
                }

                async fn complaint_rate(
                    &self,
                    tenant_id: TenantId,
                    now: DateTime<Utc>,
                ) -> StoreResult<ComplaintRate> {
                    let mut conn = self.pool.acquire().await?;
                    let settings = Self::settings_in(&mut conn).await?;
                    Self::rate_in(&mut conn, tenant_id, now, &settings).await
                }

                async fn complaint_rates(&self, now: DateTime<Utc>) -> StoreResult<Vec<ComplaintRate>> {
                    let mut conn = self.pool.acquire().await?;
                    let settings = Self::settings_in(&mut conn).await?;
                    let tenants: Vec<(Uuid,)> = sqlx::query_as("SELECT id FROM tenants ORDER BY name")
                        .fetch_all(&mut *conn)
                        .await?;
                    let mut out = Vec::with_capacity(tenants.len());
                    for (t,) in tenants {
                        out.push(Self::rate_in(&mut conn, TenantId(t), now, &settings).await?);
                    }
                    Ok(out)
                }

                async fn export_subject(
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

                async fn erase_subject(
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

                async fn retention_sweep(
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
pub(crate) use impl_rights;

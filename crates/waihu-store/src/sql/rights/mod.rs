//! Callee rights on both backends: settings and retention periods, complaint
//! tickets (DNC entry and auto-pause in the filing transaction), complaint rates,
//! subject export and erasure, and the retention sweep. Row types live in
//! `crate::rights::rows`; the rules in `waihu_compliance`.
//!
//! This module holds the settings, retention periods, complaint tickets and the
//! `RightsRepo` impl; the larger operations live beside it: `complaints` (filing a
//! complaint), `subject` (subject export and erasure) and `retention` (the sweep).

mod complaints;
mod retention;
mod subject;

pub(crate) use complaints::impl_rights_complaints;
pub(crate) use retention::impl_rights_retention;
pub(crate) use subject::impl_rights_subject;

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
            use waihu_compliance::complaint_rate::{decide, ComplaintCounts};
            use waihu_compliance::pii::PhoneHash;
            use waihu_compliance::retention::RetentionPeriods;
            use $crate::rights::rows::{ComplaintRow, COMPLAINT_COLS};
            use $crate::rights::{
                Complaint, ComplaintFilter, ComplaintRate, ComplaintScope, ComplaintState,
                ErasureReport, FiledComplaint, NewComplaint, RetentionReport, RightsRepo,
                RightsSettings, SubjectExport,
            };

            pub(super) type Conn = <$db as sqlx::Database>::Connection;

            /// Longest complaint description or answer, in characters.
            const MAX_TEXT: usize = 4000;

            pub(super) fn check_text(what: &str, text: &str) -> StoreResult<()> {
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

            /// `IN (...)` over ids, for a query builder (erasure and the retention sweep).
            pub(super) fn push_ids(qb: &mut sqlx::QueryBuilder<'_, $db>, ids: &[Uuid]) {
                qb.push("(");
                let mut sep = qb.separated(", ");
                for id in ids {
                    sep.push_bind(*id);
                }
                sep.push_unseparated(")");
            }

            impl $backend {
                pub(super) async fn settings_in(conn: &mut Conn) -> StoreResult<RightsSettings> {
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

                pub(super) async fn periods_in(conn: &mut Conn, tenant: Uuid) -> StoreResult<RetentionPeriods> {
                    let row: Option<(i32, i32, i32)> = sqlx::query_as(
                        "SELECT recordings_days, transcripts_days, results_days FROM tenant_retention \
                         WHERE tenant_id = $1",
                    )
                    .bind(tenant)
                    .fetch_optional(&mut *conn)
                    .await?;
                    Ok(periods_from(row))
                }

                pub(super) async fn call_ids_in(conn: &mut Conn, complaint: Uuid) -> StoreResult<Vec<Uuid>> {
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

                pub(super) async fn complaint_in(
                    conn: &mut Conn,
                    scope: ComplaintScope,
                    id: Uuid,
                ) -> StoreResult<Complaint> {
                    Self::complaint_opt(conn, scope, id)
                        .await?
                        .ok_or(StoreError::NotFound("complaint"))
                }

                pub(super) async fn rate_in(
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
                    self.file_complaint_in(c, actor).await
                }

                async fn complaints_filed_since(
                    &self,
                    number_hash: &PhoneHash,
                    since: DateTime<Utc>,
                ) -> StoreResult<i64> {
                    let filed: Vec<(DateTime<Utc>,)> =
                        sqlx::query_as("SELECT created_at FROM complaints WHERE number_hash = $1")
                            .bind(number_hash.0.to_vec())
                            .fetch_all(&self.pool)
                            .await?;
                    // Compared here, not in SQL, so that it does not depend on how
                    // each backend compares stored times.
                    Ok(filed.iter().filter(|(at,)| *at >= since).count() as i64)
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
                    self.export_subject_in(number, masked, at, actor).await
                }

                async fn erase_subject(
                    &self,
                    number: &PhoneHash,
                    masked: &str,
                    actor: &Actor,
                ) -> StoreResult<ErasureReport> {
                    self.erase_subject_in(number, masked, actor).await
                }

                async fn retention_sweep(
                    &self,
                    now: DateTime<Utc>,
                    dry_run: bool,
                    actor: &Actor,
                ) -> StoreResult<RetentionReport> {
                    self.retention_sweep_in(now, dry_run, actor).await
                }
            }
        }
    };
}
pub(crate) use impl_rights;

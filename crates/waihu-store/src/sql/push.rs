//! Lead push targets (audited) and the delivery queue the pusher drains.

use crate::campaign::{Delivery, DeliveryState, PushKind, PushTarget};
use crate::error::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use uuid::Uuid;
use waihu_core::TenantId;

pub(crate) const TARGET_COLS: &str =
    "id, tenant_id, name, kind, url, secret, min_grade, enabled, created_at";

pub(crate) const DELIVERY_SELECT: &str = "SELECT d.id, d.tenant_id, d.lead_id, d.target_id, \
     t.name AS target_name, d.state, d.attempts, d.next_at, d.last_error, d.created_at, d.delivered_at \
     FROM push_deliveries d JOIN push_targets t ON t.id = d.target_id";

#[derive(sqlx::FromRow)]
pub(crate) struct TargetRow {
    id: Uuid,
    tenant_id: Uuid,
    name: String,
    kind: String,
    url: String,
    secret: Option<String>,
    min_grade: String,
    enabled: bool,
    created_at: DateTime<Utc>,
}

impl TryFrom<TargetRow> for PushTarget {
    type Error = StoreError;
    fn try_from(r: TargetRow) -> StoreResult<Self> {
        let kind = PushKind::parse(&r.kind).map_err(|why| StoreError::Corrupt {
            table: "push_targets",
            why,
        })?;
        Ok(PushTarget {
            id: r.id,
            tenant_id: TenantId(r.tenant_id),
            name: r.name,
            kind,
            url: r.url,
            secret: r.secret,
            min_grade: r.min_grade,
            enabled: r.enabled,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct DeliveryRow {
    id: Uuid,
    tenant_id: Uuid,
    lead_id: Uuid,
    target_id: Uuid,
    target_name: String,
    state: String,
    attempts: i32,
    next_at: DateTime<Utc>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    delivered_at: Option<DateTime<Utc>>,
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = StoreError;
    fn try_from(r: DeliveryRow) -> StoreResult<Self> {
        let state = DeliveryState::parse(&r.state).map_err(|why| StoreError::Corrupt {
            table: "push_deliveries",
            why,
        })?;
        Ok(Delivery {
            id: r.id,
            tenant_id: TenantId(r.tenant_id),
            lead_id: r.lead_id,
            target_id: r.target_id,
            target_name: r.target_name,
            state,
            attempts: r.attempts,
            next_at: r.next_at,
            last_error: r.last_error,
            created_at: r.created_at,
            delivered_at: r.delivered_at,
        })
    }
}

/// Checks a target's URL: an http(s) URL without spaces.
pub(crate) fn check_url(name: &str, url: &str) -> StoreResult<String> {
    let url = url.trim();
    let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
    if !scheme_ok || url.contains(char::is_whitespace) {
        return Err(StoreError::Invalid(format!(
            "push target {name:?}: the URL must be an http:// or https:// URL without spaces"
        )));
    }
    Ok(url.to_string())
}

macro_rules! impl_push {
    ($backend:ty, $db:ty) => {
        mod push {
            #[allow(unused_imports)]
            use super::prelude::*;
            use $crate::campaign::grade::{check_grade, check_name};
            use $crate::campaign::{
                Delivery, DueDelivery, Lead, NewPushTarget, PushRepo, PushTarget,
            };
            use $crate::sql::leads::{LeadRow, LEAD_COLS};
            use $crate::sql::push::{check_url, DeliveryRow, TargetRow, DELIVERY_SELECT, TARGET_COLS};
            use chrono::DateTime;
            use uuid::Uuid;

            impl $backend {
                async fn target(&self, tenant_id: TenantId, id: Uuid) -> StoreResult<Option<PushTarget>> {
                    let row: Option<TargetRow> = sqlx::query_as(&format!(
                        "SELECT {TARGET_COLS} FROM push_targets WHERE tenant_id = $1 AND id = $2"
                    ))
                    .bind(tenant_id.0)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                    row.map(PushTarget::try_from).transpose()
                }
            }

            #[async_trait]
            impl PushRepo for $backend {
                async fn add_push_target(
                    &self,
                    tenant_id: TenantId,
                    new: NewPushTarget,
                    actor: &Actor,
                ) -> StoreResult<PushTarget> {
                    let name = check_name(&new.name, "push target")?;
                    check_grade(&new.min_grade, "the minimum grade")?;
                    let url = check_url(&name, &new.url)?;
                    let target = PushTarget {
                        id: Uuid::now_v7(),
                        tenant_id,
                        name,
                        kind: new.kind,
                        url,
                        secret: new.secret,
                        min_grade: new.min_grade,
                        enabled: new.enabled,
                        created_at: storage_time(Utc::now()),
                    };
                    let mut w = self.begin_write().await?;
                    sqlx::query(&format!(
                        "INSERT INTO push_targets ({TARGET_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                    ))
                    .bind(target.id)
                    .bind(tenant_id.0)
                    .bind(&target.name)
                    .bind(target.kind.as_str())
                    .bind(&target.url)
                    .bind(&target.secret)
                    .bind(&target.min_grade)
                    .bind(target.enabled)
                    .bind(target.created_at)
                    .execute(&mut *w.tx)
                    .await
                    .map_err(|e| unique_or(e, || format!("push target {:?} already exists", target.name)))?;
                    // Not the URL or secret: group-robot URLs carry their access key.
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, Some(tenant_id), "push_target.add", format!("push_target:{}", target.id))
                            .with_details(serde_json::json!({
                                "name": target.name,
                                "kind": target.kind.as_str(),
                                "min_grade": target.min_grade,
                                "enabled": target.enabled,
                            })),
                    )
                    .await?;
                    w.tx.commit().await?;
                    Ok(target)
                }

                async fn list_push_targets(&self, tenant_id: TenantId) -> StoreResult<Vec<PushTarget>> {
                    let rows: Vec<TargetRow> = sqlx::query_as(&format!(
                        "SELECT {TARGET_COLS} FROM push_targets WHERE tenant_id = $1 ORDER BY name"
                    ))
                    .bind(tenant_id.0)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.into_iter().map(PushTarget::try_from).collect()
                }

                async fn set_push_target_enabled(
                    &self,
                    tenant_id: TenantId,
                    id: Uuid,
                    enabled: bool,
                    actor: &Actor,
                ) -> StoreResult<PushTarget> {
                    let mut w = self.begin_write().await?;
                    let changed = sqlx::query("UPDATE push_targets SET enabled = $1 WHERE tenant_id = $2 AND id = $3")
                        .bind(enabled)
                        .bind(tenant_id.0)
                        .bind(id)
                        .execute(&mut *w.tx)
                        .await?
                        .rows_affected();
                    if changed != 1 {
                        return Err(StoreError::NotFound("push target"));
                    }
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, Some(tenant_id), "push_target.enable", format!("push_target:{id}"))
                            .with_details(serde_json::json!({ "enabled": enabled })),
                    )
                    .await?;
                    w.tx.commit().await?;
                    self.target(tenant_id, id).await?.ok_or(StoreError::NotFound("push target"))
                }

                async fn due_deliveries(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<DueDelivery>> {
                    let rows: Vec<DeliveryRow> = sqlx::query_as(&format!(
                        "{DELIVERY_SELECT} WHERE d.state = 'pending' AND d.next_at <= $1 AND t.enabled = $2 \
                         ORDER BY d.next_at, d.id LIMIT $3"
                    ))
                    .bind(storage_time(now))
                    .bind(true)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                    let mut out = Vec::with_capacity(rows.len());
                    for row in rows {
                        let delivery = Delivery::try_from(row)?;
                        let target = self
                            .target(delivery.tenant_id, delivery.target_id)
                            .await?
                            .ok_or(StoreError::NotFound("push target"))?;
                        let lead: Option<LeadRow> = sqlx::query_as(&format!(
                            "SELECT {LEAD_COLS} FROM leads WHERE tenant_id = $1 AND id = $2"
                        ))
                        .bind(delivery.tenant_id.0)
                        .bind(delivery.lead_id)
                        .fetch_optional(&self.pool)
                        .await?;
                        let lead = lead.map(Lead::try_from).transpose()?.ok_or(StoreError::NotFound("lead"))?;
                        let full: Option<(bool,)> = sqlx::query_as(
                            "SELECT full_numbers_in_push FROM tenant_limits WHERE tenant_id = $1",
                        )
                        .bind(delivery.tenant_id.0)
                        .fetch_optional(&self.pool)
                        .await?;
                        let full_numbers_in_push = full.map(|(f,)| f).unwrap_or(false);
                        let number_enc = match (full_numbers_in_push, lead.contact_id) {
                            (true, Some(contact)) => {
                                let enc: Option<(Vec<u8>,)> =
                                    sqlx::query_as("SELECT number_enc FROM contacts WHERE tenant_id = $1 AND id = $2")
                                        .bind(delivery.tenant_id.0)
                                        .bind(contact)
                                        .fetch_optional(&self.pool)
                                        .await?;
                                enc.map(|(e,)| e)
                            }
                            _ => None,
                        };
                        out.push(DueDelivery {
                            delivery,
                            target,
                            lead,
                            full_numbers_in_push,
                            number_enc,
                        });
                    }
                    Ok(out)
                }

                async fn mark_delivered(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
                    let mut w = self.begin_bookkeeping().await?;
                    let changed = sqlx::query(
                        "UPDATE push_deliveries SET state = 'delivered', delivered_at = $1, attempts = attempts + 1, \
                         last_error = NULL WHERE id = $2 AND state = 'pending'",
                    )
                    .bind(storage_time(now))
                    .bind(id)
                    .execute(&mut *w.tx)
                    .await?
                    .rows_affected();
                    if changed != 1 {
                        return Err(StoreError::NotFound("pending delivery"));
                    }
                    w.tx.commit().await?;
                    Ok(())
                }

                async fn mark_failed(&self, id: Uuid, error: &str, next_at: Option<DateTime<Utc>>) -> StoreResult<()> {
                    let mut w = self.begin_bookkeeping().await?;
                    let q = match next_at {
                        Some(at) => sqlx::query(
                            "UPDATE push_deliveries SET attempts = attempts + 1, last_error = $1, next_at = $2 \
                             WHERE id = $3 AND state = 'pending'",
                        )
                        .bind(error)
                        .bind(storage_time(at))
                        .bind(id),
                        None => sqlx::query(
                            "UPDATE push_deliveries SET attempts = attempts + 1, last_error = $1, state = 'dead' \
                             WHERE id = $2 AND state = 'pending'",
                        )
                        .bind(error)
                        .bind(id),
                    };
                    if q.execute(&mut *w.tx).await?.rows_affected() != 1 {
                        return Err(StoreError::NotFound("pending delivery"));
                    }
                    w.tx.commit().await?;
                    Ok(())
                }

                async fn dead_letters(&self, tenant_id: TenantId) -> StoreResult<Vec<Delivery>> {
                    let rows: Vec<DeliveryRow> = sqlx::query_as(&format!(
                        "{DELIVERY_SELECT} WHERE d.tenant_id = $1 AND d.state = 'dead' ORDER BY d.created_at DESC, d.id DESC"
                    ))
                    .bind(tenant_id.0)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.into_iter().map(Delivery::try_from).collect()
                }

                async fn retry_dead_letter(
                    &self,
                    tenant_id: TenantId,
                    id: Uuid,
                    now: DateTime<Utc>,
                    actor: &Actor,
                ) -> StoreResult<()> {
                    let mut w = self.begin_write().await?;
                    let changed = sqlx::query(
                        "UPDATE push_deliveries SET state = 'pending', next_at = $1 \
                         WHERE tenant_id = $2 AND id = $3 AND state = 'dead'",
                    )
                    .bind(storage_time(now))
                    .bind(tenant_id.0)
                    .bind(id)
                    .execute(&mut *w.tx)
                    .await?
                    .rows_affected();
                    if changed != 1 {
                        return Err(StoreError::NotFound("dead delivery"));
                    }
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, Some(tenant_id), "push.retry", format!("push_delivery:{id}")),
                    )
                    .await?;
                    w.tx.commit().await?;
                    Ok(())
                }
            }
        }
    };
}
pub(crate) use impl_push;

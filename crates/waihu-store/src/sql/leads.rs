//! Leads: created by `finish_call`; regraded and followed up by people (audited).

use crate::campaign::{Lead, LeadStatus};
use crate::error::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use uuid::Uuid;
use waihu_core::{TenantId, UserId};

pub(crate) const LEAD_COLS: &str = "id, tenant_id, task_id, call_id, contact_id, number_masked, \
     robot_grade, robot_reason, shareable, agent_grade, agent_note, agent_id, regraded_at, status, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct LeadRow {
    id: Uuid,
    tenant_id: Uuid,
    task_id: Uuid,
    call_id: Uuid,
    contact_id: Option<Uuid>,
    number_masked: String,
    robot_grade: String,
    robot_reason: String,
    shareable: bool,
    agent_grade: Option<String>,
    agent_note: Option<String>,
    agent_id: Option<Uuid>,
    regraded_at: Option<DateTime<Utc>>,
    status: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<LeadRow> for Lead {
    type Error = StoreError;
    fn try_from(r: LeadRow) -> StoreResult<Self> {
        let status = LeadStatus::parse(&r.status).map_err(|why| StoreError::Corrupt {
            table: "leads",
            why,
        })?;
        Ok(Lead {
            id: r.id,
            tenant_id: TenantId(r.tenant_id),
            task_id: r.task_id,
            call_id: r.call_id,
            contact_id: r.contact_id,
            number_masked: r.number_masked,
            robot_grade: r.robot_grade,
            robot_reason: r.robot_reason,
            shareable: r.shareable,
            agent_grade: r.agent_grade,
            agent_note: r.agent_note,
            agent_id: r.agent_id.map(UserId),
            regraded_at: r.regraded_at,
            status,
            created_at: r.created_at,
        })
    }
}

macro_rules! impl_leads {
    ($backend:ty, $db:ty) => {
        mod leads {
            #[allow(unused_imports)]
            use super::prelude::*;
            use $crate::campaign::grade::check_grade;
            use $crate::campaign::{Lead, LeadFilter, LeadRepo, LeadStatus};
            use $crate::sql::leads::{LeadRow, LEAD_COLS};
            use uuid::Uuid;

            impl $backend {
                /// The tenant's lead inside a write transaction.
                async fn lead_in(
                    tx: &mut WriteTx<$db>,
                    tenant_id: TenantId,
                    id: Uuid,
                ) -> StoreResult<Lead> {
                    let row: Option<LeadRow> = sqlx::query_as(&format!(
                        "SELECT {LEAD_COLS} FROM leads WHERE tenant_id = $1 AND id = $2"
                    ))
                    .bind(tenant_id.0)
                    .bind(id)
                    .fetch_optional(&mut **tx)
                    .await?;
                    row.map(Lead::try_from).transpose()?.ok_or(StoreError::NotFound("lead"))
                }
            }

            #[async_trait]
            impl LeadRepo for $backend {
                async fn list_leads(&self, tenant_id: TenantId, filter: LeadFilter) -> StoreResult<Vec<Lead>> {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(format!("SELECT {LEAD_COLS} FROM leads WHERE tenant_id = "));
                    qb.push_bind(tenant_id.0);
                    if let Some(t) = filter.task_id {
                        qb.push(" AND task_id = ").push_bind(t);
                    }
                    if let Some(s) = filter.status {
                        qb.push(" AND status = ").push_bind(s.as_str());
                    }
                    qb.push(" ORDER BY created_at DESC, id DESC LIMIT ")
                        .push_bind(filter.limit.max(0))
                        .push(" OFFSET ")
                        .push_bind(filter.offset.max(0));
                    let rows: Vec<LeadRow> = qb.build_query_as().fetch_all(&self.pool).await?;
                    rows.into_iter().map(Lead::try_from).collect()
                }

                async fn get_lead(&self, tenant_id: TenantId, id: Uuid) -> StoreResult<Option<Lead>> {
                    let row: Option<LeadRow> = sqlx::query_as(&format!(
                        "SELECT {LEAD_COLS} FROM leads WHERE tenant_id = $1 AND id = $2"
                    ))
                    .bind(tenant_id.0)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                    row.map(Lead::try_from).transpose()
                }

                async fn lead_of_call(&self, tenant_id: TenantId, call_id: Uuid) -> StoreResult<Option<Lead>> {
                    let row: Option<LeadRow> = sqlx::query_as(&format!(
                        "SELECT {LEAD_COLS} FROM leads WHERE tenant_id = $1 AND call_id = $2"
                    ))
                    .bind(tenant_id.0)
                    .bind(call_id)
                    .fetch_optional(&self.pool)
                    .await?;
                    row.map(Lead::try_from).transpose()
                }

                async fn regrade_lead(
                    &self,
                    tenant_id: TenantId,
                    id: Uuid,
                    grade: &str,
                    note: Option<&str>,
                    agent: Option<UserId>,
                    actor: &Actor,
                ) -> StoreResult<Lead> {
                    check_grade(grade, "the agent's grade")?;
                    let now = storage_time(Utc::now());
                    let mut w = self.begin_write().await?;
                    let before = Self::lead_in(&mut w.tx, tenant_id, id).await?;
                    sqlx::query(
                        "UPDATE leads SET agent_grade = $1, agent_note = $2, agent_id = $3, regraded_at = $4 \
                         WHERE tenant_id = $5 AND id = $6",
                    )
                    .bind(grade)
                    .bind(note)
                    .bind(agent.map(|a| a.0))
                    .bind(now)
                    .bind(tenant_id.0)
                    .bind(id)
                    .execute(&mut *w.tx)
                    .await?;
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, Some(tenant_id), "lead.regrade", format!("lead:{id}"))
                            .with_details(serde_json::json!({
                                "robot_grade": before.robot_grade,
                                "previous_grade": before.grade(),
                                "grade": grade,
                                "note": note,
                                "agent_id": agent.map(|a| a.0),
                            })),
                    )
                    .await?;
                    let lead = Self::lead_in(&mut w.tx, tenant_id, id).await?;
                    w.tx.commit().await?;
                    Ok(lead)
                }

                async fn set_lead_status(
                    &self,
                    tenant_id: TenantId,
                    id: Uuid,
                    status: LeadStatus,
                    actor: &Actor,
                ) -> StoreResult<Lead> {
                    let mut w = self.begin_write().await?;
                    let before = Self::lead_in(&mut w.tx, tenant_id, id).await?;
                    sqlx::query("UPDATE leads SET status = $1 WHERE tenant_id = $2 AND id = $3")
                        .bind(status.as_str())
                        .bind(tenant_id.0)
                        .bind(id)
                        .execute(&mut *w.tx)
                        .await?;
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, Some(tenant_id), "lead.status", format!("lead:{id}"))
                            .with_details(serde_json::json!({
                                "from": before.status.as_str(),
                                "to": status.as_str(),
                            })),
                    )
                    .await?;
                    let lead = Self::lead_in(&mut w.tx, tenant_id, id).await?;
                    w.tx.commit().await?;
                    Ok(lead)
                }
            }
        }
    };
}
pub(crate) use impl_leads;

//! Raw rows as both backends decode them, and their checked conversion into
//! domain types (a bad value is a `Corrupt` error, never a panic).

use crate::audit::AuditEntry;
use crate::error::{StoreError, StoreResult};
use crate::model::{ApiToken, Tenant, User};
use chrono::{DateTime, Utc};
use uuid::Uuid;
use waihu_core::ids::ApiTokenId;
use waihu_core::{TenantId, TenantName, UserId};

#[derive(sqlx::FromRow)]
pub(crate) struct TenantRow {
    pub id: Uuid,
    pub name: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<TenantRow> for Tenant {
    type Error = StoreError;
    fn try_from(r: TenantRow) -> StoreResult<Self> {
        let corrupt = |why: String| StoreError::Corrupt {
            table: "tenants",
            why,
        };
        Ok(Tenant {
            id: TenantId(r.id),
            name: TenantName::parse(&r.name).map_err(|e| corrupt(e.to_string()))?,
            status: r.status.parse().map_err(corrupt)?,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    pub id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> StoreResult<Self> {
        Ok(User {
            id: UserId(r.id),
            tenant_id: r.tenant_id.map(TenantId),
            username: r.username,
            password_hash: r.password_hash,
            role: r.role.parse().map_err(|e: waihu_core::role::UnknownRole| {
                StoreError::Corrupt {
                    table: "users",
                    why: e.to_string(),
                }
            })?,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ApiTokenRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiTokenRow> for ApiToken {
    fn from(r: ApiTokenRow) -> Self {
        ApiToken {
            id: ApiTokenId(r.id),
            tenant_id: TenantId(r.tenant_id),
            name: r.name,
            created_by: r.created_by,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub tenant_id: Option<Uuid>,
    pub action: String,
    pub target: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
    pub key_id: Option<String>,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            seq: r.seq,
            at: r.at,
            actor: r.actor,
            tenant_id: r.tenant_id.map(TenantId),
            action: r.action,
            target: r.target,
            details: r.details,
            prev_hash: r.prev_hash,
            hash: r.hash,
            key_id: r.key_id,
        }
    }
}

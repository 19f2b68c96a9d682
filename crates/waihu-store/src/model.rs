//! The rows the foundation stores: tenants, users and API tokens, as domain types
//! (no serde: the web layer has its own DTOs).

use chrono::{DateTime, Utc};
use std::fmt;
use std::str::FromStr;
use waihu_core::ids::ApiTokenId;
use waihu_core::{Role, TenantId, TenantName, UserId};

/// Whether a tenant may call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantStatus {
    /// Normal operation.
    Active,
    /// Stopped by the operator: nothing of this tenant is dialled.
    Suspended,
}

impl TenantStatus {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            TenantStatus::Active => "active",
            TenantStatus::Suspended => "suspended",
        }
    }
}

impl fmt::Display for TenantStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TenantStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "active" => Ok(TenantStatus::Active),
            "suspended" => Ok(TenantStatus::Suspended),
            other => Err(format!("unknown tenant status {other:?}")),
        }
    }
}

/// A merchant using the platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    /// Stable id.
    pub id: TenantId,
    /// Unique short name.
    pub name: TenantName,
    /// Active or suspended.
    pub status: TenantStatus,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A back-office account. Operators have no tenant; every other role has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Stable id.
    pub id: UserId,
    /// The tenant, `None` for operators.
    pub tenant_id: Option<TenantId>,
    /// Unique login name.
    pub username: String,
    /// argon2id PHC string; never shown.
    pub password_hash: String,
    /// What the user may do.
    pub role: Role,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A tenant's API token. Only its SHA-256 hash is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Stable id.
    pub id: ApiTokenId,
    /// The owning tenant.
    pub tenant_id: TenantId,
    /// A label chosen by its creator.
    pub name: String,
    /// Who created it (an audit actor).
    pub created_by: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

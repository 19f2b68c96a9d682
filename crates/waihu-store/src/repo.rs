//! The repository traits: one API, implemented by both backends. Every query on
//! tenant-owned rows takes the tenant id, so there is no call that reads or changes
//! another tenant's rows. Every change also appends its audit entry in the same
//! transaction: a change is never stored without its audit record.

use crate::audit::{Actor, AuditEntry, ChainBreak, ChainHead};
use crate::error::StoreResult;
use crate::model::{ApiToken, Tenant, TenantStatus, User};
use async_trait::async_trait;
use waihu_core::ids::ApiTokenId;
use waihu_core::{Role, TenantId, TenantName, UserId};

/// Tenants (platform-level rows, managed by the operator).
#[async_trait]
pub trait TenantRepo {
    /// Creates an active tenant; the name must be free.
    async fn create_tenant(&self, name: &TenantName, actor: &Actor) -> StoreResult<Tenant>;
    /// All tenants, by name.
    async fn list_tenants(&self) -> StoreResult<Vec<Tenant>>;
    /// One tenant by id.
    async fn get_tenant(&self, id: TenantId) -> StoreResult<Option<Tenant>>;
    /// One tenant by name.
    async fn find_tenant_by_name(&self, name: &TenantName) -> StoreResult<Option<Tenant>>;
    /// Suspends or resumes a tenant, with a reason for the audit log.
    async fn set_tenant_status(
        &self,
        id: TenantId,
        status: TenantStatus,
        reason: &str,
        actor: &Actor,
    ) -> StoreResult<Tenant>;
}

/// Back-office accounts.
#[async_trait]
pub trait UserRepo {
    /// Creates a user. Operators must have no tenant; other roles must have one.
    async fn create_user(
        &self,
        tenant_id: Option<TenantId>,
        username: &str,
        password: &str,
        role: Role,
        actor: &Actor,
    ) -> StoreResult<User>;
    /// A tenant's users, by username.
    async fn list_users(&self, tenant_id: TenantId) -> StoreResult<Vec<User>>;
    /// One of a tenant's users.
    async fn get_user(&self, tenant_id: TenantId, id: UserId) -> StoreResult<Option<User>>;
    /// Changes the password of one of a tenant's users.
    async fn set_user_password(
        &self,
        tenant_id: TenantId,
        id: UserId,
        password: &str,
        actor: &Actor,
    ) -> StoreResult<()>;
    /// Deletes one of a tenant's users.
    async fn delete_user(&self, tenant_id: TenantId, id: UserId, actor: &Actor) -> StoreResult<()>;
    /// The platform's operator accounts.
    async fn list_operators(&self) -> StoreResult<Vec<User>>;
    /// Looks up an account for login, by its unique username.
    async fn find_user_for_login(&self, username: &str) -> StoreResult<Option<User>>;
    /// Number of accounts on the platform (first-start detection).
    async fn count_users(&self) -> StoreResult<i64>;
}

/// Tenant API tokens; only hashes are stored.
#[async_trait]
pub trait ApiTokenRepo {
    /// Creates a token and returns it with its secret, which is never stored.
    async fn create_api_token(
        &self,
        tenant_id: TenantId,
        name: &str,
        actor: &Actor,
    ) -> StoreResult<(ApiToken, String)>;
    /// A tenant's tokens.
    async fn list_api_tokens(&self, tenant_id: TenantId) -> StoreResult<Vec<ApiToken>>;
    /// Revokes one of a tenant's tokens.
    async fn revoke_api_token(
        &self,
        tenant_id: TenantId,
        id: ApiTokenId,
        actor: &Actor,
    ) -> StoreResult<()>;
    /// Authenticates a presented secret: the token if it exists and is not revoked.
    async fn authenticate_api_token(&self, secret: &str) -> StoreResult<Option<ApiToken>>;
}

/// The hash-chained audit log.
#[async_trait]
pub trait AuditRepo {
    /// Appends one entry (for actions with no other row to change, e.g. logins).
    async fn append_audit(&self, entry: crate::audit::NewAudit) -> StoreResult<AuditEntry>;
    /// The newest entries of one tenant, newest first.
    async fn list_audit(&self, tenant_id: TenantId, limit: i64) -> StoreResult<Vec<AuditEntry>>;
    /// The newest entries of the whole platform (operator, auditor), newest first.
    async fn list_audit_platform(&self, limit: i64) -> StoreResult<Vec<AuditEntry>>;
    /// One page of the entries matching `search`, newest first, and how many
    /// match in all.
    async fn search_audit(
        &self,
        search: &crate::audit::AuditSearch,
    ) -> StoreResult<(Vec<AuditEntry>, u64)>;
    /// The stored hash of entry `seq`, if it exists.
    async fn audit_hash_at(&self, seq: i64) -> StoreResult<Option<String>>;
    /// Walks the whole chain: its head if intact, else the first break. Keyed
    /// entries are checked with the loaded audit key (a break without one).
    async fn verify_audit_chain(&self) -> StoreResult<Result<ChainHead, ChainBreak>>;
    /// Walks the whole chain like [`Self::verify_audit_chain`] but reports only what
    /// one tenant may see: how many of its own entries there are when intact.
    async fn verify_audit_tenant(
        &self,
        tenant_id: TenantId,
    ) -> StoreResult<Result<i64, ChainBreak>>;
    /// Keys every audit entry appended from now on with `key` (the binary loads it
    /// from the key directory at start).
    fn use_audit_key(&self, key: std::sync::Arc<crate::audit::AuditKey>);
    /// The newest entry's position and hash (`0:` + the genesis hash when empty).
    async fn audit_head(&self) -> StoreResult<ChainHead>;
    /// The oldest keyed entry's position and key id, if any entry is keyed.
    async fn audit_first_keyed(&self) -> StoreResult<Option<(i64, String)>>;
}

//! Per-tenant limits the operator sets: the number of concurrent lines and whether
//! lead pushes may carry full phone numbers.

use crate::error::StoreResult;
use crate::Actor;
use async_trait::async_trait;
use waihu_core::TenantId;

/// What a tenant may use. A tenant without a row has the defaults (no lines, masked
/// numbers only): the operator grants capacity explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TenantLimits {
    /// Concurrent lines (calls in flight) across all the tenant's tasks.
    pub line_quota: u32,
    /// Whether lead pushes may include the full number instead of the masked one.
    pub full_numbers_in_push: bool,
}

/// Tenant limits (set by the operator, audited).
#[async_trait]
pub trait LimitsRepo {
    /// The tenant's limits (defaults when none were set).
    async fn get_limits(&self, tenant_id: TenantId) -> StoreResult<TenantLimits>;
    /// Sets the tenant's concurrent line quota.
    async fn set_line_quota(
        &self,
        tenant_id: TenantId,
        lines: u32,
        actor: &Actor,
    ) -> StoreResult<()>;
    /// Allows or forbids full numbers in the tenant's lead pushes.
    async fn set_full_numbers_in_push(
        &self,
        tenant_id: TenantId,
        allowed: bool,
        actor: &Actor,
    ) -> StoreResult<()>;
}

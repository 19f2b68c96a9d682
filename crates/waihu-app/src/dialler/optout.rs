//! The opt-out sink of task calls: the callee's number goes onto the tenant's
//! do-not-call list (audited) before the robot says goodbye, so no task of the
//! tenant calls it again — the gate checks the list before every dial.

use waihu_call::{OptOutError, OptOutReason, OptOutSink};
use waihu_compliance::pii::PhoneHash;
use waihu_core::TenantId;
use waihu_store::{Actor, DncScope, Store};

/// Writes opt-outs of one call to the tenant's do-not-call list.
pub struct DncOptOut {
    /// The database.
    pub store: Store,
    /// The calling tenant.
    pub tenant_id: TenantId,
    /// The callee's number, hashed.
    pub hash: PhoneHash,
    /// The callee's number, masked (for the list's display).
    pub masked: String,
    /// The call (named in the audit log).
    pub call_id: uuid::Uuid,
}

#[async_trait::async_trait]
impl OptOutSink for DncOptOut {
    async fn opt_out(&self, reason: OptOutReason) -> Result<(), OptOutError> {
        self.store
            .add_dnc(
                DncScope::Tenant(self.tenant_id),
                &self.hash,
                &self.masked,
                &format!("opt-out during a call ({})", reason.as_str()),
                "call",
                &Actor::raw(format!("call:{}", self.call_id)),
            )
            .await
            .map(|_| ())
            .map_err(|e| OptOutError::Store(Box::new(e)))
    }
}

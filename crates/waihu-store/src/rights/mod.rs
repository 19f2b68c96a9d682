//! Callee rights (docs/rights.md): complaint tickets
//! with their do-not-call entry and the tenant's complaint rate (auto-pause over
//! the operator's threshold), data subject requests (export and erasure by the
//! number's keyed hash, across the platform) and the retention sweep. The rules
//! are pure functions in `waihu_compliance::{complaint_rate, retention, sla}`;
//! this module stores and applies them. Every change is audited in its own
//! transaction; times are passed in so that tests can inject them.

pub(crate) mod complaints;
pub(crate) mod retention;
pub(crate) mod rows;
pub(crate) mod subject;
#[cfg(feature = "testing")]
pub mod trace;

pub use complaints::{
    Complaint, ComplaintFilter, ComplaintRate, ComplaintScope, ComplaintState, FiledComplaint,
    NewComplaint, DEFAULT_MATCH_WINDOW,
};
pub use retention::{RetentionReport, RightsSettings, TenantSweep};
pub use subject::{ErasureReport, ExportedCall, ExportedContact, ExportedDnc, SubjectExport};

use crate::error::StoreResult;
use crate::Actor;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;
use waihu_compliance::pii::PhoneHash;
use waihu_compliance::retention::RetentionPeriods;
use waihu_core::TenantId;

/// Complaints, complaint rates, data subject requests and retention.
#[async_trait]
pub trait RightsRepo {
    // --- settings -------------------------------------------------------------

    /// The platform's rights settings (defaults until the operator sets them).
    async fn rights_settings(&self) -> StoreResult<RightsSettings>;
    /// Sets the platform's rights settings (operator; audited `rights.settings`).
    /// Refuses a negative threshold, a zero window or a zero maximum.
    async fn set_rights_settings(
        &self,
        settings: RightsSettings,
        actor: &Actor,
    ) -> StoreResult<RightsSettings>;
    /// The tenant's retention periods as set (defaults, 90 days each, until set;
    /// the sweep caps them by the platform maximum).
    async fn retention_periods(&self, tenant_id: TenantId) -> StoreResult<RetentionPeriods>;
    /// Sets the tenant's retention periods (audited `retention.set`); refuses
    /// periods over the platform maximum or of zero days (`StoreError::Invalid`).
    async fn set_retention_periods(
        &self,
        tenant_id: TenantId,
        periods: RetentionPeriods,
        actor: &Actor,
    ) -> StoreResult<RetentionPeriods>;

    // --- complaints -----------------------------------------------------------

    /// Files a complaint in one transaction: the ticket, tied to the calls of that
    /// number within the tenant within `match_window` of `occurred_at` (dialled
    /// calls only, not gate refusals); the number onto the tenant's do-not-call
    /// list; the audit entry (`complaint.file`); then the tenant's complaint rate
    /// and, over the threshold, every running task of the tenant paused with the
    /// reason in `state_reason` (audited `tenant.auto_pause`). The tenant is
    /// resolved as [`NewComplaint::tenant_id`] describes; without one, the ticket is
    /// stored for the operator and no list or rate is touched. Refuses an empty
    /// description.
    async fn file_complaint(
        &self,
        complaint: NewComplaint,
        actor: &Actor,
    ) -> StoreResult<FiledComplaint>;
    /// How many tickets were filed for the number with this keyed hash at or
    /// after `since` (the public pages' daily cap per verified number).
    async fn complaints_filed_since(
        &self,
        number_hash: &PhoneHash,
        since: DateTime<Utc>,
    ) -> StoreResult<i64>;
    /// Tickets in scope, newest first.
    async fn list_complaints(
        &self,
        scope: ComplaintScope,
        filter: ComplaintFilter,
    ) -> StoreResult<Vec<Complaint>>;
    /// One ticket in scope (`None` for another tenant's).
    async fn get_complaint(
        &self,
        scope: ComplaintScope,
        id: Uuid,
    ) -> StoreResult<Option<Complaint>>;
    /// Acknowledges an open ticket (audited `complaint.ack`); acknowledging an
    /// acknowledged ticket changes nothing; a closed one is a conflict.
    async fn ack_complaint(
        &self,
        scope: ComplaintScope,
        id: Uuid,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<Complaint>;
    /// The tenant's answer (audited `complaint.answer`); acknowledges an open
    /// ticket; a closed one is a conflict. Refuses an empty answer.
    async fn answer_complaint(
        &self,
        scope: ComplaintScope,
        id: Uuid,
        answer: &str,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<Complaint>;
    /// Closes a ticket with a resolution note (audited `complaint.close`); closing
    /// a closed ticket is a conflict.
    async fn close_complaint(
        &self,
        scope: ComplaintScope,
        id: Uuid,
        resolution: &str,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<Complaint>;
    /// The tenant's complaint rate over the settings' window ending at `now`.
    async fn complaint_rate(
        &self,
        tenant_id: TenantId,
        now: DateTime<Utc>,
    ) -> StoreResult<ComplaintRate>;
    /// Every tenant's complaint rate (operator view), by tenant name.
    async fn complaint_rates(&self, now: DateTime<Utc>) -> StoreResult<Vec<ComplaintRate>>;

    // --- data subject requests -------------------------------------------------

    /// Everything held about the number across the platform: calls, contacts with
    /// consent records, do-not-call entries, complaints. Audited
    /// (`subject.export`, masked number and hash only).
    async fn export_subject(
        &self,
        number: &PhoneHash,
        masked: &str,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<SubjectExport>;
    /// Erases the number across the platform in one transaction (see
    /// [`ErasureReport`] for what goes), leaving the hashed do-not-call entries and
    /// the audit entry (`subject.erase`). The caller deletes the recording files
    /// listed in the report. While a call to the number is in flight the erasure
    /// is refused (`StoreError::Conflict`): the call would write its transcript and
    /// recording afterwards.
    async fn erase_subject(
        &self,
        number: &PhoneHash,
        masked: &str,
        actor: &Actor,
    ) -> StoreResult<ErasureReport>;

    // --- retention ---------------------------------------------------------------

    /// Clears, for every tenant, what its retention periods (capped by the platform
    /// maximum) make due at `now`: recordings, transcripts, results (with their
    /// leads), and contacts whose consent ended five months ago or more (with
    /// consent records only they used). One transaction; audited
    /// (`retention.sweep`, one entry per tenant with something due) unless
    /// `dry_run`, which reports without changing anything. The caller deletes the
    /// recording files listed.
    async fn retention_sweep(
        &self,
        now: DateTime<Utc>,
        dry_run: bool,
        actor: &Actor,
    ) -> StoreResult<RetentionReport>;
}

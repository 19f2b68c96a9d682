//! Data subject requests about one number (found by its keyed hash): the export
//! of everything held, and the erasure across the platform that keeps only the
//! hashed do-not-call entries (and the audit entry of the erasure).

use chrono::{DateTime, Utc};
use uuid::Uuid;
use waihu_core::TenantId;

/// One call to the number.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExportedCall {
    /// The call.
    pub id: Uuid,
    /// The tenant that called.
    pub tenant_id: TenantId,
    /// Its name.
    pub tenant_name: String,
    /// The task, if any.
    pub task_name: Option<String>,
    /// When it was dialled (or refused).
    pub at: DateTime<Utc>,
    /// When it was answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// Talk time.
    pub duration_ms: Option<i64>,
    /// The outcome code.
    pub outcome: Option<String>,
    /// How the script ended.
    pub script_outcome: Option<String>,
    /// The robot's grade.
    pub grade: Option<String>,
    /// The callee asked not to be called again.
    pub opt_out: bool,
    /// The transcript (JSON), if kept.
    pub transcript: Option<String>,
    /// Where the recording is, if kept (the caller turns it into a short-lived link).
    pub recording_path: Option<String>,
}

/// One contact holding the number, with its consent record.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExportedContact {
    /// The contact.
    pub id: Uuid,
    /// The tenant.
    pub tenant_id: TenantId,
    /// Its name.
    pub tenant_name: String,
    /// The contact list.
    pub list_name: String,
    /// Name and custom fields.
    pub fields: serde_json::Value,
    /// When it was imported.
    pub created_at: DateTime<Utc>,
    /// Where consent came from.
    pub consent_source: String,
    /// When it was given.
    pub consent_given_at: DateTime<Utc>,
    /// The purposes it covers (JSON list as stored).
    pub consent_purposes: String,
    /// Whether leads may be passed on.
    pub consent_share_leads: bool,
    /// `ref` or `wording`.
    pub consent_evidence_kind: String,
    /// The reference or the wording.
    pub consent_evidence: String,
    /// When it expires.
    pub consent_expires_at: Option<DateTime<Utc>>,
    /// When it was withdrawn.
    pub consent_withdrawn_at: Option<DateTime<Utc>>,
}

/// One do-not-call entry holding the number.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExportedDnc {
    /// `tenant`, `platform` or `registry`.
    pub list: String,
    /// The tenant, for a tenant list.
    pub tenant_id: Option<TenantId>,
    /// Its name.
    pub tenant_name: Option<String>,
    /// Why.
    pub reason: String,
    /// Where it came from.
    pub source: String,
    /// Since when.
    pub created_at: DateTime<Utc>,
}

/// Everything held about a number.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SubjectExport {
    /// The masked number.
    pub number_masked: String,
    /// When the export was made.
    pub exported_at: DateTime<Utc>,
    /// Every call, oldest first.
    pub calls: Vec<ExportedCall>,
    /// Every contact and its consent record.
    pub contacts: Vec<ExportedContact>,
    /// Do-not-call memberships.
    pub dnc: Vec<ExportedDnc>,
    /// Complaints filed about calls to the number.
    pub complaints: Vec<super::Complaint>,
}

/// What an erasure removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ErasureReport {
    /// Contacts deleted.
    pub contacts: u64,
    /// Task queue rows deleted with them.
    pub queue_rows: u64,
    /// Consent records deleted (those only these contacts used).
    pub consent_records: u64,
    /// Calls stripped of the number, transcript, script path, intents, turn log,
    /// recording path and results (the call row stays, anonymous, for the tenants'
    /// statistics and complaint rates).
    pub calls: u64,
    /// Leads deleted.
    pub leads: u64,
    /// Push deliveries of those leads deleted.
    pub push_deliveries: u64,
    /// Dial attempts deleted.
    pub dial_attempts: u64,
    /// Complaints stripped of the number and description (kept anonymous: they
    /// still count against the tenant).
    pub complaints: u64,
    /// Tenants whose do-not-call list received the hashed number (those that held
    /// it as a contact), so that they cannot call it again from a new import.
    pub dnc_added: Vec<TenantId>,
    /// Recording files the caller must delete.
    pub recording_paths: Vec<String>,
}

//! Retention settings and the sweep's report. The periods and their cap are
//! `waihu_compliance::retention`; the platform settings are stored so the operator
//! can change them (audited).

use chrono::{DateTime, Utc};
use uuid::Uuid;
use waihu_compliance::retention::RetentionPeriods;
use waihu_core::TenantId;

/// Platform-wide settings of callee rights (operator; changes audited).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RightsSettings {
    /// Complaints per 1,000 answered calls above which a tenant's tasks pause.
    pub complaint_threshold_per_1000: f64,
    /// The window the complaint rate is computed over, in days.
    pub complaint_window_days: u32,
    /// The longest retention period a tenant may set, in days.
    pub retention_max_days: u32,
}

impl Default for RightsSettings {
    fn default() -> Self {
        Self {
            complaint_threshold_per_1000: 1.0,
            complaint_window_days: 30,
            retention_max_days: 365,
        }
    }
}

/// What the sweep cleared (or would clear, in a dry run) for one tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TenantSweep {
    /// The tenant.
    pub tenant_id: Option<TenantId>,
    /// The periods in force (capped).
    pub periods: Option<RetentionPeriods>,
    /// Calls whose recording path was cleared.
    pub recordings: Vec<Uuid>,
    /// The recording files to delete.
    pub recording_paths: Vec<String>,
    /// Calls whose transcript, script path, intents and turn log were cleared.
    pub transcripts: Vec<Uuid>,
    /// Calls whose results (script outcome, grade) were cleared.
    pub results: Vec<Uuid>,
    /// Leads deleted with the results.
    pub leads: u64,
    /// Contacts deleted because their consent ended five months ago or more.
    pub contacts: u64,
    /// Consent records deleted with them.
    pub consent_records: u64,
}

impl TenantSweep {
    /// Whether nothing was due.
    pub fn is_empty(&self) -> bool {
        self.recordings.is_empty()
            && self.transcripts.is_empty()
            && self.results.is_empty()
            && self.leads == 0
            && self.contacts == 0
            && self.consent_records == 0
    }
}

/// The sweep's report.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RetentionReport {
    /// The instant the sweep stood at.
    pub now: Option<DateTime<Utc>>,
    /// Whether nothing was changed.
    pub dry_run: bool,
    /// One entry per tenant with something due.
    pub tenants: Vec<TenantSweep>,
}

impl RetentionReport {
    /// Every recording file to delete.
    pub fn recording_paths(&self) -> impl Iterator<Item = &str> {
        self.tenants
            .iter()
            .flat_map(|t| t.recording_paths.iter().map(String::as_str))
    }
}

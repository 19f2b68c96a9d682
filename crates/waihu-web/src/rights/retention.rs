//! Retention periods and the operator's rights settings as the back office and
//! the API see them (storage is `waihu_store::RightsRepo`, which audits every
//! change): a tenant admin reads and sets the tenant's periods, capped by the
//! platform maximum; the operator reads and sets the complaint threshold and
//! the maximum.

use crate::auth::principal::{TENANT_ADMINS, TENANT_READERS};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waihu_compliance::retention::{RetentionError, RetentionPeriods};
use waihu_core::{Role, TenantId};
use waihu_store::RightsSettings;
/// A tenant's retention periods and the platform maximum.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RetentionView {
    /// Days recordings are kept.
    pub recordings_days: u32,
    /// Days transcripts (with paths, intents, turn logs) are kept.
    pub transcripts_days: u32,
    /// Days results (outcome, grade, leads) are kept.
    pub results_days: u32,
    /// The longest period the platform allows, in days.
    pub max_days: u32,
}

/// New retention periods, in days.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RetentionReq {
    /// Days recordings are kept (1 to the platform maximum).
    pub recordings_days: u32,
    /// Days transcripts are kept.
    pub transcripts_days: u32,
    /// Days results are kept.
    pub results_days: u32,
}

/// The tenant's periods (admins and auditors read).
pub async fn retention(state: &AppState, who: &Principal) -> AppResult<RetentionView> {
    let t = who.tenant_for(TENANT_READERS)?;
    retention_of(state, t).await
}

/// The tenant's periods and the maximum.
pub async fn retention_of(state: &AppState, t: TenantId) -> AppResult<RetentionView> {
    let p = state.store.retention_periods(t).await?;
    let max = state.store.rights_settings().await?.retention_max_days;
    Ok(RetentionView {
        recordings_days: p.recordings_days,
        transcripts_days: p.transcripts_days,
        results_days: p.results_days,
        max_days: max,
    })
}

/// Sets the tenant's periods (admins; audited). A period over the platform
/// maximum or of zero days is refused with the field at fault; nothing is saved.
pub async fn set_retention(
    state: &AppState,
    who: &Principal,
    req: RetentionReq,
) -> AppResult<RetentionView> {
    let t = who.tenant_for(TENANT_ADMINS)?;
    let periods = RetentionPeriods {
        recordings_days: req.recordings_days,
        transcripts_days: req.transcripts_days,
        results_days: req.results_days,
    };
    let max = state.store.rights_settings().await?.retention_max_days;
    periods.validate(max).map_err(|e| {
        let kind = match &e {
            RetentionError::OverMaximum { kind, .. } | RetentionError::Zero(kind) => *kind,
        };
        AppError::invalid(&format!("{kind}_days"), e.to_string())
    })?;
    state
        .store
        .set_retention_periods(t, periods, &who.actor)
        .await?;
    retention_of(state, t).await
}

/// The operator's platform settings of callee rights.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RightsSettingsDto {
    /// Complaints per 1,000 answered calls above which a tenant's tasks pause.
    pub complaint_threshold_per_1000: f64,
    /// Days the complaint rate is computed over.
    pub complaint_window_days: u32,
    /// The longest retention period a tenant may set, in days.
    pub retention_max_days: u32,
}

impl From<RightsSettings> for RightsSettingsDto {
    fn from(s: RightsSettings) -> Self {
        Self {
            complaint_threshold_per_1000: s.complaint_threshold_per_1000,
            complaint_window_days: s.complaint_window_days,
            retention_max_days: s.retention_max_days,
        }
    }
}

/// The platform settings (operator).
pub async fn rights_settings(state: &AppState, who: &Principal) -> AppResult<RightsSettingsDto> {
    who.require(&[Role::Operator])?;
    Ok(state.store.rights_settings().await?.into())
}

/// Changes the platform settings (operator; audited `rights.settings`).
pub async fn set_rights_settings(
    state: &AppState,
    who: &Principal,
    req: RightsSettingsDto,
) -> AppResult<RightsSettingsDto> {
    who.require(&[Role::Operator])?;
    let t = req.complaint_threshold_per_1000;
    if !t.is_finite() || t < 0.0 {
        return Err(AppError::invalid(
            "complaint_threshold_per_1000",
            "the threshold must be a number of at least 0",
        ));
    }
    if req.complaint_window_days == 0 {
        return Err(AppError::invalid(
            "complaint_window_days",
            "the window must be at least 1 day",
        ));
    }
    if req.retention_max_days == 0 {
        return Err(AppError::invalid(
            "retention_max_days",
            "the retention maximum must be at least 1 day",
        ));
    }
    let s = RightsSettings {
        complaint_threshold_per_1000: t,
        complaint_window_days: req.complaint_window_days,
        retention_max_days: req.retention_max_days,
    };
    Ok(state.store.set_rights_settings(s, &who.actor).await?.into())
}

//! Creating a task from the back office form or the API: the same checks as
//! `waihu task create` (the shared [`waihu_campaign::TaskDraft`] rules), plus
//! the look-ups in the caller's tenant — a published script version of the
//! tenant, the tenant's contact lists, a caller number assigned to the tenant and
//! verified, a registered trunk. Every error names its field; nothing is stored
//! unless everything passes.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use waihu_campaign::{CallerNumberFacts, Delay, DraftError, TaskDraft};
use waihu_core::TenantId;
use waihu_store::{Actor, CallerNumber, NewTask, ScriptVersion, Task};

/// A new task (`POST /api/v1/tasks`; the page's form is read into the same).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTaskReq {
    /// Unique within the tenant, 1–64 characters.
    pub name: String,
    /// The consent purpose of the calls (default `marketing`).
    #[serde(default)]
    pub purpose: Option<String>,
    /// A published script version of the tenant.
    pub script_version_id: Uuid,
    /// The tenant's contact lists to call (at least one).
    pub list_ids: Vec<Uuid>,
    /// The caller number shown (E.164), assigned to the tenant and verified.
    pub caller_number: String,
    /// The trunk to dial through.
    pub trunk_id: Uuid,
    /// Robot lines, within the tenant's quota (default 1).
    #[serde(default)]
    pub lines: Option<u32>,
    /// Attempts per second, if limited.
    #[serde(default)]
    pub cps_limit: Option<f64>,
    /// Calling windows: `{"mon":["09:00-12:00"],…}` as a string, or windows like
    /// `09:00-12:00, 14:00-18:00` for every day (default 09:00-20:00 every day).
    #[serde(default)]
    pub windows: Option<String>,
    /// Retry policy JSON as a string, e.g. `{"max_attempts":3,"after":{"busy":"30m"}}`.
    #[serde(default)]
    pub retry: Option<String>,
    /// Higher first when the tenant's tasks compete for lines (default 0).
    #[serde(default)]
    pub priority: Option<i32>,
    /// Calls graded at or above this letter become leads (default `B`).
    #[serde(default)]
    pub lead_grade: Option<String>,
    /// No calls before.
    #[serde(default)]
    pub starts_at: Option<DateTime<Utc>>,
    /// The task completes at.
    #[serde(default)]
    pub ends_at: Option<DateTime<Utc>>,
    /// A/B: a second published script version of the tenant, run on
    /// `split_percent` of the contacts (variant B).
    #[serde(default)]
    pub variant_b_script_version_id: Option<Uuid>,
    /// A/B: percent of contacts on variant B, 1–99 (default 50).
    #[serde(default)]
    pub split_percent: Option<i64>,
}

impl From<DraftError> for AppError {
    fn from(e: DraftError) -> Self {
        AppError::invalid(e.field, e.message)
    }
}

/// A date-time typed in a form: RFC 3339, `YYYY-MM-DDTHH:MM` or `YYYY-MM-DD`
/// (UTC); empty is `None`.
pub fn parse_when(field: &str, s: &str) -> AppResult<Option<DateTime<Utc>>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M") {
        return Ok(Some(t.and_utc()));
    }
    if let Some(t) = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
    {
        return Ok(Some(t.and_utc()));
    }
    Err(AppError::invalid(
        field,
        format!("{s:?} is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM, UTC)"),
    ))
}

/// The tenant's caller numbers.
pub async fn tenant_numbers(state: &AppState, tenant: TenantId) -> AppResult<Vec<CallerNumber>> {
    Ok(state
        .store
        .list_caller_numbers()
        .await?
        .into_iter()
        .filter(|n| n.tenant_id == Some(tenant))
        .collect())
}

/// The newest published version of each of the tenant's scripts, with the
/// script's name.
pub async fn published_versions(
    state: &AppState,
    tenant: TenantId,
) -> AppResult<Vec<(String, ScriptVersion)>> {
    let mut out = Vec::new();
    for s in state.store.list_scripts(tenant).await? {
        if s.published_version.is_none() {
            continue;
        }
        let versions = state.store.list_script_versions(tenant, s.id).await?;
        if let Some(v) = versions.into_iter().find(|v| v.published_at.is_some()) {
            out.push((s.name, v));
        }
    }
    Ok(out)
}

/// Checks `req` and stores the task (draft) in the caller's tenant.
pub async fn create(
    state: &AppState,
    tenant: TenantId,
    req: CreateTaskReq,
    actor: &Actor,
) -> AppResult<Task> {
    let quota = state.store.get_limits(tenant).await?.line_quota;
    let draft = TaskDraft {
        name: req.name.clone(),
        purpose: req.purpose.clone().unwrap_or_else(|| "marketing".into()),
        lines: req.lines.unwrap_or(1),
        cps: req.cps_limit,
        windows: req.windows.clone(),
        retry: req.retry.clone(),
        lead_grade: req.lead_grade.clone().unwrap_or_else(|| "B".into()),
        starts: req.starts_at,
        ends: req.ends_at,
    };
    let checked = draft.check(quota, Delay::from_mins(1))?;
    let version = state
        .store
        .get_script_version(tenant, req.script_version_id)
        .await?
        .ok_or_else(|| AppError::invalid("script_version_id", "no such script version"))?;
    if version.published_at.is_none() {
        return Err(AppError::invalid(
            "script_version_id",
            format!(
                "version {} of the script is not published yet",
                version.version
            ),
        ));
    }
    if req.list_ids.is_empty() {
        return Err(AppError::invalid(
            "list_ids",
            "choose at least one contact list",
        ));
    }
    let lists = state.store.list_contact_lists(tenant).await?;
    let mut list_ids = Vec::with_capacity(req.list_ids.len());
    for id in &req.list_ids {
        if !lists.iter().any(|l| l.id == *id) {
            return Err(AppError::invalid(
                "list_ids",
                format!("no contact list {id}"),
            ));
        }
        if !list_ids.contains(id) {
            list_ids.push(*id);
        }
    }
    let number = req.caller_number.trim();
    let caller = state.store.get_caller_number(number).await?;
    waihu_campaign::draft::check_caller_number(
        number,
        caller.map(|c| CallerNumberFacts {
            assigned_here: c.tenant_id == Some(tenant),
            verified: c.verified_at.is_some(),
        }),
    )?;
    let trunk = state
        .store
        .get_trunk(req.trunk_id)
        .await?
        .ok_or_else(|| AppError::invalid("trunk_id", "no such trunk"))?;
    let variant = variant_b(state, tenant, &req).await?;
    Ok(state
        .store
        .create_task_with_variant(
            tenant,
            NewTask {
                windows_json: checked.windows_json(),
                retry_json: checked.retry_json(),
                name: checked.name,
                purpose: checked.purpose.to_string(),
                script_version_id: version.id,
                caller_number: number.to_string(),
                trunk_id: trunk.id,
                list_ids,
                lines: checked.settings.lines,
                cps_limit: checked.settings.cps_limit,
                priority: req.priority.unwrap_or(0),
                lead_grade: checked.lead.to_string(),
                starts_at: checked.starts,
                ends_at: checked.ends,
            },
            variant,
            actor,
        )
        .await?)
}

/// The A/B variant asked for: a published version of the tenant (variant A's
/// own is an A/A test, as on the CLI) and a split of 1–99 %.
async fn variant_b(
    state: &AppState,
    tenant: TenantId,
    req: &CreateTaskReq,
) -> AppResult<Option<waihu_store::TaskVariant>> {
    let Some(id) = req.variant_b_script_version_id else {
        if req.split_percent.is_some() {
            return Err(AppError::invalid(
                "split_percent",
                "a split needs variant B (a second script version)",
            ));
        }
        return Ok(None);
    };
    let split = waihu_campaign::Split::new(req.split_percent.unwrap_or(50))
        .map_err(|e| AppError::invalid("split_percent", e.to_string()))?;
    let v = state
        .store
        .get_script_version(tenant, id)
        .await?
        .ok_or_else(|| {
            AppError::invalid("variant_b_script_version_id", "no such script version")
        })?;
    if v.published_at.is_none() {
        return Err(AppError::invalid(
            "variant_b_script_version_id",
            format!("version {} of the script is not published yet", v.version),
        ));
    }
    Ok(Some(waihu_store::TaskVariant {
        script_version_id: v.id,
        split_percent: split.percent(),
    }))
}

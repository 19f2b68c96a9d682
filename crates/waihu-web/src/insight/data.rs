//! Reading what the insights need, always for the caller's tenant: the task or
//! script version (another tenant's is 404), the daily report from the store's
//! hourly rollups, and call facts — the newest [`MAX_FACTS`] calls of a scope,
//! read through `waihu_app::insight`, the same code `waihu report` runs.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::FixedOffset;
use uuid::Uuid;
use waihu_core::TenantId;
use waihu_insight::facts::CallFact;
use waihu_insight::report::Report;
use waihu_store::{FactScope, ScriptVersion, Task};

/// The most calls a funnel, cluster or keyword page reads (newest first).
pub const MAX_FACTS: usize = 20_000;

/// The offset reports fold days in: China Standard Time (the product's
/// market; tenants have no time-zone setting yet).
pub fn report_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"))
}

/// One of the tenant's tasks by the id in the path (404 otherwise).
pub async fn task(state: &AppState, t: TenantId, raw: &str) -> AppResult<Task> {
    let id: Uuid = raw.parse().map_err(|_| AppError::not_found("task"))?;
    state
        .store
        .get_task(t, id)
        .await?
        .ok_or_else(|| AppError::not_found("task"))
}

/// One of the tenant's script versions by the id in the path (404 otherwise).
pub async fn version(state: &AppState, t: TenantId, raw: &str) -> AppResult<ScriptVersion> {
    let id: Uuid = raw
        .parse()
        .map_err(|_| AppError::not_found("script version"))?;
    state
        .store
        .get_script_version(t, id)
        .await?
        .ok_or_else(|| AppError::not_found("script version"))
}

/// The task's report by local day, from the hourly rollups.
pub async fn report(state: &AppState, t: TenantId, task_id: Uuid) -> AppResult<Report> {
    let (report, _) =
        waihu_app::insight::task_report(&state.store, t, task_id, report_offset()).await?;
    Ok(report)
}

/// The newest calls of `scope` as facts (at most [`MAX_FACTS`]).
pub async fn facts(
    state: &AppState,
    t: TenantId,
    scope: FactScope,
    only_unknown: bool,
) -> AppResult<Vec<CallFact>> {
    let max = u32::try_from(MAX_FACTS).unwrap_or(u32::MAX);
    let (facts, _) =
        waihu_app::insight::load_facts(&state.store, t, scope, only_unknown, max).await?;
    Ok(facts)
}

//! Reading what the insights need, always for the caller's tenant: the task or
//! script version (another tenant's is 404), the daily report from the store's
//! hourly rollups, and call facts — the newest [`MAX_FACTS`] calls of a scope,
//! paged from the store and converted with the listening nodes of each call's
//! script version. A call row that cannot be read is skipped and logged.
//! [`stored_call`] lends a store row to `waihu-insight` (the store does not
//! know the insight crate).

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::{DateTime, FixedOffset, Utc};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;
use waihu_core::TenantId;
use waihu_insight::facts::{listening_nodes, CallFact};
use waihu_insight::report::{local_day, Report, ReportRow};
use waihu_insight::stored::{to_fact, StoredCall};
use waihu_store::insight::{fold_days, MAX_FACT_PAGE};
use waihu_store::{CallFactRow, FactPage, FactScope, ScriptVersion, Task};

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
    let hours = state.store.task_rollup(t, task_id).await?;
    let refusals = state.store.task_refusals(t, task_id).await?;
    let tickets = state.store.task_complaint_tickets(t, task_id).await?;
    let offset = report_offset();
    let days = fold_days(&hours, &refusals, |h: DateTime<Utc>| local_day(h, offset));
    let mut rows: Vec<ReportRow> = days
        .into_iter()
        .map(|d| {
            let c = |v: i64| u64::try_from(v).unwrap_or(0);
            let x = &d.totals;
            ReportRow {
                day: Some(d.day),
                attempts: c(x.attempts),
                answered: c(x.answered),
                talk_ms: c(x.talk_ms),
                grades: x.grades.map(c),
                leads: c(x.leads),
                refused: c(x.refused),
                refusals: d.refusals.iter().map(|(k, v)| (k.clone(), c(*v))).collect(),
                opt_outs: c(x.opt_outs),
                complaints: c(x.complaints),
                complaint_tickets: 0,
            }
        })
        .collect();
    Report::count_tickets(&mut rows, &tickets, offset);
    Ok(Report::from_days(rows))
}

/// The newest calls of `scope` as facts (at most [`MAX_FACTS`]).
pub async fn facts(
    state: &AppState,
    t: TenantId,
    scope: FactScope,
    only_unknown: bool,
) -> AppResult<Vec<CallFact>> {
    let mut rows: Vec<CallFactRow> = Vec::new();
    let mut before = None;
    loop {
        let want = (MAX_FACTS - rows.len()).min(MAX_FACT_PAGE as usize);
        let page = FactPage {
            scope,
            before,
            limit: u32::try_from(want).unwrap_or(MAX_FACT_PAGE),
            only_unknown,
        };
        let got = state.store.call_facts(t, &page).await?;
        let n = got.len();
        before = got.last().map(|r| r.id);
        rows.extend(got);
        if n < want || rows.len() >= MAX_FACTS {
            break;
        }
    }
    let mut listening: BTreeMap<Uuid, BTreeSet<String>> = BTreeMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let nodes = match r.script_version_id {
            Some(v) => match listening.get(&v) {
                Some(set) => set.clone(),
                None => {
                    let set = match state.store.get_script_version(t, v).await? {
                        Some(sv) => waihu_dialog::script::load_str(&sv.yaml)
                            .script
                            .map(|s| listening_nodes(&s))
                            .unwrap_or_default(),
                        None => BTreeSet::new(),
                    };
                    listening.insert(v, set.clone());
                    set
                }
            },
            None => BTreeSet::new(),
        };
        match to_fact(&stored_call(r), &nodes) {
            Ok(f) => out.push(f),
            Err(e) => tracing::warn!(error = %e, "insight: call row skipped"),
        }
    }
    Ok(out)
}

/// A call row as `waihu-insight` reads it (borrowed; JSON still unparsed).
pub fn stored_call(r: &CallFactRow) -> StoredCall<'_> {
    StoredCall {
        id: r.id,
        task_id: r.task_id,
        script_version_id: r.script_version_id,
        variant: r.variant.as_deref(),
        created_at: r.created_at,
        answered_at: r.answered_at,
        duration_ms: r.duration_ms,
        outcome: r.outcome.as_deref(),
        script_outcome: r.script_outcome.as_deref(),
        grade: r.grade.as_deref(),
        opt_out: r.opt_out,
        lead: r.lead,
        gate_json: &r.gate_json,
        path_json: r.path_json.as_deref(),
        turn_log_json: r.turn_log_json.as_deref(),
        transcript_json: r.transcript_json.as_deref(),
    }
}

//! What the reports and insight views read, shared by `waihu report` and the
//! back office: a task's report by local day from the hourly rollups (with
//! complaint tickets counted per day), and the newest calls of a scope as
//! `waihu-insight` facts (each turn attributed to the listening node of its
//! script version).

use chrono::FixedOffset;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;
use waihu_core::TenantId;
use waihu_insight::facts::{listening_nodes, CallFact};
use waihu_insight::report::{local_day, Report, ReportRow};
use waihu_insight::stored::{to_fact, StoredCall};
use waihu_store::insight::{fold_days, RollupHour, MAX_FACT_PAGE};
use waihu_store::{CallFactRow, FactPage, FactScope, Store, StoreResult};

/// A task's report by local day at `offset`, and the hourly rollups it was
/// folded from.
pub async fn task_report(
    store: &Store,
    tenant: TenantId,
    task: Uuid,
    offset: FixedOffset,
) -> StoreResult<(Report, Vec<RollupHour>)> {
    let hours = store.task_rollup(tenant, task).await?;
    let refusals = store.task_refusals(tenant, task).await?;
    let tickets = store.task_complaint_tickets(tenant, task).await?;
    let days = fold_days(&hours, &refusals, |h| local_day(h, offset));
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
    Ok((Report::from_days(rows), hours))
}

/// The newest `max` calls of `scope` (with `only_unknown`, only calls with an
/// unrecognised or low-confidence turn) as facts, with the rows they came from.
/// A row that cannot be read is left out and logged.
pub async fn load_facts(
    store: &Store,
    tenant: TenantId,
    scope: FactScope,
    only_unknown: bool,
    max: u32,
) -> StoreResult<(Vec<CallFact>, Vec<CallFactRow>)> {
    let mut rows: Vec<CallFactRow> = Vec::new();
    let mut before = None;
    while (rows.len() as u32) < max {
        let limit = (max - rows.len() as u32).min(MAX_FACT_PAGE);
        let page = store
            .call_facts(
                tenant,
                &FactPage {
                    scope,
                    before,
                    limit,
                    only_unknown,
                },
            )
            .await?;
        let done = (page.len() as u32) < limit;
        before = page.last().map(|r| r.id);
        rows.extend(page);
        if done {
            break;
        }
    }
    let mut listening: BTreeMap<Uuid, BTreeSet<String>> = BTreeMap::new();
    let mut facts = Vec::with_capacity(rows.len());
    let empty = BTreeSet::new();
    for r in &rows {
        let nodes = match r.script_version_id {
            Some(v) => {
                if let std::collections::btree_map::Entry::Vacant(slot) = listening.entry(v) {
                    let set = match store.get_script_version(tenant, v).await? {
                        Some(sv) => waihu_dialog::script::load_str(&sv.yaml)
                            .script
                            .map(|s| listening_nodes(&s))
                            .unwrap_or_default(),
                        None => BTreeSet::new(),
                    };
                    slot.insert(set);
                }
                listening.get(&v)
            }
            None => None,
        };
        match to_fact(&stored_call(r), nodes.unwrap_or(&empty)) {
            Ok(f) => facts.push(f),
            Err(e) => tracing::warn!(call = %r.id, error = %e, "call left out of the report"),
        }
    }
    Ok((facts, rows))
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

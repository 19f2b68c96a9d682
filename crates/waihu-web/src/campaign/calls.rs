//! Call records: the filtered, newest-first list and one call, always of the
//! caller's tenant. The JSON columns written by the dialler (gate decision, path,
//! intents, transcript) are read leniently: a shape we do not know is shown raw.

use super::{non_empty, store_window, Window};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use waihu_core::TenantId;
use waihu_store::{CallFilter, CallRecord};

/// Filters of the call list (query string).
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallQuery {
    /// Only this task's calls (task id).
    pub task: Option<String>,
    /// Only this outcome code (e.g. `answered`, `busy`, `refused`).
    pub outcome: Option<String>,
    /// Only this grade (`A`..`F`).
    pub grade: Option<String>,
}

impl CallQuery {
    /// The store's filter for one page.
    pub fn filter(&self, limit: usize, offset: usize) -> AppResult<CallFilter> {
        let task_id = match non_empty(&self.task) {
            Some(t) => Some(
                t.parse::<Uuid>()
                    .map_err(|_| AppError::invalid("task", "not a task id"))?,
            ),
            None => None,
        };
        let grade = non_empty(&self.grade).map(str::to_string);
        if let Some(g) = &grade {
            super::check_grade(g)?;
        }
        let (limit, offset) = store_window(limit, offset)?;
        Ok(CallFilter {
            task_id,
            outcome: non_empty(&self.outcome).map(str::to_string),
            grade,
            limit,
            offset,
            ..CallFilter::default()
        })
    }
}

/// A page of the tenant's calls matching `q`.
pub async fn list(
    state: &AppState,
    tenant: TenantId,
    q: &CallQuery,
    limit: usize,
    offset: usize,
) -> AppResult<Window<CallRecord>> {
    let rows = state
        .store
        .list_calls(tenant, q.filter(limit, offset)?)
        .await?;
    Ok(Window::cut(rows, limit))
}

/// One of the tenant's calls; another tenant's is 404.
pub async fn find(state: &AppState, tenant: TenantId, id: Uuid) -> AppResult<CallRecord> {
    state
        .store
        .get_call(tenant, id)
        .await?
        .ok_or_else(|| AppError::not_found("call"))
}

/// One line of a transcript.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TranscriptLine {
    /// `robot` or `callee` (as the dialler wrote it).
    pub speaker: String,
    /// What was said; null when the words were not kept (recording refused).
    pub text: Option<String>,
    /// Start, ms since answer.
    pub start_ms: Option<u64>,
    /// End, ms since answer.
    pub end_ms: Option<u64>,
}

/// The transcript column as lines (unknown shapes give no lines).
pub fn transcript(c: &CallRecord) -> Vec<TranscriptLine> {
    let Some(raw) = c.transcript_json.as_deref() else {
        return Vec::new();
    };
    let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(raw) else {
        return Vec::new();
    };
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    items
        .iter()
        .map(|i| TranscriptLine {
            speaker: i
                .get("speaker")
                .or_else(|| i.get("who"))
                .map(text)
                .unwrap_or_default(),
            text: i.get("text").and_then(|t| t.as_str()).map(str::to_string),
            start_ms: i.get("start_ms").and_then(|v| v.as_u64()),
            end_ms: i.get("end_ms").and_then(|v| v.as_u64()),
        })
        .collect()
}

/// A JSON column parsed for output (raw text as a string when it is not JSON).
pub fn json_column(raw: Option<&str>) -> Option<serde_json::Value> {
    raw.map(|r| serde_json::from_str(r).unwrap_or_else(|_| serde_json::Value::String(r.into())))
}

/// `m:ss` for a duration in milliseconds.
pub fn fmt_duration(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    format!("{}:{:02}", s / 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_filters() {
        assert_eq!(fmt_duration(65_400), "1:05");
        assert_eq!(fmt_duration(-5), "0:00");
        let bad = CallQuery {
            task: Some("nope".into()),
            ..CallQuery::default()
        };
        assert_eq!(
            bad.filter(10, 0).unwrap_err().field.as_deref(),
            Some("task")
        );
        let bad = CallQuery {
            grade: Some("Z".into()),
            ..CallQuery::default()
        };
        assert_eq!(
            bad.filter(10, 0).unwrap_err().field.as_deref(),
            Some("grade")
        );
        let ok = CallQuery {
            grade: Some(" ".into()),
            outcome: Some("busy".into()),
            ..CallQuery::default()
        };
        let f = ok.filter(10, 20).unwrap();
        assert_eq!(
            (f.grade, f.outcome.as_deref(), f.limit, f.offset),
            (None, Some("busy"), 11, 20)
        );
    }
}

//! Call records: the tenant's calls, newest first, filtered by task, outcome and
//! grade, 50 a page; one call with its outcome, times, gate decision, dialog
//! path, intents, transcript, grade, the lead it became (regraded there by an
//! agent or admin) and the recording's player. Numbers are only
//! ever the stored masked form. Recordings are served by `GET /calls/{id}/recording`
//! (tenant and role checked, files only from the recordings folder).

use super::{csrf_field, fmt_time, layout, parse_id, urlencode, PageCtx};
use crate::auth::principal::{CAMPAIGN_READERS, LEAD_WORKERS};
use crate::campaign::calls::{self, fmt_duration, CallQuery};
use crate::campaign::recordings;
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;
use waihu_core::CallOutcome;

/// Calls per page.
pub const PAGE: usize = 50;

/// The list's query: filters and offset.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    task: Option<String>,
    outcome: Option<String>,
    grade: Option<String>,
    offset: Option<usize>,
}

impl ListQuery {
    fn filter(&self) -> CallQuery {
        CallQuery {
            task: self.task.clone(),
            outcome: self.outcome.clone(),
            grade: self.grade.clone(),
        }
    }
}

fn opt_time(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(super::fmt_time).unwrap_or_else(|| "—".into())
}

/// `GET /calls`.
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<ListQuery>,
) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(CAMPAIGN_READERS)?;
    let offset = q.offset.unwrap_or(0);
    let f = q.filter();
    let w = calls::list(&state, t, &f, PAGE, offset).await?;
    let tasks = state.store.list_tasks(t).await?;
    let task_name = |id: Option<Uuid>| {
        id.and_then(|id| tasks.iter().find(|x| x.id == id))
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    let f = &f;
    let sel = |v: &Option<String>| v.clone().unwrap_or_default();
    let link = |off: usize| {
        format!(
            "/calls?task={}&outcome={}&grade={}&offset={off}",
            urlencode(&sel(&f.task)),
            urlencode(&sel(&f.outcome)),
            urlencode(&sel(&f.grade))
        )
    };
    let body = html! {
        div.card {
            form.row method="get" action="/calls" {
                label { (ctx.t(Msg::Task)) select name="task" {
                    option value="" { (ctx.t(Msg::AllOptions)) }
                    @for task in &tasks { option value=(task.id) selected[sel(&f.task) == task.id.to_string()] { (task.name) } }
                } }
                label { (ctx.t(Msg::Outcome)) input type="text" name="outcome" value=(sel(&f.outcome)) placeholder=(CallOutcome::Answered.as_str()); }
                label { (ctx.t(Msg::Grade)) select name="grade" {
                    option value="" { (ctx.t(Msg::AllOptions)) }
                    @for g in ["A", "B", "C", "D", "E", "F"] { option value=(g) selected[sel(&f.grade) == g] { (g) } }
                } }
                button.secondary type="submit" { (ctx.t(Msg::Filter)) }
            }
        }
        div.card {
            p.hint { (ctx.t(Msg::NumbersMasked)) }
            table {
                thead { tr {
                    th { (ctx.t(Msg::Time)) } th { (ctx.t(Msg::Number)) } th { (ctx.t(Msg::Task)) }
                    th { (ctx.t(Msg::Outcome)) } th { (ctx.t(Msg::Duration)) } th { (ctx.t(Msg::Grade)) }
                } }
                tbody {
                    @for c in &w.rows {
                        tr {
                            td.mono { a href={ "/calls/" (c.id) } { (fmt_time(c.created_at)) } }
                            td.mono { (c.number_masked) }
                            td { (task_name(c.task_id)) }
                            td.mono { (c.outcome.as_deref().unwrap_or(c.state.as_str())) }
                            td { @if let Some(d) = c.duration_ms { (fmt_duration(d)) } }
                            td { @if let Some(g) = &c.grade { span.badge.role { (g) } } }
                        }
                    }
                    @if w.rows.is_empty() { tr { td.empty colspan="6" { (ctx.t(Msg::NoRows)) } } }
                }
            }
            div.pager {
                @if offset > 0 { a.btn.secondary href=(link(offset.saturating_sub(PAGE))) { "← " (ctx.t(Msg::Previous)) } }
                @if w.more { a.btn.secondary href=(link(offset + PAGE)) { (ctx.t(Msg::Next)) " →" } }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::CallsTitle), body))
}

/// The speaker's label (an unknown one is shown as written).
fn speaker<'a>(ctx: &PageCtx, raw: &'a str) -> std::borrow::Cow<'a, str> {
    match raw {
        "robot" => ctx.t(Msg::SpeakerRobot).into(),
        "callee" => ctx.t(Msg::SpeakerCallee).into(),
        other => other.into(),
    }
}

fn json_block(raw: Option<&str>) -> Markup {
    let pretty = calls::json_column(raw)
        .map(|v| serde_json::to_string_pretty(&v).unwrap_or_default())
        .unwrap_or_else(|| "—".into());
    html! { pre.code { (pretty) } }
}

/// `GET /calls/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(CAMPAIGN_READERS)?;
    let id: Uuid = parse_id(&id, "call")?;
    let c = calls::find(&state, t, id).await?;
    let lines = calls::transcript(&c);
    let has_audio = recordings::available(&state, t, c.recording_path.as_deref());
    let task = match c.task_id {
        Some(tid) => state.store.get_task(t, tid).await?,
        None => None,
    };
    let lead = state.store.lead_of_call(t, c.id).await?;
    let worker = LEAD_WORKERS.contains(&ctx.who.role);
    let body = html! {
        div.card {
            h2 { span.mono { (c.number_masked) } " · " span.mono { (c.outcome.as_deref().unwrap_or(c.state.as_str())) } }
            table {
                tbody {
                    @if let Some(task) = &task { tr { th { (ctx.t(Msg::Task)) } td { a href={ "/tasks/" (task.id) } { (task.name) } } } }
                    tr { th { (ctx.t(Msg::Time)) } td.mono { (fmt_time(c.created_at)) } }
                    tr { th { (ctx.t(Msg::AnsweredAt)) } td.mono { (opt_time(c.answered_at)) } }
                    tr { th { (ctx.t(Msg::EndedAt)) } td.mono { (opt_time(c.ended_at)) } }
                    tr { th { (ctx.t(Msg::Duration)) } td { @if let Some(d) = c.duration_ms { (fmt_duration(d)) } } }
                    tr { th { (ctx.t(Msg::SipStatus)) } td.mono { @if let Some(s) = c.sip_status { (s) } } }
                    tr { th { (ctx.t(Msg::ScriptOutcome)) } td.mono { @if let Some(s) = &c.script_outcome { (s) } } }
                    tr { th { (ctx.t(Msg::Grade)) } td { @if let Some(g) = &c.grade { span.badge.role #grade { (g) } } } }
                    tr { th { (ctx.t(Msg::GradeReason)) } td { @if let Some(r) = &c.grade_reason { (r) } } }
                    @if c.opt_out { tr { th { (ctx.t(Msg::OptedOut)) } td { span.badge.bad { (ctx.t(Msg::Yes)) } } } }
                }
            }
        }
        @if let Some(l) = &lead {
            div.card #lead {
                h2 { (ctx.t(Msg::LeadsTitle)) }
                table { tbody {
                    tr { th { (ctx.t(Msg::RobotGrade)) } td { span.badge.role { (l.robot_grade) } " " span.hint { (l.robot_reason) } } }
                    tr { th { (ctx.t(Msg::AgentGrade)) } td {
                        @if let Some(g) = &l.agent_grade { span.badge.ok #agent-grade { (g) } }
                        @if let Some(n) = &l.agent_note { " " span.hint { (n) } }
                    } }
                } }
                @if worker {
                    form.row method="post" action={ "/leads/" (l.id) "/grade" } {
                        (csrf_field(&ctx))
                        input type="hidden" name="back" value="call";
                        select name="grade" aria-label=(ctx.t(Msg::AgentGrade)) {
                            @for g in ["A", "B", "C", "D", "E", "F"] { option value=(g) selected[l.grade() == g] { (g) } }
                        }
                        input type="text" name="note" maxlength="500" placeholder=(ctx.t(Msg::Note)) value=[l.agent_note.as_deref()];
                        button.small.secondary type="submit" { (ctx.t(Msg::Regrade)) }
                    }
                }
            }
        }
        div.card #recording {
            h2 { (ctx.t(Msg::Recording)) }
            @if has_audio {
                audio controls preload="none" src={ "/calls/" (c.id) "/recording" } {}
            } @else if state.recordings_dir.is_none() {
                p.hint { (ctx.t(Msg::RecordingsOff)) }
            } @else {
                p.hint { (ctx.t(Msg::NoRecording)) }
            }
        }
        div.card #transcript {
            h2 { (ctx.t(Msg::Transcript)) }
            table {
                thead { tr { th { (ctx.t(Msg::TimeInCall)) } th { (ctx.t(Msg::Speaker)) } th { (ctx.t(Msg::Text)) } } }
                tbody {
                    @for l in &lines {
                        tr {
                            td.mono { @if let Some(s) = l.start_ms { (fmt_duration(s as i64)) } @if let Some(e) = l.end_ms { "–" (fmt_duration(e as i64)) } }
                            td { (speaker(&ctx, &l.speaker)) }
                            td { @match &l.text { Some(t) => (t), None => span.hint { "—" } } }
                        }
                    }
                    @if lines.is_empty() { tr { td.empty colspan="3" { (ctx.t(Msg::NoRows)) } } }
                }
            }
        }
        div.grid {
            div.card { h2 { (ctx.t(Msg::GateDecision)) } (json_block(Some(&c.gate_json))) }
            div.card { h2 { (ctx.t(Msg::DialogPath)) } (json_block(c.path_json.as_deref())) }
            div.card { h2 { (ctx.t(Msg::Intents)) } (json_block(c.intents_json.as_deref())) }
        }
        p { a.btn.secondary href="/calls" { (ctx.t(Msg::Back)) } }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::CallTitle), body))
}

/// `GET /calls/{id}/recording`: the audio file.
pub async fn recording(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> AppResult<Response> {
    let t = ctx.who.tenant_for(CAMPAIGN_READERS)?;
    let id: Uuid = parse_id(&id, "call")?;
    recordings::serve(&state, t, id, &headers).await
}

//! Leads: the agents' work list (newest first, filtered by task and status) with
//! the robot's grade and reason, the agent's grade and note, the follow-up
//! status, and inline forms to regrade (the robot's grade is kept) and to change
//! the status. Agents and admins work leads; auditors read.

use super::{
    csrf_field, done_notice, fmt_time, layout, parse_id, see_other, urlencode, PageCtx, PageForm,
};
use crate::auth::principal::{CAMPAIGN_READERS, LEAD_WORKERS};
use crate::campaign::leads::{self, LeadQuery};
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;
use waihu_store::LeadStatus;

/// Leads per page.
pub const PAGE: usize = 50;

const STATUSES: [LeadStatus; 3] = [LeadStatus::New, LeadStatus::Contacted, LeadStatus::Closed];

/// A lead status's label.
pub fn status_label(s: LeadStatus) -> Msg {
    match s {
        LeadStatus::New => Msg::LeadNew,
        LeadStatus::Contacted => Msg::LeadContacted,
        LeadStatus::Closed => Msg::LeadClosed,
    }
}

/// The list's query.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    task: Option<String>,
    status: Option<String>,
    offset: Option<usize>,
    done: Option<String>,
}

/// `GET /leads`.
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<ListQuery>,
) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(CAMPAIGN_READERS)?;
    let offset = q.offset.unwrap_or(0);
    let filter = LeadQuery {
        task: q.task.clone(),
        status: q.status.clone(),
    };
    let w = leads::list(&state, t, &filter, PAGE, offset).await?;
    let tasks = state.store.list_tasks(t).await?;
    let task_name = |id: Uuid| {
        tasks
            .iter()
            .find(|x| x.id == id)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    let worker = LEAD_WORKERS.contains(&ctx.who.role);
    let sel_task = q.task.clone().unwrap_or_default();
    let sel_status = q.status.clone().unwrap_or_default();
    let link = |off: usize| {
        format!(
            "/leads?task={}&status={}&offset={off}",
            urlencode(&sel_task),
            urlencode(&sel_status)
        )
    };
    let body = html! {
        (done_notice(&ctx, q.done.is_some()))
        div.card {
            p.hint { (ctx.t(Msg::LeadsIntro)) }
            form.row method="get" action="/leads" {
                label { (ctx.t(Msg::Task)) select name="task" {
                    option value="" { (ctx.t(Msg::AllOptions)) }
                    @for task in &tasks { option value=(task.id) selected[sel_task == task.id.to_string()] { (task.name) } }
                } }
                label { (ctx.t(Msg::Status)) select name="status" {
                    option value="" { (ctx.t(Msg::AllOptions)) }
                    @for s in STATUSES { option value=(s.as_str()) selected[sel_status == s.as_str()] { (ctx.t(status_label(s))) } }
                } }
                button.secondary type="submit" { (ctx.t(Msg::Filter)) }
            }
        }
        div.card {
            table {
                thead { tr {
                    th { (ctx.t(Msg::Time)) } th { (ctx.t(Msg::Number)) } th { (ctx.t(Msg::Task)) }
                    th { (ctx.t(Msg::RobotGrade)) } th { (ctx.t(Msg::AgentGrade)) } th { (ctx.t(Msg::Status)) }
                } }
                tbody {
                    @for l in &w.rows {
                        tr id={ "lead-" (l.id) } {
                            td.mono { (fmt_time(l.created_at)) br; a href={ "/calls/" (l.call_id) } { (ctx.t(Msg::ViewCall)) } }
                            td.mono { (l.number_masked) }
                            td { (task_name(l.task_id)) }
                            td { span.badge.role { (l.robot_grade) } br; span.hint { (l.robot_reason) } }
                            td {
                                @if let Some(g) = &l.agent_grade { span.badge.ok { (g) } }
                                @if let Some(n) = &l.agent_note { br; span.hint { (n) } }
                                @if worker {
                                    form.row method="post" action={ "/leads/" (l.id) "/grade" } {
                                        (csrf_field(&ctx))
                                        select name="grade" aria-label=(ctx.t(Msg::AgentGrade)) {
                                            @for g in ["A", "B", "C", "D", "E", "F"] { option value=(g) selected[l.grade() == g] { (g) } }
                                        }
                                        input type="text" name="note" maxlength="500" placeholder=(ctx.t(Msg::Note)) value=[l.agent_note.as_deref()];
                                        button.small.secondary type="submit" { (ctx.t(Msg::Regrade)) }
                                    }
                                }
                            }
                            td {
                                @if worker {
                                    form.row method="post" action={ "/leads/" (l.id) "/status" } {
                                        (csrf_field(&ctx))
                                        select name="status" aria-label=(ctx.t(Msg::Status)) {
                                            @for s in STATUSES { option value=(s.as_str()) selected[l.status == s] { (ctx.t(status_label(s))) } }
                                        }
                                        button.small.secondary type="submit" { (ctx.t(Msg::SetStatus)) }
                                    }
                                } @else {
                                    (ctx.t(status_label(l.status)))
                                }
                            }
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
    Ok(layout::page(&ctx, ctx.t(Msg::LeadsTitle), body))
}

/// The regrade form.
#[derive(Debug, Deserialize)]
pub struct GradeForm {
    grade: String,
    #[serde(default)]
    note: Option<String>,
    /// `call`: back to the lead's call record (its page has the form too).
    #[serde(default)]
    back: Option<String>,
}

/// `POST /leads/{id}/grade`.
pub async fn regrade(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<GradeForm>,
) -> AppResult<Response> {
    let t = ctx.who.tenant_for(LEAD_WORKERS)?;
    let id: Uuid = parse_id(&id, "lead")?;
    leads::regrade(&state, t, id, &f.grade, f.note.as_deref(), &ctx.who).await?;
    if f.back.as_deref() == Some("call") {
        if let Some(l) = state.store.get_lead(t, id).await? {
            return Ok(see_other(&format!("/calls/{}", l.call_id)));
        }
    }
    Ok(see_other("/leads?done=1"))
}

/// The status form.
#[derive(Debug, Deserialize)]
pub struct StatusForm {
    status: String,
}

/// `POST /leads/{id}/status`.
pub async fn set_status(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<StatusForm>,
) -> AppResult<Response> {
    let t = ctx.who.tenant_for(LEAD_WORKERS)?;
    let id: Uuid = parse_id(&id, "lead")?;
    leads::set_status(&state, t, id, &f.status, &ctx.who).await?;
    Ok(see_other("/leads?done=1"))
}

//! Tasks: the tenant's tasks with their state and progress, and one task with
//! its counts by contact state and by outcome and the start / pause / resume /
//! stop buttons (admins; a button shows only where its change is allowed, and
//! the handler checks again). Creating a task is `task_new`'s form.

use super::{
    csrf_field, done_notice, fmt_time, layout, parse_id, see_other, DoneQuery, PageCtx, PageForm,
};
use crate::auth::principal::{CAMPAIGN_READERS, TENANT_ADMINS};
use crate::campaign::tasks;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;
use waihu_campaign::TaskCommand;
use waihu_core::{Role, TaskState};
use waihu_store::TaskCounts;

/// A task state's label.
pub fn state_label(s: TaskState) -> Msg {
    match s {
        TaskState::Draft => Msg::StateDraft,
        TaskState::Running => Msg::StateRunning,
        TaskState::Paused => Msg::StatePaused,
        TaskState::Completed => Msg::StateCompleted,
        TaskState::Stopped => Msg::StateStopped,
    }
}

fn state_badge(ctx: &PageCtx, s: TaskState) -> Markup {
    let class = match s {
        TaskState::Running | TaskState::Completed => "badge ok",
        TaskState::Paused | TaskState::Draft => "badge warn",
        TaskState::Stopped => "badge bad",
    };
    html! { span class=(class) data-state=(s.as_str()) { (ctx.t(state_label(s))) } }
}

fn action_label(a: TaskCommand) -> Msg {
    match a {
        TaskCommand::Start => Msg::Start,
        TaskCommand::Pause => Msg::Pause,
        TaskCommand::Resume => Msg::Resume,
        TaskCommand::Stop => Msg::Stop,
        // Never a button (not in `BY_PERSON`): the scheduler completes tasks.
        TaskCommand::Complete => Msg::StateCompleted,
    }
}

/// Seconds between refreshes of a page's progress while a task runs (the
/// `data-refresh` mark app.js follows; absent once nothing changes by itself).
const REFRESH_SECS: &str = "3";

/// `done / total` contacts of a task.
fn progress(c: &TaskCounts) -> (i64, i64) {
    let total: i64 = c.by_state.values().sum();
    (c.by_state.get("done").copied().unwrap_or(0), total)
}

/// `GET /tasks`.
pub async fn list(State(state): State<AppState>, ctx: PageCtx) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(CAMPAIGN_READERS)?;
    let list = state.store.list_tasks(t).await?;
    let mut rows = Vec::with_capacity(list.len());
    for task in list {
        let counts = state.store.task_counts(t, task.id).await?;
        rows.push((task, counts));
    }
    let running = rows.iter().any(|(t, _)| t.state == TaskState::Running);
    let body = html! {
        div.card #tasks-live data-refresh=[running.then_some(REFRESH_SECS)] {
            p.hint { (ctx.t(Msg::TasksIntro)) }
            @if ctx.who.role == Role::Admin {
                p { a.btn #new-task href="/tasks/new" { (ctx.t(Msg::NewTask)) } }
            }
            table {
                thead { tr {
                    th { (ctx.t(Msg::TaskName)) } th { (ctx.t(Msg::TaskState)) } th { (ctx.t(Msg::Progress)) }
                    th { (ctx.t(Msg::Attempts)) } th { (ctx.t(Msg::LeadsCount)) } th { (ctx.t(Msg::CreatedAt)) }
                } }
                tbody {
                    @for (task, c) in &rows {
                        @let (done, total) = progress(c);
                        tr {
                            td { a href={ "/tasks/" (task.id) } { (task.name) } }
                            td { (state_badge(&ctx, task.state)) }
                            td { (done) " / " (total) }
                            td { (c.attempts) }
                            td { (c.leads) }
                            td.mono { (fmt_time(task.created_at)) }
                        }
                    }
                    @if rows.is_empty() { tr { td.empty colspan="6" { (ctx.t(Msg::NoRows)) } } }
                }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::TasksTitle), body))
}

fn counts_table(
    ctx: &PageCtx,
    title: Msg,
    id: &str,
    map: &std::collections::BTreeMap<String, i64>,
) -> Markup {
    html! {
        div.card id=(id) {
            h2 { (ctx.t(title)) }
            table {
                tbody {
                    @for (k, v) in map { tr { th.mono { (k) } td { (v) } } }
                    @if map.is_empty() { tr { td.empty colspan="2" { (ctx.t(Msg::NoRows)) } } }
                }
            }
        }
    }
}

/// `GET /tasks/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(CAMPAIGN_READERS)?;
    let id: Uuid = parse_id(&id, "task")?;
    let task = tasks::find_task(&state, t, id).await?;
    let c = state.store.task_counts(t, id).await?;
    let (done, total) = progress(&c);
    let admin = ctx.who.role == Role::Admin;
    let ab = crate::insight::ab::task_section(&state, &ctx, &task).await?;
    let running = task.state == TaskState::Running;
    let body = html! {
        (done_notice(&ctx, q.done.is_some()))
        div #task-live data-refresh=[running.then_some(REFRESH_SECS)] {
        div.card {
            h2 { (task.name) " " (state_badge(&ctx, task.state)) }
            p.hint.mono { (task.id) }
            table {
                tbody {
                    tr { th { (ctx.t(Msg::Purpose)) } td { (task.purpose) } }
                    tr { th { (ctx.t(Msg::Progress)) } td { (done) " / " (total) } }
                    tr { th { (ctx.t(Msg::Attempts)) } td #task-attempts { (c.attempts) } }
                    tr { th { (ctx.t(Msg::LeadsCount)) } td { (c.leads) } }
                    tr { th { (ctx.t(Msg::Lines)) } td { (task.lines) } }
                    tr { th { (ctx.t(Msg::Priority)) } td { (task.priority) } }
                    tr { th { (ctx.t(Msg::LeadGrade)) } td { (task.lead_grade) } }
                    tr { th { (ctx.t(Msg::NavScripts)) } td { a href={ "/script-versions/" (task.script_version_id) } { (ctx.t(Msg::ViewVersion)) } } }
                    @if let Some(r) = &task.state_reason { tr { th { (ctx.t(Msg::StateReason)) } td { (r) } } }
                    tr { th { (ctx.t(Msg::UpdatedAt)) } td.mono { (fmt_time(task.updated_at)) } }
                }
            }
            @if admin {
                div.actions #task-actions {
                    @for a in TaskCommand::BY_PERSON {
                        @if a.applies_to(task.state) {
                            form method="post" action={ "/tasks/" (task.id) "/" (a.as_str()) } class="inline"
                                data-confirm=[(a == TaskCommand::Stop).then(|| ctx.t(Msg::ConfirmStop))] {
                                (csrf_field(&ctx))
                                button class=(if a == TaskCommand::Stop { "danger" } else { "secondary" }) type="submit" { (ctx.t(action_label(a))) }
                            }
                        }
                    }
                }
            }
        }
        div.grid {
            (counts_table(&ctx, Msg::ByContactState, "by-state", &c.by_state))
            (counts_table(&ctx, Msg::ByOutcome, "by-outcome", &c.by_outcome))
        }
        }
        (ab)
        p {
            a.btn.secondary href={ "/calls?task=" (task.id) } { (ctx.t(Msg::NavCalls)) } " "
            a.btn.secondary href={ "/insight/tasks/" (task.id) } { (ctx.t(Msg::NavInsight)) } " "
            a.btn.secondary href="/tasks" { (ctx.t(Msg::Back)) }
        }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::TaskTitle), body))
}

/// The optional reason of a state change.
#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /tasks/{id}/{action}`: start, pause, resume or stop.
pub async fn act(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, action)): Path<(String, String)>,
    PageForm(f): PageForm<ActionForm>,
) -> AppResult<Response> {
    let t = ctx.who.tenant_for(TENANT_ADMINS)?;
    let id: Uuid = parse_id(&id, "task")?;
    let command = tasks::parse_command(&action).ok_or_else(|| AppError::not_found("page"))?;
    tasks::apply(&state, t, id, command, f.reason.as_deref(), &ctx.who.actor).await?;
    Ok(see_other(&format!("/tasks/{id}?done=1")))
}

//! `GET /insight`: the tenant's tasks (each with its report, unrecognised
//! utterances, keywords and A/B links) and script versions (each with its
//! funnel); and the tab bar the task pages share.

use crate::auth::principal::CAMPAIGN_READERS;
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::pages::{layout, PageCtx};
use crate::state::AppState;
use axum::extract::State;
use maud::{html, Markup};
use waihu_store::Task;

/// The links between a task's insight pages; `active` is the current one.
pub fn tabs(ctx: &PageCtx, task: &Task, active: &str) -> Markup {
    let id = task.id;
    let items = [
        ("report", format!("/insight/tasks/{id}"), Msg::InsReport),
        (
            "unknown",
            format!("/insight/tasks/{id}/unknown"),
            Msg::InsUnknown,
        ),
        (
            "keywords",
            format!("/insight/tasks/{id}/keywords"),
            Msg::InsKeywords,
        ),
        ("ab", format!("/insight/tasks/{id}/ab"), Msg::InsAb),
        (
            "funnel",
            format!("/insight/script-versions/{}/funnel", task.script_version_id),
            Msg::InsFunnel,
        ),
    ];
    html! {
        div.card {
            h2 { (task.name) }
            p.actions {
                @for (key, href, label) in &items {
                    a class=(if *key == active { "btn" } else { "btn secondary" }) href=(href) { (ctx.t(*label)) } " "
                }
                a.btn.secondary href={ "/tasks/" (id) } { (ctx.t(Msg::Back)) }
            }
        }
    }
}

/// `GET /insight`.
pub async fn page(State(state): State<AppState>, ctx: PageCtx) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(CAMPAIGN_READERS)?;
    let tasks = state.store.list_tasks(t).await?;
    let scripts = state.store.list_scripts(t).await?;
    let mut versions = Vec::new();
    for s in &scripts {
        versions.extend(state.store.list_script_versions(t, s.id).await?);
    }
    let body = html! {
        div.card {
            p.hint { (ctx.t(Msg::InsHint)) }
            h3 { (ctx.t(Msg::InsTasks)) }
            table {
                thead { tr { th { (ctx.t(Msg::Task)) } th {} } }
                tbody {
                    @for task in &tasks {
                        tr {
                            td { a href={ "/insight/tasks/" (task.id) } { (task.name) } }
                            td {
                                a href={ "/insight/tasks/" (task.id) } { (ctx.t(Msg::InsReport)) } " · "
                                a href={ "/insight/tasks/" (task.id) "/unknown" } { (ctx.t(Msg::InsUnknown)) } " · "
                                a href={ "/insight/tasks/" (task.id) "/keywords" } { (ctx.t(Msg::InsKeywords)) }
                                @if task.variant.is_some() { " · " a href={ "/insight/tasks/" (task.id) "/ab" } { (ctx.t(Msg::InsAb)) } }
                            }
                        }
                    }
                    @if tasks.is_empty() { tr { td.empty colspan="2" { (ctx.t(Msg::NoRows)) } } }
                }
            }
            h3 { (ctx.t(Msg::InsScriptVersions)) }
            table {
                tbody {
                    @for v in &versions {
                        tr {
                            td { (v.name) " v" (v.version) }
                            td { a href={ "/insight/script-versions/" (v.id) "/funnel" } { (ctx.t(Msg::InsFunnel)) } }
                        }
                    }
                    @if versions.is_empty() { tr { td.empty colspan="2" { (ctx.t(Msg::NoRows)) } } }
                }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::InsTitle), body))
}

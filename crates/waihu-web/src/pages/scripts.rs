//! Scripts (话术): the tenant's scripts, one script's versions, one version with
//! its YAML and the linter's findings, uploading a new version (a textarea; the
//! findings show on the version page right after saving) and publishing a clean
//! version. The version page also draws the flow graph and offers the chat
//! simulator (`script_tools`). Admins write; agents and auditors read.

use super::script_tools;
use super::{
    csrf_field, done_notice, fmt_time, layout, parse_id, see_other, DoneQuery, PageCtx, PageForm,
};
use crate::auth::principal::{CAMPAIGN_READERS, TENANT_ADMINS};
use crate::campaign::script_chat;
use crate::campaign::scripts::{self, FindingView};
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;
use waihu_core::Role;
use waihu_store::ScriptVersion;

pub(crate) fn upload_form(ctx: &PageCtx, name: Option<&str>, yaml: &str) -> Markup {
    html! {
        div.card #upload {
            h2 { (ctx.t(Msg::UploadVersion)) }
            p.hint { (ctx.t(Msg::UploadHint)) }
            form method="post" action="/scripts" {
                (csrf_field(ctx))
                @match name {
                    Some(n) => input type="hidden" name="name" value=(n);,
                    None => label { (ctx.t(Msg::ScriptName)) input type="text" name="name" required maxlength="100"; },
                }
                label { (ctx.t(Msg::ScriptYaml)) textarea.code name="yaml" rows="18" required spellcheck="false" { (yaml) } }
                p { button type="submit" { (ctx.t(Msg::Upload)) } }
            }
        }
    }
}

fn published_badge(ctx: &PageCtx, v: &ScriptVersion) -> Markup {
    html! {
        @if v.published_at.is_some() { span.badge.ok { (ctx.t(Msg::Published)) } }
        @else if v.lint.errors > 0 { span.badge.bad { (ctx.t(Msg::Findings)) ": " (v.lint.errors) } }
        @else { span.badge.warn { (ctx.t(Msg::NotPublished)) } }
    }
}

/// `GET /scripts`.
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<DoneQuery>,
) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(CAMPAIGN_READERS)?;
    let rows = state.store.list_scripts(t).await?;
    let body = html! {
        (done_notice(&ctx, q.done.is_some()))
        div.card {
            p.hint { (ctx.t(Msg::ScriptsIntro)) }
            table {
                thead { tr { th { (ctx.t(Msg::ScriptName)) } th { (ctx.t(Msg::LatestVersion)) } th { (ctx.t(Msg::PublishedVersion)) } th { (ctx.t(Msg::UpdatedAt)) } } }
                tbody {
                    @for s in &rows {
                        tr {
                            td { a href={ "/scripts/" (s.id) } { (s.name) } }
                            td { "v" (s.latest_version) }
                            td { @match s.published_version { Some(v) => span.badge.ok { "v" (v) }, None => span.hint { "—" } } }
                            td.mono { (fmt_time(s.updated_at)) }
                        }
                    }
                    @if rows.is_empty() { tr { td.empty colspan="4" { (ctx.t(Msg::NoRows)) } } }
                }
            }
        }
        @if ctx.who.role == Role::Admin { (upload_form(&ctx, None, "")) }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::ScriptsTitle), body))
}

/// `GET /scripts/{id}`: a script's versions, newest first.
pub async fn detail(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(CAMPAIGN_READERS)?;
    let id: Uuid = parse_id(&id, "script")?;
    let versions = scripts::versions_of(&state, t, id).await?;
    let newest = &versions[0];
    let body = html! {
        div.card {
            h2 { (newest.name) }
            table {
                thead { tr { th { (ctx.t(Msg::Version)) } th { (ctx.t(Msg::Status)) } th { (ctx.t(Msg::CreatedAt)) } th {} } }
                tbody {
                    @for v in &versions {
                        tr {
                            td { "v" (v.version) }
                            td { (published_badge(&ctx, v)) }
                            td.mono { (fmt_time(v.created_at)) }
                            td { a href={ "/script-versions/" (v.id) } { (ctx.t(Msg::ViewVersion)) } }
                        }
                    }
                }
            }
        }
        @if ctx.who.role == Role::Admin { (upload_form(&ctx, Some(&newest.name), &newest.yaml)) }
        p { a.btn.secondary href="/scripts" { (ctx.t(Msg::Back)) } }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::ScriptTitle), body))
}

pub(crate) fn findings_table(ctx: &PageCtx, findings: &[FindingView]) -> Markup {
    html! {
        @if findings.is_empty() {
            div.notice.ok #findings { (ctx.t(Msg::NoFindings)) }
        } @else {
            div.card #findings {
                h2 { (ctx.t(Msg::Findings)) " (" (findings.len()) ")" }
                table {
                    thead { tr { th { (ctx.t(Msg::Line)) } th { (ctx.t(Msg::Rule)) } th { (ctx.t(Msg::Message)) } } }
                    tbody {
                        @for f in findings {
                            tr { td.mono { (f.line) } td.mono { (f.rule) } td { (f.message) } }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /script-versions/{id}`: the YAML with its findings; publish when clean.
pub async fn version(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(CAMPAIGN_READERS)?;
    let id: Uuid = parse_id(&id, "script version")?;
    let v = scripts::find_version(&state, t, id).await?;
    let chat = script_tools::replay(&v, &[]);
    Ok(version_page(&ctx, &v, q.done.is_some(), chat.as_ref()))
}

/// The version page: header and publish, findings, flow graph, chat
/// simulator (`chat`: the replayed conversation), YAML, upload form.
pub fn version_page(
    ctx: &PageCtx,
    v: &ScriptVersion,
    done: bool,
    chat: Option<&script_chat::Chat>,
) -> Markup {
    let findings = scripts::findings(v);
    let body = html! {
        (done_notice(ctx, done))
        div.card {
            h2 { (v.name) " · v" (v.version) " " (published_badge(ctx, v)) }
            p.hint.mono { (v.id) " · " (fmt_time(v.created_at)) @if let Some(p) = v.published_at { " · " (ctx.t(Msg::Published)) " " (fmt_time(p)) } }
            @if ctx.who.role == Role::Admin && v.published_at.is_none() {
                @if findings.is_empty() {
                    form method="post" action={ "/script-versions/" (v.id) "/publish" } data-confirm=(ctx.t(Msg::ConfirmPublish)) {
                        (csrf_field(ctx))
                        button type="submit" { (ctx.t(Msg::Publish)) }
                    }
                } @else {
                    p.notice.warn { (ctx.t(Msg::FindingsBlockPublish)) }
                }
            }
        }
        (findings_table(ctx, &findings))
        (script_tools::graph_card(ctx, v))
        (script_tools::chat_card(ctx, v, chat))
        div.card {
            h2 { (ctx.t(Msg::ScriptYaml)) }
            pre.code { (v.yaml) }
        }
        @if ctx.who.role == Role::Admin { (upload_form(ctx, Some(&v.name), &v.yaml)) }
        p { a.btn.secondary href={ "/scripts/" (v.script_id) } { (ctx.t(Msg::Back)) } }
    };
    layout::page(ctx, ctx.t(Msg::ScriptTitle), body)
}

/// The upload form.
#[derive(Debug, Deserialize)]
pub struct UploadForm {
    name: String,
    yaml: String,
}

/// `POST /scripts`: saves a new version, then shows it with its findings.
pub async fn upload(
    State(state): State<AppState>,
    ctx: PageCtx,
    PageForm(f): PageForm<UploadForm>,
) -> AppResult<Response> {
    let t = ctx.who.tenant_for(TENANT_ADMINS)?;
    let v = scripts::upload(&state, t, &f.name, &f.yaml, &ctx.who.actor).await?;
    Ok(see_other(&format!("/script-versions/{}", v.id)))
}

/// `POST /script-versions/{id}/publish`.
pub async fn publish(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let t = ctx.who.tenant_for(TENANT_ADMINS)?;
    let id: Uuid = parse_id(&id, "script version")?;
    let v = scripts::publish(&state, t, id, &ctx.who.actor).await?;
    Ok(see_other(&format!("/script-versions/{}?done=1", v.id)))
}

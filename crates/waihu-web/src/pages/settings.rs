//! The tenant's settings (`/settings`; admins change, auditors read): its caller
//! numbers and their verification state, its lead push targets (add,
//! enable/disable; secrets never shown back) and its robot-line quota (set by the
//! operator, read-only here) and its retention periods (`pages::retention`).

use super::{csrf_field, done_notice, layout, parse_id, see_other, DoneQuery, PageCtx, PageForm};
use crate::auth::principal::{TENANT_ADMINS, TENANT_READERS};
use crate::campaign::settings::{self as cs, NewPushTargetReq};
use crate::campaign::task_create::tenant_numbers;
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;
use waihu_core::Role;

use super::fmt_time;

/// `GET /settings`.
pub async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<DoneQuery>,
) -> AppResult<Markup> {
    render(&state, &ctx, q.done.is_some(), None).await
}

/// The settings page; `refused` is a refused retention form to show again with
/// its field error.
pub async fn render(
    state: &AppState,
    ctx: &PageCtx,
    done: bool,
    refused: Option<&super::retention::Refused>,
) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(TENANT_READERS)?;
    let numbers = tenant_numbers(state, t).await?;
    let targets = cs::push_targets(state, t).await?;
    let quota = state.store.get_limits(t).await?.line_quota;
    let admin = ctx.who.role == Role::Admin;
    let retention = super::retention::section(state, ctx, refused).await?;
    let body = html! {
        (done_notice(ctx, done))
        div.card #caller-numbers {
            h2 { (ctx.t(Msg::CallerNumbersTitle)) }
            p.hint { (ctx.t(Msg::CallerNumbersIntro)) }
            table {
                thead { tr { th { (ctx.t(Msg::CallerNumber)) } th { (ctx.t(Msg::Status)) } th { (ctx.t(Msg::CreatedAt)) } } }
                tbody {
                    @for n in &numbers {
                        tr {
                            td.mono { (n.number) }
                            td { @match n.verified_at {
                                Some(at) => span.badge.ok title=(fmt_time(at)) { (ctx.t(Msg::Verified)) },
                                None => span.badge.warn { (ctx.t(Msg::Unverified)) },
                            } }
                            td.mono { (fmt_time(n.created_at)) }
                        }
                    }
                    @if numbers.is_empty() { tr { td.empty colspan="3" { (ctx.t(Msg::NoRows)) } } }
                }
            }
        }
        div.card #push-targets {
            h2 { (ctx.t(Msg::WebhooksTitle)) }
            p.hint { (ctx.t(Msg::WebhooksIntro)) }
            table {
                thead { tr {
                    th { (ctx.t(Msg::TokenName)) } th { (ctx.t(Msg::PushKindLabel)) } th { (ctx.t(Msg::PushUrl)) }
                    th { (ctx.t(Msg::PushSecret)) } th { (ctx.t(Msg::MinGrade)) } th { (ctx.t(Msg::Status)) }
                    @if admin { th { (ctx.t(Msg::Actions)) } }
                } }
                tbody {
                    @for p in &targets {
                        tr {
                            td { (p.name) } td { code { (p.kind) } } td.mono.details { (p.url) }
                            td { (ctx.t(if p.signed { Msg::SecretSet } else { Msg::SecretNone })) }
                            td { (p.min_grade) }
                            td { @if p.enabled { span.badge.ok { (ctx.t(Msg::Enabled)) } } @else { span.badge.warn { (ctx.t(Msg::Disabled)) } } }
                            @if admin {
                                td {
                                    form.inline method="post" action={ "/settings/push-targets/" (p.id) "/enabled" } {
                                        (csrf_field(ctx))
                                        input type="hidden" name="enabled" value=(if p.enabled { "false" } else { "true" });
                                        button.small.secondary type="submit" { (ctx.t(if p.enabled { Msg::Disable } else { Msg::Enable })) }
                                    }
                                }
                            }
                        }
                    }
                    @if targets.is_empty() { tr { td.empty colspan="7" { (ctx.t(Msg::NoRows)) } } }
                }
            }
            @if admin {
                h3 { (ctx.t(Msg::AddPushTarget)) }
                form.row method="post" action="/settings/push-targets" {
                    (csrf_field(ctx))
                    label { (ctx.t(Msg::TokenName)) input type="text" name="name" required maxlength="64"; }
                    label { (ctx.t(Msg::PushKindLabel))
                        select name="kind" { @for k in ["wecom", "dingtalk", "feishu", "webhook"] { option value=(k) { (k) } } }
                    }
                    label { (ctx.t(Msg::PushUrl)) input type="text" name="url" required; }
                    label { (ctx.t(Msg::PushSecret)) input type="password" name="secret" autocomplete="off"; }
                    label { (ctx.t(Msg::MinGrade))
                        select name="min_grade" { @for g in ["A", "B", "C", "D", "E", "F"] { option value=(g) selected[g == "B"] { (g) } } }
                    }
                    button type="submit" { (ctx.t(Msg::Create)) }
                }
            }
        }
        div.card #line-quota {
            h2 { (ctx.t(Msg::LineQuota)) }
            p { strong { (quota) } }
            p.hint { (ctx.t(Msg::LineQuotaReadOnly)) }
        }
        (retention)
    };
    Ok(layout::page(ctx, ctx.t(Msg::SettingsTitle), body))
}

/// The add-target form.
#[derive(Debug, Deserialize)]
pub struct PushForm {
    name: String,
    kind: String,
    url: String,
    #[serde(default)]
    secret: Option<String>,
    #[serde(default)]
    min_grade: Option<String>,
}

/// `POST /settings/push-targets`.
pub async fn add_push_target(
    State(state): State<AppState>,
    ctx: PageCtx,
    PageForm(f): PageForm<PushForm>,
) -> AppResult<Response> {
    let t = ctx.who.tenant_for(TENANT_ADMINS)?;
    let req = NewPushTargetReq {
        name: f.name,
        kind: f.kind,
        url: f.url,
        secret: f.secret,
        min_grade: f.min_grade,
        enabled: Some(true),
    };
    cs::add_push_target(&state, t, req, &ctx.who.actor).await?;
    Ok(see_other("/settings?done=1"))
}

/// The enable/disable form.
#[derive(Debug, Deserialize)]
pub struct EnabledForm {
    enabled: String,
}

/// `POST /settings/push-targets/{id}/enabled`.
pub async fn set_enabled(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<EnabledForm>,
) -> AppResult<Response> {
    let t = ctx.who.tenant_for(TENANT_ADMINS)?;
    let id: Uuid = parse_id(&id, "push target")?;
    let enabled = f.enabled == "true";
    cs::set_enabled(&state, t, id, enabled, &ctx.who.actor).await?;
    Ok(see_other("/settings?done=1"))
}

//! The operator's tenant console: list, create, suspend and resume tenants, set
//! their robot-line quota, and see and create a tenant's users (e.g. its first admin).

use super::{
    csrf_field, done_notice, fmt_time, layout, parse_id, see_other, DoneQuery, PageCtx, PageForm,
};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;
use waihu_core::{Role, TenantId, TenantName};
use waihu_store::{Tenant, TenantStatus};

/// A tenant's status as a badge.
pub fn status_badge(ctx: &PageCtx, s: TenantStatus) -> Markup {
    match s {
        TenantStatus::Active => html! { span.badge.ok { (ctx.t(Msg::StatusActive)) } },
        TenantStatus::Suspended => html! { span.badge.bad { (ctx.t(Msg::StatusSuspended)) } },
    }
}

fn status_form(ctx: &PageCtx, t: &Tenant) -> Markup {
    let suspend = t.status == TenantStatus::Active;
    html! {
        form.row method="post" action={ "/tenants/" (t.id) "/status" }
            data-confirm=[suspend.then(|| ctx.t(Msg::ConfirmSuspend))] {
            (csrf_field(ctx))
            input type="hidden" name="status" value=(if suspend { "suspended" } else { "active" });
            input type="text" name="reason" placeholder=(ctx.t(Msg::Reason)) aria-label=(ctx.t(Msg::Reason));
            @if suspend { button.small.danger type="submit" { (ctx.t(Msg::Suspend)) } }
            @else { button.small.secondary type="submit" { (ctx.t(Msg::Resume)) } }
        }
    }
}

/// `GET /tenants`.
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<DoneQuery>,
) -> AppResult<Markup> {
    ctx.who.require(&[Role::Operator])?;
    let tenants = state.store.list_tenants().await?;
    let body = html! {
        (done_notice(&ctx, q.done.is_some()))
        div.card {
            h2 { (ctx.t(Msg::CreateTenant)) }
            form.row method="post" action="/tenants" {
                (csrf_field(&ctx))
                label { (ctx.t(Msg::TenantName))
                    input type="text" name="name" required pattern="[a-z][a-z0-9\\-]{1,31}" title=(ctx.t(Msg::TenantNameHint)); }
                button type="submit" { (ctx.t(Msg::Create)) }
            }
            p.hint { (ctx.t(Msg::TenantNameHint)) }
        }
        div.card {
            table {
                thead { tr { th { (ctx.t(Msg::TenantName)) } th { (ctx.t(Msg::Status)) } th { (ctx.t(Msg::CreatedAt)) } th { (ctx.t(Msg::Actions)) } } }
                tbody {
                    @for t in &tenants {
                        tr {
                            td { a href={ "/tenants/" (t.id) } { strong { (t.name) } } }
                            td { (status_badge(&ctx, t.status)) }
                            td.mono { (fmt_time(t.created_at)) }
                            td { (status_form(&ctx, t)) }
                        }
                    }
                    @if tenants.is_empty() { tr { td.empty colspan="4" { (ctx.t(Msg::NoRows)) } } }
                }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::TenantsTitle), body))
}

/// The create form.
#[derive(Debug, Deserialize)]
pub struct CreateTenant {
    name: String,
}

/// `POST /tenants`.
pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    PageForm(f): PageForm<CreateTenant>,
) -> AppResult<Response> {
    ctx.who.require(&[Role::Operator])?;
    let name =
        TenantName::parse(f.name.trim()).map_err(|e| AppError::invalid("name", e.to_string()))?;
    let t = state.store.create_tenant(&name, &ctx.who.actor).await?;
    Ok(see_other(&format!("/tenants/{}?done=1", t.id)))
}

/// The suspend/resume form.
#[derive(Debug, Deserialize)]
pub struct StatusForm {
    status: String,
    reason: Option<String>,
}

/// `POST /tenants/{id}/status`.
pub async fn set_status(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<StatusForm>,
) -> AppResult<Response> {
    ctx.who.require(&[Role::Operator])?;
    let id: TenantId = parse_id(&id, "tenant")?;
    let status: TenantStatus = f
        .status
        .parse()
        .map_err(|e: String| AppError::invalid("status", e))?;
    let reason = f
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or("back office");
    state
        .store
        .set_tenant_status(id, status, reason, &ctx.who.actor)
        .await?;
    Ok(see_other("/tenants?done=1"))
}

/// The line-quota form.
#[derive(Debug, Deserialize)]
pub struct QuotaForm {
    lines: String,
}

/// `POST /tenants/{id}/quota`: the operator sets a tenant's robot-line quota (audited).
pub async fn set_quota(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<QuotaForm>,
) -> AppResult<Response> {
    ctx.who.require(&[Role::Operator])?;
    let id: TenantId = parse_id(&id, "tenant")?;
    let lines: u32 = f
        .lines
        .trim()
        .parse()
        .ok()
        .filter(|n| *n <= 10_000)
        .ok_or_else(|| AppError::invalid("lines", "a whole number from 0 to 10000"))?;
    state
        .store
        .get_tenant(id)
        .await?
        .ok_or_else(|| AppError::not_found("tenant"))?;
    state
        .store
        .set_line_quota(id, lines, &ctx.who.actor)
        .await?;
    Ok(see_other(&format!("/tenants/{id}?done=1")))
}

/// `GET /tenants/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Markup> {
    ctx.who.require(&[Role::Operator])?;
    let id: TenantId = parse_id(&id, "tenant")?;
    let t = state
        .store
        .get_tenant(id)
        .await?
        .ok_or_else(|| AppError::not_found("tenant"))?;
    let users = state.store.list_users(id).await?;
    let limits = state.store.get_limits(id).await?;
    let body = html! {
        (done_notice(&ctx, q.done.is_some()))
        div.card {
            h2 { (t.name) " " (status_badge(&ctx, t.status)) }
            p.hint.mono { (t.id) " · " (fmt_time(t.created_at)) }
            (status_form(&ctx, &t))
        }
        div.card {
            h2 { (ctx.t(Msg::LineQuota)) }
            form.row method="post" action={ "/tenants/" (t.id) "/quota" } {
                (csrf_field(&ctx))
                label { (ctx.t(Msg::LineQuota))
                    input type="number" name="lines" min="0" max="10000" required value=(limits.line_quota); }
                button type="submit" { (ctx.t(Msg::Save)) }
            }
            p.hint { (ctx.t(Msg::LineQuotaHint)) }
        }
        div.card {
            h2 { (ctx.t(Msg::TenantUsers)) }
            (super::users::table(&ctx, &users, false))
        }
        div.card {
            h2 { (ctx.t(Msg::CreateUser)) }
            (super::users::create_form(&ctx, &format!("/tenants/{}/users", t.id), true))
        }
        p { a.btn.secondary href="/tenants" { (ctx.t(Msg::Back)) } }
    };
    Ok(layout::page(
        &ctx,
        &format!("{} · {}", ctx.t(Msg::TenantsTitle), t.name),
        body,
    ))
}

/// `POST /tenants/{id}/users`: the operator creates a user in a tenant.
pub async fn create_user(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<super::users::CreateUser>,
) -> AppResult<Response> {
    ctx.who.require(&[Role::Operator])?;
    let id: TenantId = parse_id(&id, "tenant")?;
    let role = super::users::tenant_role(&f.role)?;
    state
        .store
        .create_user(
            Some(id),
            f.username.trim(),
            &f.password,
            role,
            &ctx.who.actor,
        )
        .await?;
    Ok(see_other(&format!("/tenants/{id}?done=1")).into_response())
}

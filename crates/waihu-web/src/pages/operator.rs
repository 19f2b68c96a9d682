//! The operator's console pages beyond tenants and trunks: the caller-number
//! registry (`/caller-numbers`: register, mark verified, assign to a tenant —
//! numbers travel in POST bodies) and per-tenant refusal, opt-out and complaint
//! rates (`/rates`, last 30 days, with links to suspend or resume a tenant on its page;
//! the complaint rate as the rights rules count it, the threshold, auto-paused tasks
//! and the platform settings of callee rights).

use super::{csrf_field, done_notice, fmt_time, layout, see_other, DoneQuery, PageCtx, PageForm};
use crate::campaign::operator::{self as op, NumberAction};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use waihu_core::{Role, TenantId};
use waihu_store::TenantStatus;

/// `GET /caller-numbers`.
pub async fn numbers(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<DoneQuery>,
) -> AppResult<Markup> {
    ctx.who.require(&[Role::Operator])?;
    let numbers = state.store.list_caller_numbers().await?;
    let tenants = state.store.list_tenants().await?;
    let name_of = |t: Option<TenantId>| -> String {
        t.and_then(|t| tenants.iter().find(|x| x.id == t))
            .map(|t| t.name.to_string())
            .unwrap_or_else(|| ctx.t(Msg::Unassigned).to_string())
    };
    let body = html! {
        (done_notice(&ctx, q.done.is_some()))
        div.card {
            p.hint { (ctx.t(Msg::CallerRegistryIntro)) }
            form.row method="post" action="/caller-numbers" {
                (csrf_field(&ctx))
                label { (ctx.t(Msg::CallerNumber)) input type="text" name="number" required autocomplete="off"; }
                button type="submit" { (ctx.t(Msg::RegisterNumber)) }
            }
        }
        div.card {
            table #caller-numbers {
                thead { tr {
                    th { (ctx.t(Msg::CallerNumber)) } th { (ctx.t(Msg::Status)) } th { (ctx.t(Msg::YourTenant)) }
                    th { (ctx.t(Msg::CreatedAt)) } th { (ctx.t(Msg::Actions)) }
                } }
                tbody {
                    @for n in &numbers {
                        tr {
                            td.mono { (n.number) }
                            td { @match n.verified_at {
                                Some(at) => span.badge.ok title=(fmt_time(at)) { (ctx.t(Msg::Verified)) },
                                None => span.badge.warn { (ctx.t(Msg::Unverified)) },
                            } }
                            td { (name_of(n.tenant_id)) }
                            td.mono { (fmt_time(n.created_at)) }
                            td {
                                @if n.verified_at.is_none() {
                                    form.inline method="post" action="/caller-numbers/verify" {
                                        (csrf_field(&ctx))
                                        input type="hidden" name="number" value=(n.number);
                                        button.small.secondary type="submit" { (ctx.t(Msg::Verify)) }
                                    }
                                }
                                form.row.inline method="post" action="/caller-numbers/assign" {
                                    (csrf_field(&ctx))
                                    input type="hidden" name="number" value=(n.number);
                                    select name="tenant_id" {
                                        @for t in &tenants { option value=(t.id) selected[n.tenant_id == Some(t.id)] { (t.name) } }
                                    }
                                    button.small.secondary type="submit" { (ctx.t(Msg::Assign)) }
                                }
                            }
                        }
                    }
                    @if numbers.is_empty() { tr { td.empty colspan="5" { (ctx.t(Msg::NoRows)) } } }
                }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::NavCallerNumbers), body))
}

/// A number (and, to assign, a tenant) in a POST body.
#[derive(Debug, Deserialize)]
pub struct NumberForm {
    number: String,
    #[serde(default)]
    tenant_id: Option<String>,
}

/// `POST /caller-numbers/{action}` (and `POST /caller-numbers` to register).
async fn change(
    state: &AppState,
    ctx: &PageCtx,
    f: NumberForm,
    action: &str,
) -> AppResult<Response> {
    ctx.who.require(&[Role::Operator])?;
    let action = match action {
        "register" => NumberAction::Register,
        "verify" => NumberAction::Verify,
        "assign" => {
            let t = f
                .tenant_id
                .as_deref()
                .and_then(|t| t.parse().ok())
                .ok_or_else(|| AppError::invalid("tenant_id", "choose a tenant"))?;
            NumberAction::Assign(t)
        }
        _ => return Err(AppError::not_found("page")),
    };
    op::change_number(state, &f.number, action, &ctx.who.actor).await?;
    Ok(see_other("/caller-numbers?done=1"))
}

/// `POST /caller-numbers`.
pub async fn register(
    State(state): State<AppState>,
    ctx: PageCtx,
    PageForm(f): PageForm<NumberForm>,
) -> AppResult<Response> {
    change(&state, &ctx, f, "register").await
}

/// `POST /caller-numbers/{verify|assign}`.
pub async fn act(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(action): Path<String>,
    PageForm(f): PageForm<NumberForm>,
) -> AppResult<Response> {
    change(&state, &ctx, f, &action).await
}

fn pct(r: f64) -> String {
    format!("{:.1}%", r * 100.0)
}

/// `GET /rates`.
pub async fn rates(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<DoneQuery>,
) -> AppResult<Markup> {
    ctx.who.require(&[Role::Operator])?;
    let rows = op::rates(&state, state.clock.now()).await?;
    let tenants = state.store.list_tenants().await?;
    let (rights, crates) = crate::rights::complaints::rates(&state).await?;
    let rights_card = super::retention::platform_card(&state, &ctx).await?;
    let body = html! {
        (done_notice(&ctx, q.done.is_some()))
        div.card {
            p.hint { (ctx.t(Msg::RatesIntro)) }
            p #complaint-threshold { (ctx.t(Msg::CpThreshold)) ": " strong { (rights.complaint_threshold_per_1000) } }
            table #rates {
                thead { tr {
                    th { (ctx.t(Msg::TenantName)) } th { (ctx.t(Msg::Status)) } th { (ctx.t(Msg::AttemptsTotal)) }
                    th { (ctx.t(Msg::Refusals)) } th { (ctx.t(Msg::RefusalRate)) } th { (ctx.t(Msg::OptOuts)) }
                    th { (ctx.t(Msg::Complaints)) } th { (ctx.t(Msg::CpRate)) } th { (ctx.t(Msg::Actions)) }
                } }
                tbody {
                    @for r in &rows {
                        @let active = tenants.iter().find(|t| t.id.0 == r.tenant_id).is_some_and(|t| t.status == TenantStatus::Active);
                        tr {
                            td { (r.tenant_name) }
                            td { @if active { span.badge.ok { (ctx.t(Msg::StatusActive)) } } @else { span.badge.bad { (ctx.t(Msg::StatusSuspended)) } } }
                            td { (r.attempts) } td { (r.refused) } td { (pct(r.refusal_rate)) }
                            td { (r.opt_outs) } td { (r.complaints) " (" (pct(r.complaint_rate)) ")" }
                            td.complaint-rate { (super::complaints::rate_cell(&ctx, crates.get(&r.tenant_id))) }
                            td { a href={ "/tenants/" (r.tenant_id) } { (ctx.t(if active { Msg::Suspend } else { Msg::Resume })) " →" } }
                        }
                    }
                    @if rows.is_empty() { tr { td.empty colspan="9" { (ctx.t(Msg::NoRows)) } } }
                }
            }
        }
        (rights_card)
    };
    Ok(layout::page(&ctx, ctx.t(Msg::RatesTitle), body))
}

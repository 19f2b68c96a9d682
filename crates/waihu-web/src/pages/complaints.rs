//! Complaint tickets in the back office (`/complaints`): tenant users see their
//! tenant's tickets (admins acknowledge, answer and close; agents and auditors
//! read), the operator sees every tenant's and acknowledges or closes them. Each
//! ticket shows its SLA clock (acknowledge-by, close-by, overdue); lists put the
//! overdue tickets first. The rules live in `rights::complaints`.

use super::{csrf_field, done_notice, fmt_time, layout, parse_id, see_other, PageCtx, PageForm};
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::rights::complaints::{self as cc, ComplaintRateView, ComplaintView};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;

/// `?state=&done=` of the list.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// Only this state.
    pub state: Option<String>,
    /// Set after a change.
    pub done: Option<String>,
}

fn state_label(ctx: &PageCtx, v: &ComplaintView) -> Markup {
    let (class, m) = match v.state.as_str() {
        "open" => ("badge warn", Msg::CpStateOpen),
        "acknowledged" => ("badge", Msg::CpStateAcked),
        _ => ("badge ok", Msg::CpStateClosed),
    };
    html! { span class=(class) { (ctx.t(m)) } }
}

fn overdue_badge(ctx: &PageCtx, overdue: bool) -> Markup {
    html! { @if overdue { " " span.badge.bad.overdue { (ctx.t(Msg::CpOverdue)) } } }
}

/// `GET /complaints`.
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<ListQuery>,
) -> AppResult<Markup> {
    let filter = cc::parse_state(q.state.as_deref())?;
    let rows = cc::list(&state, &ctx.who, filter, false).await?;
    let platform = ctx.who.tenant_id.is_none();
    let current = q.state.as_deref().unwrap_or("");
    let body = html! {
        (done_notice(&ctx, q.done.is_some()))
        div.card {
            p.hint { (ctx.t(Msg::CpIntro)) }
            form.row method="get" action="/complaints" {
                label { (ctx.t(Msg::Status))
                    select name="state" {
                        option value="" selected[current.is_empty()] { (ctx.t(Msg::CpAllStates)) }
                        @for (v, m) in [("open", Msg::CpStateOpen), ("acknowledged", Msg::CpStateAcked), ("closed", Msg::CpStateClosed)] {
                            option value=(v) selected[current == v] { (ctx.t(m)) }
                        }
                    }
                }
                button.secondary type="submit" { (ctx.t(Msg::CpFilter)) }
            }
            table #complaints {
                thead { tr {
                    @if platform { th { (ctx.t(Msg::CpTenant)) } }
                    th { (ctx.t(Msg::CpNumber)) } th { (ctx.t(Msg::CpOccurred)) } th { (ctx.t(Msg::CpFiled)) }
                    th { (ctx.t(Msg::Status)) } th { (ctx.t(Msg::CpAckBy)) } th { (ctx.t(Msg::CpCloseBy)) }
                    th { (ctx.t(Msg::Details)) }
                } }
                tbody {
                    @for v in &rows {
                        tr.complaint data-id=(v.id) data-overdue=(v.overdue) {
                            @if platform { td { (v.tenant_name.as_deref().unwrap_or(ctx.t(Msg::CpNoTenant))) } }
                            td.mono { (v.number_masked) }
                            td.mono { (fmt_time(v.occurred_at)) }
                            td.mono { (fmt_time(v.created_at)) }
                            td { (state_label(&ctx, v)) (overdue_badge(&ctx, v.overdue)) }
                            td.mono { (fmt_time(v.ack_due)) @if v.ack_overdue { " ⚠" } }
                            td.mono { (fmt_time(v.close_due)) @if v.close_overdue { " ⚠" } }
                            td { a href={ "/complaints/" (v.id) } { (ctx.t(Msg::Details)) " →" } }
                        }
                    }
                    @if rows.is_empty() { tr { td.empty colspan="8" { (ctx.t(Msg::NoRows)) } } }
                }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::CpTitle), body))
}

/// `GET /complaints/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> AppResult<Markup> {
    let id: Uuid = parse_id(&id, "complaint")?;
    let v = cc::find(&state, &ctx.who, id).await?;
    let act = cc::can_act(&ctx.who) && !v.closed();
    let answer = cc::can_answer(&ctx.who) && !v.closed();
    let base = format!("/complaints/{}", v.id);
    let body = html! {
        (done_notice(&ctx, q.done.is_some()))
        div.card #complaint {
            dl {
                dt { (ctx.t(Msg::CpTenant)) } dd { (v.tenant_name.as_deref().unwrap_or(ctx.t(Msg::CpNoTenant))) }
                dt { (ctx.t(Msg::CpNumber)) } dd.mono { (v.number_masked) " "
                    @if v.verified { span.badge.ok { (ctx.t(Msg::CpVerified)) } } @else { span.badge.warn { (ctx.t(Msg::CpUnverified)) } }
                    @if v.counts { " " span.badge { (ctx.t(Msg::CpCounts)) } }
                }
                @if let Some(c) = &v.caller_number { dt { (ctx.t(Msg::CallerNumber)) } dd.mono { (c) } }
                dt { (ctx.t(Msg::CpOccurred)) } dd.mono { (fmt_time(v.occurred_at)) }
                dt { (ctx.t(Msg::CpFiled)) } dd.mono { (fmt_time(v.created_at)) }
                dt { (ctx.t(Msg::CpDescription)) } dd.description { (v.description) }
                dt { (ctx.t(Msg::CpCalls)) } dd #complaint-calls {
                    @for c in &v.call_ids { a.mono href={ "/calls/" (c) } { (c) } br; }
                    @if v.call_ids.is_empty() { span.hint { (ctx.t(Msg::CpNoCalls)) } }
                }
                dt { (ctx.t(Msg::Status)) } dd { (state_label(&ctx, &v)) (overdue_badge(&ctx, v.overdue)) }
                dt { (ctx.t(Msg::CpAckBy)) } dd.mono #ack-due { (fmt_time(v.ack_due))
                    @if let Some(at) = v.acked_at { " (" (fmt_time(at)) ")" }
                    (overdue_badge(&ctx, v.ack_overdue))
                }
                dt { (ctx.t(Msg::CpCloseBy)) } dd.mono #close-due { (fmt_time(v.close_due))
                    @if let Some(at) = v.closed_at { " (" (fmt_time(at)) ")" }
                    (overdue_badge(&ctx, v.close_overdue))
                }
                @if let Some(a) = &v.tenant_answer { dt { (ctx.t(Msg::CpAnswer)) } dd.answer { (a) } }
                @if let Some(r) = &v.resolution { dt { (ctx.t(Msg::CpResolution)) } dd.resolution { (r) } }
            }
        }
        @if act || answer {
            div.card #complaint-actions {
                @if act && v.state == "open" {
                    form.inline method="post" action={ (base) "/ack" } {
                        (csrf_field(&ctx))
                        button type="submit" { (ctx.t(Msg::CpAck)) }
                    }
                }
                @if answer {
                    h3 { (ctx.t(Msg::CpAnswer)) }
                    form method="post" action={ (base) "/answer" } {
                        (csrf_field(&ctx))
                        textarea name="answer" required maxlength=(cc::MAX_NOTE) rows="3" {}
                        button type="submit" { (ctx.t(Msg::CpAnswerButton)) }
                    }
                }
                @if act {
                    h3 { (ctx.t(Msg::CpClose)) }
                    form method="post" action={ (base) "/close" } {
                        (csrf_field(&ctx))
                        label { (ctx.t(Msg::CpResolution)) textarea name="resolution" required maxlength=(cc::MAX_NOTE) rows="2" {} }
                        button type="submit" { (ctx.t(Msg::CpClose)) }
                    }
                }
            }
        } @else if !v.closed() {
            p.hint { (ctx.t(Msg::CpReadOnly)) }
        }
        p { a.btn.secondary href="/complaints" { (ctx.t(Msg::Back)) } }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::CpDetailTitle), body))
}

/// `POST /complaints/{id}/ack`.
pub async fn ack(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id: Uuid = parse_id(&id, "complaint")?;
    cc::ack(&state, &ctx.who, id).await?;
    Ok(see_other(&format!("/complaints/{id}?done=1")))
}

/// The answer form.
#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
}

/// `POST /complaints/{id}/answer`.
pub async fn answer(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<AnswerForm>,
) -> AppResult<Response> {
    let id: Uuid = parse_id(&id, "complaint")?;
    cc::answer(&state, &ctx.who, id, &f.answer).await?;
    Ok(see_other(&format!("/complaints/{id}?done=1")))
}

/// The close form.
#[derive(Debug, Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    resolution: String,
}

/// `POST /complaints/{id}/close`.
pub async fn close(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<CloseForm>,
) -> AppResult<Response> {
    let id: Uuid = parse_id(&id, "complaint")?;
    cc::close(&state, &ctx.who, id, &f.resolution).await?;
    Ok(see_other(&format!("/complaints/{id}?done=1")))
}

/// The complaint-rate cell of a tenant's row on `/rates`: the rate as the rights
/// rules count it, whether it is over the threshold and whether the tenant's
/// tasks were paused for it.
pub fn rate_cell(ctx: &PageCtx, r: Option<&ComplaintRateView>) -> Markup {
    html! {
        @match r {
            None => "—",
            Some(r) => {
                span.mono { @match r.per_1000 { Some(x) => (format!("{x:.2}")), None => "—" } }
                " (" (r.counted) "/" (r.answered_calls) ")"
                @if r.over_threshold { " " span.badge.bad.over-threshold { (ctx.t(Msg::CpOverThreshold)) } }
                @if r.auto_paused_tasks > 0 { " " span.badge.warn.auto-paused { (ctx.t(Msg::CpAutoPaused)) " ×" (r.auto_paused_tasks) } }
            }
        }
    }
}

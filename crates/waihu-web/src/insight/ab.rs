//! The A/B comparison of a task's two script variants: per variant attempts,
//! answered, leads, opt-outs and turns; answer-to-lead and opt-out rates with
//! Newcombe's 95 % interval and the two-proportion p-value, average turns with
//! Welch's interval; "significant" only when the interval excludes zero.

use super::data;
use super::dto::AbDto;
use super::index::tabs;
use crate::auth::principal::CAMPAIGN_READERS;
use crate::auth::Principal;
use crate::error::{AppResult, ErrorBody};
use crate::i18n::Msg;
use crate::pages::{layout, PageCtx};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use maud::{html, Markup};
use waihu_insight::ab::{compare, Comparison, Difference};
use waihu_store::{FactScope, Task};

async fn build(state: &AppState, who: &Principal, raw: &str) -> AppResult<(Task, Comparison)> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    let task = data::task(state, t, raw).await?;
    let facts = data::facts(state, t, FactScope::Task(task.id), false).await?;
    Ok((task, compare(&facts)))
}

fn diff_row(ctx: &PageCtx, label: Msg, d: &Difference, rate: bool) -> Markup {
    let f = |v: f64| {
        if rate {
            format!("{:.2}%", v * 100.0)
        } else {
            format!("{v:.2}")
        }
    };
    html! {
        tr {
            th { (ctx.t(label)) }
            td { (f(d.a)) } td { (f(d.b)) } td { (f(d.diff)) }
            td.mono { @if let Some((l, h)) = d.ci { "[" (f(l)) ", " (f(h)) "]" } @else { "—" } }
            td.mono { @if let Some(p) = d.p_value { (format!("{p:.4}")) } @else { "—" } }
            td { @if d.significant() { span.badge.ok { (ctx.t(Msg::InsSignificant)) } } @else { span.badge { (ctx.t(Msg::InsNotSignificant)) } } }
        }
    }
}

/// `GET /insight/tasks/{id}/ab`.
pub async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> AppResult<Markup> {
    let (task, c) = build(&state, &ctx.who, &id).await?;
    let body = html! {
        (tabs(&ctx, &task, "ab"))
        div.card #ab {
            @if task.variant.is_none() { p.hint { (ctx.t(Msg::InsNoVariants)) } }
            table {
                thead { tr { th {} th { "A" } th { "B" } } }
                tbody {
                    tr { th { (ctx.t(Msg::InsAttempts)) } td { (c.a.attempts) } td { (c.b.attempts) } }
                    tr { th { (ctx.t(Msg::InsAnswered)) } td { (c.a.answered) } td { (c.b.answered) } }
                    tr { th { (ctx.t(Msg::InsLeads)) } td { (c.a.leads) } td { (c.b.leads) } }
                    tr { th { (ctx.t(Msg::InsOptOuts)) } td { (c.a.opt_outs) } td { (c.b.opt_outs) } }
                }
            }
            table #ab-compare {
                thead { tr {
                    th { (ctx.t(Msg::InsMetric)) } th { "A" } th { "B" } th { (ctx.t(Msg::InsDiff)) }
                    th { (ctx.t(Msg::InsCi)) } th { (ctx.t(Msg::InsPValue)) } th {}
                } }
                tbody {
                    (diff_row(&ctx, Msg::InsLeadRate, &c.lead_rate, true))
                    (diff_row(&ctx, Msg::InsOptOutRate, &c.opt_out_rate, true))
                    (diff_row(&ctx, Msg::InsAvgTurns, &c.avg_turns, false))
                }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::InsAb), body))
}

/// The A/B comparison of a task's variants (B − A).
#[utoipa::path(get, path = "/api/v1/insight/tasks/{id}/ab", tag = "insight",
    params(("id" = Uuid, Path, description = "task id")),
    responses((status = 200, body = AbDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<AbDto>> {
    let (task, c) = build(&state, &who, &id).await?;
    Ok(Json(AbDto::new(task.id, task.variant.is_some(), &c)))
}

/// The A/B summary shown on the task page (`/tasks/{id}`) when the task runs
/// two variants; nothing otherwise. The caller has already checked the tenant.
pub async fn task_section(state: &AppState, ctx: &PageCtx, task: &Task) -> AppResult<Markup> {
    if task.variant.is_none() {
        return Ok(html! {});
    }
    let t = ctx.who.tenant_for(CAMPAIGN_READERS)?;
    let facts = data::facts(state, t, FactScope::Task(task.id), false).await?;
    let c = compare(&facts);
    Ok(html! {
        div.card #task-ab {
            h3 { (ctx.t(Msg::InsAb)) }
            table {
                thead { tr {
                    th { (ctx.t(Msg::InsMetric)) } th { "A" } th { "B" } th { (ctx.t(Msg::InsDiff)) }
                    th { (ctx.t(Msg::InsCi)) } th { (ctx.t(Msg::InsPValue)) } th {}
                } }
                tbody {
                    (diff_row(ctx, Msg::InsLeadRate, &c.lead_rate, true))
                    (diff_row(ctx, Msg::InsOptOutRate, &c.opt_out_rate, true))
                    (diff_row(ctx, Msg::InsAvgTurns, &c.avg_turns, false))
                }
            }
            p { a href={ "/insight/tasks/" (task.id) "/ab" } { (ctx.t(Msg::InsAb)) " →" } }
        }
    })
}

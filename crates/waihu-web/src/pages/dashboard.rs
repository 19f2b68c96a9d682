//! The dashboard: for a tenant, today's calls (UTC day), answer rate, live calls,
//! grades and refusals by reason (SVG bar charts drawn on the server, figures
//! from the store's rollups via `api::dashboard::figures`); users, tokens and
//! recent audit entries; for the operator, tenants and the platform log.

use super::{fmt_time, layout, role_label, PageCtx};
use crate::api::dashboard::{figures, DashboardDto};
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::State;
use maud::{html, Markup, PreEscaped};
use waihu_core::Role;
use waihu_insight::chart::horizontal_bars;
use waihu_store::{AuditEntry, TenantStatus};

fn stat(label: &str, value: impl std::fmt::Display, sub: Option<String>) -> Markup {
    html! {
        div.stat {
            div.label { (label) }
            div.value { (value) }
            @if let Some(s) = sub { div.sub { (s) } }
        }
    }
}

/// Recent audit entries as a compact table.
pub fn recent(ctx: &PageCtx, entries: &[AuditEntry]) -> Markup {
    html! {
        table {
            thead { tr { th { (ctx.t(Msg::Time)) } th { (ctx.t(Msg::Actor)) } th { (ctx.t(Msg::Action)) } th { (ctx.t(Msg::Target)) } } }
            tbody {
                @for e in entries {
                    tr { td.mono { (fmt_time(e.at)) } td { (e.actor) } td { code { (e.action) } } td { (e.target) } }
                }
                @if entries.is_empty() { tr { td.empty colspan="4" { (ctx.t(Msg::NoRows)) } } }
            }
        }
    }
}

/// A bar chart of `(label, count)` rows drawn by `waihu-insight` (it escapes
/// every label), or the "no data" hint when there are no rows.
fn bars(ctx: &PageCtx, title: &str, rows: &[(String, i64)]) -> Markup {
    html! {
        @if rows.is_empty() {
            p.hint { (ctx.t(Msg::ChartNoData)) }
        } @else {
            (PreEscaped(horizontal_bars(title, rows)))
        }
    }
}

/// Today's figures: four numbers and two bar charts.
fn today_figures(ctx: &PageCtx, d: &DashboardDto) -> Markup {
    let grades: Vec<(String, i64)> = d.grades.iter().map(|(k, v)| (k.clone(), *v)).collect();
    let refusals: Vec<(String, i64)> = d
        .refusals_by_reason
        .iter()
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    html! {
        div.grid #today {
            (stat(ctx.t(Msg::TodayCalls), d.calls, None))
            (stat(ctx.t(Msg::AnswerRate), format!("{:.1}%", d.answer_rate * 100.0), Some(format!("{} / {}", d.answered, d.calls))))
            (stat(ctx.t(Msg::LiveCalls), d.live_calls, None))
            (stat(ctx.t(Msg::Refusals), d.refused, None))
        }
        div.grid {
            div.card #grades {
                h2 { (ctx.t(Msg::GradeDistribution)) }
                (bars(ctx, ctx.t(Msg::GradeDistribution), &grades))
            }
            div.card #refusals {
                h2 { (ctx.t(Msg::RefusalsByReason)) }
                (bars(ctx, ctx.t(Msg::RefusalsByReason), &refusals))
            }
        }
        p.hint { (ctx.t(Msg::TodayUtc)) }
    }
}

/// `GET /`.
pub async fn page(State(state): State<AppState>, ctx: PageCtx) -> AppResult<Markup> {
    let who = &ctx.who;
    let mut cards = Vec::new();
    let mut activity = None;
    let mut today: Option<DashboardDto> = None;
    let tenant_name = match who.tenant_id {
        Some(t) => state.store.get_tenant(t).await?.map(|t| t.name.to_string()),
        None => None,
    };
    match (who.role, who.tenant_id) {
        (Role::Operator, _) => {
            let tenants = state.store.list_tenants().await?;
            let active = tenants
                .iter()
                .filter(|t| t.status == TenantStatus::Active)
                .count();
            cards.push(stat(
                ctx.t(Msg::CardTenants),
                tenants.len(),
                Some(format!(
                    "{active} {} · {} {}",
                    ctx.t(Msg::CardActive),
                    tenants.len() - active,
                    ctx.t(Msg::CardSuspended)
                )),
            ));
            cards.push(stat(
                ctx.t(Msg::OperatorsTitle),
                state.store.list_operators().await?.len(),
                None,
            ));
            activity = Some(state.store.list_audit_platform(8).await?);
        }
        (Role::Agent, Some(t)) => today = Some(figures(&state, t).await?),
        (Role::Admin | Role::Auditor, Some(t)) => {
            today = Some(figures(&state, t).await?);
            cards.push(stat(
                ctx.t(Msg::CardUsers),
                state.store.list_users(t).await?.len(),
                None,
            ));
            let tokens = state.store.list_api_tokens(t).await?;
            cards.push(stat(
                ctx.t(Msg::CardTokens),
                tokens.iter().filter(|t| t.revoked_at.is_none()).count(),
                None,
            ));
            activity = Some(state.store.list_audit(t, 8).await?);
        }
        _ => {}
    }
    let body = html! {
        div.card {
            h2 { (ctx.t(Msg::Welcome)) ", " (who.display) }
            p.hint {
                (ctx.t(Msg::YourRole)) ": " span.badge.role { (role_label(who.role).t(ctx.lang)) }
                " · " (ctx.t(Msg::YourTenant)) ": "
                @match &tenant_name { Some(n) => strong { (n) }, None => span { (ctx.t(Msg::Platform)) } }
            }
        }
        @if let Some(d) = &today { (today_figures(&ctx, d)) }
        @if !cards.is_empty() { div.grid { @for c in &cards { (c) } } }
        @if let Some(entries) = &activity {
            div.card {
                h2 { (ctx.t(Msg::RecentActivity)) }
                (recent(&ctx, entries))
                p { a href="/audit" { (ctx.t(Msg::NavAudit)) " →" } }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::DashboardTitle), body))
}

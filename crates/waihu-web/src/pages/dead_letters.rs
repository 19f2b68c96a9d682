//! Lead pushes given up after their retries (dead letters): the list, and a
//! button that queues one again (admins; auditors read).

use super::{csrf_field, done_notice, fmt_time, layout, parse_id, see_other, DoneQuery, PageCtx};
use crate::auth::principal::{TENANT_ADMINS, TENANT_READERS};
use crate::campaign::leads;
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{html, Markup};
use uuid::Uuid;
use waihu_core::Role;

/// `GET /dead-letters`.
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<DoneQuery>,
) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(TENANT_READERS)?;
    let rows = leads::dead_letters(&state, t).await?;
    let admin = ctx.who.role == Role::Admin;
    let body = html! {
        (done_notice(&ctx, q.done.is_some()))
        div.card {
            p.hint { (ctx.t(Msg::DeadLettersIntro)) }
            table {
                thead { tr {
                    th { (ctx.t(Msg::Time)) } th { (ctx.t(Msg::PushTarget)) } th { (ctx.t(Msg::Lead)) }
                    th { (ctx.t(Msg::Attempts)) } th { (ctx.t(Msg::LastError)) } th {}
                } }
                tbody {
                    @for d in &rows {
                        tr {
                            td.mono { (fmt_time(d.created_at)) }
                            td { (d.target_name) }
                            td.mono { (d.lead_id) }
                            td { (d.attempts) }
                            td.details { (d.last_error.as_deref().unwrap_or("")) }
                            td {
                                @if admin {
                                    form method="post" action={ "/dead-letters/" (d.id) "/retry" } class="inline" {
                                        (csrf_field(&ctx))
                                        button.small.secondary type="submit" { (ctx.t(Msg::Retry)) }
                                    }
                                }
                            }
                        }
                    }
                    @if rows.is_empty() { tr { td.empty colspan="6" { (ctx.t(Msg::NoRows)) } } }
                }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::DeadLettersTitle), body))
}

/// `POST /dead-letters/{id}/retry`.
pub async fn retry(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let t = ctx.who.tenant_for(TENANT_ADMINS)?;
    let id: Uuid = parse_id(&id, "dead letter")?;
    leads::retry(&state, t, id, &ctx.who).await?;
    Ok(see_other("/dead-letters?done=1"))
}

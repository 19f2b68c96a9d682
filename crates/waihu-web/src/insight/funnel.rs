//! The node funnel of one script version: a table (the node where most
//! callees hang up first) and the flow graph coloured by drop-off, as a page
//! and as JSON (with the SVG). Built from the newest calls that ran the version.

use super::data;
use super::dto::FunnelDto;
use crate::auth::principal::CAMPAIGN_READERS;
use crate::auth::Principal;
use crate::error::{AppResult, ErrorBody};
use crate::i18n::Msg;
use crate::pages::{layout, PageCtx};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use maud::{html, Markup, PreEscaped};
use waihu_insight::funnel::{funnel, render_svg, script_node_ids, Funnel};
use waihu_store::FactScope;

async fn build(state: &AppState, who: &Principal, raw: &str) -> AppResult<(String, Funnel)> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    let v = data::version(state, t, raw).await?;
    let facts = data::facts(state, t, FactScope::ScriptVersion(v.id), false).await?;
    let f = funnel(v.id, &facts).with_script_nodes(script_node_ids(&v.yaml));
    Ok((format!("{} v{}", v.name, v.version), f))
}

/// `GET /insight/script-versions/{id}/funnel`.
pub async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> AppResult<Markup> {
    let (name, f) = build(&state, &ctx.who, &id).await?;
    let body = html! {
        div.card {
            h2 { (ctx.t(Msg::InsFunnel)) " · " (name) }
            p.hint { (ctx.t(Msg::InsSample)) " " (ctx.t(Msg::InsCalls)) ": " (f.calls) }
            p.actions {
                a.btn.secondary href={ "/script-versions/" (f.script_version_id) } { (ctx.t(Msg::ViewVersion)) } " "
                a.btn.secondary href="/insight" { (ctx.t(Msg::Back)) }
            }
        }
        @if f.nodes.is_empty() {
            div.card { p.empty { (ctx.t(Msg::InsNoData)) } }
        } @else {
            div.card #funnel-graph { (PreEscaped(render_svg(&f))) }
            div.card {
                table #funnel-table {
                    thead { tr {
                        th { (ctx.t(Msg::InsNode)) } th { (ctx.t(Msg::InsReached)) } th { (ctx.t(Msg::InsTurns)) }
                        th { (ctx.t(Msg::InsHangups)) } th { (ctx.t(Msg::InsRefusals)) } th { (ctx.t(Msg::InsOptOuts)) }
                        th { (ctx.t(Msg::InsSilences)) } th { (ctx.t(Msg::InsDropOff)) } th { (ctx.t(Msg::InsNext)) }
                    } }
                    tbody {
                        @for n in &f.nodes {
                            tr data-node=(n.node) {
                                td.mono { (n.node) } td { (n.reached) } td { (n.turns) } td { (n.hangups) }
                                td { (n.refusals) } td { (n.opt_outs) } td { (n.silences) }
                                td { (format!("{:.1}%", n.drop_off() * 100.0)) }
                                td.small {
                                    @for b in n.branches.iter().take(6) {
                                        span.mono { (b.intent) " → " (b.target) " ×" (b.count) } br;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::InsFunnel), body))
}

/// A script version's node funnel (newest calls; SVG included).
#[utoipa::path(get, path = "/api/v1/insight/script-versions/{id}/funnel", tag = "insight",
    params(("id" = Uuid, Path, description = "script version id")),
    responses((status = 200, body = FunnelDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<FunnelDto>> {
    let (_, f) = build(&state, &who, &id).await?;
    let svg = render_svg(&f);
    Ok(Json(FunnelDto::new(&f, svg)))
}

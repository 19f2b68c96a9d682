//! The operator's SIP trunks (`/trunks`): list and add. The password is written
//! once and never shown back.

use super::{csrf_field, done_notice, fmt_time, layout, see_other, DoneQuery, PageCtx, PageForm};
use crate::campaign::operator::{self as op, NewTrunkReq};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use waihu_core::Role;

/// `GET /trunks`.
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<DoneQuery>,
) -> AppResult<Markup> {
    ctx.who.require(&[Role::Operator])?;
    let trunks = state.store.list_trunks().await?;
    let body = html! {
        (done_notice(&ctx, q.done.is_some()))
        div.card {
            p.hint { (ctx.t(Msg::TrunksIntro)) }
            table #trunks {
                thead { tr {
                    th { (ctx.t(Msg::TokenName)) } th { (ctx.t(Msg::TrunkAddress)) } th { (ctx.t(Msg::Transport)) }
                    th { (ctx.t(Msg::TrunkUser)) } th { (ctx.t(Msg::CpsLimit)) } th { (ctx.t(Msg::CreatedAt)) }
                } }
                tbody {
                    @for t in &trunks {
                        tr {
                            td { (t.name) } td.mono { (t.address) } td { (t.transport.as_str()) }
                            td { (t.username.as_deref().unwrap_or("—")) @if t.password.is_some() { " · " (ctx.t(Msg::SecretSet)) } }
                            td { (t.cps_limit) } td.mono { (fmt_time(t.created_at)) }
                        }
                    }
                    @if trunks.is_empty() { tr { td.empty colspan="6" { (ctx.t(Msg::NoRows)) } } }
                }
            }
        }
        div.card {
            h2 { (ctx.t(Msg::AddTrunk)) }
            form.row method="post" action="/trunks" {
                (csrf_field(&ctx))
                label { (ctx.t(Msg::TokenName)) input type="text" name="name" required maxlength="64"; }
                label { (ctx.t(Msg::TrunkAddress)) input type="text" name="address" required; }
                label { (ctx.t(Msg::Transport)) select name="transport" { option value="udp" { "udp" } option value="tcp" { "tcp" } } }
                label { (ctx.t(Msg::TrunkUser)) input type="text" name="username" autocomplete="off"; }
                label { (ctx.t(Msg::TrunkPassword)) input type="password" name="password" autocomplete="new-password"; }
                label { (ctx.t(Msg::CpsLimit)) input type="text" name="cps_limit" inputmode="decimal" value="5" required; }
                button type="submit" { (ctx.t(Msg::Create)) }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::TrunksTitle), body))
}

/// The add form.
#[derive(Debug, Deserialize)]
pub struct TrunkForm {
    name: String,
    address: String,
    #[serde(default)]
    transport: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    cps_limit: String,
}

/// `POST /trunks`.
pub async fn add(
    State(state): State<AppState>,
    ctx: PageCtx,
    PageForm(f): PageForm<TrunkForm>,
) -> AppResult<Response> {
    ctx.who.require(&[Role::Operator])?;
    let cps_limit = f
        .cps_limit
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("cps_limit", "not a number"))?;
    let req = NewTrunkReq {
        name: f.name,
        address: f.address,
        transport: f.transport,
        username: f.username,
        password: f.password,
        cps_limit,
    };
    op::add_trunk(&state, req, &ctx.who.actor).await?;
    Ok(see_other("/trunks?done=1"))
}

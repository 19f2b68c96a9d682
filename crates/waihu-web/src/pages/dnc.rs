//! The tenant's do-not-call list: check a number (admins and auditors), add one
//! with a reason, remove one with a required reason (admins). Numbers are typed
//! into POST forms, never put in URLs, and shown back only masked. Every change
//! is audited by the store. Without the PII key the page says so.

use super::{csrf_field, layout, PageCtx, PageForm};
use crate::auth::principal::{TENANT_ADMINS, TENANT_READERS};
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::numbers;
use crate::state::AppState;
use axum::extract::State;
use maud::{html, Markup};
use serde::Deserialize;
use waihu_core::{Role, TenantId};
use waihu_store::{DncMembership, DncScope};

/// What the page reports after a form.
enum Outcome {
    Checked(String, DncMembership),
    Added(String, bool),
    Removed(String, bool),
}

async fn render(
    state: &AppState,
    ctx: &PageCtx,
    tenant: TenantId,
    outcome: Option<Outcome>,
) -> AppResult<Markup> {
    let entries = state.store.count_dnc(DncScope::Tenant(tenant)).await?;
    let admin = ctx.who.role == Role::Admin;
    let enabled = state.phone_key.is_some();
    let yes_no = |b: bool| ctx.t(if b { Msg::Yes } else { Msg::No });
    let body = html! {
        @match &outcome {
            Some(Outcome::Checked(masked, m)) => div.card #dnc-result {
                h2 { span.mono { (masked) } }
                table {
                    tbody {
                        tr { th { (ctx.t(Msg::DncTenantList)) } td { (yes_no(m.tenant)) } }
                        tr { th { (ctx.t(Msg::DncPlatformList)) } td { (yes_no(m.platform)) } }
                        tr { th { (ctx.t(Msg::DncRegistryList)) } td { (yes_no(m.registry)) } }
                    }
                }
            },
            Some(Outcome::Added(masked, true)) => div.notice.ok #dnc-result { span.mono { (masked) } " " (ctx.t(Msg::DncAdded)) },
            Some(Outcome::Added(masked, false)) => div.notice.warn #dnc-result { span.mono { (masked) } " " (ctx.t(Msg::DncAlready)) },
            Some(Outcome::Removed(masked, true)) => div.notice.ok #dnc-result { span.mono { (masked) } " " (ctx.t(Msg::DncRemoved)) },
            Some(Outcome::Removed(masked, false)) => div.notice.warn #dnc-result { span.mono { (masked) } " " (ctx.t(Msg::DncNotOnList)) },
            None => {},
        }
        div.card {
            p.hint { (ctx.t(Msg::DncIntro)) }
            p { (ctx.t(Msg::DncEntries)) ": " strong #dnc-count { (entries) } }
        }
        @if !enabled {
            div.notice.bad #dnc-disabled { (ctx.t(Msg::DncKeysMissing)) }
        } @else {
            div.card {
                h2 { (ctx.t(Msg::DncCheck)) }
                form.row method="post" action="/dnc/check" {
                    (csrf_field(ctx))
                    label { (ctx.t(Msg::Number)) input type="tel" name="number" required autocomplete="off" placeholder="1xx xxxx xxxx"; }
                    button.secondary type="submit" { (ctx.t(Msg::DncCheck)) }
                }
            }
            @if admin {
                div.card {
                    h2 { (ctx.t(Msg::DncAdd)) }
                    form.row method="post" action="/dnc" {
                        (csrf_field(ctx))
                        label { (ctx.t(Msg::Number)) input type="tel" name="number" required autocomplete="off"; }
                        label { (ctx.t(Msg::Reason)) input type="text" name="reason" required maxlength="200" placeholder=(ctx.t(Msg::DncReasonHint)); }
                        button type="submit" { (ctx.t(Msg::DncAdd)) }
                    }
                }
                div.card {
                    h2 { (ctx.t(Msg::DncRemove)) }
                    p.hint { (ctx.t(Msg::DncRemoveHint)) }
                    form.row method="post" action="/dnc/remove" data-confirm=(ctx.t(Msg::DncConfirmRemove)) {
                        (csrf_field(ctx))
                        label { (ctx.t(Msg::Number)) input type="tel" name="number" required autocomplete="off"; }
                        label { (ctx.t(Msg::Reason)) input type="text" name="reason" required maxlength="200"; }
                        button.danger type="submit" { (ctx.t(Msg::DncRemove)) }
                    }
                }
            }
        }
    };
    Ok(layout::page(ctx, ctx.t(Msg::DncTitle), body))
}

/// `GET /dnc/check` and `GET /dnc/remove` (the language switch on a result
/// page): back to the page.
pub async fn back() -> axum::response::Response {
    super::see_other("/dnc")
}

/// `GET /dnc`.
pub async fn page(State(state): State<AppState>, ctx: PageCtx) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(TENANT_READERS)?;
    render(&state, &ctx, t, None).await
}

/// The check form.
#[derive(Debug, Deserialize)]
pub struct CheckForm {
    number: String,
}

/// `POST /dnc/check`: on which lists the number is (read-only; auditors too).
pub async fn check(
    State(state): State<AppState>,
    ctx: PageCtx,
    PageForm(f): PageForm<CheckForm>,
) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(TENANT_READERS)?;
    let n = numbers::parse(&state, &f.number, "number")?;
    let m = state.store.dnc_membership(t, &n.hash).await?;
    render(&state, &ctx, t, Some(Outcome::Checked(n.masked, m))).await
}

/// The add and remove forms.
#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    number: String,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /dnc`: adds a number to the tenant's list.
pub async fn add(
    State(state): State<AppState>,
    ctx: PageCtx,
    PageForm(f): PageForm<ChangeForm>,
) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(TENANT_ADMINS)?;
    let reason = numbers::reason(f.reason.as_deref())?;
    let n = numbers::parse(&state, &f.number, "number")?;
    let added = state
        .store
        .add_dnc(
            DncScope::Tenant(t),
            &n.hash,
            &n.masked,
            &reason,
            "web",
            &ctx.who.actor,
        )
        .await?;
    render(&state, &ctx, t, Some(Outcome::Added(n.masked, added))).await
}

/// `POST /dnc/remove`: removes a number from the tenant's list (reason required).
pub async fn remove(
    State(state): State<AppState>,
    ctx: PageCtx,
    PageForm(f): PageForm<ChangeForm>,
) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(TENANT_ADMINS)?;
    let reason = numbers::reason(f.reason.as_deref())?;
    let n = numbers::parse(&state, &f.number, "number")?;
    let removed = state
        .store
        .remove_dnc(
            DncScope::Tenant(t),
            &n.hash,
            &n.masked,
            &reason,
            &ctx.who.actor,
        )
        .await?;
    render(&state, &ctx, t, Some(Outcome::Removed(n.masked, removed))).await
}

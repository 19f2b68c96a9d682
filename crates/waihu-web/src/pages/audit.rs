//! The audit log: the operator sees the platform's, admins and auditors their
//! tenant's; filter by action prefix and actor (searched by the database over
//! the whole log), page through it; verify the whole hash chain. A tenant's
//! verification walks the whole chain too but is told only about its own part: how
//! many of its entries there are and whether the chain is intact, never the
//! platform's head hash, count or where another tenant's entry broke.

use super::{fmt_time, layout, PageCtx};
use crate::auth::principal::TENANT_READERS;
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::{Query, State};
use maud::{html, Markup};
use serde::Deserialize;
use waihu_core::Role;
use waihu_store::{AuditEntry, AuditSearch, ChainBreak, ChainHead};

/// What a caller may see of a verification of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainView {
    /// The operator: the platform's head, or the first break.
    Platform(Result<ChainHead, ChainBreak>),
    /// A tenant's readers: how many of its own entries there are when the chain is
    /// intact; when broken, where only if the bad entry is the tenant's own.
    Tenant(Result<i64, Option<ChainBreak>>),
}

/// Verifies the chain as the caller may see it (shared with the JSON API).
pub async fn verified(state: &AppState, who: &crate::auth::Principal) -> AppResult<ChainView> {
    if who.role == Role::Operator {
        return Ok(ChainView::Platform(state.store.verify_audit_chain().await?));
    }
    let tenant = who.tenant_for(TENANT_READERS)?;
    Ok(ChainView::Tenant(
        state
            .store
            .verify_audit_tenant(tenant)
            .await?
            .map_err(|b| (b.tenant_id == Some(tenant)).then_some(b)),
    ))
}

/// Entries per page.
pub const PAGE: usize = 50;

/// Filter and paging.
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    /// Action prefix, e.g. `auth.`.
    pub action: Option<String>,
    /// Substring of the actor.
    pub actor: Option<String>,
    /// Entries to skip.
    pub offset: Option<usize>,
}

/// One page of the entries the caller may see, filtered, and how many match
/// (shared with the JSON API).
pub async fn visible(
    state: &AppState,
    who: &crate::auth::Principal,
    action: Option<&str>,
    actor: Option<&str>,
    offset: usize,
    limit: usize,
) -> AppResult<(Vec<AuditEntry>, usize)> {
    let tenant_id = if who.role == Role::Operator {
        None
    } else {
        Some(who.tenant_for(TENANT_READERS)?)
    };
    let clean = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    let search = AuditSearch {
        tenant_id,
        action_prefix: clean(action),
        actor_contains: clean(actor),
        offset: i64::try_from(offset).unwrap_or(i64::MAX),
        limit: i64::try_from(limit).unwrap_or(i64::MAX),
    };
    let (entries, total) = state.store.search_audit(&search).await?;
    Ok((entries, usize::try_from(total).unwrap_or(usize::MAX)))
}

async fn render(
    state: &AppState,
    ctx: &PageCtx,
    q: AuditQuery,
    verified: Option<ChainView>,
) -> AppResult<Markup> {
    let offset = q.offset.unwrap_or(0);
    let (page, total) = visible(
        state,
        &ctx.who,
        q.action.as_deref(),
        q.actor.as_deref(),
        offset,
        PAGE,
    )
    .await?;
    let action = q.action.clone().unwrap_or_default();
    let actor = q.actor.clone().unwrap_or_default();
    let link = |off: usize| {
        format!(
            "/audit?action={}&actor={}&offset={off}",
            super::urlencode(&action),
            super::urlencode(&actor)
        )
    };
    let body = html! {
        @if let Some(v) = &verified {
            @match v {
                ChainView::Platform(Ok(head)) => div.notice.ok #chain-result data-ok="true" {
                    strong { (ctx.t(Msg::ChainIntact)) } " · " (ctx.t(Msg::ChainEntries)) ": " (head.count)
                    " · " (ctx.t(Msg::ChainHead)) ": " code { (head.hash) }
                },
                ChainView::Tenant(Ok(count)) => div.notice.ok #chain-result data-ok="true" {
                    strong { (ctx.t(Msg::ChainIntact)) } " · " (ctx.t(Msg::ChainEntries)) ": " (count)
                },
                ChainView::Platform(Err(b)) | ChainView::Tenant(Err(Some(b))) => div.notice.bad #chain-result data-ok="false" {
                    strong { (ctx.t(Msg::ChainBroken)) } " · " (ctx.t(Msg::FirstBadEntry)) ": " (b.seq) " — " (b.why)
                },
                ChainView::Tenant(Err(None)) => div.notice.bad #chain-result data-ok="false" {
                    strong { (ctx.t(Msg::ChainBroken)) }
                },
            }
        }
        div.card {
            p.hint { (ctx.t(Msg::AuditIntro)) }
            form.row method="get" action="/audit" {
                label { (ctx.t(Msg::FilterAction)) input type="search" name="action" value=(action) placeholder="auth."; }
                label { (ctx.t(Msg::FilterActor)) input type="search" name="actor" value=(actor) placeholder="user:"; }
                button.secondary type="submit" { (ctx.t(Msg::Filter)) }
                @if matches!(ctx.who.role, Role::Operator | Role::Admin | Role::Auditor) {
                    a.btn #verify-chain href="/audit/verify" { (ctx.t(Msg::VerifyChain)) }
                }
            }
        }
        div.card {
            table {
                thead { tr { th { "#" } th { (ctx.t(Msg::Time)) } th { (ctx.t(Msg::Actor)) } th { (ctx.t(Msg::Action)) } th { (ctx.t(Msg::Target)) } th { (ctx.t(Msg::Details)) } } }
                tbody {
                    @for e in &page {
                        tr {
                            td.mono { (e.seq) }
                            td.mono { (fmt_time(e.at)) }
                            td { (e.actor) }
                            td { code { (e.action) } }
                            td { (e.target) }
                            td.details.mono { @if e.details != "{}" { (e.details) } }
                        }
                    }
                    @if page.is_empty() { tr { td.empty colspan="6" { (ctx.t(Msg::NoRows)) } } }
                }
            }
            div.pager {
                @if offset > 0 { a.btn.secondary href=(link(offset.saturating_sub(PAGE))) { "← " (ctx.t(Msg::Newer)) } }
                @if offset + PAGE < total { a.btn.secondary href=(link(offset + PAGE)) { (ctx.t(Msg::Older)) " →" } }
            }
        }
    };
    Ok(layout::page(ctx, ctx.t(Msg::AuditTitle), body))
}

/// `GET /audit`.
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<AuditQuery>,
) -> AppResult<Markup> {
    render(&state, &ctx, q, None).await
}

/// `GET /audit/verify`: walks the whole chain and shows what the caller may see of
/// the result above the log.
pub async fn verify(State(state): State<AppState>, ctx: PageCtx) -> AppResult<Markup> {
    let result = verified(&state, &ctx.who).await?;
    render(&state, &ctx, AuditQuery::default(), Some(result)).await
}

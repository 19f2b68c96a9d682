//! Contact lists: the tenant's lists, and one list's contacts page by page with
//! their consent evidence. Admins and auditors read them; agents see nothing.
//! Numbers are only ever shown masked (the stored `number_masked`). Admins
//! import CSV/XLSX files from the form on `/contacts` (see [`contact_import`],
//! with column mapping, import-wide consent evidence and a per-row error
//! report), as `POST /api/v1/contact-lists/import` and `waihu import contacts` do.
//!
//! [`contact_import`]: super::contact_import

use super::{fmt_time, layout, parse_id, PageCtx};
use crate::auth::principal::TENANT_READERS;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;
use waihu_core::{Role, TenantId};
use waihu_store::{ContactList, StoredContact};

/// Contacts per page.
pub const PAGE: usize = 50;

/// One of `tenant`'s lists; another tenant's (or a missing) list is 404.
pub async fn find_list(state: &AppState, tenant: TenantId, id: Uuid) -> AppResult<ContactList> {
    state
        .store
        .list_contact_lists(tenant)
        .await?
        .into_iter()
        .find(|l| l.id == id)
        .ok_or_else(|| AppError::not_found("contact list"))
}

/// A page of a list's contacts and whether more follow (one extra row is read
/// instead of counting the list).
pub async fn contacts_page(
    state: &AppState,
    tenant: TenantId,
    list: Uuid,
    offset: usize,
    limit: usize,
) -> AppResult<(Vec<StoredContact>, bool)> {
    let off = i64::try_from(offset).map_err(|_| AppError::invalid("offset", "offset too large"))?;
    let lim = i64::try_from(limit + 1).unwrap_or(i64::MAX);
    let mut rows = state.store.list_contacts(tenant, list, off, lim).await?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    Ok((rows, more))
}

/// `GET /contacts`: the tenant's lists.
pub async fn lists(State(state): State<AppState>, ctx: PageCtx) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(TENANT_READERS)?;
    let lists = state.store.list_contact_lists(t).await?;
    let body = html! {
        div.card {
            p.hint { (ctx.t(Msg::ContactListsIntro)) }
            table {
                thead { tr { th { (ctx.t(Msg::ListName)) } th { (ctx.t(Msg::CreatedAt)) } } }
                tbody {
                    @for l in &lists {
                        tr {
                            td { a href={ "/contacts/" (l.id) } { (l.name) } }
                            td.mono { (fmt_time(l.created_at)) }
                        }
                    }
                    @if lists.is_empty() { tr { td.empty colspan="2" { (ctx.t(Msg::NoRows)) } } }
                }
            }
        }
    };
    let body = html! {
        (body)
        @if ctx.who.role == Role::Admin { (super::contact_import::form(&ctx, &state, None)) }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::ContactListsTitle), body))
}

/// `?offset=` on a list's page.
#[derive(Debug, Default, Deserialize)]
pub struct OffsetQuery {
    /// Contacts to skip.
    pub offset: Option<usize>,
}

fn fields_cell(fields: &serde_json::Value) -> Markup {
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let name = fields.get("name").map(text).unwrap_or_default();
    let others: Vec<(String, String)> = fields
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| k.as_str() != "name")
                .map(|(k, v)| (k.clone(), text(v)))
                .collect()
        })
        .unwrap_or_default();
    html! {
        strong { (name) }
        @for (k, v) in &others { br; span.hint { (k) ": " (v) } }
    }
}

fn consent_cell(ctx: &PageCtx, c: &StoredContact) -> Markup {
    let e = &c.consent.evidence;
    let scope: Vec<&str> = e.purposes.iter().map(|p| p.as_str()).collect();
    html! {
        span { (e.source) } " · " span.mono { (fmt_time(e.given_at)) }
        br;
        span.hint { (ctx.t(Msg::ConsentScope)) ": " (scope.join(", ")) @if e.share_leads { ", share_leads" } }
        @match &e.evidence {
            waihu_compliance::EvidenceRef::Reference(r) => { br; span.hint { (ctx.t(Msg::ConsentRef)) ": " (r) } },
            waihu_compliance::EvidenceRef::Wording(w) => { br; span.hint title=(w) { (ctx.t(Msg::ConsentWording)) ": " (w.chars().take(40).collect::<String>()) @if w.chars().count() > 40 { "…" } } },
        }
        @if let Some(exp) = e.expires_at { br; span.hint { (ctx.t(Msg::ConsentExpires)) ": " span.mono { (fmt_time(exp)) } } }
    }
}

/// `GET /contacts/{id}`: one list's contacts, [`PAGE`] at a time.
pub async fn detail(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    Query(q): Query<OffsetQuery>,
) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(TENANT_READERS)?;
    let id: Uuid = parse_id(&id, "contact list")?;
    let list = find_list(&state, t, id).await?;
    let offset = q.offset.unwrap_or(0);
    let (rows, more) = contacts_page(&state, t, list.id, offset, PAGE).await?;
    let link = |off: usize| format!("/contacts/{}?offset={off}", list.id);
    let body = html! {
        div.card {
            h2 { (list.name) }
            p.hint.mono { (list.id) " · " (fmt_time(list.created_at)) }
            p.hint { (ctx.t(Msg::NumbersMasked)) }
        }
        div.card {
            table {
                thead { tr { th { (ctx.t(Msg::Number)) } th { (ctx.t(Msg::ContactFields)) } th { (ctx.t(Msg::Consent)) } th { (ctx.t(Msg::Status)) } } }
                tbody {
                    @for c in &rows {
                        tr {
                            td.mono { (c.number_masked) }
                            td { (fields_cell(&c.fields)) }
                            td { (consent_cell(&ctx, c)) }
                            td {
                                @match c.consent.withdrawn_at {
                                    Some(at) => span.badge.bad title=(fmt_time(at)) { (ctx.t(Msg::ConsentWithdrawn)) },
                                    None => span.badge.ok { (ctx.t(Msg::ConsentHeld)) },
                                }
                            }
                        }
                    }
                    @if rows.is_empty() { tr { td.empty colspan="4" { (ctx.t(Msg::NoRows)) } } }
                }
            }
            div.pager {
                @if offset > 0 { a.btn.secondary href=(link(offset.saturating_sub(PAGE))) { "← " (ctx.t(Msg::Previous)) } }
                @if more { a.btn.secondary href=(link(offset + PAGE)) { (ctx.t(Msg::Next)) " →" } }
            }
        }
        p { a.btn.secondary href="/contacts" { (ctx.t(Msg::Back)) } }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::ContactListTitle), body))
}

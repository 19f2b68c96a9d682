//! A tenant's API tokens: listed for admins and auditors; created (the secret is
//! shown once, in the answer to the form, never in a URL) and revoked by admins.

use super::{
    csrf_field, done_notice, fmt_time, layout, parse_id, see_other, DoneQuery, PageCtx, PageForm,
};
use crate::auth::principal::{TENANT_ADMINS, TENANT_READERS};
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use waihu_core::ids::ApiTokenId;
use waihu_core::{Role, TenantId};

async fn render(
    state: &AppState,
    ctx: &PageCtx,
    tenant: TenantId,
    fresh: Option<(&str, &str)>,
    done: bool,
) -> AppResult<Markup> {
    let tokens = state.store.list_api_tokens(tenant).await?;
    let admin = ctx.who.role == Role::Admin;
    let body = html! {
        (done_notice(ctx, done))
        @if let Some((name, secret)) = fresh {
            div.card {
                h2 { (name) }
                div.notice.ok { (ctx.t(Msg::TokenShownOnce)) }
                div.secret {
                    code #new-token { (secret) }
                    button.small.secondary type="button" data-copy="new-token" data-copied=(ctx.t(Msg::Copied)) { (ctx.t(Msg::Copy)) }
                }
                p.hint { (ctx.t(Msg::TokenUsage)) }
            }
        }
        @if admin {
            div.card {
                h2 { (ctx.t(Msg::CreateToken)) }
                form.row method="post" action="/tokens" {
                    (csrf_field(ctx))
                    label { (ctx.t(Msg::TokenName)) input type="text" name="name" required maxlength="64"; }
                    button type="submit" { (ctx.t(Msg::Create)) }
                }
            }
        }
        div.card {
            table {
                thead { tr { th { (ctx.t(Msg::TokenName)) } th { (ctx.t(Msg::CreatedBy)) } th { (ctx.t(Msg::CreatedAt)) } th { (ctx.t(Msg::Status)) } @if admin { th { (ctx.t(Msg::Actions)) } } } }
                tbody {
                    @for t in &tokens {
                        tr {
                            td { strong { (t.name) } br; span.hint.mono { (t.id) } }
                            td { (t.created_by) }
                            td.mono { (fmt_time(t.created_at)) }
                            td {
                                @match t.revoked_at {
                                    Some(at) => span.badge.bad title=(fmt_time(at)) { (ctx.t(Msg::Revoked)) },
                                    None => span.badge.ok { (ctx.t(Msg::StatusActive)) },
                                }
                            }
                            @if admin {
                                td {
                                    @if t.revoked_at.is_none() {
                                        form.inline method="post" action={ "/tokens/" (t.id) "/revoke" } data-confirm=(ctx.t(Msg::ConfirmRevoke)) {
                                            (csrf_field(ctx))
                                            button.small.danger type="submit" { (ctx.t(Msg::Revoke)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if tokens.is_empty() { tr { td.empty colspan="5" { (ctx.t(Msg::NoRows)) } } }
                }
            }
        }
    };
    Ok(layout::page(ctx, ctx.t(Msg::TokensTitle), body))
}

/// `GET /tokens`.
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<DoneQuery>,
) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(TENANT_READERS)?;
    render(&state, &ctx, t, None, q.done.is_some()).await
}

/// The create form.
#[derive(Debug, Deserialize)]
pub struct CreateToken {
    name: String,
}

/// `POST /tokens`: creates a token and shows its secret this once.
pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    PageForm(f): PageForm<CreateToken>,
) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(TENANT_ADMINS)?;
    let (token, secret) = state
        .store
        .create_api_token(t, &f.name, &ctx.who.actor)
        .await?;
    render(&state, &ctx, t, Some((&token.name, &secret)), false).await
}

/// `POST /tokens/{id}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let t = ctx.who.tenant_for(TENANT_ADMINS)?;
    let id: ApiTokenId = parse_id(&id, "api token")?;
    state.store.revoke_api_token(t, id, &ctx.who.actor).await?;
    Ok(see_other("/tokens?done=1"))
}

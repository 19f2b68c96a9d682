//! The prompt audio library (`/prompts`): the tenant's recorded prompts with an
//! audio player each (admins, agents, auditors), and an upload form for admins.
//! The form is sent by the page script as the raw file to
//! `POST /api/v1/prompts?name=` with the session's anti-CSRF header (no
//! multipart); the audio is served by `GET /prompts/{id}/audio`, for the
//! caller's tenant's prompts only.

use super::{fmt_time, layout, parse_id, PageCtx};
use crate::auth::principal::CAMPAIGN_READERS;
use crate::campaign::prompts::{self, MAX_UPLOAD};
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use maud::{html, Markup};
use uuid::Uuid;
use waihu_core::Role;

/// `GET /prompts`.
pub async fn list(State(state): State<AppState>, ctx: PageCtx) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(CAMPAIGN_READERS)?;
    let rows = state.store.list_prompts(t).await?;
    let enabled = state.prompt_audio.is_some();
    let body = html! {
        div.card {
            p.hint { (ctx.t(Msg::PromptsIntro)) }
            @if !enabled { div.notice.warn #prompts-off { (ctx.t(Msg::PromptsOff)) } }
            table #prompts {
                thead { tr {
                    th { (ctx.t(Msg::TokenName)) } th { (ctx.t(Msg::Duration)) } th { (ctx.t(Msg::CreatedAt)) }
                    th { (ctx.t(Msg::Listen)) }
                } }
                tbody {
                    @for p in &rows {
                        tr {
                            td { code { (p.name) } }
                            td { (format!("{:.1} s", p.duration_ms as f64 / 1000.0)) }
                            td.mono { (fmt_time(p.created_at)) }
                            td { @if enabled { audio controls preload="none" src={ "/prompts/" (p.id) "/audio" } {} } }
                        }
                    }
                    @if rows.is_empty() { tr { td.empty colspan="4" { (ctx.t(Msg::NoRows)) } } }
                }
            }
        }
        @if enabled && ctx.who.role == Role::Admin {
            div.card {
                h2 { (ctx.t(Msg::UploadPrompt)) }
                p.hint { (ctx.t(Msg::UploadPromptHint)) " (≤ " (MAX_UPLOAD >> 20) " MiB)" }
                form.row #prompt-upload data-upload="/api/v1/prompts" data-csrf=(ctx.who.csrf()) {
                    label { (ctx.t(Msg::TokenName)) input type="text" name="name" required maxlength="64"; }
                    label { (ctx.t(Msg::AudioFile)) input type="file" name="file" required accept=".wav,.mp3,audio/wav,audio/mpeg"; }
                    button type="submit" { (ctx.t(Msg::Upload)) }
                    span.hint data-upload-status {}
                }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::PromptsTitle), body))
}

/// `GET /prompts/{id}/audio`.
pub async fn audio(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let t = ctx.who.tenant_for(CAMPAIGN_READERS)?;
    let id: Uuid = parse_id(&id, "prompt")?;
    Ok(prompts::wav_response(prompts::wav(&state, t, id).await?))
}

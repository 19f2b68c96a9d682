//! The script version page's tools: the flow graph (SVG drawn on the server by
//! `waihu_dialog::graph`, findings marked on their nodes) and the chat
//! simulator — a plain form that works without script (each answer is a whole
//! page) and that `app.js` turns into an in-place exchange. Readers of the
//! tenant's scripts may use both; nothing is stored.

use super::{csrf_field, PageCtx, PageForm};
use crate::auth::principal::CAMPAIGN_READERS;
use crate::campaign::script_chat::{self, Chat, RobotLine, MAX_INPUT};
use crate::campaign::scripts;
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::{Path, State};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;
use uuid::Uuid;
use waihu_store::ScriptVersion;

/// The flow graph card.
pub fn graph_card(ctx: &PageCtx, v: &ScriptVersion) -> Markup {
    html! {
        div.card #graph {
            h2 { (ctx.t(Msg::GraphTitle)) }
            @match scripts::flow_graph(v) {
                Some(svg) => {
                    p.hint { (ctx.t(Msg::GraphHint)) }
                    // Built by waihu-dialog with every text escaped.
                    div.graph-wrap { (PreEscaped(svg)) }
                }
                None => p.notice.warn { (ctx.t(Msg::GraphUnavailable)) },
            }
        }
    }
}

fn robot_lines(ctx: &PageCtx, lines: &[RobotLine]) -> Markup {
    html! {
        @for l in lines {
            @if l.speech {
                div.chat-line.robot { b { (ctx.t(Msg::SpeakerRobot)) "：" } (l.text) }
            } @else {
                div.chat-line.event.hint.mono { (l.text) }
            }
        }
    }
}

fn node_note(ctx: &PageCtx, node: Option<&str>) -> Markup {
    html! { @if let Some(n) = node { span.mono { (ctx.t(Msg::ChatNode)) " " b { (n) } } } }
}

/// The chat card for a replayed conversation (or why there is none).
pub fn chat_card(ctx: &PageCtx, v: &ScriptVersion, chat: Option<&Chat>) -> Markup {
    let Some(chat) = chat else {
        return html! {
            div.card #chat { h2 { (ctx.t(Msg::ChatTitle)) } p.notice.warn { (ctx.t(Msg::ChatUnavailable)) } }
        };
    };
    let history = serde_json::to_string(&chat.history).unwrap_or_else(|_| "[]".into());
    html! {
        div.card #chat {
            h2 { (ctx.t(Msg::ChatTitle)) }
            p.hint { (ctx.t(Msg::ChatHint)) }
            div.chat-log {
                (robot_lines(ctx, &chat.opening))
                div.chat-line.meta.hint { (node_note(ctx, chat.opening_node.as_deref())) }
                @for t in &chat.turns {
                    div.chat-line.callee {
                        b { (ctx.t(Msg::SpeakerCallee)) "：" }
                        @if t.said.is_empty() { span.hint { (ctx.t(Msg::ChatSilence)) } } @else { (t.said) }
                    }
                    div.chat-line.meta.hint {
                        @if let Some(i) = &t.intent { span.mono { (ctx.t(Msg::ChatIntent)) " " b.intent { (i) } } " · " }
                        @if let Some(c) = t.confidence { span.mono { (ctx.t(Msg::ChatConfidence)) " " (format!("{c:.2}")) } " · " }
                        (node_note(ctx, t.node.as_deref()))
                    }
                    (robot_lines(ctx, &t.robot))
                }
                @if let Some((outcome, grade)) = &chat.result {
                    p.notice.ok.chat-end { (ctx.t(Msg::ChatEnded)) " · " (ctx.t(Msg::Outcome)) " " b.mono { (outcome) } " · " (ctx.t(Msg::Grade)) " " b.mono { (grade) } }
                }
            }
            @if !chat.ended {
                form.row method="post" action={ "/script-versions/" (v.id) "/chat#chat" } data-chat {
                    (csrf_field(ctx))
                    input type="hidden" name="history" value=(history);
                    label { (ctx.t(Msg::ChatInput)) input type="text" name="say" maxlength=(MAX_INPUT) autocomplete="off"; }
                    button type="submit" { (ctx.t(Msg::ChatSend)) }
                }
            }
            p { a.btn.secondary href={ "/script-versions/" (v.id) "#chat" } { (ctx.t(Msg::ChatRestart)) } }
        }
    }
}

/// The chat for a version: the replay of `history` (none when the version
/// does not load).
pub fn replay(v: &ScriptVersion, history: &[String]) -> Option<Chat> {
    script_chat::interpreter(&v.yaml)
        .ok()
        .map(|it| script_chat::run(&it, history))
}

/// The chat form.
#[derive(Debug, Deserialize)]
pub struct ChatForm {
    /// The lines typed so far (JSON list).
    history: Option<String>,
    /// The new line (empty: silence).
    #[serde(default)]
    say: String,
}

/// `POST /script-versions/{id}/chat`: one more callee line; answers with the
/// version page showing the whole exchange.
pub async fn chat(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<ChatForm>,
) -> AppResult<Markup> {
    let t = ctx.who.tenant_for(CAMPAIGN_READERS)?;
    let id: Uuid = super::parse_id(&id, "script version")?;
    let v = scripts::find_version(&state, t, id).await?;
    let mut history = script_chat::parse_history(f.history.as_deref())?;
    history.push(script_chat::clean_input(&f.say)?);
    if history.len() > script_chat::MAX_TURNS {
        return Err(crate::error::AppError::invalid(
            "say",
            format!(
                "a simulated chat is limited to {} lines: start over",
                script_chat::MAX_TURNS
            ),
        ));
    }
    let it = script_chat::interpreter(&v.yaml)?;
    let chat = script_chat::run(&it, &history);
    Ok(super::scripts::version_page(&ctx, &v, false, Some(&chat)))
}

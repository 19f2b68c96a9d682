//! `GET /live`: the calls in progress, drawn on the server (works without
//! script) and kept up to date by `app.js` from `/live/events`. The labels the
//! script needs travel in `data-` attributes, so it holds no UI strings.

use super::{scope_of, LiveCall, Scope};
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::pages::{fmt_time, layout, PageCtx};
use crate::state::AppState;
use axum::extract::State;
use maud::{html, Markup};

fn call_card(ctx: &PageCtx, c: &LiveCall, all: bool) -> Markup {
    html! {
        div.card.live-call data-call=(c.call_id) {
            h2 {
                span.task { (c.task_name) } " · "
                span.mono { (c.number_masked) } " "
                @if c.answered_at.is_some() { span.badge.ok.state { (ctx.t(Msg::LiveTalking)) } }
                @else { span.badge.warn.state { (ctx.t(Msg::LiveDialling)) } }
            }
            p.hint.mono {
                (fmt_time(c.started_at))
                @if all { " · " (ctx.t(Msg::YourTenant)) " " (c.tenant_id) }
            }
            ol.live-lines {
                @for l in &c.lines {
                    li class=(l.speaker) {
                        b { (if l.speaker == "robot" { ctx.t(Msg::SpeakerRobot) } else { ctx.t(Msg::SpeakerCallee) }) "：" }
                        @match (&l.text, &l.dtmf) {
                            (Some(t), _) => span { (t) },
                            (None, Some(d)) => span.mono { "#" (d) },
                            (None, None) => span.hint { "—" },
                        }
                        @if let Some(i) = &l.intent { " " span.badge.role { (i) } }
                    }
                }
            }
        }
    }
}

/// `GET /live`.
pub async fn page(State(state): State<AppState>, ctx: PageCtx) -> AppResult<Markup> {
    let scope = scope_of(&ctx.who)?;
    let all = scope == Scope::All;
    let body = match &state.live {
        None => html! { div.notice.warn #live-off { (ctx.t(Msg::LiveOff)) } },
        Some(hub) => {
            let calls = hub.current(scope);
            html! {
                p.hint { (ctx.t(Msg::LiveIntro)) }
                div #live data-live-src="/live/events"
                    data-l-robot=(ctx.t(Msg::SpeakerRobot)) data-l-callee=(ctx.t(Msg::SpeakerCallee))
                    data-l-dialling=(ctx.t(Msg::LiveDialling)) data-l-talking=(ctx.t(Msg::LiveTalking))
                    data-l-ended=(ctx.t(Msg::LiveEnded)) data-l-tenant=[all.then(|| ctx.t(Msg::YourTenant))] {
                    p.notice.ok #live-none hidden[!calls.is_empty()] { (ctx.t(Msg::LiveNone)) }
                    @for c in &calls { (call_card(&ctx, c, all)) }
                }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t(Msg::LiveTitle), body))
}

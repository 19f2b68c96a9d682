//! `GET /live/events`: the viewer's live events as Server-Sent Events. The
//! first event, `snapshot`, holds the calls in progress; then `started`,
//! `answered`, `robot`, `callee` and `ended` follow as they happen — only those
//! of the viewer's tenant (an operator's: all). The stream ends when the
//! viewer's session ends (checked again every few seconds while it is open)
//! and when the server shuts down; a viewer that falls behind gets a fresh
//! `snapshot` instead of the events it missed.

use super::scope_of;
use crate::error::{AppError, AppResult};
use crate::pages::PageCtx;
use crate::state::AppState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use serde::Serialize;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::broadcast::error::RecvError;
use waihu_app::live::{LiveCall, LiveEvent, LiveHub, Scope, Subscription};

/// The `snapshot` event's data.
#[derive(Debug, Serialize)]
struct Snapshot<'a> {
    calls: &'a [LiveCall],
}

/// One viewer's open stream.
struct Viewer {
    state: AppState,
    hub: LiveHub,
    scope: Scope,
    sub: Subscription,
    /// The session to re-check (hash of the cookie's token).
    token_hash: String,
    checked: Instant,
    first: Option<Event>,
}

/// What woke the stream up.
enum Wake {
    Closed,
    Event(Arc<LiveEvent>),
    Lagged,
    Tick,
}

/// `GET /live/events`.
pub async fn events(State(state): State<AppState>, ctx: PageCtx) -> AppResult<Response> {
    let scope = scope_of(&ctx.who)?;
    let hub = state
        .live
        .clone()
        .ok_or_else(|| AppError::not_found("live calls (this server does not dial)"))?;
    let token_hash = ctx
        .who
        .session()
        .map(|s| s.token_hash.clone())
        .ok_or_else(AppError::unauthorized)?;
    let sub = hub.subscribe(scope);
    let first = snapshot(&sub.current);
    let viewer = Viewer {
        state,
        hub,
        scope,
        sub,
        token_hash,
        checked: Instant::now(),
        first: Some(first),
    };
    let s = stream::unfold(viewer, |mut v| async move {
        let ev = v.next().await?;
        Some((Ok::<Event, Infallible>(ev), v))
    });
    let mut resp = Sse::new(s).keep_alive(KeepAlive::default()).into_response();
    // Reverse proxies (nginx) must pass events on at once, not buffer them.
    resp.headers_mut().insert(
        axum::http::HeaderName::from_static("x-accel-buffering"),
        axum::http::HeaderValue::from_static("no"),
    );
    Ok(resp)
}

fn snapshot(calls: &[LiveCall]) -> Event {
    Event::default()
        .event("snapshot")
        .json_data(Snapshot { calls })
        .unwrap_or_else(|_| Event::default().event("snapshot").data("{\"calls\":[]}"))
}

fn to_event(ev: &LiveEvent) -> Option<Event> {
    Event::default()
        .event(ev.kind.name())
        .id(ev.seq.to_string())
        .json_data(ev)
        .ok()
}

impl Viewer {
    /// The next event for this viewer; `None` ends the stream.
    async fn next(&mut self) -> Option<Event> {
        if let Some(first) = self.first.take() {
            return Some(first);
        }
        // While idle, the session is still checked now and then.
        let tick = self.hub.recheck().max(Duration::from_secs(1));
        loop {
            let wake = tokio::select! {
                r = self.sub.closed.wait_for(|c| *c) => { let _ = r; Wake::Closed }
                r = self.sub.events.recv() => match r {
                    Ok(ev) => Wake::Event(ev),
                    Err(RecvError::Lagged(_)) => Wake::Lagged,
                    Err(RecvError::Closed) => Wake::Closed,
                },
                _ = tokio::time::sleep(tick) => Wake::Tick,
            };
            match wake {
                Wake::Closed => return None,
                Wake::Tick => {
                    if !self.session_valid().await {
                        return None;
                    }
                }
                Wake::Lagged => {
                    if !self.session_valid().await {
                        return None;
                    }
                    return Some(snapshot(&self.hub.current(self.scope)));
                }
                Wake::Event(ev) => {
                    if !self.scope.sees(ev.tenant_id) {
                        continue;
                    }
                    if !self.session_valid().await {
                        return None;
                    }
                    if let Some(e) = to_event(&ev) {
                        return Some(e);
                    }
                }
            }
        }
    }

    /// Whether the viewer's session still exists and has not expired (checked
    /// in the database at most every `recheck`).
    async fn session_valid(&mut self) -> bool {
        if self.checked.elapsed() < self.hub.recheck() {
            return true;
        }
        let now = self.state.clock.now();
        match self.state.store.find_session(&self.token_hash, now).await {
            Ok(Some(_)) => {
                self.checked = Instant::now();
                true
            }
            Ok(None) => false,
            Err(e) => {
                tracing::warn!(error = %e, "live events: cannot check the session; stream ended");
                false
            }
        }
    }
}

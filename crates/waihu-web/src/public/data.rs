//! Seeing and erasing what the platform holds about the verified number: every
//! call (time, business, outcome, transcript, a recording link valid for ten
//! minutes), the contacts with their consent records, do-not-call entries and
//! complaints; and erasure across the platform, which keeps only the hashed
//! do-not-call entries and the audit entry, deletes the recording files and
//! says what was removed.

use super::{frame, ok, recording, verified, PubCtx, PubForm};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg};
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, FixedOffset, Utc};
use maud::{html, Markup};
use serde::Deserialize;
use std::path::Path;
use waihu_store::Actor;

/// A time as a phone in China shows it.
fn cst(t: DateTime<Utc>) -> String {
    match FixedOffset::east_opt(8 * 3600) {
        Some(z) => t.with_timezone(&z).format("%Y-%m-%d %H:%M").to_string(),
        None => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// The spoken lines of a stored transcript (JSON), or the raw text.
fn transcript_lines(raw: &str) -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            serde_json::Value::Object(m) => {
                if let Some(text) = m.get("text").and_then(|t| t.as_str()) {
                    let who = ["speaker", "who", "role", "side"]
                        .iter()
                        .find_map(|k| m.get(*k).and_then(|s| s.as_str()))
                        .unwrap_or("");
                    out.push(if who.is_empty() {
                        text.to_string()
                    } else {
                        format!("{who}: {text}")
                    });
                } else {
                    m.values().for_each(|i| walk(i, out));
                }
            }
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(v) => {
            let mut out = Vec::new();
            walk(&v, &mut out);
            out
        }
        Err(_) => vec![raw.to_string()],
    }
}

/// `GET /p/data`.
pub async fn page(State(state): State<AppState>, ctx: PubCtx) -> AppResult<Response> {
    let Some(target) = verified(&state, &ctx) else {
        return Ok(super::expired());
    };
    let now = state.clock.now();
    let export = state
        .store
        .export_subject(&target.hash, &target.masked, now, &Actor::raw("public"))
        .await?;
    let lang = ctx.lang;
    let t = |m: Msg| m.t(lang);
    let nothing = export.calls.is_empty() && export.contacts.is_empty() && export.dnc.is_empty();
    let body = html! {
        p { (Msg::PubVerifiedAs.t(lang)) " " strong { (export.number_masked) } }
        @if nothing { div.notice { (t(Msg::PubNothing)) } }
        h2 { (t(Msg::PubCalls)) " (" (export.calls.len()) ")" }
        @for c in &export.calls {
            article.card.pub-call {
                dl {
                    dt { (t(Msg::PubTime)) } dd { (cst(c.at)) }
                    dt { (t(Msg::PubBusiness)) } dd { (c.tenant_name) }
                    dt { (t(Msg::PubOutcome)) } dd { (c.outcome.as_deref().unwrap_or("-")) }
                }
                @if let Some(tr) = &c.transcript {
                    details { summary { (t(Msg::PubTranscript)) }
                        @for line in transcript_lines(tr) { p { (line) } } }
                }
                @if c.recording_path.is_some() && state.recordings_dir.is_some() {
                    p { a href=(recording::link(&state, c.tenant_id.0, c.id, &target.hash, now)) { (t(Msg::PubListen)) } }
                }
            }
        }
        h2 { (t(Msg::PubConsents)) " (" (export.contacts.len()) ")" }
        @for k in &export.contacts {
            article.card {
                dl {
                    dt { (t(Msg::PubBusiness)) } dd { (k.tenant_name) }
                    dt { (t(Msg::PubSource)) } dd { (k.consent_source) " · " (k.consent_evidence) }
                    dt { (t(Msg::PubTime)) } dd { (cst(k.consent_given_at)) }
                    dt { (t(Msg::PubScope)) } dd { (k.consent_purposes) }
                    @if let Some(w) = k.consent_withdrawn_at { dt { (t(Msg::PubOptedOut)) } dd { (cst(w)) } }
                }
            }
        }
        @if !export.dnc.is_empty() {
            h2 { (t(Msg::PubOptOutTitle)) }
            ul { @for d in &export.dnc {
                li { (cst(d.created_at)) " · " (d.tenant_name.as_deref().unwrap_or(&d.list)) }
            } }
        }
        @if !export.complaints.is_empty() {
            h2 { (t(Msg::PubComplaintTitle)) }
            ul { @for c in &export.complaints { li { (c.description) } } }
        }
        p { a.btn href="/p/me" { (t(Msg::PubMeTitle)) } }
    };
    ok(frame::page(lang, "/p/data", t(Msg::PubDataTitle), body))
}

/// The erase form.
#[derive(Debug, Deserialize)]
pub struct EraseForm {
    confirm: Option<String>,
}

/// Deletes a recording file, only inside the recordings folder; whether it is
/// gone (deleted now, or already missing).
fn remove_recording(root: &Path, stored: &str) -> bool {
    let p = Path::new(stored);
    let p = if p.is_absolute() {
        p.to_path_buf()
    } else {
        root.join(p)
    };
    if !p.exists() {
        return true;
    }
    let (Ok(root), Ok(real)) = (root.canonicalize(), p.canonicalize()) else {
        tracing::error!(path = stored, "an erased recording cannot be resolved");
        return false;
    };
    if !real.starts_with(&root) {
        tracing::error!(
            path = stored,
            "an erased recording lies outside the recordings folder: left alone"
        );
        return false;
    }
    match std::fs::remove_file(&real) {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(path = stored, error = %e, "cannot delete an erased recording");
            false
        }
    }
}

fn row(lang: Lang, label: Msg, n: u64) -> Markup {
    html! { tr { td { (label.t(lang)) } td.num { (n) } } }
}

/// `POST /p/erase`.
pub async fn erase(
    State(state): State<AppState>,
    ctx: PubCtx,
    PubForm(form): PubForm<EraseForm>,
) -> AppResult<Response> {
    let Some(target) = verified(&state, &ctx) else {
        return Ok(super::expired());
    };
    if form.confirm.as_deref() != Some("yes") {
        return Err(
            AppError::invalid("confirm", "tick the box to confirm the erasure")
                .localised(Msg::PubErrConfirmErase),
        );
    }
    let report = state
        .store
        .erase_subject(&target.hash, &target.masked, &Actor::raw("public"))
        .await?;
    let left = match &state.recordings_dir {
        Some(root) => report
            .recording_paths
            .iter()
            .filter(|p| !remove_recording(root, p))
            .count() as u64,
        None => report.recording_paths.len() as u64,
    };
    state.public.sessions.end_all(&target.hash);
    let lang = ctx.lang;
    let body = html! {
        div.notice.ok role="status" { (Msg::PubErased.t(lang)) }
        @if left > 0 {
            div.notice.bad role="alert" #files-left { (Msg::PubFilesLeft.t(lang)) ": " (left) }
        }
        table {
            (row(lang, Msg::PubContactRows, report.contacts))
            (row(lang, Msg::PubConsents, report.consent_records))
            (row(lang, Msg::PubCalls, report.calls))
            (row(lang, Msg::PubRecordings, report.recording_paths.len() as u64 - left))
            (row(lang, Msg::PubLeadRows, report.leads))
            (row(lang, Msg::PubDialAttempts, report.dial_attempts))
            (row(lang, Msg::PubComplaintsAnon, report.complaints))
        }
        p { a.btn href="/p" { (Msg::PubBackHome.t(lang)) } }
    };
    ok(frame::page(lang, "/p/erase", Msg::PubDeleted.t(lang), body))
}

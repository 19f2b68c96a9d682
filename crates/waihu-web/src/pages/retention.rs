//! Retention in the back office: the tenant's periods as a section of
//! `/settings` (admins change, auditors read; the platform maximum is shown and a
//! period over it is refused with a field error, nothing saved), and the
//! operator's platform settings of callee rights (complaint threshold, rate
//! window, retention maximum) as a card of `/rates`.

use super::{csrf_field, see_other, PageCtx, PageForm};
use crate::auth::principal::TENANT_ADMINS;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::Msg;
use crate::rights::retention::{self as cc, RetentionReq, RetentionView, RightsSettingsDto};
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;

/// A refused form, shown again with its values and the error.
#[derive(Debug, Clone)]
pub struct Refused {
    /// The values as typed, by field name.
    pub values: Vec<(&'static str, String)>,
    /// Why it was refused (with the field at fault).
    pub error: AppError,
}

impl Refused {
    fn value(&self, field: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v.as_str())
    }
}

fn error_notice(refused: Option<&Refused>) -> Markup {
    html! {
        @if let Some(r) = refused {
            div.notice.bad.form-error data-field=[r.error.field.as_deref()] {
                @if let Some(f) = &r.error.field { code { (f) } ": " }
                (r.error.message)
            }
        }
    }
}

fn number_field(
    label: &str,
    name: &str,
    value: String,
    max: u32,
    admin: bool,
    bad: bool,
) -> Markup {
    html! {
        label class=[bad.then_some("field-error")] {
            (label)
            input type="number" name=(name) value=(value) min="1" max=(max) required disabled[!admin] aria-invalid=[bad.then_some("true")];
        }
    }
}

/// The retention section of `/settings`.
pub async fn section(
    state: &AppState,
    ctx: &PageCtx,
    refused: Option<&Refused>,
) -> AppResult<Markup> {
    let v: RetentionView = cc::retention(state, &ctx.who).await?;
    let admin = ctx.who.require(TENANT_ADMINS).is_ok();
    let field = refused.and_then(|r| r.error.field.as_deref());
    let val = |name: &str, days: u32| {
        refused
            .and_then(|r| r.value(name))
            .map(str::to_string)
            .unwrap_or_else(|| days.to_string())
    };
    Ok(html! {
        div.card #retention {
            h2 { (ctx.t(Msg::RetTitle)) }
            p.hint { (ctx.t(Msg::RetIntro)) }
            p { (ctx.t(Msg::RetMax)) ": " strong #retention-max { (v.max_days) } }
            (error_notice(refused))
            form.row method="post" action="/settings/retention" {
                (csrf_field(ctx))
                (number_field(ctx.t(Msg::RetRecordings), "recordings_days", val("recordings_days", v.recordings_days), v.max_days, admin, field == Some("recordings_days")))
                (number_field(ctx.t(Msg::RetTranscripts), "transcripts_days", val("transcripts_days", v.transcripts_days), v.max_days, admin, field == Some("transcripts_days")))
                (number_field(ctx.t(Msg::RetResults), "results_days", val("results_days", v.results_days), v.max_days, admin, field == Some("results_days")))
                @if admin { button type="submit" { (ctx.t(Msg::Save)) } }
            }
        }
    })
}

/// The retention form (days as typed).
#[derive(Debug, Deserialize)]
pub struct RetentionForm {
    #[serde(default)]
    recordings_days: String,
    #[serde(default)]
    transcripts_days: String,
    #[serde(default)]
    results_days: String,
}

fn days(field: &str, raw: &str) -> AppResult<u32> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::invalid(field, format!("{field} must be a whole number of days")))
}

fn parse_retention(f: &RetentionForm) -> AppResult<RetentionReq> {
    Ok(RetentionReq {
        recordings_days: days("recordings_days", &f.recordings_days)?,
        transcripts_days: days("transcripts_days", &f.transcripts_days)?,
        results_days: days("results_days", &f.results_days)?,
    })
}

/// `POST /settings/retention`: saved and back to the page, or the page again
/// (422) with the values and the field at fault.
pub async fn set(
    State(state): State<AppState>,
    ctx: PageCtx,
    PageForm(f): PageForm<RetentionForm>,
) -> AppResult<Response> {
    ctx.who.tenant_for(TENANT_ADMINS)?;
    let result = match parse_retention(&f) {
        Ok(req) => cc::set_retention(&state, &ctx.who, req).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other("/settings?done=1#retention")),
        Err(e) if e.code == ErrorCode::Invalid => {
            let refused = Refused {
                values: vec![
                    ("recordings_days", f.recordings_days),
                    ("transcripts_days", f.transcripts_days),
                    ("results_days", f.results_days),
                ],
                error: e,
            };
            let page = super::settings::render(&state, &ctx, false, Some(&refused)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The operator's card of platform settings on `/rates`.
pub async fn platform_card(state: &AppState, ctx: &PageCtx) -> AppResult<Markup> {
    let s = cc::rights_settings(state, &ctx.who).await?;
    Ok(html! {
        div.card #rights-settings {
            h2 { (ctx.t(Msg::RsTitle)) }
            p.hint { (ctx.t(Msg::CpRatesHint)) }
            form.row method="post" action="/rates/settings" {
                (csrf_field(ctx))
                label { (ctx.t(Msg::CpThreshold))
                    input type="number" name="complaint_threshold_per_1000" step="0.01" min="0" required value=(s.complaint_threshold_per_1000); }
                label { (ctx.t(Msg::RsWindow))
                    input type="number" name="complaint_window_days" min="1" required value=(s.complaint_window_days); }
                label { (ctx.t(Msg::RsRetentionMax))
                    input type="number" name="retention_max_days" min="1" required value=(s.retention_max_days); }
                button type="submit" { (ctx.t(Msg::Save)) }
            }
        }
    })
}

/// The platform settings form.
#[derive(Debug, Deserialize)]
pub struct RightsForm {
    complaint_threshold_per_1000: String,
    complaint_window_days: String,
    retention_max_days: String,
}

/// `POST /rates/settings` (operator; audited `rights.settings`).
pub async fn set_platform(
    State(state): State<AppState>,
    ctx: PageCtx,
    PageForm(f): PageForm<RightsForm>,
) -> AppResult<Response> {
    let threshold: f64 = f.complaint_threshold_per_1000.trim().parse().map_err(|_| {
        AppError::invalid(
            "complaint_threshold_per_1000",
            "the threshold must be a number",
        )
    })?;
    let req = RightsSettingsDto {
        complaint_threshold_per_1000: threshold,
        complaint_window_days: days("complaint_window_days", &f.complaint_window_days)?,
        retention_max_days: days("retention_max_days", &f.retention_max_days)?,
    };
    cc::set_rights_settings(&state, &ctx.who, req).await?;
    Ok(see_other("/rates?done=1"))
}

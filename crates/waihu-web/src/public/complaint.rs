//! Filing a complaint about a call: the verified number, the number that called
//! (optional), when (China Standard Time, as a phone shows it) and what
//! happened. The rights repository stores the ticket, ties it to the calls it
//! names, puts the number on that business's do-not-call list at once and
//! updates the business's complaint rate. One verified number files at most
//! `complaints_per_number_day` tickets per 24 hours (counted in the database).

use super::{parse_number, verified, PubCtx, PubForm};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use waihu_store::rights::DEFAULT_MATCH_WINDOW;
use waihu_store::{Actor, NewComplaint};

/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 2000;

/// The complaint form.
#[derive(Debug, Deserialize)]
pub struct ComplaintForm {
    caller_number: Option<String>,
    called_at: Option<String>,
    what: Option<String>,
}

/// `2026-03-01T09:30` (or with seconds, or a space) in China Standard Time.
pub fn parse_local_time(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    let naive = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())?;
    let cst = FixedOffset::east_opt(8 * 3600)?;
    cst.from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// `POST /p/complaint`.
pub async fn submit(
    State(state): State<AppState>,
    ctx: PubCtx,
    PubForm(form): PubForm<ComplaintForm>,
) -> AppResult<Response> {
    let Some(target) = verified(&state, &ctx) else {
        return Ok(super::expired());
    };
    let now = state.clock.now();
    // The cap is the verified number's, whatever address or browser files.
    let cap = i64::from(state.config.complaints_per_number_day);
    let filed = state
        .store
        .complaints_filed_since(&target.hash, now - chrono::Duration::hours(24))
        .await?;
    if filed >= cap {
        return Err(AppError::new(
            ErrorCode::LockedOut,
            format!(
                "this number has filed {cap} complaints in the last 24 hours; try again tomorrow"
            ),
        )
        .localised(Msg::PubErrComplaintCap));
    }
    let what = form.what.as_deref().unwrap_or("").trim().to_string();
    if what.is_empty() {
        return Err(AppError::invalid("what", "say what happened").localised(Msg::PubErrSayWhat));
    }
    if what.chars().count() > MAX_DESCRIPTION {
        return Err(
            AppError::invalid("what", format!("at most {MAX_DESCRIPTION} characters"))
                .localised(Msg::PubErrTooLong),
        );
    }
    let occurred_at =
        parse_local_time(form.called_at.as_deref().unwrap_or("")).ok_or_else(|| {
            AppError::invalid("called_at", "give the date and time of the call")
                .localised(Msg::PubErrCallTime)
        })?;
    if occurred_at > now + chrono::Duration::minutes(5) {
        return Err(
            AppError::invalid("called_at", "the time lies in the future")
                .localised(Msg::PubErrFutureTime),
        );
    }
    let caller_number = match form
        .caller_number
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(raw) => Some(parse_number(&state, raw, "caller_number")?.e164),
        None => None,
    };
    let complaint = NewComplaint {
        tenant_id: None,
        caller_number,
        number_hash: target.hash,
        number_masked: target.masked.clone(),
        verified: true,
        description: what,
        occurred_at,
        match_window: DEFAULT_MATCH_WINDOW,
        filed_at: now,
    };
    state
        .store
        .file_complaint(complaint, &Actor::raw("public"))
        .await?;
    Ok(crate::pages::see_other("/p/me?done=complaint"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_are_china_standard_time() {
        let t = parse_local_time("2026-03-01T09:30").unwrap();
        assert_eq!(t, Utc.with_ymd_and_hms(2026, 3, 1, 1, 30, 0).unwrap());
        assert!(parse_local_time("2026-03-01 09:30:15").is_some());
        for bad in ["", "yesterday", "2026-13-01T09:30", "09:30"] {
            assert!(parse_local_time(bad).is_none(), "{bad}");
        }
    }
}

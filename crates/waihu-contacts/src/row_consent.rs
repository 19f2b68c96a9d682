//! Consent evidence of one row: the row's consent cells, falling back field by field to
//! the import-wide evidence. A row with neither is rejected with `no_consent`.

use crate::error::{RowError, RowReason};
use crate::mapping::{Columns, Field};
use crate::source::Row;
use chrono::{DateTime, Utc};
use waihu_compliance::{ConsentEvidence, EvidenceRef};

const CONSENT_FIELDS: [Field; 6] = [
    Field::ConsentSource,
    Field::ConsentTime,
    Field::ConsentScope,
    Field::ConsentRef,
    Field::ConsentWording,
    Field::ConsentExpiry,
];

fn cell<'r, R: Row + ?Sized>(cols: &Columns, row: &'r R, f: Field) -> Option<&'r str> {
    cols.index(f)
        .map(|i| row.cell(i).trim())
        .filter(|s| !s.is_empty())
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The consent evidence of a row, or the error that rejects it.
pub(crate) fn row_consent<R: Row + ?Sized>(
    cols: &Columns,
    row: &R,
    row_no: u64,
    default: Option<&ConsentEvidence>,
    now: DateTime<Utc>,
) -> Result<ConsentEvidence, RowError> {
    let err = |f: Field, reason: RowReason, detail: &str| RowError {
        row: row_no,
        column: cols.header(f),
        reason,
        detail: detail.to_string(),
    };
    let own =
        cols.has_consent_columns() && CONSENT_FIELDS.iter().any(|f| cell(cols, row, *f).is_some());
    let ev = match (own, default) {
        (false, None) => {
            return Err(err(
                Field::ConsentSource,
                RowReason::NoConsent,
                "no consent evidence in the row or for the import",
            ))
        }
        (false, Some(d)) => d.clone(),
        (true, _) => {
            let invalid = |f, d: &str| err(f, RowReason::InvalidConsent, d);
            let source = match cell(cols, row, Field::ConsentSource) {
                Some(s) => s.to_string(),
                None => default
                    .map(|d| d.source.clone())
                    .ok_or_else(|| invalid(Field::ConsentSource, "consent source missing"))?,
            };
            let given_at = match cell(cols, row, Field::ConsentTime) {
                Some(s) => parse_time(s).ok_or_else(|| {
                    invalid(
                        Field::ConsentTime,
                        "consent time is not an RFC 3339 time with offset",
                    )
                })?,
                None => default
                    .map(|d| d.given_at)
                    .ok_or_else(|| invalid(Field::ConsentTime, "consent time missing"))?,
            };
            let (purposes, share_leads) = match cell(cols, row, Field::ConsentScope) {
                Some(s) => ConsentEvidence::parse_scope(s)
                    .map_err(|e| invalid(Field::ConsentScope, &e.to_string()))?,
                None => default
                    .map(|d| (d.purposes.clone(), d.share_leads))
                    .ok_or_else(|| invalid(Field::ConsentScope, "consent scope missing"))?,
            };
            let evidence = match (
                cell(cols, row, Field::ConsentRef),
                cell(cols, row, Field::ConsentWording),
            ) {
                (Some(r), _) => EvidenceRef::Reference(r.to_string()),
                (None, Some(w)) => EvidenceRef::Wording(w.to_string()),
                (None, None) => default.map(|d| d.evidence.clone()).ok_or_else(|| {
                    invalid(Field::ConsentRef, "consent reference or wording missing")
                })?,
            };
            let expires_at = match cell(cols, row, Field::ConsentExpiry) {
                Some(s) => Some(parse_time(s).ok_or_else(|| {
                    invalid(
                        Field::ConsentExpiry,
                        "consent expiry is not an RFC 3339 time with offset",
                    )
                })?),
                None => default.and_then(|d| d.expires_at),
            };
            ConsentEvidence {
                source,
                given_at,
                purposes,
                share_leads,
                evidence,
                expires_at,
            }
        }
    };
    if ev.given_at > now {
        return Err(err(
            Field::ConsentTime,
            RowReason::InvalidConsent,
            "consent time is in the future",
        ));
    }
    if ev.expires_at.is_some_and(|x| x <= now) {
        return Err(err(
            Field::ConsentExpiry,
            RowReason::ConsentExpired,
            "consent expired before the import",
        ));
    }
    Ok(ev)
}

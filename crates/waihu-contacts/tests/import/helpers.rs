//! Shared helpers: options at a fixed instant, import-wide consent, report shapes.

use chrono::{DateTime, TimeZone, Utc};
use waihu_compliance::{ConsentEvidence, EvidenceRef, Purpose};
use waihu_contacts::{parse, ImportError, ImportOptions, ImportOutcome};

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0)
        .single()
        .unwrap_or_else(|| panic!("time"))
}

pub fn opts() -> ImportOptions {
    ImportOptions::new(now())
}

pub fn consent() -> ConsentEvidence {
    ConsentEvidence {
        source: "in_store".into(),
        given_at: Utc
            .with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
            .single()
            .unwrap_or_else(|| panic!("time")),
        purposes: vec![Purpose::parse("marketing").unwrap_or_else(|e| panic!("{e}"))],
        share_leads: false,
        evidence: EvidenceRef::Reference("signup-sheet-7".into()),
        expires_at: None,
    }
}

pub fn opts_with_consent() -> ImportOptions {
    ImportOptions {
        consent: Some(consent()),
        ..opts()
    }
}

pub fn ok(bytes: &[u8], o: &ImportOptions) -> ImportOutcome {
    parse(bytes, o).unwrap_or_else(|e| panic!("whole-file error: {e}"))
}

pub fn err(bytes: &[u8], o: &ImportOptions) -> ImportError {
    match parse(bytes, o) {
        Ok(out) => panic!("expected a whole-file error, got {:?}", out.report),
        Err(e) => e,
    }
}

/// (row, column, reason) of every reported row.
pub fn rows(out: &ImportOutcome) -> Vec<(u64, String, &'static str)> {
    out.report
        .errors
        .iter()
        .map(|e| (e.row, e.column.clone(), e.reason.as_str()))
        .collect()
}

pub fn counts(out: &ImportOutcome) -> (u64, u64, u64, u64) {
    let r = &out.report;
    (r.imported, r.duplicates, r.rejected, r.errors_total)
}

pub fn numbers(out: &ImportOutcome) -> Vec<&str> {
    out.contacts.iter().map(|c| c.e164.as_str()).collect()
}

pub fn r(row: u64, column: &str, reason: &'static str) -> (u64, String, &'static str) {
    (row, column.to_string(), reason)
}

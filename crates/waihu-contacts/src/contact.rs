//! The output of an import: accepted contacts and the report.

use crate::error::RowError;
use chrono_tz::Tz;
use std::sync::Arc;
use waihu_compliance::ConsentEvidence;

/// One accepted row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// 1-based physical row it came from.
    pub row: u64,
    /// The number in E.164, e.g. `+8613812345678`.
    pub e164: String,
    /// The name, if the file has one.
    pub name: Option<String>,
    /// The consent evidence (the row's own, merged with the import-wide one).
    pub consent: ConsentEvidence,
    /// An explicit time zone for the contact, overriding the one from the number.
    pub zone_override: Option<Tz>,
    /// Custom fields (script variables): (header, value), in column order; empty
    /// cells are left out.
    pub fields: Vec<(Arc<str>, String)>,
}

/// Counts and row errors of one import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Rows accepted.
    pub imported: u64,
    /// Rows dropped as repeats of an earlier accepted row (reported as `duplicate`).
    pub duplicates: u64,
    /// Rows rejected for any other reason.
    pub rejected: u64,
    /// All row errors (duplicates included), counted even beyond the kept list.
    pub errors_total: u64,
    /// The first `max_errors` row errors, in row order.
    pub errors: Vec<RowError>,
}

/// A whole import collected in memory: contacts plus report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    /// The accepted contacts, in row order.
    pub contacts: Vec<Contact>,
    /// The report.
    pub report: ImportReport,
}

//! Import options: encoding, column mapping, import-wide consent, region, clock.

use crate::limits::ImportLimits;
use crate::mapping::ColumnMapping;
use chrono::{DateTime, Utc};
use std::str::FromStr;
use waihu_compliance::ConsentEvidence;

/// The text encoding of a CSV file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 if the bytes are valid UTF-8, else GB18030.
    #[default]
    Auto,
    /// UTF-8 (a BOM is skipped).
    Utf8,
    /// GB18030, a superset of GBK and GB2312.
    Gb18030,
}

/// The text is not an encoding name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown encoding {0:?}: expected auto, utf-8 or gb18030")]
pub struct UnknownEncoding(pub String);

impl FromStr for Encoding {
    type Err = UnknownEncoding;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "gb18030" | "gbk" | "gb2312" => Ok(Encoding::Gb18030),
            _ => Err(UnknownEncoding(s.to_string())),
        }
    }
}

/// How to read one import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// CSV text encoding (ignored for XLSX).
    pub encoding: Encoding,
    /// Explicit column mapping; unmapped fields are recognised from the headers.
    pub mapping: ColumnMapping,
    /// Consent evidence for every row that brings none of its own (field by field: a
    /// row's non-empty consent cells take precedence).
    pub consent: Option<ConsentEvidence>,
    /// Region for numbers written without a country code.
    pub default_region: phonenumber::country::Id,
    /// "Now", for rejecting expired consent and consent dated in the future.
    pub now: DateTime<Utc>,
    /// How many row errors to keep in the report (all are counted).
    pub max_errors: usize,
    /// How much the file may hold (docs/contacts.md, "Limits").
    pub limits: ImportLimits,
}

impl ImportOptions {
    /// Defaults: auto encoding, header recognition, no import-wide consent, region CN,
    /// up to 1,000 row errors kept, the default limits.
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            encoding: Encoding::Auto,
            mapping: ColumnMapping::default(),
            consent: None,
            default_region: phonenumber::country::Id::CN,
            now,
            max_errors: 1000,
            limits: ImportLimits::default(),
        }
    }
}

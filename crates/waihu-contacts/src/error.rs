//! What can go wrong: whole-file errors (nothing is imported) and per-row errors (the
//! row is skipped and reported; the import goes on).

use std::fmt;

/// The whole file cannot be imported; nothing from it may be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// 0 bytes, only whitespace, or a workbook without cells.
    #[error("the file is empty")]
    Empty,
    /// A header row but no data rows.
    #[error("the file has a header row but no data rows")]
    NoDataRows,
    /// The bytes are not text in the requested encoding.
    #[error("the file is not valid {encoding} text (first bad byte in row {row})")]
    Encoding {
        /// `UTF-8`, `GB18030`, or `UTF-8 or GB18030` (auto).
        encoding: &'static str,
        /// Physical row (1-based) of the first undecodable byte.
        row: u64,
    },
    /// A damaged, truncated or unreadable file.
    #[error("the {format} file is damaged, truncated or unreadable: {detail}")]
    Damaged {
        /// `XLSX` or `CSV`.
        format: &'static str,
        /// What the reader said.
        detail: String,
    },
    /// The file is over one of the import's limits (size, XLSX expansion,
    /// rows, columns, header length); it is refused before it is read further.
    #[error("the file is too large to import: {0}")]
    TooLarge(String),
    /// A header cell holds a control character (headers become field names).
    #[error("the header of column {column} contains a control character (U+{code:04X})")]
    HeaderControlCharacter {
        /// 1-based column.
        column: usize,
        /// The character's code point.
        code: u32,
    },
    /// A format waihu does not read.
    #[error("unsupported file format: {0}")]
    Unsupported(&'static str),
    /// No header names the phone number.
    #[error("no phone-number column found among the headers [{}]; name it phone, mobile, number, 手机号, 电话 or 号码, or give a column mapping", .headers.join(", "))]
    MissingNumberColumn {
        /// The header texts found.
        headers: Vec<String>,
    },
    /// The mapping names a column that the file does not have.
    #[error("the column mapping names {field} = {header:?}, but the file has no such column")]
    MappingColumnNotFound {
        /// The mapping field (`number`, `name`, `consent_time` …).
        field: &'static str,
        /// The header text it names.
        header: String,
    },
}

/// Why one row was not imported. Stable codes, used in the JSON report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowReason {
    /// The number cell is empty.
    MissingNumber,
    /// The number cell is not a valid number.
    InvalidNumber,
    /// The same number (after normalisation) appeared in an earlier row.
    Duplicate,
    /// No consent evidence in the row and none for the whole import.
    NoConsent,
    /// Consent evidence present but incomplete or malformed.
    InvalidConsent,
    /// Consent evidence expired before the import.
    ConsentExpired,
    /// The time-zone cell is not an IANA zone name.
    InvalidTimezone,
    /// A cell is longer than its column allows (docs/contacts.md, "Limits").
    FieldTooLong,
    /// A cell holds a control character (NUL, escape…).
    ControlCharacter,
}

impl RowReason {
    /// The stable code, e.g. `no_consent`.
    pub fn as_str(self) -> &'static str {
        match self {
            RowReason::MissingNumber => "missing_number",
            RowReason::InvalidNumber => "invalid_number",
            RowReason::Duplicate => "duplicate",
            RowReason::NoConsent => "no_consent",
            RowReason::InvalidConsent => "invalid_consent",
            RowReason::ConsentExpired => "consent_expired",
            RowReason::InvalidTimezone => "invalid_timezone",
            RowReason::FieldTooLong => "field_too_long",
            RowReason::ControlCharacter => "control_character",
        }
    }
}

impl fmt::Display for RowReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One reported row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based physical row; the header is row 1.
    pub row: u64,
    /// The header text of the offending column (the canonical field name, e.g.
    /// `consent_time`, when the file has no such column).
    pub column: String,
    /// The stable reason code.
    pub reason: RowReason,
    /// A human explanation, e.g. "duplicate of row 2" or the bad value's problem.
    pub detail: String,
}

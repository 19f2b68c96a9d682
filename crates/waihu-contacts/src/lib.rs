//! Contact import parsing, pure: bytes in, validated rows out, no database.
//!
//! [`import`] reads a CSV (UTF-8 or GB18030/GBK, `auto` = UTF-8 if valid else
//! GB18030) or XLSX file, maps columns (explicitly or by recognising common English
//! and Chinese headers), validates and normalises numbers to E.164, attaches consent
//! evidence (per row or once for the import), de-duplicates within the file, and
//! streams accepted [`Contact`]s to a sink. Rows that fail are reported with their
//! physical row number (header = row 1), column header and a stable reason code; a
//! file that cannot be read at all is an [`ImportError`] and nothing may be written.
//! Every import is bounded by [`ImportLimits`]: an XLSX is checked part by part
//! before it is parsed, so that a small file expanding to gigabytes is refused
//! without the memory.

mod consent_input;
mod contact;
mod error;
mod import;
mod limits;
pub mod mapping;
mod options;
pub mod phone;
mod row_consent;
mod source;
mod xlsx_guard;

pub use consent_input::{ConsentInput, ConsentInputError};
pub use contact::{Contact, ImportOutcome, ImportReport};
pub use error::{ImportError, RowError, RowReason};
pub use import::{import, parse};
pub use limits::{ImportLimits, MAX_FILE_BYTES};
pub use mapping::ColumnMapping;
pub use options::{Encoding, ImportOptions, UnknownEncoding};

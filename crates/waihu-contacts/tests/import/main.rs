//! Import tests with well-formed and malformed files, each checked against the exact
//! per-row report.

mod csv_files;
mod helpers;
mod xlsx_files;

//! Import tests with well-formed and malformed files, each checked against the exact
//! per-row report; the limits (spreadsheet bombs, over-long cells, control
//! characters) and bounded property tests of the parsers.

mod bomb;
mod csv_files;
mod fuzz;
mod helpers;
mod limits;
mod xlsx_files;

//! Checks an XLSX file before the spreadsheet reader sees it. An XLSX is a zip of
//! XML parts; a small file can expand to gigabytes (one cell of a billion
//! repeated characters compresses to about a megabyte), and the reader would
//! allocate it whole. So every part is first decompressed into nothing while
//! counting: the declared and the actual sizes must stay within
//! [`ImportLimits`], the shared strings (which the reader holds at once) within
//! their own limit, and no stretch of text in a sheet or the shared strings may
//! exceed [`ImportLimits::xlsx_text_run`] — which bounds any one cell. Memory
//! used here is one 64 KiB buffer, whatever the file holds.

use crate::error::ImportError;
use crate::limits::ImportLimits;
use std::io::{Cursor, Read};

/// Whether a part's XML holds cell text the reader will allocate.
fn holds_cells(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.ends_with("sharedstrings.xml") || name.starts_with("xl/worksheets/")
}

fn too_large(what: String) -> ImportError {
    ImportError::TooLarge(what)
}

fn damaged(detail: impl ToString) -> ImportError {
    ImportError::Damaged {
        format: "XLSX",
        detail: detail.to_string(),
    }
}

/// Checks the zip `bytes` against `limits`, reading every part once.
pub(crate) fn check(bytes: &[u8], limits: &ImportLimits) -> Result<(), ImportError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(damaged)?;
    if zip.len() > limits.xlsx_parts {
        return Err(too_large(format!(
            "the workbook has {} parts; at most {} are read",
            zip.len(),
            limits.xlsx_parts
        )));
    }
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 << 10];
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(damaged)?;
        let name = part.name().map_err(damaged)?.to_string();
        let shared = name.to_ascii_lowercase().ends_with("sharedstrings.xml");
        let room = limits.xlsx_uncompressed.saturating_sub(total);
        let declared = part.size();
        let over_total = || {
            too_large(format!(
                "the workbook expands to more than {} MiB",
                limits.xlsx_uncompressed >> 20
            ))
        };
        let over_shared = || {
            too_large(format!(
                "the shared strings expand to more than {} MiB",
                limits.xlsx_shared_strings >> 20
            ))
        };
        if declared > room {
            return Err(over_total());
        }
        if shared && declared > limits.xlsx_shared_strings {
            return Err(over_shared());
        }
        // The declared size may lie: count what decompression actually gives,
        // stopping at the first byte over either limit.
        let cap = if shared {
            room.min(limits.xlsx_shared_strings)
        } else {
            room
        };
        let mut run = TextRun::new(holds_cells(&name), limits.xlsx_text_run);
        let mut got: u64 = 0;
        loop {
            let n = part.read(&mut buf).map_err(damaged)?;
            if n == 0 {
                break;
            }
            got += n as u64;
            if got > cap {
                return Err(if shared && got > limits.xlsx_shared_strings {
                    over_shared()
                } else {
                    over_total()
                });
            }
            if !run.feed(&buf[..n]) {
                return Err(too_large(format!(
                    "a cell in {name} is longer than {} KiB",
                    limits.xlsx_text_run >> 10
                )));
            }
        }
        total += got;
    }
    Ok(())
}

/// The longest stretch between two `<` seen so far, for parts that hold cells.
struct TextRun {
    on: bool,
    max: usize,
    current: usize,
}

impl TextRun {
    fn new(on: bool, max: usize) -> Self {
        Self {
            on,
            max,
            current: 0,
        }
    }

    /// False once a stretch is longer than the limit.
    fn feed(&mut self, chunk: &[u8]) -> bool {
        if !self.on {
            return true;
        }
        for &b in chunk {
            if b == b'<' {
                self.current = 0;
            } else {
                self.current += 1;
                if self.current > self.max {
                    return false;
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_runs_restart_at_each_tag() {
        // The stretch counts from a `<` up to the next one, across chunks.
        let mut r = TextRun::new(true, 6);
        assert!(r.feed(b"<a>abc"));
        assert!(r.feed(b"<b>abc<"));
        assert!(r.feed(b"abc"));
        assert!(r.feed(b"def"));
        assert!(!r.feed(b"g"));
        let mut off = TextRun::new(false, 1);
        assert!(off.feed(b"abcdef"));
    }

    #[test]
    fn a_file_that_is_not_a_zip_is_damaged() {
        let e = check(b"PK\x03\x04 not really", &ImportLimits::default()).unwrap_err();
        assert!(matches!(e, ImportError::Damaged { .. }), "{e:?}");
    }
}

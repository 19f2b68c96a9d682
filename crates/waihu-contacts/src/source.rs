//! Reading rows from the file: format detection, CSV (UTF-8 / GB18030) and XLSX. Both
//! readers stream: each row is handed to a [`RowVisitor`] as it is read, and nothing
//! but the current row is kept. The file's size, an XLSX's expansion
//! ([`crate::xlsx_guard`]), the number of rows and of columns are bounded by
//! [`ImportLimits`].

use crate::error::ImportError;
use crate::limits::{control_char, ImportLimits};
use crate::options::Encoding;
use calamine::{DataRef, Reader, Xlsx};
use std::borrow::Cow;
use std::io::Cursor;

/// One row's cells; missing trailing cells read as empty.
pub(crate) trait Row {
    fn cell(&self, i: usize) -> &str;
    fn len(&self) -> usize;
    fn is_blank(&self) -> bool {
        (0..self.len()).all(|i| self.cell(i).trim().is_empty())
    }
}

impl Row for csv::StringRecord {
    fn cell(&self, i: usize) -> &str {
        self.get(i).unwrap_or("")
    }
    fn len(&self) -> usize {
        csv::StringRecord::len(self)
    }
}

impl Row for [String] {
    fn cell(&self, i: usize) -> &str {
        self.get(i).map_or("", String::as_str)
    }
    fn len(&self) -> usize {
        <[String]>::len(self)
    }
}

/// Receives the header row, then every non-blank data row, with physical row numbers.
pub(crate) trait RowVisitor {
    fn header(&mut self, row_no: u64, headers: Vec<String>) -> Result<(), ImportError>;
    fn row<R: Row + ?Sized>(&mut self, row_no: u64, row: &R);
}

/// Counts rows and columns against the limits, and checks the header.
struct Bounds<'l> {
    limits: &'l ImportLimits,
    rows: u64,
}

impl<'l> Bounds<'l> {
    fn new(limits: &'l ImportLimits) -> Self {
        Self { limits, rows: 0 }
    }

    fn row(&mut self) -> Result<(), ImportError> {
        self.rows += 1;
        if self.rows > self.limits.rows {
            return Err(ImportError::TooLarge(format!(
                "more than {} data rows; split the file",
                self.limits.rows
            )));
        }
        Ok(())
    }

    /// `column` is 0-based; `row_no` the physical row.
    fn column(&self, column: usize, row_no: u64) -> Result<(), ImportError> {
        if column >= self.limits.columns {
            return Err(ImportError::TooLarge(format!(
                "row {row_no} has a cell in column {}; at most {} columns are read",
                column + 1,
                self.limits.columns
            )));
        }
        Ok(())
    }

    fn header(&self, headers: &[String], row_no: u64) -> Result<(), ImportError> {
        if headers.len() > self.limits.columns {
            self.column(headers.len() - 1, row_no)?;
        }
        for (i, h) in headers.iter().enumerate() {
            if h.chars().count() > self.limits.header_chars {
                return Err(ImportError::TooLarge(format!(
                    "the header of column {} is longer than {} characters",
                    i + 1,
                    self.limits.header_chars
                )));
            }
            if let Some((_, c)) = control_char(h, false) {
                return Err(ImportError::HeaderControlCharacter {
                    column: i + 1,
                    code: u32::from(c),
                });
            }
        }
        Ok(())
    }
}

/// Reads `bytes` as XLSX (zip magic) or CSV, within `limits`.
pub(crate) fn read<V: RowVisitor>(
    bytes: &[u8],
    enc: Encoding,
    limits: &ImportLimits,
    v: &mut V,
) -> Result<(), ImportError> {
    if bytes.len() > limits.file_bytes {
        return Err(ImportError::TooLarge(format!(
            "the file is larger than {} MiB",
            limits.file_bytes >> 20
        )));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty);
    }
    let mut bounds = Bounds::new(limits);
    if bytes.starts_with(b"PK\x03\x04") {
        crate::xlsx_guard::check(bytes, limits)?;
        read_xlsx(bytes, &mut bounds, v)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Err(ImportError::Unsupported(
            "XLS (Excel 97-2003); save the sheet as XLSX or CSV",
        ))
    } else {
        read_csv(bytes, enc, &mut bounds, v)
    }
}

/// 1-based row of byte offset `at`.
fn row_of(bytes: &[u8], at: usize) -> u64 {
    bytes[..at.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64
        + 1
}

fn decode(bytes: &[u8], enc: Encoding) -> Result<Cow<'_, str>, ImportError> {
    fn utf8(b: &[u8]) -> Result<&str, u64> {
        let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
        std::str::from_utf8(b).map_err(|e| row_of(b, e.valid_up_to()))
    }
    fn gb(b: &[u8]) -> Result<Cow<'_, str>, u64> {
        let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(b);
        if had_errors {
            let bad = text.find('\u{FFFD}').unwrap_or(0);
            Err(text[..bad].matches('\n').count() as u64 + 1)
        } else {
            Ok(text)
        }
    }
    match enc {
        Encoding::Utf8 => utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|row| ImportError::Encoding {
                encoding: "UTF-8",
                row,
            }),
        Encoding::Gb18030 => gb(bytes).map_err(|row| ImportError::Encoding {
            encoding: "GB18030",
            row,
        }),
        Encoding::Auto => match utf8(bytes) {
            Ok(s) => Ok(Cow::Borrowed(s)),
            Err(_) => gb(bytes).map_err(|row| ImportError::Encoding {
                encoding: "UTF-8 or GB18030",
                row,
            }),
        },
    }
}

/// The delimiter of the header line: the most frequent of `,`, tab and `;`.
fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|d| (first.bytes().filter(|b| b == d).count(), *d == b','))
        .unwrap_or(b',')
}

fn read_csv<V: RowVisitor>(
    bytes: &[u8],
    enc: Encoding,
    bounds: &mut Bounds<'_>,
    v: &mut V,
) -> Result<(), ImportError> {
    let text = decode(bytes, enc)?;
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(&text))
        .from_reader(text.as_bytes());
    let mut rec = csv::StringRecord::new();
    let mut header_seen = false;
    let damaged = |e: csv::Error| ImportError::Damaged {
        format: "CSV",
        detail: e.to_string(),
    };
    // The reader's own line count skips blank lines; count newlines up to each
    // record's start instead, incrementally, so rows are physical rows.
    let bytes = text.as_bytes();
    let (mut counted_to, mut row_no) = (0usize, 1u64);
    while rdr.read_record(&mut rec).map_err(damaged)? {
        let mut start = rec
            .position()
            .map_or(counted_to, |p| p.byte() as usize)
            .min(bytes.len());
        // A record's position includes the blank lines skipped before it.
        while start < bytes.len() && matches!(bytes[start], b'\n' | b'\r') {
            start += 1;
        }
        row_no += bytes[counted_to..start.max(counted_to)]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        counted_to = counted_to.max(start);
        if rec.is_blank() {
            continue;
        }
        if rec.len() > bounds.limits.columns {
            bounds.column(rec.len() - 1, row_no)?;
        }
        if header_seen {
            bounds.row()?;
            v.row(row_no, &rec);
        } else {
            header_seen = true;
            let headers: Vec<String> = rec.iter().map(str::to_string).collect();
            bounds.header(&headers, row_no)?;
            v.header(row_no, headers)?;
        }
    }
    if !header_seen {
        return Err(ImportError::Empty);
    }
    Ok(())
}

/// Text of an XLSX cell as a user would read it; whole floats lose their `.0` because
/// Excel stores typed-in phone numbers as numbers.
fn cell_text(d: &DataRef<'_>) -> String {
    match d {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Bool(b) => b.to_string(),
        // No zone in a spreadsheet date: kept without offset, so consent times fail
        // RFC 3339 parsing with a clear message instead of being guessed.
        DataRef::DateTime(dt) => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
        }
        DataRef::Error(e) => format!("#{e:?}"),
        DataRef::Empty => String::new(),
    }
}

fn read_xlsx<V: RowVisitor>(
    bytes: &[u8],
    bounds: &mut Bounds<'_>,
    v: &mut V,
) -> Result<(), ImportError> {
    let damaged = |e: calamine::XlsxError| ImportError::Damaged {
        format: "XLSX",
        detail: e.to_string(),
    };
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(damaged)?;
    let Some(sheet) = book.sheet_names().first().cloned() else {
        return Err(ImportError::Empty);
    };
    let mut cells = book.worksheet_cells_reader(&sheet).map_err(damaged)?;
    let mut cur: Vec<String> = Vec::new();
    let mut cur_row: Option<u32> = None;
    let mut header_seen = false;
    let mut flush = |row: u32,
                     cells: &mut Vec<String>,
                     header_seen: &mut bool,
                     bounds: &mut Bounds<'_>|
     -> Result<(), ImportError> {
        if cells.as_slice().is_blank() {
            cells.clear();
            return Ok(());
        }
        let row_no = u64::from(row) + 1;
        if *header_seen {
            bounds.row()?;
            v.row(row_no, cells.as_slice());
        } else {
            *header_seen = true;
            bounds.header(cells, row_no)?;
            v.header(row_no, cells.clone())?;
        }
        cells.clear();
        Ok(())
    };
    while let Some(cell) = cells.next_cell().map_err(damaged)? {
        let (r, c) = cell.get_position();
        if cur_row.is_some_and(|cr| cr != r) {
            if let Some(cr) = cur_row {
                flush(cr, &mut cur, &mut header_seen, bounds)?;
            }
        }
        cur_row = Some(r);
        let c = c as usize;
        bounds.column(c, u64::from(r) + 1)?;
        if cur.len() <= c {
            cur.resize(c + 1, String::new());
        }
        cur[c] = cell_text(cell.get_value());
    }
    if let Some(cr) = cur_row {
        flush(cr, &mut cur, &mut header_seen, bounds)?;
    }
    if !header_seen {
        return Err(ImportError::Empty);
    }
    Ok(())
}

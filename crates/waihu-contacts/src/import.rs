//! The import pipeline: header → columns, then per row: number, time zone, consent,
//! de-duplication; accepted contacts go to the caller's sink as they are produced.
//! The per-row checks ([`validate_row`]) and the in-order bookkeeping ([`Tally`]) are
//! shared with the parallel pipeline ([`crate::parallel`]), so both give the same
//! result by construction.

use crate::contact::{Contact, ImportOutcome, ImportReport};
use crate::error::{ImportError, RowError, RowReason};
use crate::mapping::{Columns, Field};
use crate::options::ImportOptions;
use crate::phone::{e164_key, Normaliser, PhoneProblem};
use crate::row_consent::row_consent;
use crate::source::{self, Row, RowVisitor};
use chrono_tz::Tz;
use std::collections::HashMap;

/// Parses and validates `bytes` (CSV or XLSX), handing each accepted contact to `sink`
/// in row order. A whole-file error means nothing from the file may be written (the
/// caller should write inside a transaction and roll back on `Err`).
pub fn import<F: FnMut(Contact)>(
    bytes: &[u8],
    opts: &ImportOptions,
    sink: F,
) -> Result<ImportReport, ImportError> {
    let mut p = Pipeline {
        opts,
        cols: None,
        phones: Normaliser::new(opts.default_region),
        tally: Tally::new(opts),
        sink,
    };
    source::read(bytes, opts.encoding, &mut p)?;
    p.tally.finish()
}

/// [`import`] collecting the contacts in memory.
pub fn parse(bytes: &[u8], opts: &ImportOptions) -> Result<ImportOutcome, ImportError> {
    let mut contacts = Vec::new();
    let report = import(bytes, opts, |c| contacts.push(c))?;
    Ok(ImportOutcome { contacts, report })
}

/// The in-order part of an import: de-duplication against earlier accepted rows and
/// the report. Rows must be fed in file order.
pub(crate) struct Tally<'o> {
    opts: &'o ImportOptions,
    /// E.164 digits → row of the accepted contact with that number.
    seen: HashMap<u64, u64>,
    report: ImportReport,
}

impl<'o> Tally<'o> {
    pub fn new(opts: &'o ImportOptions) -> Self {
        Self {
            opts,
            seen: HashMap::new(),
            report: ImportReport::default(),
        }
    }

    /// Takes one row's validation result; the contact back if it is accepted (not a
    /// repeat of an earlier accepted number), for the caller to hand on.
    pub fn accept(
        &mut self,
        cols: &Columns,
        checked: Result<Contact, RowError>,
    ) -> Option<Contact> {
        let c = match checked {
            Ok(c) => c,
            Err(e) => {
                self.reject(e);
                return None;
            }
        };
        let key = e164_key(&c.e164);
        if let Some(first) = self.seen.get(&key) {
            self.reject(RowError {
                row: c.row,
                column: cols.header(Field::Number),
                reason: RowReason::Duplicate,
                detail: format!("duplicate of row {first}"),
            });
            return None;
        }
        self.seen.insert(key, c.row);
        self.report.imported += 1;
        Some(c)
    }

    fn reject(&mut self, e: RowError) {
        if e.reason == RowReason::Duplicate {
            self.report.duplicates += 1;
        } else {
            self.report.rejected += 1;
        }
        self.report.errors_total += 1;
        if self.report.errors.len() < self.opts.max_errors {
            self.report.errors.push(e);
        }
    }

    /// The report, or `NoDataRows` when the file had a header and nothing else.
    pub fn finish(self) -> Result<ImportReport, ImportError> {
        let r = self.report;
        if r.imported + r.duplicates + r.rejected == 0 {
            return Err(ImportError::NoDataRows);
        }
        Ok(r)
    }
}

/// Every check of one row that needs no other row: number, time zone, consent, and
/// the contact built from it. De-duplication is [`Tally::accept`]'s.
pub(crate) fn validate_row<R: Row + ?Sized>(
    opts: &ImportOptions,
    phones: &mut Normaliser,
    cols: &Columns,
    row_no: u64,
    row: &R,
) -> Result<Contact, RowError> {
    let err = |f: Field, reason, detail: String| RowError {
        row: row_no,
        column: cols.header(f),
        reason,
        detail,
    };
    let num_idx = cols.index(Field::Number).unwrap_or(0);
    let raw = row.cell(num_idx).trim();
    if raw.is_empty() {
        return Err(err(
            Field::Number,
            RowReason::MissingNumber,
            "the number cell is empty".into(),
        ));
    }
    let e164 = phones.normalise(raw).map_err(|p| {
        let detail = match p {
            PhoneProblem::NotANumber => "not a phone number",
            PhoneProblem::Invalid => {
                "not a valid phone number (mainland mobile, landline with area code, or +country)"
            }
        };
        err(Field::Number, RowReason::InvalidNumber, detail.into())
    })?;
    let zone_override = match cols
        .index(Field::Timezone)
        .map(|i| row.cell(i).trim())
        .filter(|s| !s.is_empty())
    {
        Some(z) => Some(z.parse::<Tz>().map_err(|_| {
            err(
                Field::Timezone,
                RowReason::InvalidTimezone,
                "not an IANA time zone such as Asia/Shanghai".into(),
            )
        })?),
        None => None,
    };
    let consent = row_consent(cols, row, row_no, opts.consent.as_ref(), opts.now)?;
    let name = cols
        .index(Field::Name)
        .map(|i| row.cell(i).trim())
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let fields = cols
        .custom
        .iter()
        .filter_map(|(i, h)| {
            let v = row.cell(*i).trim();
            (!v.is_empty()).then(|| (h.clone(), v.to_string()))
        })
        .collect();
    Ok(Contact {
        row: row_no,
        e164,
        name,
        consent,
        zone_override,
        fields,
    })
}

struct Pipeline<'o, F> {
    opts: &'o ImportOptions,
    cols: Option<Columns>,
    phones: Normaliser,
    tally: Tally<'o>,
    sink: F,
}

impl<F: FnMut(Contact)> RowVisitor for Pipeline<'_, F> {
    fn header(&mut self, _row_no: u64, headers: Vec<String>) -> Result<(), ImportError> {
        self.cols = Some(Columns::resolve(headers, &self.opts.mapping)?);
        Ok(())
    }

    fn row<R: Row + ?Sized>(&mut self, row_no: u64, row: &R) {
        // `header` always runs first.
        let Some(cols) = &self.cols else { return };
        let checked = validate_row(self.opts, &mut self.phones, cols, row_no, row);
        if let Some(c) = self.tally.accept(cols, checked) {
            (self.sink)(c);
        }
    }
}

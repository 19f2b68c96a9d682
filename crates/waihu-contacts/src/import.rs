//! The import pipeline: header → columns, then per row: number, time zone, consent,
//! de-duplication; accepted contacts go to the caller's sink as they are produced.

use crate::contact::{Contact, ImportOutcome, ImportReport};
use crate::error::{ImportError, RowError, RowReason};
use crate::limits::{control_char, multiline, over_long};
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
        seen: HashMap::new(),
        report: ImportReport::default(),
        sink,
    };
    source::read(bytes, opts.encoding, &opts.limits, &mut p)?;
    if p.report.imported + p.report.duplicates + p.report.rejected == 0 {
        return Err(ImportError::NoDataRows);
    }
    Ok(p.report)
}

/// [`import`] collecting the contacts in memory.
pub fn parse(bytes: &[u8], opts: &ImportOptions) -> Result<ImportOutcome, ImportError> {
    let mut contacts = Vec::new();
    let report = import(bytes, opts, |c| contacts.push(c))?;
    Ok(ImportOutcome { contacts, report })
}

struct Pipeline<'o, F> {
    opts: &'o ImportOptions,
    cols: Option<Columns>,
    phones: Normaliser,
    /// E.164 digits → row of the accepted contact with that number.
    seen: HashMap<u64, u64>,
    report: ImportReport,
    sink: F,
}

impl<F: FnMut(Contact)> Pipeline<'_, F> {
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

    /// Every kept cell within its column's length, without control characters.
    /// The value itself is never quoted back: it may be megabytes of anything.
    fn check_cells<R: Row + ?Sized>(
        &self,
        cols: &Columns,
        row_no: u64,
        row: &R,
    ) -> Result<(), RowError> {
        let fields = Field::ALL
            .into_iter()
            .filter_map(|f| cols.index(f).map(|i| (i, Some(f), cols.header(f))));
        let custom = cols.custom.iter().map(|(i, h)| (*i, None, h.to_string()));
        for (i, field, column) in fields.chain(custom) {
            let value = row.cell(i).trim();
            let max = self.opts.limits.max_chars(field);
            if let Some(n) = over_long(value, max) {
                return Err(RowError {
                    row: row_no,
                    column,
                    reason: RowReason::FieldTooLong,
                    detail: format!("{n} characters; at most {max} are allowed"),
                });
            }
            if let Some((at, c)) = control_char(value, multiline(field)) {
                return Err(RowError {
                    row: row_no,
                    column,
                    reason: RowReason::ControlCharacter,
                    detail: format!("control character U+{:04X} at character {at}", u32::from(c)),
                });
            }
        }
        Ok(())
    }

    fn validate<R: Row + ?Sized>(
        &mut self,
        cols: &Columns,
        row_no: u64,
        row: &R,
    ) -> Result<Contact, RowError> {
        self.check_cells(cols, row_no, row)?;
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
        let e164 = self.phones.normalise(raw).map_err(|p| {
            let detail = match p {
                PhoneProblem::NotANumber => "not a phone number",
                PhoneProblem::Invalid => "not a valid phone number (mainland mobile, landline with area code, or +country)",
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
        let consent = row_consent(cols, row, row_no, self.opts.consent.as_ref(), self.opts.now)?;
        let key = e164_key(&e164);
        if let Some(first) = self.seen.get(&key) {
            return Err(err(
                Field::Number,
                RowReason::Duplicate,
                format!("duplicate of row {first}"),
            ));
        }
        self.seen.insert(key, row_no);
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
}

impl<F: FnMut(Contact)> RowVisitor for Pipeline<'_, F> {
    fn header(&mut self, _row_no: u64, headers: Vec<String>) -> Result<(), ImportError> {
        self.cols = Some(Columns::resolve(headers, &self.opts.mapping)?);
        Ok(())
    }

    fn row<R: Row + ?Sized>(&mut self, row_no: u64, row: &R) {
        // `header` always runs first; take the columns out to borrow self mutably.
        let Some(cols) = self.cols.take() else { return };
        match self.validate(&cols, row_no, row) {
            Ok(c) => {
                self.report.imported += 1;
                (self.sink)(c);
            }
            Err(e) => self.reject(e),
        }
        self.cols = Some(cols);
    }
}

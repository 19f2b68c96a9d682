//! Exports: the daily report and a call list as CSV and as XLSX (sheets
//! `daily` and, when calls are given, `calls`). Both formats come from the same
//! table of cells, so they always agree. Numbers are the masked form unless the
//! caller's role allows full numbers *and* a full number was supplied. Text
//! that a spreadsheet would run as a formula (`=`, `@`, or `+`/`-` not followed
//! by a digit) is prefixed with `'`.

use crate::report::{Report, ReportRow};
use chrono::{DateTime, FixedOffset, Utc};
use uuid::Uuid;

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The CSV writer failed.
    #[error("csv export: {0}")]
    Csv(#[from] csv::Error),
    /// The XLSX writer failed.
    #[error("xlsx export: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// Column headings in Chinese or English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 简体中文.
    Zh,
    /// English.
    En,
}

/// One call of the call list.
#[derive(Debug, Clone, PartialEq)]
pub struct CallLine {
    /// The call.
    pub call_id: Uuid,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// The masked number (always present).
    pub number_masked: String,
    /// The full number, when the caller could decrypt it.
    pub number_full: Option<String>,
    /// Call-outcome code ([`waihu_core::CallOutcome`]), or
    /// [`waihu_core::call_outcome::IN_FLIGHT`] for a call not ended yet.
    pub outcome: String,
    /// Grade letter.
    pub grade: Option<char>,
    /// Talk time, ms.
    pub duration_ms: Option<u64>,
    /// Opted out.
    pub opt_out: bool,
}

/// Whether full numbers may appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbers {
    /// Masked only.
    Masked,
    /// Full numbers where supplied (the role allows it).
    Full,
}

/// A cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number.
    Num(f64),
    /// Nothing.
    Empty,
}

impl Cell {
    fn text(s: impl Into<String>) -> Self {
        Cell::Text(defuse(&s.into()))
    }

    /// The cell as CSV text.
    pub fn to_csv(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Num(n) => {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    format!("{n:.0}")
                } else {
                    format!("{n:.3}")
                }
            }
            Cell::Empty => String::new(),
        }
    }
}

/// Neutralises text a spreadsheet would evaluate.
fn defuse(s: &str) -> String {
    let mut chars = s.chars();
    let risky = match chars.next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !chars.next().is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    };
    if risky {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn n(v: u64) -> Cell {
    Cell::Num(v as f64)
}

/// The daily table: a header row, one row per day, then the totals.
pub fn report_table(r: &Report, lang: Lang) -> Vec<Vec<Cell>> {
    let zh = lang == Lang::Zh;
    let h = |z: &str, e: &str| Cell::text(if zh { z } else { e });
    let mut header = vec![
        h("日期", "day"),
        h("拨打", "attempts"),
        h("接通", "answered"),
        h("接通率", "answer rate"),
        h("平均通话秒数", "avg talk s"),
    ];
    header.extend(["A", "B", "C", "D", "E", "F"].map(Cell::text));
    header.extend([h("意向客户", "leads"), h("合规拦截", "refused")]);
    let rules = r.rules();
    header.extend(rules.iter().map(|rule| {
        Cell::text(if zh {
            format!("拦截:{rule}")
        } else {
            format!("refused:{rule}")
        })
    }));
    header.extend([
        h("退订", "opt-outs"),
        h("通话中投诉", "complaints in calls"),
        h("投诉工单", "complaint tickets"),
    ]);
    let mut out = vec![header];
    let row = |d: &ReportRow| {
        let mut v = vec![
            match d.day {
                Some(day) => Cell::text(day.format("%Y-%m-%d").to_string()),
                None => h("合计", "total"),
            },
            n(d.attempts),
            n(d.answered),
            Cell::Num((d.answer_rate() * 10_000.0).round() / 10_000.0),
            d.avg_duration_secs()
                .map_or(Cell::Empty, |s| Cell::Num((s * 10.0).round() / 10.0)),
        ];
        v.extend(d.grades.iter().map(|g| n(*g)));
        v.extend([n(d.leads), n(d.refused)]);
        v.extend(
            rules
                .iter()
                .map(|rule| n(d.refusals.get(rule).copied().unwrap_or(0))),
        );
        v.extend([n(d.opt_outs), n(d.complaints), n(d.complaint_tickets)]);
        v
    };
    out.extend(r.days.iter().map(row));
    out.push(row(&r.total));
    out
}

/// The call table: header plus one row per call; times at `offset`.
pub fn calls_table(
    calls: &[CallLine],
    numbers: Numbers,
    offset: FixedOffset,
    lang: Lang,
) -> Vec<Vec<Cell>> {
    let zh = lang == Lang::Zh;
    let h = |z: &str, e: &str| Cell::text(if zh { z } else { e });
    let mut out = vec![vec![
        h("通话", "call"),
        h("时间", "time"),
        h("号码", "number"),
        h("结果", "outcome"),
        h("评级", "grade"),
        h("通话秒数", "talk s"),
        h("退订", "opt-out"),
    ]];
    for c in calls {
        let number = match (numbers, &c.number_full) {
            (Numbers::Full, Some(full)) => full.clone(),
            _ => c.number_masked.clone(),
        };
        out.push(vec![
            Cell::text(c.call_id.to_string()),
            Cell::text(
                c.created_at
                    .with_timezone(&offset)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string(),
            ),
            Cell::text(number),
            Cell::text(c.outcome.clone()),
            c.grade.map_or(Cell::Empty, |g| Cell::text(g.to_string())),
            c.duration_ms.map_or(Cell::Empty, |d| {
                Cell::Num((d as f64 / 100.0).round() / 10.0)
            }),
            Cell::text(if c.opt_out { "1" } else { "0" }),
        ]);
    }
    out
}

/// A table as CSV (UTF-8 with a byte-order mark so that spreadsheet programs
/// read Chinese correctly).
pub fn to_csv(table: &[Vec<Cell>]) -> Result<Vec<u8>, ExportError> {
    let mut w = csv::WriterBuilder::new()
        .flexible(false)
        .from_writer(Vec::new());
    for row in table {
        w.write_record(row.iter().map(Cell::to_csv))?;
    }
    let body = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    let mut out = "\u{feff}".as_bytes().to_vec();
    out.extend(body);
    Ok(out)
}

/// Sheets as one XLSX workbook.
pub fn to_xlsx(sheets: &[(&str, Vec<Vec<Cell>>)]) -> Result<Vec<u8>, ExportError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, table) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name)?;
        for (r, row) in table.iter().enumerate() {
            let r = u32::try_from(r).unwrap_or(u32::MAX);
            for (c, cell) in row.iter().enumerate() {
                let c = u16::try_from(c).unwrap_or(u16::MAX);
                match cell {
                    Cell::Text(s) => {
                        ws.write_string(r, c, s)?;
                    }
                    Cell::Num(v) => {
                        ws.write_number(r, c, *v)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
    }
    Ok(wb.save_to_buffer()?)
}

/// The daily report as CSV.
pub fn report_csv(r: &Report, lang: Lang) -> Result<Vec<u8>, ExportError> {
    to_csv(&report_table(r, lang))
}

/// The call list as CSV.
pub fn calls_csv(
    calls: &[CallLine],
    numbers: Numbers,
    offset: FixedOffset,
    lang: Lang,
) -> Result<Vec<u8>, ExportError> {
    to_csv(&calls_table(calls, numbers, offset, lang))
}

/// The report (sheet `daily`) and the call list (sheet `calls`) as XLSX.
pub fn report_xlsx(
    r: &Report,
    calls: &[CallLine],
    numbers: Numbers,
    offset: FixedOffset,
    lang: Lang,
) -> Result<Vec<u8>, ExportError> {
    to_xlsx(&[
        ("daily", report_table(r, lang)),
        ("calls", calls_table(calls, numbers, offset, lang)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::daily;
    use crate::report::tests::{at, beijing, sample};
    use calamine::{Data, Reader, Xlsx};
    use std::io::Cursor;

    fn lines() -> Vec<CallLine> {
        vec![CallLine {
            call_id: Uuid::from_u128(1),
            created_at: at(1, 2),
            number_masked: "138****5678".into(),
            number_full: Some("+8613812345678".into()),
            outcome: "answered".into(),
            grade: Some('A'),
            duration_ms: Some(61_234),
            opt_out: false,
        }]
    }

    fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
        let text = std::str::from_utf8(bytes).unwrap();
        let text = text.strip_prefix('\u{feff}').unwrap();
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        r.records()
            .map(|x| x.unwrap().iter().map(String::from).collect())
            .collect()
    }

    #[test]
    fn csv_reads_back_equal_to_the_report_rows() {
        let report = daily(&sample(), beijing(), &[]);
        let table = report_table(&report, Lang::Zh);
        let rows = csv_rows(&report_csv(&report, Lang::Zh).unwrap());
        assert_eq!(rows.len(), report.days.len() + 2);
        assert_eq!(rows[0][0], "日期");
        assert!(rows[0].contains(&"拦截:dnc".to_string()));
        for (row, cells) in rows.iter().zip(&table) {
            let expect: Vec<String> = cells.iter().map(Cell::to_csv).collect();
            assert_eq!(row, &expect);
        }
        // Day 1: 3 attempts, 2 answered, 45 s average.
        assert_eq!(&rows[1][..5], &["2026-12-01", "3", "2", "0.667", "45"]);
        let total = rows.last().unwrap();
        assert_eq!(total[0], "合计");
        assert_eq!(total[1], report.total.attempts.to_string());
    }

    #[test]
    fn xlsx_reads_back_equal_to_the_report_rows_and_masks_numbers() {
        let report = daily(&sample(), beijing(), &[]);
        let bytes = report_xlsx(&report, &lines(), Numbers::Masked, beijing(), Lang::En).unwrap();
        let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        let daily_sheet = wb.worksheet_range("daily").unwrap();
        let table = report_table(&report, Lang::En);
        assert_eq!(daily_sheet.height(), table.len());
        for (row, cells) in daily_sheet.rows().zip(&table) {
            for (got, want) in row.iter().zip(cells) {
                match (got, want) {
                    (Data::String(s), Cell::Text(t)) => assert_eq!(s, t),
                    (Data::Float(f), Cell::Num(v)) => assert_eq!(f, v),
                    (Data::Empty, Cell::Empty) => {}
                    other => panic!("mismatch {other:?}"),
                }
            }
        }
        let calls = wb.worksheet_range("calls").unwrap();
        assert_eq!(calls.get((1, 2)), Some(&Data::String("138****5678".into())));
        assert_eq!(
            calls.get((1, 1)),
            Some(&Data::String("2026-12-01 10:00:00".into()))
        );
        assert_eq!(calls.get((1, 5)), Some(&Data::Float(61.2)));
    }

    #[test]
    fn full_numbers_only_when_allowed_and_supplied() {
        let masked = csv_rows(&calls_csv(&lines(), Numbers::Masked, beijing(), Lang::Zh).unwrap());
        assert_eq!(masked[1][2], "138****5678");
        let full = csv_rows(&calls_csv(&lines(), Numbers::Full, beijing(), Lang::Zh).unwrap());
        assert_eq!(full[1][2], "+8613812345678");
        let mut no_full = lines();
        no_full[0].number_full = None;
        let rows = csv_rows(&calls_csv(&no_full, Numbers::Full, beijing(), Lang::Zh).unwrap());
        assert_eq!(rows[1][2], "138****5678");
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("+8613812345678"), "+8613812345678");
        assert_eq!(defuse("-x"), "'-x");
        assert_eq!(defuse("@SUM"), "'@SUM");
        assert_eq!(defuse("ok"), "ok");
    }

    #[test]
    fn an_empty_report_exports_header_and_total() {
        let report = daily(&[], beijing(), &[]);
        let rows = csv_rows(&report_csv(&report, Lang::En).unwrap());
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1][0], "total");
        assert!(report_xlsx(&report, &[], Numbers::Masked, beijing(), Lang::En).is_ok());
    }
}

//! XLSX imports, with workbooks generated here (no binaries in the repository).

use crate::helpers::*;
use rust_xlsxwriter::Workbook;
use waihu_contacts::ImportError;

/// A workbook whose first sheet has `cells` (row, col, value); numbers written as
/// numbers when they parse as f64 and `as_number` is set, as Excel users do.
fn workbook(cells: &[(u32, u16, &str)], as_number: bool) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for &(r, c, v) in cells {
        let res = match v.parse::<f64>() {
            Ok(n) if as_number => ws.write_number(r, c, n).map(|_| ()),
            _ => ws.write_string(r, c, v).map(|_| ()),
        };
        res.unwrap_or_else(|e| panic!("{e}"));
    }
    wb.save_to_buffer().unwrap_or_else(|e| panic!("{e}"))
}

fn sheet() -> Vec<u8> {
    workbook(
        &[
            (0, 0, "姓名"),
            (0, 1, "手机号码"),
            (0, 2, "意向产品"),
            (1, 0, "张三"),
            (1, 1, "13812345678"),
            (1, 2, "宽带"),
            // row 3 (index 2) left blank
            (3, 0, "李四"),
            (3, 1, "13812345678"),
            (4, 0, "王五"),
            (4, 1, "12345"),
            (5, 0, "赵六"),
            (5, 1, "+44 20 7946 0958"),
        ],
        true,
    )
}

#[test]
fn xlsx_numbers_stored_as_numbers_and_exact_report() {
    let out = ok(&sheet(), &opts_with_consent());
    assert_eq!(numbers(&out), ["+8613812345678", "+442079460958"]);
    assert_eq!(out.contacts[0].name.as_deref(), Some("张三"));
    assert_eq!(
        out.contacts[0]
            .fields
            .iter()
            .map(|(h, v)| (&**h, v.as_str()))
            .collect::<Vec<_>>(),
        [("意向产品", "宽带")]
    );
    assert_eq!(
        rows(&out),
        [
            r(4, "手机号码", "duplicate"),
            r(5, "手机号码", "invalid_number")
        ]
    );
    assert_eq!(
        out.contacts.iter().map(|c| c.row).collect::<Vec<_>>(),
        [2, 6]
    );
    assert_eq!(counts(&out), (2, 1, 1, 2));
}

#[test]
fn xlsx_without_consent_and_without_number_column() {
    let out = ok(&sheet(), &opts());
    assert_eq!(
        rows(&out),
        [
            r(2, "consent_source", "no_consent"),
            r(4, "consent_source", "no_consent"),
            r(5, "手机号码", "invalid_number"),
            r(6, "consent_source", "no_consent")
        ]
    );
    let no_number = workbook(&[(0, 0, "姓名"), (1, 0, "张三")], true);
    assert_eq!(
        err(&no_number, &opts_with_consent()),
        ImportError::MissingNumberColumn {
            headers: vec!["姓名".into()]
        }
    );
}

#[test]
fn truncated_and_empty_xlsx_are_whole_file_errors() {
    let full = sheet();
    for cut in [full.len() / 2, full.len() - 10, 30] {
        let e = err(&full[..cut], &opts_with_consent());
        assert!(
            matches!(e, ImportError::Damaged { format: "XLSX", .. }),
            "cut at {cut}: {e:?}"
        );
    }
    let empty = workbook(&[], true);
    assert_eq!(err(&empty, &opts_with_consent()), ImportError::Empty);
    let header_only = workbook(&[(0, 0, "phone")], true);
    assert_eq!(
        err(&header_only, &opts_with_consent()),
        ImportError::NoDataRows
    );
}

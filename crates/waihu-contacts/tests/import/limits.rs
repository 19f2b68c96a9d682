//! Bounded input: spreadsheet bombs and oversized files are refused whole before
//! they are read; over-long cells and control characters reject their row.

use crate::bomb::{xlsx_bomb, xlsx_with_name, Part, MARKER};
use crate::helpers::*;
use waihu_contacts::{ImportError, ImportLimits, ImportOptions};

const GB: u64 = 1 << 30;

fn too_large(e: &ImportError) -> String {
    match e {
        ImportError::TooLarge(what) => what.clone(),
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[test]
fn a_one_megabyte_xlsx_expanding_to_a_gigabyte_is_refused_before_it_is_read() {
    let bomb = xlsx_bomb(Part::SharedString, 1100 << 20, None);
    assert!(bomb.len() < 4 << 20, "the bomb is {} bytes", bomb.len());
    let e = err(&bomb, &opts_with_consent());
    assert!(too_large(&e).contains("MiB"), "{e}");
}

#[test]
fn a_bomb_whose_headers_understate_its_size_is_refused_while_decompressing() {
    // Declared as 1 KiB: only decompressing finds it. The zip reader stops at
    // the declared size itself; the guard's own count is the second line.
    for part in [Part::SharedString, Part::Sheet] {
        let bomb = xlsx_bomb(part, GB, Some(1024));
        let e = err(&bomb, &opts_with_consent());
        assert!(
            matches!(&e, ImportError::TooLarge(_))
                || matches!(&e, ImportError::Damaged { detail, .. } if detail.contains("larger than its declared")),
            "{part:?}: {e:?}"
        );
    }
}

#[test]
fn a_sheet_expanding_past_the_total_is_refused() {
    let bomb = xlsx_bomb(Part::Sheet, 400 << 20, None);
    let e = err(&bomb, &opts_with_consent());
    assert!(too_large(&e).contains("workbook expands"), "{e}");
}

#[test]
fn one_cell_of_a_hundred_megabytes_is_refused_without_reading_it() {
    for part in [Part::SharedString, Part::Sheet] {
        let limits = ImportLimits {
            // Room for the cell in total, so only the cell limit can refuse it.
            xlsx_uncompressed: 1 << 30,
            xlsx_shared_strings: 1 << 30,
            ..ImportLimits::default()
        };
        let opts = ImportOptions {
            limits,
            ..opts_with_consent()
        };
        let bomb = xlsx_bomb(part, 100 << 20, None);
        let e = err(&bomb, &opts);
        assert!(too_large(&e).contains("cell"), "{part:?}: {e}");
    }
}

#[test]
fn an_over_long_xlsx_name_rejects_its_row_only() {
    let long = "张".repeat(5000);
    let out = ok(&xlsx_with_name(&long), &opts_with_consent());
    assert_eq!(rows(&out), [r(2, "姓名", "field_too_long")]);
    assert_eq!(numbers(&out), ["+8613912345678"]);
    let detail = &out.report.errors[0].detail;
    assert!(
        detail.contains("5000") && detail.contains("100"),
        "{detail}"
    );
    assert!(
        !detail.contains('张'),
        "the value is not quoted back: {detail}"
    );
}

#[test]
fn over_long_csv_cells_reject_their_row_per_column() {
    let big = "x".repeat(2 << 20);
    let csv = format!(
        "手机号,姓名,备注\n13812345678,{big},a\n13912345678,李四,{big}\n13712345678,王五,ok\n"
    );
    let out = ok(csv.as_bytes(), &opts_with_consent());
    assert_eq!(
        rows(&out),
        [
            r(2, "姓名", "field_too_long"),
            r(3, "备注", "field_too_long")
        ]
    );
    assert_eq!(numbers(&out), ["+8613712345678"]);
    for e in &out.report.errors {
        assert!(e.detail.len() < 100, "{}", e.detail);
    }
    // At the limit is fine, one over is not.
    let at = format!("手机号,姓名\n13812345678,{}\n", "名".repeat(100));
    assert_eq!(ok(at.as_bytes(), &opts_with_consent()).report.rejected, 0);
    let over = format!("手机号,姓名\n13812345678,{}\n", "名".repeat(101));
    assert_eq!(ok(over.as_bytes(), &opts_with_consent()).report.rejected, 1);
}

#[test]
fn control_characters_reject_their_row() {
    let csv = "手机号,姓名,备注\n\
               13812345678,张\u{0}三,a\n\
               13912345678,李四\u{1b}[2J,b\n\
               13712345678,王五,\"two\nlines\"\n\
               13612345678,赵六,bell\u{7}\n";
    let out = ok(csv.as_bytes(), &opts_with_consent());
    assert_eq!(
        rows(&out),
        [
            r(2, "姓名", "control_character"),
            r(3, "姓名", "control_character"),
            r(6, "备注", "control_character"),
        ]
    );
    assert!(out.report.errors[0].detail.contains("U+0000"));
    // A line break inside a free-text field is kept.
    assert_eq!(numbers(&out), ["+8613712345678"]);
    assert_eq!(out.contacts[0].fields[0].1, "two\nlines");
}

#[test]
fn a_nul_in_an_xlsx_name_rejects_the_row() {
    let out = ok(&xlsx_with_name("张\u{0}三"), &opts_with_consent());
    assert_eq!(rows(&out), [r(2, "姓名", "control_character")]);
}

#[test]
fn rows_columns_headers_and_file_size_are_bounded() {
    let small = |f: fn(&mut ImportLimits)| {
        let mut limits = ImportLimits::default();
        f(&mut limits);
        ImportOptions {
            limits,
            ..opts_with_consent()
        }
    };
    let three = "手机号\n13812345678\n13912345678\n13712345678\n";
    assert!(ok(three.as_bytes(), &small(|l| l.rows = 3)).report.imported == 3);
    let e = err(three.as_bytes(), &small(|l| l.rows = 2));
    assert!(too_large(&e).contains("more than 2 data rows"), "{e}");

    let wide = format!("手机号{}\n13812345678\n", ",x".repeat(200));
    let e = err(wide.as_bytes(), &opts_with_consent());
    assert!(too_large(&e).contains("column 201"), "{e}");
    let far = {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        let w = ws
            .write_string(0, 0, "手机号")
            .and_then(|w| w.write_string(1, 0, "13812345678"))
            .and_then(|w| w.write_string(1, 16000, "far"));
        w.unwrap_or_else(|e| panic!("{e}"));
        wb.save_to_buffer().unwrap_or_else(|e| panic!("{e}"))
    };
    let e = err(&far, &opts_with_consent());
    assert!(too_large(&e).contains("column 16001"), "{e}");

    let header = format!("手机号,{}\n13812345678,a\n", "h".repeat(101));
    let e = err(header.as_bytes(), &opts_with_consent());
    assert!(too_large(&e).contains("header of column 2"), "{e}");
    let e = err(
        "手机号,a\u{0}b\n13812345678,x\n".as_bytes(),
        &opts_with_consent(),
    );
    assert_eq!(
        e,
        ImportError::HeaderControlCharacter { column: 2, code: 0 }
    );

    let e = err(three.as_bytes(), &small(|l| l.file_bytes = 10));
    assert!(too_large(&e).contains("larger than"), "{e}");
}

#[test]
fn the_bomb_marker_is_an_ordinary_name_when_small() {
    // The builder itself: with a small filler the workbook imports normally,
    // so the refusals above are about size, not a broken file.
    let roomy = |name_chars| ImportOptions {
        limits: ImportLimits {
            xlsx_text_run: 2 << 20,
            name_chars,
            ..ImportLimits::default()
        },
        ..opts_with_consent()
    };
    let shared = xlsx_bomb(Part::SharedString, 1 << 20, None);
    let out = ok(&shared, &roomy(100));
    assert_eq!(rows(&out), [r(2, "姓名", "field_too_long")]);
    let inline = xlsx_bomb(Part::Sheet, 1 << 20, None);
    let out = ok(&inline, &roomy(2 << 20));
    assert_eq!(out.report.imported, 1, "{:?}", out.report);
    let name = out.contacts[0].name.as_deref().unwrap_or("");
    assert_eq!(name.len(), 1 << 20);
    assert!(!name.contains(MARKER));
}

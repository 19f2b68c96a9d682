//! Property tests of the import: arbitrary and mutated CSV and XLSX files never
//! panic, and every error says where — row errors name a physical row of the
//! file and a column, whole-file encoding errors a row. Bounded case counts, so
//! they run in seconds with the rest of the suite.

use crate::helpers::*;
use proptest::prelude::*;
use waihu_contacts::{parse, ImportError};

const CSV: &str = "手机号,姓名,同意来源,同意时间,同意范围,同意凭证,时区,城市\n\
13812345678,张三,web_form,2026-01-02T03:04:05Z,marketing,ref-1,Asia/Shanghai,杭州\n\
13912345678,李四,,,,,,上海\n\
+44 20 7946 0958,Bob,in_store,2026-01-02T03:04:05Z,\"marketing,share_leads\",r2,Europe/London,London\n";

/// Pieces that mean something to CSV or to the import.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(",".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\"".to_string()),
        Just(";".to_string()),
        Just("\t".to_string()),
        Just("\u{0}".to_string()),
        Just("\u{feff}".to_string()),
        Just("+86".to_string()),
        Just("138".to_string()),
        Just("2026-13-45T99:00:00Z".to_string()),
        Just("Asia/Nowhere".to_string()),
        "[0-9]{1,15}",
        "\\PC{1,10}",
    ]
}

fn edited(base: &str, edits: &[(usize, usize, String)]) -> String {
    let mut chars: Vec<char> = base.chars().collect();
    for (at, cut, with) in edits {
        let at = at % (chars.len() + 1);
        let end = (at + cut % 4).min(chars.len());
        chars.splice(at..end, with.chars());
    }
    chars.into_iter().collect()
}

/// Every error of an import of `bytes` says where.
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    let physical_rows = bytes.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    match parse(bytes, &opts_with_consent()) {
        Ok(out) => {
            for e in &out.report.errors {
                prop_assert!(e.row >= 2 && e.row <= physical_rows, "{e:?}");
                prop_assert!(!e.column.is_empty(), "{e:?}");
                prop_assert!(!e.detail.is_empty(), "{e:?}");
            }
            prop_assert!(out.report.imported as usize == out.contacts.len());
        }
        Err(ImportError::Encoding { row, .. }) => {
            prop_assert!(
                row >= 1 && row <= physical_rows,
                "row {row} of {physical_rows}"
            );
        }
        Err(e) => prop_assert!(!e.to_string().is_empty()),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn edited_csv_files_never_panic_and_errors_say_where(
        edits in proptest::collection::vec((any::<usize>(), any::<usize>(), piece()), 1..8)
    ) {
        check(edited(CSV, &edits).as_bytes())?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        check(&bytes)?;
    }

    #[test]
    fn damaged_xlsx_files_never_panic(
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
        cut in proptest::option::of(any::<usize>()),
    ) {
        let mut book = crate::bomb::xlsx_with_name("张三");
        for (at, byte) in flips {
            let at = at % book.len();
            book[at] = byte;
        }
        if let Some(cut) = cut {
            book.truncate(cut % (book.len() + 1));
        }
        // Only the outcome's shape is checked: a damaged zip may still hold
        // a readable sheet.
        let _ = parse(&book, &opts_with_consent());
    }
}

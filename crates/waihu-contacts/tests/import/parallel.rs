//! The parallel pipeline must give exactly what the serial one gives: the same
//! accepted contacts in the same order, the same row errors with the same physical
//! row numbers in the same order, and the same whole-file errors — whatever the batch
//! size, so that duplicates and errors straddle batch boundaries.

use crate::helpers::*;
use waihu_contacts::{
    import_parallel, parse, ImportError, ImportOptions, ImportOutcome, Parallelism,
};

/// The parallel import collected in memory; checks that every contact arrives with
/// the `map` result computed from that very contact.
fn parallel(
    bytes: &[u8],
    o: &ImportOptions,
    workers: usize,
    batch_rows: usize,
) -> Result<ImportOutcome, ImportError> {
    let mut contacts = Vec::new();
    let report = import_parallel(
        bytes,
        o,
        Parallelism {
            workers,
            batch_rows,
        },
        |c| (c.row, c.e164.clone()),
        |c, mapped| {
            assert_eq!((c.row, c.e164.clone()), mapped, "map result of another row");
            contacts.push(c);
        },
    )?;
    Ok(ImportOutcome { contacts, report })
}

/// Every kind of row: valid mobiles in several notations, landlines, international
/// numbers, repeats of earlier rows at varying distances, invalid and missing
/// numbers, bad time zones, bad and good per-row consent, blank lines and quoted
/// cells spanning lines (so physical rows differ from record numbers).
fn mixed_csv(rows: u64) -> String {
    let mut s = String::from(
        "姓名,手机号,时区,consent_source,consent_time,consent_scope,consent_ref,备注\n",
    );
    for i in 0..rows {
        let number = match i % 13 {
            0 => format!("+86 139 {:04} {:04}", i % 10_000, (i * 7) % 10_000),
            1 => format!("0755-2{:07}", i),
            2 => format!("+1 415 555 {:04}", 2000 + i % 100),
            3 => "12345".to_string(),
            4 => String::new(),
            5 if i > 20 => format!("139{:08}", i - 18),
            6 if i > 40 => format!("139{:08}", i - 33),
            7 => format!("154{:08}", i),
            _ => format!("139{:08}", i),
        };
        let zone = match i % 17 {
            3 => "Asia/Shanghai",
            9 => "Mars/Olympus",
            _ => "",
        };
        let consent = match i % 11 {
            2 => "web_form,2026-03-01T10:00:00+08:00,marketing,form-1",
            5 => "web_form,2026-03-01,marketing,form-2",
            8 => "web_form,2027-03-01T10:00:00Z,marketing,form-3",
            _ => ",,,",
        };
        let note = match i % 19 {
            4 => "\"two\nlines\"",
            11 => "\"three\nlines\nhere\"",
            _ => "",
        };
        s.push_str(&format!("客户{i},{number},{zone},{consent},{note}\n"));
        if i % 23 == 7 {
            s.push_str("\n,,,,,,,\n");
        }
    }
    s
}

#[test]
fn parallel_equals_serial_for_every_batch_size_and_worker_count() {
    let csv = mixed_csv(600);
    let o = opts_with_consent();
    let serial = ok(csv.as_bytes(), &o);
    assert!(serial.report.duplicates > 20 && serial.report.rejected > 100);
    assert!(serial
        .report
        .errors
        .iter()
        .any(|e| e.reason.as_str() == "invalid_timezone"));
    assert!(serial
        .report
        .errors
        .iter()
        .any(|e| e.reason.as_str() == "invalid_consent"));
    for workers in [1, 2, 4] {
        for batch_rows in [1, 2, 3, 7, 64, 10_000] {
            let out =
                parallel(csv.as_bytes(), &o, workers, batch_rows).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                out, serial,
                "{workers} workers, {batch_rows} rows per batch"
            );
        }
    }
}

#[test]
fn errors_keep_row_order_and_numbers_across_batch_boundaries() {
    // Batches of two rows: every repeat refers to a row in an earlier batch, and the
    // quoted cell in row 3 moves every later row down by one.
    let csv = "name,phone\n\
               A,13812345678\n\
               \"B\nB\",13812345679\n\
               C,12345\n\
               D,13812345678\n\
               \n\
               E,13812345679\n\
               F,\n\
               G,13812345680\n\
               H,13812345680\n";
    let o = opts_with_consent();
    let out = parallel(csv.as_bytes(), &o, 3, 2).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        rows(&out),
        [
            r(5, "phone", "invalid_number"),
            r(6, "phone", "duplicate"),
            r(8, "phone", "duplicate"),
            r(9, "phone", "missing_number"),
            r(11, "phone", "duplicate"),
        ]
    );
    let details: Vec<&str> = out
        .report
        .errors
        .iter()
        .map(|e| e.detail.as_str())
        .collect();
    assert_eq!(details[1], "duplicate of row 2");
    assert_eq!(details[2], "duplicate of row 3");
    assert_eq!(details[4], "duplicate of row 10");
    assert_eq!(
        out.contacts.iter().map(|c| c.row).collect::<Vec<_>>(),
        [2, 3, 10]
    );
    assert_eq!(out, ok(csv.as_bytes(), &o));
}

#[test]
fn the_error_cap_keeps_the_first_errors_in_row_order() {
    let csv = mixed_csv(300);
    let o = ImportOptions {
        max_errors: 7,
        ..opts_with_consent()
    };
    let serial = ok(csv.as_bytes(), &o);
    assert_eq!(serial.report.errors.len(), 7);
    let out = parallel(csv.as_bytes(), &o, 4, 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out, serial);
}

#[test]
fn whole_file_errors_are_the_same() {
    let o = opts_with_consent();
    let cases: [&[u8]; 5] = [
        b"",
        b"phone\n",
        b"name,city\nA,Beijing\n",
        b"name,phone\nA,13812345678\nB,\xff\xfe\xfd\n",
        b"  \n\n",
    ];
    for bytes in cases {
        let serial = parse(bytes, &o).err();
        assert!(serial.is_some(), "{bytes:?} must fail");
        assert_eq!(parallel(bytes, &o, 2, 1).err(), serial, "{bytes:?}");
    }
}

#[test]
fn xlsx_parallel_equals_serial() {
    let bytes = crate::xlsx_files::sheet();
    for o in [opts(), opts_with_consent()] {
        let serial = ok(&bytes, &o);
        for batch_rows in [1, 2, 100] {
            let out = parallel(&bytes, &o, 2, batch_rows).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(out, serial);
        }
    }
}

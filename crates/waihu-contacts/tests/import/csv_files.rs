//! CSV imports: encodings, headers, numbers, duplicates, consent, empty files.

use crate::helpers::*;
use chrono::{TimeZone, Utc};
use waihu_compliance::EvidenceRef;
use waihu_contacts::{ColumnMapping, Encoding, ImportError, ImportOptions};

#[test]
fn utf8_chinese_headers_custom_fields_and_import_wide_consent() {
    let csv = "\u{feff}姓名,手机号,城市,备注\n张三,138 1234 5678,北京,VIP\n李四,+86 139-0000-1111,上海,\n\n王五,010-62345678,,老客户\n";
    let out = ok(csv.as_bytes(), &opts_with_consent());
    assert_eq!(
        numbers(&out),
        ["+8613812345678", "+8613900001111", "+861062345678"]
    );
    assert_eq!(
        out.contacts.iter().map(|c| c.row).collect::<Vec<_>>(),
        [2, 3, 5],
        "physical rows, blank row 4 skipped"
    );
    assert_eq!(out.contacts[0].name.as_deref(), Some("张三"));
    let f: Vec<(&str, &str)> = out.contacts[0]
        .fields
        .iter()
        .map(|(h, v)| (&**h, v.as_str()))
        .collect();
    assert_eq!(f, [("城市", "北京"), ("备注", "VIP")]);
    let f: Vec<(&str, &str)> = out.contacts[2]
        .fields
        .iter()
        .map(|(h, v)| (&**h, v.as_str()))
        .collect();
    assert_eq!(f, [("备注", "老客户")], "empty cells left out");
    assert_eq!(out.contacts[1].consent, consent());
    assert_eq!(counts(&out), (3, 0, 0, 0));
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

#[test]
fn gbk_file_is_read_in_auto_and_gb18030_mode() {
    let bytes = gbk("姓名,电话\n张三,13812345678\n李四,13900001111\n");
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the test file must not be UTF-8"
    );
    for enc in [Encoding::Auto, Encoding::Gb18030] {
        let out = ok(
            &bytes,
            &ImportOptions {
                encoding: enc,
                ..opts_with_consent()
            },
        );
        assert_eq!(numbers(&out), ["+8613812345678", "+8613900001111"]);
        assert_eq!(out.contacts[1].name.as_deref(), Some("李四"));
    }
}

#[test]
fn wrong_encoding_is_a_whole_file_error_with_the_row() {
    let bytes = gbk("name,phone\nAlice,13812345678\n张三,13900001111\n");
    let e = err(
        &bytes,
        &ImportOptions {
            encoding: Encoding::Utf8,
            ..opts_with_consent()
        },
    );
    assert_eq!(
        e,
        ImportError::Encoding {
            encoding: "UTF-8",
            row: 3
        }
    );
    assert_eq!(
        e.to_string(),
        "the file is not valid UTF-8 text (first bad byte in row 3)"
    );
    // UTF-8 Chinese read as GB18030 breaks on an invalid byte pair.
    let e = err(
        "name,phone\n张三李四王,13900001111\n".as_bytes(),
        &ImportOptions {
            encoding: Encoding::Gb18030,
            ..opts()
        },
    );
    assert!(
        matches!(
            e,
            ImportError::Encoding {
                encoding: "GB18030",
                row: 2
            }
        ),
        "{e:?}"
    );
    assert_eq!("GBK".parse::<Encoding>(), Ok(Encoding::Gb18030));
}

#[test]
fn missing_number_column() {
    let e = err("姓名,地址\n张三,北京\n".as_bytes(), &opts_with_consent());
    assert_eq!(
        e,
        ImportError::MissingNumberColumn {
            headers: vec!["姓名".into(), "地址".into()]
        }
    );
    assert!(e.to_string().contains("[姓名, 地址]"), "{e}");
}

#[test]
fn bad_numbers_each_reported() {
    let csv = "name,mobile\nA,12345\nB,\nC,abc\nD,1381234567\nE,13812345678\nF,+1 415 555 2671\nG,+1 415 555 267\n";
    let out = ok(csv.as_bytes(), &opts_with_consent());
    assert_eq!(
        rows(&out),
        [
            r(2, "mobile", "invalid_number"),
            r(3, "mobile", "missing_number"),
            r(4, "mobile", "invalid_number"),
            r(5, "mobile", "invalid_number"),
            r(8, "mobile", "invalid_number"),
        ]
    );
    assert_eq!(numbers(&out), ["+8613812345678", "+14155552671"]);
    assert_eq!(counts(&out), (2, 0, 5, 5));
}

#[test]
fn duplicates_within_the_file() {
    let csv = "phone,name\n13812345678,a\n+86 138 1234 5678,b\n008613812345678,c\n13900001111,d\n139-0000-1111,e\n";
    let out = ok(csv.as_bytes(), &opts_with_consent());
    assert_eq!(numbers(&out), ["+8613812345678", "+8613900001111"]);
    assert_eq!(
        rows(&out),
        [
            r(3, "phone", "duplicate"),
            r(4, "phone", "duplicate"),
            r(6, "phone", "duplicate")
        ]
    );
    assert_eq!(out.report.errors[1].detail, "duplicate of row 2");
    assert_eq!(out.report.errors[2].detail, "duplicate of row 5");
    assert_eq!(counts(&out), (2, 3, 0, 3));
}

#[test]
fn rows_without_consent_are_rejected() {
    let csv = "phone,consent_source,consent_time,consent_scope,consent_ref,consent_wording\n\
               13812345678,web_form,2026-03-01T10:00:00+08:00,\"marketing,share_leads\",form-1,\n\
               13812345679,,,,,\n\
               13812345680,web_form,2026-03-01,marketing,form-2,\n\
               13812345681,web_form,2026-03-01T10:00:00Z,,form-3,\n\
               13812345682,web_form,2026-03-01T10:00:00Z,marketing,,\n\
               13812345683,web_form,2026-03-01T10:00:00Z,marketing,,我同意接收营销电话\n\
               13812345684,web_form,2027-03-01T10:00:00Z,marketing,x,\n";
    let out = ok(csv.as_bytes(), &opts());
    assert_eq!(
        rows(&out),
        [
            r(3, "consent_source", "no_consent"),
            r(4, "consent_time", "invalid_consent"),
            r(5, "consent_scope", "invalid_consent"),
            r(6, "consent_ref", "invalid_consent"),
            r(8, "consent_time", "invalid_consent"),
        ]
    );
    assert_eq!(numbers(&out), ["+8613812345678", "+8613812345683"]);
    let c = &out.contacts[0].consent;
    assert!(c.share_leads);
    assert_eq!(
        c.given_at,
        Utc.with_ymd_and_hms(2026, 3, 1, 2, 0, 0)
            .single()
            .unwrap_or_else(|| panic!())
    );
    assert_eq!(
        out.contacts[1].consent.evidence,
        EvidenceRef::Wording("我同意接收营销电话".into())
    );
    assert_eq!(counts(&out), (2, 0, 5, 5));
}

#[test]
fn no_consent_anywhere_and_expired_consent() {
    let out = ok(b"phone\n13812345678\n13900001111\n", &opts());
    assert_eq!(
        rows(&out),
        [
            r(2, "consent_source", "no_consent"),
            r(3, "consent_source", "no_consent")
        ]
    );
    assert_eq!(counts(&out), (0, 0, 2, 2));
    // Row consent falls back field by field to the import-wide evidence.
    let csv = "phone,consent_expiry\n13812345678,2026-11-28T11:59:59Z\n13900001111,2026-11-28T12:00:01Z\n13700001111,\n";
    let out = ok(csv.as_bytes(), &opts_with_consent());
    assert_eq!(rows(&out), [r(2, "consent_expiry", "consent_expired")]);
    assert_eq!(numbers(&out), ["+8613900001111", "+8613700001111"]);
    assert_eq!(out.contacts[0].consent.source, "in_store");
    assert!(
        out.contacts[0].consent.expires_at.is_some()
            && out.contacts[1].consent.expires_at.is_none()
    );
}

#[test]
fn empty_and_header_only_files() {
    assert_eq!(err(b"", &opts_with_consent()), ImportError::Empty);
    assert_eq!(err(b" \n\r\n", &opts_with_consent()), ImportError::Empty);
    assert_eq!(
        err(b"\xEF\xBB\xBF", &opts_with_consent()),
        ImportError::Empty
    );
    assert_eq!(
        err(b"phone,name\n", &opts_with_consent()),
        ImportError::NoDataRows
    );
    assert_eq!(
        err(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", &opts()).to_string(),
        "unsupported file format: XLS (Excel 97-2003); save the sheet as XLSX or CSV"
    );
}

#[test]
fn explicit_mapping_timezone_tab_delimiter_and_error_cap() {
    let tsv =
        "Kontakt\tTel 2\tzone\n甲\t13812345678\tEurope/Berlin\n乙\t13900001111\tMars/Olympus\n";
    let mapping = ColumnMapping {
        number: Some("Tel 2".into()),
        name: Some("Kontakt".into()),
        timezone: Some("zone".into()),
        ..Default::default()
    };
    let out = ok(
        tsv.as_bytes(),
        &ImportOptions {
            mapping: mapping.clone(),
            ..opts_with_consent()
        },
    );
    assert_eq!(numbers(&out), ["+8613812345678"]);
    assert_eq!(
        out.contacts[0].zone_override,
        Some(chrono_tz::Tz::Europe__Berlin)
    );
    assert_eq!(out.contacts[0].name.as_deref(), Some("甲"));
    assert_eq!(rows(&out), [r(3, "zone", "invalid_timezone")]);

    let bad = ColumnMapping {
        number: Some("Tel".into()),
        ..Default::default()
    };
    assert_eq!(
        err(
            tsv.as_bytes(),
            &ImportOptions {
                mapping: bad,
                ..opts_with_consent()
            }
        ),
        ImportError::MappingColumnNotFound {
            field: "number",
            header: "Tel".into()
        }
    );

    let many = format!("phone\n{}", "1\n".repeat(5));
    let out = ok(
        many.as_bytes(),
        &ImportOptions {
            max_errors: 2,
            ..opts_with_consent()
        },
    );
    assert_eq!(
        (
            out.report.errors.len(),
            out.report.errors_total,
            out.report.rejected
        ),
        (2, 5, 5)
    );
}

#[test]
fn quoted_multiline_cells_keep_physical_rows() {
    let csv = "phone,note\n13812345678,\"two\nlines\"\n1,x\n";
    let out = ok(csv.as_bytes(), &opts_with_consent());
    assert_eq!(out.contacts[0].fields[0].1, "two\nlines");
    assert_eq!(rows(&out), [r(4, "phone", "invalid_number")]);
}

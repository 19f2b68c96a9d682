//! Timing of contact-import parsing (no criterion):
//! `cargo bench -p waihu-contacts --bench import`. Generates 1,000,000 rows and times
//! parse + validate + de-duplicate (no database, no encryption). Figures go to
//! BENCHMARKS.md, "## Contact import (parsing)".

use chrono::{TimeZone, Utc};
use std::time::{Duration, Instant};
use waihu_compliance::{ConsentEvidence, EvidenceRef, Purpose};
use waihu_contacts::{import, ImportLimits, ImportOptions};

const ROWS: u64 = 1_000_000;

/// Mainland mobiles spread over the 13x–19x ranges, every 50th row a repeat, some
/// with separators or +86, as real lists look.
fn number(i: u64) -> String {
    if i % 50 == 49 {
        return number(i - 7);
    }
    let second = [3, 5, 7, 8, 9][(i % 5) as usize];
    let rest = (i * 7919 + 12345) % 1_000_000_000;
    match i % 10 {
        0 => format!("+86 1{second}{rest:09}"),
        1 => format!(
            "1{second}{:01}-{:04}-{:04}",
            rest / 100_000_000,
            (rest / 10_000) % 10_000,
            rest % 10_000
        ),
        _ => format!("1{second}{rest:09}"),
    }
}

fn csv() -> String {
    let mut s = String::with_capacity(ROWS as usize * 40);
    s.push_str("姓名,手机号,城市\n");
    for i in 0..ROWS {
        s.push_str(&format!("客户{i},{},上海\n", number(i)));
    }
    s
}

fn xlsx() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let ok = ws
        .write_string(0, 0, "姓名")
        .and_then(|w| w.write_string(0, 1, "手机号"))
        .and_then(|w| w.write_string(0, 2, "城市"));
    ok.unwrap_or_else(|e| panic!("{e}"));
    for i in 0..ROWS as u32 {
        let r = i + 1;
        let ok = ws
            .write_string(r, 0, format!("客户{i}"))
            .and_then(|w| w.write_string(r, 1, number(u64::from(i))))
            .and_then(|w| w.write_string(r, 2, "上海"));
        ok.unwrap_or_else(|e| panic!("{e}"));
    }
    wb.save_to_buffer().unwrap_or_else(|e| panic!("{e}"))
}

fn run(name: &str, bytes: &[u8], opts: &ImportOptions) {
    let mut times: Vec<Duration> = Vec::new();
    let mut summary = String::new();
    for _ in 0..3 {
        let t = Instant::now();
        let mut n = 0u64;
        let report =
            import(bytes, opts, |c| n += c.e164.len() as u64).unwrap_or_else(|e| panic!("{e}"));
        times.push(t.elapsed());
        summary = format!(
            "imported {} duplicates {} rejected {}",
            report.imported, report.duplicates, report.rejected
        );
    }
    times.sort();
    println!(
        "{name:<34} {:>6.1} MB  best {:>6.2} s  median {:>6.2} s  ({:.2} µs/row; {summary})",
        bytes.len() as f64 / 1e6,
        times[0].as_secs_f64(),
        times[1].as_secs_f64(),
        times[1].as_secs_f64() * 1e6 / ROWS as f64
    );
}

fn main() {
    let now = Utc
        .with_ymd_and_hms(2026, 11, 28, 12, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    let consent = ConsentEvidence {
        source: "web_form".into(),
        given_at: now - chrono::Duration::days(10),
        purposes: vec![Purpose::parse("marketing").unwrap_or_else(|e| panic!("{e}"))],
        share_leads: false,
        evidence: EvidenceRef::Reference("form-1".into()),
        expires_at: None,
    };
    let opts = ImportOptions {
        consent: Some(consent),
        // A million CSV rows are ~35 MB, over the 32 MiB upload limit; this
        // measures parsing speed, not the limit.
        limits: ImportLimits {
            file_bytes: 64 << 20,
            ..ImportLimits::default()
        },
        ..ImportOptions::new(now)
    };
    let text = csv();
    run("CSV UTF-8, 1,000,000 rows", text.as_bytes(), &opts);
    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    run("CSV GB18030 (auto), 1,000,000 rows", &gb, &opts);
    let t = Instant::now();
    let book = xlsx();
    println!("(XLSX generated in {:.1} s)", t.elapsed().as_secs_f64());
    run("XLSX, 1,000,000 rows", &book, &opts);
}

//! The back office and the public pages in a real browser: `waihu serve` on
//! 127.0.0.1:0 with a fresh SQLite database, its dialler and its verification
//! caller calling the built-in virtual callee (logging what it hears), and
//! `scripts/browser-test/run.sh` (Debian's Chromium driven by playwright-core;
//! the script installs them when missing) running three journeys against it: the
//! operator's (`test.mjs`: tenants, users, language, audit chain, API token); a
//! tenant admin's campaign (`campaign.mjs`: script with a finding → fixed →
//! published, the contact list imported from a CSV file with a bad row that the
//! result page reports, task created and started, the call live, its record and
//! recording; then the operator suspends the tenant); and a callee's on a phone
//! (`public.mjs`: `/p` fits the screen and loads nothing from elsewhere, a
//! one-time code requested, read out by the verification call, heard by the
//! virtual callee and typed in; then an opt-out from the business that called, a
//! complaint, the data page, English, and the erasure). Screenshots are kept
//! under `target/test-artifacts/browser/`. Fails — never skips — when the
//! browser or Node.js cannot run.

use crate::support::callee::{phrasebook_dialler, start_logged_callee};
use crate::support::seed::{
    caller_number, example_script, platform, workspace_root, write_contacts, ACME_CALLER,
};
use crate::support::{err, out, Env, Server};
use std::path::{Path, PathBuf};
use std::process::Command;

const OPERATOR_PASSWORD: &str = "journey-platform-secret-1";
const ADMIN_PASSWORD: &str = "journey-admin-password-1";

/// The virtual callee: verification calls (from [`VERIFY_CALLER`]) are listened
/// to for the code; every other call is answered as
/// [`INTERESTED_CALLEE`](crate::support::callee::INTERESTED_CALLEE) does (agrees,
/// books with key 1).
const CALLEES: &str = r#"
[[rule]]
from = "^\\+?861099990000$"
action = "answer"
persona = "code-listener"

[[rule]]
ring_secs = 0
action = "answer"
persona = "interested"

[persona.code-listener]
lang = "zh"
steps = [{ do = "hear_code", max_wait_ms = 60000 }]
then = "wait"

[persona.interested]
lang = "zh"
steps = [
  { do = "say", text = "可以" },
  { do = "silence", ms = 1500 },
  { do = "listen" },
  { do = "dtmf", digits = "1" },
]
then = "wait"
"#;

/// The platform's number for verification calls.
const VERIFY_CALLER: &str = "+861099990000";
/// The number the callee verifies on the public pages: not in the campaign's
/// contact list.
const PUBLIC_NUMBER: &str = "+8613900200001";

/// The contact file the admin imports in the browser: one good number (the one
/// the task calls) and, on row 3, an invalid one the import reports.
fn contacts_file(dir: &Path) -> PathBuf {
    let csv = dir.join("journey.csv");
    write_contacts(&csv, 8..9, "王先生", "小明");
    let mut text = std::fs::read_to_string(&csv).unwrap();
    text.push_str("12345,李四,小红\n");
    std::fs::write(&csv, text).unwrap();
    csv
}

/// Counts the files under `dir` (one level of subdirectories).
fn count_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(|e| e.ok())
        .map(|e| {
            if e.path().is_dir() {
                count_files(&e.path())
            } else {
                1
            }
        })
        .sum()
}

/// Whether `dir` holds the screenshot `NN-<what>.png`.
fn has_shot(dir: &Path, what: &str) -> bool {
    let suffix = format!("-{what}.png");
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .any(|e| e.file_name().to_string_lossy().ends_with(&suffix))
        })
        .unwrap_or(false)
}

#[test]
fn the_back_office_works_in_chromium_from_script_to_recording() {
    let env = Env::sqlite();
    let work = tempfile::tempdir().unwrap();
    let (callee, callee_log) = start_logged_callee(&env, work.path(), CALLEES);
    platform(
        &env,
        work.path(),
        callee.port,
        OPERATOR_PASSWORD,
        ADMIN_PASSWORD,
    );
    // The platform's own tenant places the verification calls.
    env.ok(&["tenant", "create", "platform"]);
    caller_number(&env, VERIFY_CALLER, "platform");
    let contacts = contacts_file(work.path());
    assert!(
        !std::fs::read_to_string(&contacts)
            .unwrap()
            .contains(&PUBLIC_NUMBER[1..]),
        "the public journey's number must not be a campaign contact"
    );
    // The dialler recognises the callee's phrases by their audio (no model).
    let server = Server::start_with(&env, |c| {
        phrasebook_dialler(c, &callee.behaviour)
            .env("WAIHU_VERIFICATION__TENANT", "platform")
            .env("WAIHU_VERIFICATION__TRUNK", "sim")
            .env("WAIHU_VERIFICATION__CALLER_NUMBER", VERIFY_CALLER);
    });
    let root = workspace_root();
    let artifacts = root.join("target/test-artifacts/browser");
    let _ = std::fs::remove_dir_all(&artifacts);
    let o = Command::new("timeout")
        .args(["--kill-after=10", "900", "bash"])
        .arg(root.join("scripts/browser-test/run.sh"))
        .args(["test.mjs", "campaign.mjs", "public.mjs"])
        .env("WAIHU_BASE_URL", &server.base)
        .env("WAIHU_USER", "operator")
        .env("WAIHU_PASSWORD", OPERATOR_PASSWORD)
        .env("WAIHU_ADMIN_USER", "acme-admin")
        .env("WAIHU_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("WAIHU_TENANT", "acme")
        .env("WAIHU_LIST", "journey-list")
        .env("WAIHU_CONTACTS_FILE", &contacts)
        .env("WAIHU_SCRIPT_FILE", example_script())
        .env("WAIHU_PUBLIC_NUMBER", PUBLIC_NUMBER)
        .env("WAIHU_CALLEE_LOG", &callee_log)
        .env("WAIHU_VERIFY_CALLER", VERIFY_CALLER)
        .env("WAIHU_BUSINESS_CALLER", ACME_CALLER)
        .env("WAIHU_ARTIFACTS", &artifacts)
        .output()
        .expect("run scripts/browser-test/run.sh (needs bash and timeout)");
    let (stdout, stderr) = (out(&o), err(&o));
    // The journeys' steps, shown with `--nocapture`.
    println!("{stdout}");
    assert!(
        o.status.success(),
        "browser test failed ({}):\n{stdout}\n{stderr}",
        o.status
    );
    for step in [
        "ok - the audit chain verifies",
        "ok - the linter's finding is shown inline",
        "ok - the version is published",
        "ok - the bad row is reported with its row number and reason",
        "ok - the call appears on the live page",
        "ok - the call ends on the live page",
        "ok - the recording plays",
        "ok - the operator suspended the tenant",
        "ok - the start page fits the phone",
        "ok - every request went to the server's own origin",
        "ok - the code heard on the call is accepted",
        "ok - the opt-out is confirmed",
        "ok - the complaint is filed",
        "ok - the public page switched to English",
        "ok - the data is erased",
    ] {
        assert!(stdout.contains(step), "missing {step:?}:\n{stdout}");
    }
    let shots = count_files(&artifacts);
    for (journey, shot) in [("campaign", "contacts-import"), ("public", "public-me")] {
        assert!(
            has_shot(&artifacts.join(journey), shot),
            "no {shot} screenshot"
        );
    }
    // 9 of the operator, 11 of the campaign, 8 of the callee.
    assert!(
        shots >= 28,
        "expected screenshots in {}: {shots}",
        artifacts.display()
    );
    server.terminate();
}

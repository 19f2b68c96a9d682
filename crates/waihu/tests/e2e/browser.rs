//! The back office in a real browser: `waihu serve` on 127.0.0.1:0 with a fresh
//! SQLite database and its dialler calling the built-in virtual callee, and
//! `scripts/browser-test/run.sh` (Debian's Chromium driven by playwright-core;
//! the script installs them when missing) running two journeys against it: the
//! operator's (`test.mjs`: tenants, users, language, audit chain, API token) and
//! a tenant admin's campaign (`campaign.mjs`: script with a finding → fixed →
//! published, the contact list imported from a CSV file with a bad row that the
//! result page reports, task created and started, the call live, its record and
//! recording; then the operator suspends the tenant). Screenshots are kept under
//! `target/test-artifacts/browser/`. Fails — never skips — when the browser or
//! Node.js cannot run.

use crate::support::callee::{phrasebook_dialler, start_callee, INTERESTED_CALLEE};
use crate::support::seed::{example_script, platform, workspace_root, write_contacts};
use crate::support::{err, out, Env, Server};
use std::path::{Path, PathBuf};
use std::process::Command;

const OPERATOR_PASSWORD: &str = "journey-operator-password-1";
const ADMIN_PASSWORD: &str = "journey-admin-password-1";

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

#[test]
fn the_back_office_works_in_chromium_from_script_to_recording() {
    let env = Env::sqlite();
    let work = tempfile::tempdir().unwrap();
    let callee = start_callee(&env, work.path(), INTERESTED_CALLEE);
    platform(
        &env,
        work.path(),
        callee.port,
        OPERATOR_PASSWORD,
        ADMIN_PASSWORD,
    );
    let contacts = contacts_file(work.path());
    // The dialler recognises the callee's phrases by their audio (no model).
    let server = Server::start_with(&env, |c| {
        phrasebook_dialler(c, &callee.behaviour);
    });
    let root = workspace_root();
    let artifacts = root.join("target/test-artifacts/browser");
    let _ = std::fs::remove_dir_all(&artifacts);
    let o = Command::new("timeout")
        .args(["--kill-after=10", "900", "bash"])
        .arg(root.join("scripts/browser-test/run.sh"))
        .args(["test.mjs", "campaign.mjs"])
        .env("WAIHU_BASE_URL", &server.base)
        .env("WAIHU_USER", "operator")
        .env("WAIHU_PASSWORD", OPERATOR_PASSWORD)
        .env("WAIHU_ADMIN_USER", "acme-admin")
        .env("WAIHU_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("WAIHU_TENANT", "acme")
        .env("WAIHU_LIST", "journey-list")
        .env("WAIHU_CONTACTS_FILE", &contacts)
        .env("WAIHU_SCRIPT_FILE", example_script())
        .env("WAIHU_ARTIFACTS", &artifacts)
        .output()
        .expect("run scripts/browser-test/run.sh (needs bash and timeout)");
    let (stdout, stderr) = (out(&o), err(&o));
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
    ] {
        assert!(stdout.contains(step), "missing {step:?}:\n{stdout}");
    }
    let shots = count_files(&artifacts);
    let import_shot = std::fs::read_dir(artifacts.join("campaign"))
        .map(|d| {
            d.filter_map(|e| e.ok()).any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .ends_with("-contacts-import.png")
            })
        })
        .unwrap_or(false);
    assert!(import_shot, "no contacts-import screenshot");
    assert!(
        shots >= 19,
        "expected screenshots in {}: {shots}",
        artifacts.display()
    );
    server.terminate();
}

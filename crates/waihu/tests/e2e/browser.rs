//! The back office in a real browser: starts `waihu serve` on 127.0.0.1:0 with a
//! fresh SQLite database and runs `scripts/browser-test/run.sh` (Debian's
//! Chromium driven by playwright-core; the script installs them when missing)
//! against it as the first operator. Screenshots are kept under
//! `target/test-artifacts/browser/`. Fails — never skips — when the browser or
//! Node.js cannot run.

use crate::support::{Env, Server};
use std::path::PathBuf;
use std::process::Command;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn operator_works_through_the_back_office_in_chromium() {
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
        db: waihu_store::testing::fresh_sqlite().unwrap(),
    };
    let server = Server::start(&env);
    let first = server.first_lines.join("\n");
    let password = first
        .lines()
        .find_map(|l| l.split("with password: ").nth(1))
        .unwrap_or_else(|| panic!("no first operator password printed: {first}"))
        .trim()
        .to_string();
    let root = workspace_root();
    let artifacts = root.join("target/test-artifacts/browser");
    let _ = std::fs::remove_dir_all(&artifacts);
    let out = Command::new("bash")
        .arg(root.join("scripts/browser-test/run.sh"))
        .env("WAIHU_BASE_URL", &server.base)
        .env("WAIHU_USER", "operator")
        .env("WAIHU_PASSWORD", &password)
        .env("WAIHU_ARTIFACTS", &artifacts)
        .output()
        .expect("run scripts/browser-test/run.sh (needs bash)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "browser test failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert!(stdout.contains("ok - the audit chain verifies"), "{stdout}");
    let shots = std::fs::read_dir(&artifacts)
        .map(|d| d.filter(|e| e.is_ok()).count())
        .unwrap_or(0);
    assert!(
        shots >= 6,
        "expected screenshots in {}: {shots}",
        artifacts.display()
    );
    server.terminate();
}

//! The JSON API under fuzzing: `waihu serve` (dialler off) on a fresh SQLite
//! database seeded through the CLI — a tenant with its admin and an agent, a
//! published script, a contact list, and a task that has called the virtual
//! callee (a call, its recording, a lead) — and `scripts/api-fuzz/run.sh`
//! (schemathesis, pinned by hash, installed when missing) run against
//! `/api/v1/openapi.json`, first with a tenant API token, then with the
//! operator's session. Any 5xx response or any response that does not match its
//! documented schema fails the test; so does a missing Python. JUnit reports are
//! kept under `target/test-artifacts/api-fuzz/`.

use crate::support::callee::{run_dialler, start_callee, INTERESTED_CALLEE};
use crate::support::seed::{
    import_contacts, platform, task_create, upload_script, workspace_root, write_contacts,
    ACME_CALLER, ALL_DAY,
};
use crate::support::{err, out, Env, Server};
use std::path::Path;
use std::process::Command;

const OPERATOR_PASSWORD: &str = "fuzz-platform-secret-1";
const ADMIN_PASSWORD: &str = "fuzz-admin-password-1";

/// A little of everything the API lists: an agent, a published script, a
/// contact list, and a task that has called its one contact (a call with its
/// recording and transcript, and a lead).
fn seed(env: &Env, dir: &Path) {
    let callee = start_callee(env, dir, INTERESTED_CALLEE);
    platform(env, dir, callee.port, OPERATOR_PASSWORD, ADMIN_PASSWORD);
    let agent = [
        "user",
        "create",
        "--tenant",
        "acme",
        "--role",
        "agent",
        "--username",
        "acme-agent",
    ];
    env.ok_in(&agent, Some("fuzz-agent-password-1\n"));
    upload_script(env, "acme");
    let csv = dir.join("contacts.csv");
    write_contacts(&csv, 1..2, "王先生", "小明");
    import_contacts(env, &csv, "acme", "l1", "FORM-1");
    let mut task = task_create("acme", "t1", "trial", "l1", ACME_CALLER);
    task.extend(["--windows", ALL_DAY]);
    env.ok(&task);
    env.ok(&["task", "start", "--tenant", "acme", "t1"]);
    run_dialler(env, &callee.behaviour);
}

/// A logged-in back-office session: the `Cookie` header value and the session's
/// anti-CSRF token (read from the dashboard's logout form).
struct Session {
    cookie: String,
    csrf: String,
}

async fn login(base: &str, username: &str, password: &str) -> Session {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let pre = "fuzz-pre-login-token";
    let r = client
        .post(format!("{base}/login"))
        .header("Cookie", format!("waihu_pre={pre}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!(
            "_csrf={pre}&username={username}&password={password}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "login of {username} failed");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("waihu_session="))
        .and_then(|v| v.split(';').next())
        .unwrap_or_else(|| panic!("no session cookie for {username}"))
        .to_string();
    let page = client
        .get(format!("{base}/"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = page
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no anti-CSRF token on the dashboard: {page}"))
        .to_string();
    Session { cookie, csrf }
}

/// Creates an API token for the session's tenant through the API itself.
async fn api_token(base: &str, admin: &Session) -> String {
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/api-tokens"))
        .header("Cookie", &admin.cookie)
        .header("X-CSRF-Token", &admin.csrf)
        .json(&serde_json::json!({ "name": "fuzz" }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "token: {}", r.status());
    let body: serde_json::Value = r.json().await.unwrap();
    body["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("no secret in {body}"))
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_answers_fuzzing_without_5xx_or_schema_violations() {
    let env = Env::sqlite();
    let work = tempfile::tempdir().unwrap();
    seed(&env, work.path());
    let server = Server::start_with(&env, |c| {
        c.env("WAIHU_DIALLER__ENABLED", "false");
    });
    let admin = login(&server.base, "acme-admin", ADMIN_PASSWORD).await;
    let token = api_token(&server.base, &admin).await;
    let operator = login(&server.base, "operator", OPERATOR_PASSWORD).await;

    let root = workspace_root();
    let artifacts = root.join("target/test-artifacts/api-fuzz");
    let _ = std::fs::remove_dir_all(&artifacts);
    // A hard bound on the whole run (the first one also installs schemathesis).
    let o = Command::new("timeout")
        .args(["--kill-after=10", "600", "bash"])
        .arg(root.join("scripts/api-fuzz/run.sh"))
        .env("WAIHU_BASE_URL", &server.base)
        .env("WAIHU_API_TOKEN", &token)
        .env("WAIHU_OPERATOR_COOKIE", &operator.cookie)
        .env("WAIHU_OPERATOR_CSRF", &operator.csrf)
        .env("WAIHU_ARTIFACTS", &artifacts)
        .output()
        .expect("run scripts/api-fuzz/run.sh (needs bash and timeout)");
    let (stdout, stderr) = (out(&o), err(&o));
    assert!(
        o.status.success(),
        "API fuzzing failed ({}):\n{stdout}\n{stderr}",
        o.status
    );
    assert!(stdout.contains("==> api fuzzing passed"), "{stdout}");
    // The operations on one call and one lead ran against the seeded ones.
    for seeded in ["/api/v1/calls/{id} -> ", "/api/v1/leads/{id} -> "] {
        assert!(stdout.contains(seeded), "{seeded} not seeded: {stdout}");
    }
    assert!(artifacts.join("tenant.xml").is_file(), "{stdout}");
    assert!(artifacts.join("operator.xml").is_file(), "{stdout}");
    server.terminate();
}

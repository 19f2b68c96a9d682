//! Seeding through the CLI: the operator's platform (policy, trunk, caller
//! numbers), a tenant's published script, a contact list with consent
//! evidence, and a started task `acme/t1` against the virtual callee.

use super::Env;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Calling windows: the whole week, all day.
pub const ALL_DAY: &str = r#"{"mon":["00:00-24:00"],"tue":["00:00-24:00"],"wed":["00:00-24:00"],"thu":["00:00-24:00"],"fri":["00:00-24:00"],"sat":["00:00-24:00"],"sun":["00:00-24:00"]}"#;

/// The caller number `setup_task` and `platform` give the tenant `acme`.
pub const ACME_CALLER: &str = "+861088886666";

/// The workspace's root folder.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The example script every seeded task uses.
pub fn example_script() -> PathBuf {
    workspace_root().join("examples/scripts/course-trial.zh.yaml")
}

/// The contact numbers `write_contacts` imports: `+86139` and eight digits.
pub fn number(i: usize) -> String {
    format!("+86139{i:08}")
}

/// The operator's platform policy allows the whole day (the tests run at any
/// hour), with `cap_24h` calls per number a day.
pub fn allow_all_day(env: &Env, dir: &Path, cap_24h: u32) {
    let day = r#"["00:00-24:00"]"#;
    let days: String = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| format!("{d} = {day}\n"))
        .collect();
    let policy = dir.join("policy.toml");
    std::fs::write(
        &policy,
        format!("jurisdiction = \"CN\"\ncap_24h = {cap_24h}\ncap_30d = 10\nverification_cap_24h = 3\n[calling_hours]\n{days}"),
    )
    .unwrap();
    env.ok(&[
        "policy",
        "set",
        "--jurisdiction",
        "CN",
        "--file",
        policy.to_str().unwrap(),
    ]);
}

/// The trunk `sim` to the virtual callee on `callee_port`.
pub fn add_trunk(env: &Env, callee_port: u16) {
    env.ok(&[
        "trunk",
        "add",
        "--name",
        "sim",
        "--address",
        &format!("127.0.0.1:{callee_port}"),
        "--cps",
        "20",
    ]);
}

/// Adds `number` as a caller number, verifies it and assigns it to `tenant`.
pub fn caller_number(env: &Env, number: &str, tenant: &str) {
    env.ok(&["caller-number", "add", number]);
    env.ok(&["caller-number", "verify", number]);
    env.ok(&["caller-number", "assign", number, "--tenant", tenant]);
}

/// Uploads and publishes the example script as `trial` for `tenant`.
pub fn upload_script(env: &Env, tenant: &str) {
    let script = example_script();
    env.ok(&[
        "script",
        "upload",
        "--tenant",
        tenant,
        "--name",
        "trial",
        "--publish",
        script.to_str().unwrap(),
    ]);
}

/// Writes a contacts CSV of the [`number`]s in `numbers`, each named
/// `name` with the child `child`.
pub fn write_contacts(file: &Path, numbers: Range<usize>, name: &str, child: &str) {
    let mut csv = String::from("手机,姓名,child_name\n");
    for i in numbers {
        csv.push_str(&format!("{},{name},{child}\n", number(i)));
    }
    std::fs::write(file, csv).unwrap();
}

/// Imports the contacts in `csv` into `tenant`'s `list`, with web-form
/// marketing consent under the reference `consent_ref`.
pub fn import_contacts(env: &Env, csv: &Path, tenant: &str, list: &str, consent_ref: &str) {
    env.ok(&[
        "import",
        "contacts",
        csv.to_str().unwrap(),
        "--tenant",
        tenant,
        "--list",
        list,
        "--consent-source",
        "web_form",
        "--consent-time",
        "2026-01-15T10:00:00+08:00",
        "--consent-scope",
        "marketing",
        "--consent-ref",
        consent_ref,
    ]);
}

/// The arguments of `task create` for a task over the trunk `sim`; the caller
/// adds windows, lines, retries and the like.
pub fn task_create<'a>(
    tenant: &'a str,
    name: &'a str,
    script: &'a str,
    list: &'a str,
    caller_number: &'a str,
) -> Vec<&'a str> {
    vec![
        "task",
        "create",
        "--tenant",
        tenant,
        "--name",
        name,
        "--script",
        script,
        "--list",
        list,
        "--caller-number",
        caller_number,
        "--trunk",
        "sim",
    ]
}

/// The tenant `acme` (4 lines) with a started task `t1` over the list `l1` of
/// `contacts` numbers ([`number`] `200_000 + i`), calling the virtual callee on
/// `callee_port` with the published script `trial`; policy cap 3 a day.
pub fn setup_task(env: &Env, dir: &Path, callee_port: u16, contacts: usize) {
    setup_task_retrying(env, dir, callee_port, contacts, "1m");
}

/// [`setup_task`] with busy numbers retried after `busy_retry` (once).
pub fn setup_task_retrying(
    env: &Env,
    dir: &Path,
    callee_port: u16,
    contacts: usize,
    busy_retry: &str,
) {
    env.ok(&["tenant", "create", "acme"]);
    allow_all_day(env, dir, 3);
    env.ok(&["tenant", "set-quota", "acme", "--lines", "4"]);
    add_trunk(env, callee_port);
    caller_number(env, ACME_CALLER, "acme");
    upload_script(env, "acme");
    let file = dir.join("contacts.csv");
    write_contacts(&file, 200_000..200_000 + contacts, "王先生", "小明");
    import_contacts(env, &file, "acme", "l1", "FORM-1");
    let retry = format!(r#"{{"max_attempts":2,"after":{{"busy":"{busy_retry}"}}}}"#);
    let mut args = task_create("acme", "t1", "trial", "l1", ACME_CALLER);
    args.extend(["--lines", "4", "--windows", ALL_DAY, "--retry", &retry]);
    env.ok(&args);
    env.ok(&["task", "start", "--tenant", "acme", "t1"]);
}

/// The operator's part: the operator and the tenant `acme` with its admin, a
/// line quota of 2, an all-day calling policy, a trunk to the virtual callee on
/// `callee_port` and a verified caller number.
pub fn platform(env: &Env, dir: &Path, callee_port: u16, operator: &str, admin: &str) {
    env.ok_in(
        &[
            "user",
            "create",
            "--role",
            "operator",
            "--username",
            "operator",
        ],
        Some(&format!("{operator}\n")),
    );
    env.ok(&["tenant", "create", "acme"]);
    env.ok_in(
        &[
            "user",
            "create",
            "--tenant",
            "acme",
            "--role",
            "admin",
            "--username",
            "acme-admin",
        ],
        Some(&format!("{admin}\n")),
    );
    allow_all_day(env, dir, 3);
    env.ok(&["tenant", "set-quota", "acme", "--lines", "2"]);
    add_trunk(env, callee_port);
    caller_number(env, ACME_CALLER, "acme");
}

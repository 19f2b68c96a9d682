//! Contacts, do-not-call lists, caller numbers and the gate from the CLI, on every
//! backend: exact per-row import reports, all-or-nothing imports, and the gate's
//! reasons at the boundaries; and a file imported through the running server's
//! back office, its bad row reported and its good rows stored.

use crate::support::{envs, err, out, Env, Server};

const CONSENT: [&str; 8] = [
    "--consent-source",
    "web_form",
    "--consent-time",
    "2026-01-01T00:00:00Z",
    "--consent-scope",
    "marketing",
    "--consent-ref",
    "form-2026-001",
];

fn last_json(o: &std::process::Output) -> serde_json::Value {
    let text = out(o);
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("last line is not JSON ({e}): {text}\n{}", err(o)))
}

fn import(env: &Env, file: &str, list: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "import", "contacts", file, "--tenant", "acme", "--list", list, "--json",
    ];
    args.extend_from_slice(extra);
    env.run(&args, None)
}

fn setup(env: &Env) {
    assert!(env
        .run(&["tenant", "create", "acme"], None)
        .status
        .success());
    assert!(env
        .run(&["tenant", "create", "other"], None)
        .status
        .success());
}

#[tokio::test]
async fn import_reports_every_bad_row_and_skips_duplicates() {
    for env in envs().await {
        setup(&env);
        let csv = "手机号,姓名,产品\n\
                   13812345678,张三,会员卡\n\
                   12345,李四,会员卡\n\
                   ,王五,会员卡\n\
                   138 1234 5678,张三二,会员卡\n\
                   +8613900001111,赵六,课程\n";
        std::fs::write(env.data_dir().join("a.csv"), csv).unwrap();
        let o = import(&env, "a.csv", "spring", &CONSENT);
        assert!(o.status.success(), "{}", err(&o));
        let r = last_json(&o);
        assert_eq!(r["imported"], 2, "{r}");
        assert_eq!(r["duplicates"], 1, "{r}");
        assert_eq!(r["rejected"], 2, "{r}");
        let errors: Vec<(u64, String, String)> = r["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["row"].as_u64().unwrap(),
                    e["column"].as_str().unwrap().to_string(),
                    e["reason"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            errors,
            vec![
                (3, "手机号".into(), "invalid_number".into()),
                (4, "手机号".into(), "missing_number".into()),
                (5, "手机号".into(), "duplicate".into()),
            ],
            "{:?}",
            env.db.kind
        );
        // Second import into the same list: both numbers already there.
        let o = import(&env, "a.csv", "spring", &CONSENT);
        let r = last_json(&o);
        assert_eq!(r["imported"], 0, "{r}");
        assert_eq!(r["duplicates"], 3, "{r}");
        // Without consent evidence every row is rejected as no_consent.
        let o = import(&env, "a.csv", "no-consent", &[]);
        let r = last_json(&o);
        assert_eq!(r["imported"], 0, "{r}");
        assert!(
            r["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["reason"] == "no_consent"),
            "{r}"
        );
    }
}

#[tokio::test]
async fn unreadable_files_are_whole_file_errors_that_write_nothing() {
    for env in envs().await {
        setup(&env);
        std::fs::write(env.data_dir().join("empty.csv"), "").unwrap();
        std::fs::write(
            env.data_dir().join("nonumber.csv"),
            "姓名,城市\n张三,北京\n",
        )
        .unwrap();
        let mut xlsx = b"PK\x03\x04".to_vec();
        xlsx.extend_from_slice(&[0u8; 40]);
        std::fs::write(env.data_dir().join("broken.xlsx"), xlsx).unwrap();
        // Over the 32 MiB limit (sparse: nothing is written to disk).
        std::fs::File::create(env.data_dir().join("huge.csv"))
            .and_then(|f| f.set_len(33 << 20))
            .unwrap();
        for (file, needle) in [
            ("empty.csv", "empty"),
            ("nonumber.csv", "no phone-number column"),
            ("broken.xlsx", "damaged"),
            (
                "huge.csv",
                "too large to import: the file is larger than 32 MiB",
            ),
        ] {
            let o = import(&env, file, "l", &CONSENT);
            assert!(!o.status.success(), "{file} must fail");
            assert!(err(&o).contains(needle), "{file}: {}", err(&o));
            assert!(err(&o).contains("nothing was imported"), "{}", err(&o));
        }
        // Nothing was written: not even the list.
        let o = env.run(&["audit", "verify"], None);
        assert!(
            out(&o).contains("2 entries"),
            "only the two tenant creations: {}",
            out(&o)
        );
    }
}

#[tokio::test]
async fn gb18030_csv_imports_with_auto_detection() {
    for env in envs().await.into_iter().take(1) {
        setup(&env);
        let (bytes, _, _) = encoding_rs::GB18030.encode("电话,姓名\n13812345678,张三\n");
        std::fs::write(env.data_dir().join("gbk.csv"), &bytes).unwrap();
        let o = import(&env, "gbk.csv", "gbk", &CONSENT);
        let r = last_json(&o);
        assert_eq!(r["imported"], 1, "{r} {}", err(&o));
        let o = import(
            &env,
            "gbk.csv",
            "gbk2",
            &[&["--encoding", "utf-8"][..], &CONSENT[..]].concat(),
        );
        assert!(!o.status.success(), "GB18030 bytes are not UTF-8");
        assert!(err(&o).contains("UTF-8"), "{}", err(&o));
    }
}

#[tokio::test]
async fn gate_check_explains_each_refusal() {
    for env in envs().await {
        setup(&env);
        std::fs::write(
            env.data_dir().join("c.csv"),
            "phone,name\n13812345678,张三\n",
        )
        .unwrap();
        assert!(import(&env, "c.csv", "l", &CONSENT).status.success());
        for args in [
            &["caller-number", "add", "02161234567"][..],
            &["caller-number", "verify", "+862161234567"][..],
            &[
                "caller-number",
                "assign",
                "+862161234567",
                "--tenant",
                "acme",
            ][..],
            &["caller-number", "add", "02161234568"][..],
        ] {
            let o = env.run(args, None);
            assert!(o.status.success(), "{args:?}: {}", err(&o));
        }
        let gate = |number: &str, at: &str, caller: Option<&str>, tenant: &str| {
            let mut args = vec![
                "gate", "check", "--tenant", tenant, "--number", number, "--at", at, "--json",
            ];
            if let Some(c) = caller {
                args.extend(["--caller-number", c]);
            }
            last_json(&env.run(&args, None))
        };
        let rules = |v: &serde_json::Value| -> Vec<String> {
            v["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["rule"].as_str().unwrap().to_string())
                .collect()
        };
        // 19:59:59 and 20:00:00 in Asia/Shanghai.
        let ok = gate(
            "13812345678",
            "2026-03-02T11:59:59Z",
            Some("+862161234567"),
            "acme",
        );
        assert_eq!(ok["decision"], "allow", "{ok}");
        assert!(ok["reasons"].as_array().unwrap().is_empty());
        let late = gate(
            "13812345678",
            "2026-03-02T12:00:00Z",
            Some("+862161234567"),
            "acme",
        );
        assert_eq!(late["decision"], "deny");
        assert_eq!(rules(&late), ["calling_hours"], "{late}");
        assert!(
            late["reasons"][0]["message"]
                .as_str()
                .unwrap()
                .contains("Asia/Shanghai"),
            "{late}"
        );
        // No consent with the other tenant; a number never imported.
        assert!(
            rules(&gate("13812345678", "2026-03-02T03:00:00Z", None, "other"))
                .contains(&"consent".to_string())
        );
        assert!(
            rules(&gate("13900001111", "2026-03-02T03:00:00Z", None, "acme"))
                .contains(&"consent".to_string())
        );
        // Unverified or foreign caller numbers.
        let bad_caller = gate(
            "13812345678",
            "2026-03-02T03:00:00Z",
            Some("+862161234568"),
            "acme",
        );
        assert_eq!(rules(&bad_caller), ["caller_number"], "{bad_caller}");
        // Do-not-call: tenant list, then platform list.
        assert!(env
            .run(
                &[
                    "dnc",
                    "add",
                    "13812345678",
                    "--tenant",
                    "acme",
                    "--reason",
                    "opt-out"
                ],
                None
            )
            .status
            .success());
        let dnc = gate("13812345678", "2026-03-02T03:00:00Z", None, "acme");
        assert_eq!(rules(&dnc), ["dnc_tenant"], "{dnc}");
        let o = env.run(
            &[
                "dnc",
                "remove",
                "13812345678",
                "--tenant",
                "acme",
                "--reason",
                "entered by mistake",
            ],
            None,
        );
        assert!(o.status.success(), "{}", err(&o));
        assert!(env
            .run(&["dnc", "add", "13812345678", "--platform"], None)
            .status
            .success());
        assert_eq!(
            rules(&gate("13812345678", "2026-03-02T03:00:00Z", None, "acme")),
            ["dnc_platform"]
        );
        let o = env.run(
            &["dnc", "check", "13812345678", "--tenant", "acme", "--json"],
            None,
        );
        let m = last_json(&o);
        assert_eq!(
            (m["tenant"].as_bool(), m["platform"].as_bool()),
            (Some(false), Some(true)),
            "{m}"
        );
        assert!(env
            .run(
                &[
                    "dnc",
                    "remove",
                    "13812345678",
                    "--platform",
                    "--reason",
                    "test"
                ],
                None
            )
            .status
            .success());
        // Suspended tenant.
        assert!(env
            .run(
                &["tenant", "suspend", "acme", "--reason", "complaints"],
                None
            )
            .status
            .success());
        assert_eq!(
            rules(&gate("13812345678", "2026-03-02T03:00:00Z", None, "acme")),
            ["tenant_standing"]
        );
        assert!(env
            .run(&["tenant", "resume", "acme", "--reason", "resolved"], None)
            .status
            .success());
        // Withdrawn consent.
        assert!(env
            .run(
                &[
                    "contact",
                    "withdraw",
                    "13812345678",
                    "--tenant",
                    "acme",
                    "--reason",
                    "phone call"
                ],
                None
            )
            .status
            .success());
        assert_eq!(
            rules(&gate("13812345678", "2026-03-02T03:00:00Z", None, "acme")),
            ["consent"]
        );
        // Every change audited, with no full number anywhere in the log.
        let o = env.run(&["audit", "verify"], None);
        assert!(o.status.success(), "{}", out(&o));
        let o = env.run(&["dnc", "add", "not-a-number", "--tenant", "acme"], None);
        assert!(!o.status.success());
        assert!(err(&o).contains("not a valid phone number"), "{}", err(&o));
    }
}

#[tokio::test]
async fn numbers_are_encrypted_at_rest_and_never_in_the_audit_log() {
    let env = envs().await.remove(0);
    setup(&env);
    std::fs::write(
        env.data_dir().join("c.csv"),
        "phone,name\n13812345678,张三\n",
    )
    .unwrap();
    assert!(import(&env, "c.csv", "l", &CONSENT).status.success());
    assert!(env
        .run(&["dnc", "add", "13912345678", "--tenant", "acme"], None)
        .status
        .success());
    let key = std::fs::read_to_string(env.data_dir().join("pii.key")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.data_dir().join("pii.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "key file must be private");
    }
    // Scan the whole database file(s) for the numbers and the keys.
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(
        env.db
            .url
            .trim_start_matches("sqlite://")
            .rsplit_once('/')
            .unwrap()
            .0,
    )
    .unwrap()
    {
        let p = entry.unwrap().path();
        if p.to_string_lossy().contains("waihu.db") {
            bytes.extend(std::fs::read(p).unwrap());
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    for secret in ["13812345678", "13912345678"] {
        assert!(!text.contains(secret), "{secret} stored in clear");
    }
    for line in key.lines().filter(|l| l.contains('=')) {
        let hex = line.split('=').nth(1).unwrap();
        assert!(!text.contains(hex), "a key is in the database");
    }
    assert!(text.contains("138****5678"), "the masked form is stored");
}

#[tokio::test]
async fn operator_policies_apply_and_tenants_may_only_tighten() {
    for env in envs().await {
        setup(&env);
        std::fs::write(env.data_dir().join("c.csv"), "phone\n13812345678\n").unwrap();
        assert!(import(&env, "c.csv", "l", &CONSENT).status.success());
        let decision = |at: &str| {
            let o = env.run(
                &[
                    "gate",
                    "check",
                    "--tenant",
                    "acme",
                    "--number",
                    "13812345678",
                    "--at",
                    at,
                    "--json",
                ],
                None,
            );
            last_json(&o)["decision"].as_str().unwrap().to_string()
        };
        // 20:30 Asia/Shanghai: outside the CN default 09:00-20:00.
        assert_eq!(decision("2026-03-02T12:30:00Z"), "deny");
        std::fs::write(
            env.data_dir().join("cn.toml"),
            "cap_24h = 3\ncap_30d = 10\nverification_cap_24h = 3\n[calling_hours]\nmon = [\"08:00-21:00\"]\n",
        )
        .unwrap();
        let o = env.run(
            &["policy", "set", "--jurisdiction", "CN", "--file", "cn.toml"],
            None,
        );
        assert!(o.status.success(), "{}", err(&o));
        assert_eq!(
            decision("2026-03-02T12:30:00Z"),
            "allow",
            "Monday 20:30 now inside"
        );
        assert_eq!(
            decision("2026-03-03T03:00:00Z"),
            "deny",
            "Tuesday has no window now"
        );
        // A tenant may narrow the hours, not widen them.
        let set_acme_policy = |file: &str| {
            env.run(
                &[
                    "policy",
                    "set",
                    "--jurisdiction",
                    "CN",
                    "--tenant",
                    "acme",
                    "--file",
                    file,
                ],
                None,
            )
        };
        std::fs::write(
            env.data_dir().join("narrow.toml"),
            "[calling_hours]\nmon = [\"09:00-18:00\"]\n",
        )
        .unwrap();
        std::fs::write(
            env.data_dir().join("wide.toml"),
            "[calling_hours]\nmon = [\"07:00-22:00\"]\n",
        )
        .unwrap();
        std::fs::write(env.data_dir().join("caps.toml"), "cap_24h = 5\n").unwrap();
        let o = set_acme_policy("wide.toml");
        assert!(!o.status.success());
        assert!(err(&o).contains("may only tighten"), "{}", err(&o));
        let o = set_acme_policy("caps.toml");
        assert!(!o.status.success());
        assert!(err(&o).contains("cap_24h"), "{}", err(&o));
        let o = set_acme_policy("narrow.toml");
        assert!(o.status.success(), "{}", err(&o));
        assert_eq!(
            decision("2026-03-02T10:30:00Z"),
            "deny",
            "18:30 is outside the tenant's hours"
        );
        assert_eq!(decision("2026-03-02T09:30:00Z"), "allow", "17:30 is inside");
        let o = env.run(
            &["policy", "show", "--jurisdiction", "CN", "--tenant", "acme"],
            None,
        );
        assert!(out(&o).contains("09:00-18:00"), "{}", out(&o));
        // Policy changes are audited.
        let o = env.run(&["audit", "verify"], None);
        assert!(o.status.success());
    }
}

#[tokio::test]
async fn dnc_import_and_contact_deletion_from_the_cli() {
    for env in envs().await {
        setup(&env);
        std::fs::write(
            env.data_dir().join("c.csv"),
            "phone\n13812345678\n13912345678\n",
        )
        .unwrap();
        assert!(import(&env, "c.csv", "l", &CONSENT).status.success());
        std::fs::write(
            env.data_dir().join("registry.csv"),
            "number,source\n13912345678,miit\n+86 139 1234 5678,dup\nnot-a-number,x\n\n13700000000,miit\n",
        )
        .unwrap();
        let o = env.run(
            &["dnc", "import", "registry.csv", "--registry", "--json"],
            None,
        );
        assert!(o.status.success(), "{}", err(&o));
        let r = last_json(&o);
        assert_eq!(r["added"], 2, "{r}");
        assert_eq!(r["already"], 1, "the same number twice: {r}");
        assert_eq!(r["invalid_rows"], serde_json::json!([4]), "{r}");
        let gate = |n: &str| {
            let o = env.run(
                &[
                    "gate",
                    "check",
                    "--tenant",
                    "acme",
                    "--number",
                    n,
                    "--at",
                    "2026-03-02T03:00:00Z",
                    "--json",
                ],
                None,
            );
            last_json(&o)["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["rule"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(gate("13912345678"), ["dnc_registry"], "{:?}", env.db.kind);
        // Deleting a number erases the contact and keeps it on the tenant's list.
        let o = env.run(
            &[
                "contact",
                "delete",
                "13812345678",
                "--tenant",
                "acme",
                "--reason",
                "erasure request",
            ],
            None,
        );
        assert!(o.status.success(), "{}", err(&o));
        assert!(out(&o).contains("deleted 1 contacts"), "{}", out(&o));
        assert_eq!(gate("13812345678"), ["consent", "dnc_tenant"]);
        // Removing needs a reason; a number not on the list is an error.
        let o = env.run(
            &[
                "dnc",
                "remove",
                "13600000000",
                "--tenant",
                "acme",
                "--reason",
                "x",
            ],
            None,
        );
        assert!(!o.status.success());
        assert!(
            err(&o).contains("is not on the tenant do-not-call list"),
            "{}",
            err(&o)
        );
    }
}

/// Logs `username` in to the back office at `base` (double-submit pre-login
/// token) and returns the session's `Cookie` value.
async fn web_login(client: &reqwest::Client, base: &str, username: &str, password: &str) -> String {
    let pre = "e2e-pre-login-token";
    let r = client
        .post(format!("{base}/login"))
        .header("Cookie", format!("waihu_pre={pre}"))
        .form(&[
            ("_csrf", pre),
            ("username", username),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "login of {username}");
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("waihu_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string()
}

/// A `multipart/form-data` body as a browser sends the import form: the text
/// `fields`, then the CSV as the `file` part. Returns Content-Type and body.
fn import_form(fields: &[(&str, &str)], csv: &str) -> (String, String) {
    const BOUNDARY: &str = "----waihu-e2e-4b1d2c";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"spring.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{BOUNDARY}--\r\n"
    ));
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_back_office_imports_a_file_and_reports_its_bad_row() {
    const PASSWORD: &str = "import-admin-password-1";
    for env in envs().await {
        setup(&env);
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
            Some(&format!("{PASSWORD}\n")),
        );
        let server = Server::start_with(&env, |c| {
            c.env("WAIHU_DIALLER__ENABLED", "false");
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let cookie = web_login(&client, &server.base, "acme-admin", PASSWORD).await;
        let get = |path: &str| {
            client
                .get(server.url(path))
                .header("Cookie", &cookie)
                .send()
        };
        let page = get("/contacts").await.unwrap().text().await.unwrap();
        assert!(
            page.contains("action=\"/contacts/import\"") && !page.contains("contacts-import-off"),
            "the import form is offered: {page}"
        );
        let csrf = page
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the form's anti-CSRF token")
            .to_string();

        // Two good rows and a bad number on row 3, with import-wide consent.
        let csv = "手机号,姓名\n13812345678,张三\n12345,李四\n+8613900001111,赵六\n";
        let (content_type, body) = import_form(
            &[
                ("_csrf", &csrf),
                ("list", "网页导入"),
                ("encoding", "auto"),
                ("consent_source", "web_form"),
                ("consent_time", "2026-01-15 10:00"),
                ("consent_scope", "marketing"),
                ("consent_ref", "FORM-WEB-1"),
            ],
            csv,
        );
        let r = client
            .post(server.url("/contacts/import"))
            .header("Cookie", &cookie)
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let html = r.text().await.unwrap();
        assert_eq!(status, 200, "{:?}: {html}", env.db.kind);
        let table = html
            .split("id=\"import-errors\"")
            .nth(1)
            .and_then(|t| t.split("</table>").next())
            .unwrap_or_else(|| panic!("no #import-errors: {html}"));
        assert_eq!(
            table.matches("<tr>").count(),
            2,
            "the header and one bad row: {table}"
        );
        assert!(
            table.contains("<td class=\"mono\">3</td>")
                && table.contains("<td>手机号</td>")
                && table.contains("<code>invalid_number</code>"),
            "row 3's invalid number: {table}"
        );
        let imported = html
            .split("id=\"import-imported\"")
            .nth(1)
            .and_then(|s| s.split("class=\"value\">").nth(1))
            .and_then(|s| s.split('<').next());
        assert_eq!(imported, Some("2"), "{html}");

        // The good rows are stored in the new list, with the form's consent.
        let lists: serde_json::Value = get("/api/v1/contact-lists")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let items = lists["items"].as_array().expect("lists");
        assert_eq!(items.len(), 1, "{lists}");
        assert_eq!(items[0]["name"], "网页导入");
        let id = items[0]["id"].as_str().unwrap();
        let contacts: serde_json::Value = get(&format!("/api/v1/contact-lists/{id}/contacts"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut masked: Vec<&str> = contacts["items"]
            .as_array()
            .expect("contacts")
            .iter()
            .map(|c| c["number_masked"].as_str().unwrap())
            .collect();
        masked.sort();
        assert_eq!(masked, ["138****5678", "139****1111"], "{contacts}");
        // The CLI finds them by their number (hashed with the server's key).
        for n in ["+8613812345678", "+8613900001111"] {
            let export = env.json(&["subject", "export", "--number", n]);
            let held = export["contacts"].as_array().expect("contacts");
            assert_eq!(held.len(), 1, "{n}: {export}");
            assert_eq!(held[0]["consent_source"], "web_form", "{export}");
        }
        let export = env.json(&["subject", "export", "--number", "+8613700001111"]);
        assert!(export["contacts"].as_array().unwrap().is_empty());
        server.terminate();
    }
}

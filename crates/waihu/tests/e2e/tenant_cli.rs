//! Tenants and users from the CLI, on every backend.

use crate::support::{envs, err, out, Server};

#[tokio::test]
async fn create_and_list_tenants_and_users_by_name_or_id() {
    for env in envs().await {
        let o = env.run(&["tenant", "create", "acme"], None);
        assert!(o.status.success(), "{}", err(&o));
        let o = env.run(&["tenant", "create", "acme"], None);
        assert!(!o.status.success());
        assert!(err(&o).contains("already taken"), "{}", err(&o));
        let o = env.run(&["tenant", "create", "Not_Valid"], None);
        assert!(!o.status.success());
        assert!(err(&o).contains("invalid tenant name"), "{}", err(&o));

        let o = env.run(&["tenant", "list", "--json"], None);
        let line = out(&o);
        let t: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
        assert_eq!(t["name"], "acme");
        let id = t["id"].as_str().unwrap().to_string();

        let o = env.run(
            &[
                "user",
                "create",
                "--tenant",
                "acme",
                "--role",
                "admin",
                "--username",
                "alice",
            ],
            Some("first-admin-pw-1\n"),
        );
        assert!(o.status.success(), "{}", err(&o));
        let o = env.run(
            &[
                "user",
                "create",
                "--tenant",
                &id,
                "--role",
                "agent",
                "--username",
                "bob",
            ],
            Some("second-agent-pw-2\n"),
        );
        assert!(o.status.success(), "by id: {}", err(&o));
        let o = env.run(
            &[
                "user",
                "create",
                "--tenant",
                "nosuch",
                "--role",
                "agent",
                "--username",
                "carl",
            ],
            Some("carl-password-1\n"),
        );
        assert!(err(&o).contains("no tenant \"nosuch\""), "{}", err(&o));
        let o = env.run(
            &["user", "create", "--role", "admin", "--username", "dave"],
            Some("dave-password-1\n"),
        );
        assert!(err(&o).contains("--tenant is required"), "{}", err(&o));
        let o = env.run(
            &["user", "create", "--role", "operator", "--username", "op2"],
            Some("short\n"),
        );
        assert!(err(&o).contains("password too short"), "{}", err(&o));
        let o = env.run(&["db", "migrate"], None);
        assert!(o.status.success(), "{}", err(&o));
    }
}

/// Status of one sign-in attempt at the server's login form.
async fn sign_in(client: &reqwest::Client, base: &str, username: &str, password: &str) -> u16 {
    let pre = "e2e-pre-login-token";
    client
        .post(format!("{base}/login"))
        .header("Cookie", format!("waihu_pre={pre}"))
        .form(&[
            ("_csrf", pre),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Five wrong passwords lock the operator out from this client (kept in the
/// database); `waihu user unlock` lifts it at once, and says so in the audit log.
#[tokio::test]
async fn the_operator_locked_out_by_failed_sign_ins_is_unlocked_from_the_cli() {
    for env in envs().await {
        let server = Server::start(&env);
        let password = server.operator_password();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        for _ in 0..4 {
            assert_eq!(
                sign_in(&client, &server.base, "operator", "not-the-password").await,
                401
            );
        }
        assert_eq!(
            sign_in(&client, &server.base, "operator", "not-the-password").await,
            429
        );
        assert_eq!(
            sign_in(&client, &server.base, "operator", &password).await,
            429,
            "locked even for the right password"
        );
        let o = env.run(&["user", "unlock", "Operator"], None);
        assert!(o.status.success(), "{}", err(&o));
        assert!(out(&o).contains("unlocked operator"), "{}", out(&o));
        assert_eq!(
            sign_in(&client, &server.base, "operator", &password).await,
            303
        );
        let store = env.db.store().await.unwrap();
        let log = store.list_audit_platform(50).await.unwrap();
        assert!(
            log.iter()
                .any(|e| e.action == "auth.unlock" && e.target == "user:operator"),
            "the unlock is audited"
        );
        store.close().await;
    }
}

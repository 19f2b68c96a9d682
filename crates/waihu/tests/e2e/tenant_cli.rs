//! Tenants and users from the CLI, on every backend.

use crate::support::{envs, err, out};

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
            Some("alice-password-1\n"),
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
            Some("bob-password-12\n"),
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

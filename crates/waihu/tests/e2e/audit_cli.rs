//! `waihu audit verify` against tampering done directly in the database, on every
//! backend, and `--expect-head` against truncation.

use crate::support::{envs, err, out, Env};
use waihu_store::BackendKind;

async fn exec(env: &Env, sql: &str) {
    match env.db.kind {
        BackendKind::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&env.db.url).await.unwrap();
            for stmt in sql.split(';') {
                sqlx::query(stmt).execute(&pool).await.unwrap();
            }
            pool.close().await;
        }
        BackendKind::Postgres => {
            let pool = sqlx::PgPool::connect(&env.db.url).await.unwrap();
            for stmt in sql.split(';') {
                sqlx::query(stmt).execute(&pool).await.unwrap();
            }
            pool.close().await;
        }
    }
}

fn seed(env: &Env) -> String {
    for name in ["t-one", "t-two", "t-three", "t-four"] {
        assert!(env.run(&["tenant", "create", name], None).status.success());
    }
    let o = env.run(&["audit", "verify"], None);
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
    let head = out(&o)
        .lines()
        .find_map(|l| l.strip_prefix("head ").map(str::to_string))
        .expect("head line");
    assert!(head.starts_with("4:"), "{head}");
    head
}

#[tokio::test]
async fn verify_names_the_first_changed_removed_or_reordered_entry() {
    let cases = [
        (
            "changed",
            "UPDATE audit_log SET actor = 'cli:mallory' WHERE seq = 2",
            "entry 2",
        ),
        ("removed", "DELETE FROM audit_log WHERE seq = 3", "entry 3"),
        (
            "reordered",
            "UPDATE audit_log SET seq = -2 WHERE seq = 2; \
             UPDATE audit_log SET seq = 2 WHERE seq = 3; \
             UPDATE audit_log SET seq = 3 WHERE seq = -2",
            "entry 2",
        ),
    ];
    for (what, sql, needle) in cases {
        for env in envs().await {
            seed(&env);
            exec(&env, sql).await;
            let o = env.run(&["audit", "verify"], None);
            assert!(
                !o.status.success(),
                "{what} on {:?} went unnoticed",
                env.db.kind
            );
            assert!(out(&o).contains(needle), "{what}: {}", out(&o));
        }
    }
}

#[tokio::test]
async fn expect_head_catches_truncation_and_accepts_growth() {
    for env in envs().await {
        let head = seed(&env);
        let o = env.run(&["audit", "verify", "--expect-head", &head], None);
        assert!(o.status.success(), "{}", out(&o));
        // Growth keeps the old head valid.
        assert!(env
            .run(&["tenant", "create", "t-five"], None)
            .status
            .success());
        let o = env.run(&["audit", "verify", "--expect-head", &head], None);
        assert!(o.status.success(), "{}", out(&o));
        // Truncating the newest entries leaves an intact but shorter chain.
        exec(&env, "DELETE FROM audit_log WHERE seq >= 4").await;
        let o = env.run(&["audit", "verify"], None);
        assert!(o.status.success(), "a truncated chain is intact by itself");
        let o = env.run(&["audit", "verify", "--expect-head", &head], None);
        assert!(!o.status.success(), "truncation must be caught");
        assert!(out(&o).contains("TRUNCATED"), "{}", out(&o));
        let o = env.run(&["audit", "verify", "--expect-head", "nonsense"], None);
        assert!(!o.status.success());
        assert!(err(&o).contains("COUNT:HASH"), "{}", err(&o));
    }
}

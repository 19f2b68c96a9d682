//! The keys behind the audit log and the stored numbers, through the binary: a
//! chain rewritten with recomputed plain hashes (what someone with database access
//! but without the audit key can do) fails `waihu audit verify`; `waihu keys rotate`
//! re-seals the stored numbers and `retire` drops the old key; key files that group
//! or others can read are refused with the fix.

use crate::support::{envs, err, out, Env};
use waihu_store::audit::entry_hash;
use waihu_store::{BackendKind, Store};

async fn exec(env: &Env, sql: &str) {
    match env.db.kind {
        BackendKind::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&env.db.url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
            pool.close().await;
        }
        BackendKind::Postgres => {
            let pool = sqlx::PgPool::connect(&env.db.url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }
}

#[tokio::test]
async fn verify_catches_a_rewrite_with_recomputed_unkeyed_hashes() {
    for env in envs().await {
        for name in ["t-one", "t-two", "t-three", "t-four"] {
            env.ok(&["tenant", "create", name]);
        }
        env.ok(&["audit", "verify"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(env.data_dir().join("audit.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "audit key file must be private");
        }
        // Change entry 2 and recompute every hash from it on, unkeyed.
        let store = Store::connect(&env.db.url, 1).await.unwrap();
        let mut all = store.list_audit_platform(100).await.unwrap();
        store.close().await;
        all.reverse();
        let mut prev = all[0].hash.clone();
        for e in all.iter_mut().skip(1) {
            if e.seq == 2 {
                e.actor = "cli:mallory".into();
            }
            e.prev_hash = prev.clone();
            e.hash = entry_hash(
                e.seq,
                e.at,
                &e.actor,
                e.tenant_id,
                &e.action,
                &e.target,
                &e.details,
                &e.prev_hash,
            );
            exec(
                &env,
                &format!(
                    "UPDATE audit_log SET actor = '{}', prev_hash = '{}', hash = '{}', key_id = NULL WHERE seq = {}",
                    e.actor, e.prev_hash, e.hash, e.seq
                ),
            )
            .await;
            prev = e.hash.clone();
        }
        let o = env.run(&["audit", "verify"], None);
        assert!(
            !o.status.success(),
            "rewrite went unnoticed on {:?}: {}",
            env.db.kind,
            out(&o)
        );
        assert!(out(&o).contains("entry 2"), "{}", out(&o));
    }
}

#[tokio::test]
async fn rotate_reseals_the_numbers_retire_drops_the_old_key_and_open_key_files_are_refused() {
    for env in envs().await {
        env.ok(&["tenant", "create", "acme"]);
        std::fs::write(
            env.data_dir().join("c.csv"),
            "phone,name\n13812345678,张三\n13912345678,李四\n",
        )
        .unwrap();
        env.ok(&[
            "import",
            "contacts",
            "c.csv",
            "--tenant",
            "acme",
            "--list",
            "l",
            "--consent-source",
            "web_form",
            "--consent-time",
            "2026-01-15T10:00:00+08:00",
            "--consent-scope",
            "marketing",
            "--consent-ref",
            "F-1",
        ]);
        let before = env.ok(&["keys", "status"]);
        assert!(before.contains("0 stored numbers not under"), "{before}");
        let o = env.ok(&["keys", "rotate", "--batch", "1"]);
        assert!(o.contains("re-sealed 2 numbers"), "{o}");
        assert!(o.contains("0 not yet under"), "{o}");
        let key = std::fs::read_to_string(env.data_dir().join("pii.key")).unwrap();
        assert!(key.contains("number_key_old="), "{key}");
        let o = env.ok(&["keys", "retire"]);
        assert!(o.contains("retired 1 old number keys"), "{o}");
        let key = std::fs::read_to_string(env.data_dir().join("pii.key")).unwrap();
        assert!(!key.contains("number_key_old="), "{key}");
        env.ok(&["audit", "verify"]);

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = env.data_dir().join("pii.key");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let o = env.run(&["keys", "status"], None);
            assert!(!o.status.success());
            assert!(err(&o).contains("chmod 600"), "{}", err(&o));
            assert!(err(&o).contains("pii.key"), "{}", err(&o));
        }
    }
}

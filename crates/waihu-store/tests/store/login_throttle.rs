//! Failed sign-in counters in the database: counted per key with a window that
//! restarts the count, shared by two handles (two processes), forgotten on success
//! for the succeeding client only, and wiped by the operator's audited unlock.

use crate::stores;
use chrono::{Duration, TimeZone, Utc};
use waihu_store::{Actor, FailureKey};

fn key(account: &str, client: &str, minutes: i64) -> FailureKey {
    FailureKey {
        account: account.into(),
        client: client.into(),
        window: Duration::minutes(minutes),
    }
}

#[tokio::test]
async fn failures_are_counted_shared_forgotten_and_unlocked() {
    for (db, store) in stores().await {
        let other = db.store().await.unwrap();
        let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
        let keys = [key("alice", "192.0.2.7", 15), key("alice", "", 24 * 60)];
        for i in 0..3 {
            let at = t0 + Duration::minutes(i);
            let after = if i % 2 == 0 { &store } else { &other }
                .record_login_failure(&keys, at)
                .await
                .unwrap();
            assert_eq!(after[0].failures, i + 1, "{:?}", db.kind);
            assert_eq!(after[0].last_failure, at);
        }
        let read = other
            .login_counters(&[
                ("alice".into(), "192.0.2.7".into()),
                ("alice".into(), String::new()),
                ("bob".into(), String::new()),
            ])
            .await
            .unwrap();
        assert_eq!(read.len(), 2, "bob has no counter");
        assert_eq!((read[0].failures, read[1].failures), (3, 3));
        // Past the window the per-client count starts again; the day-long one goes on.
        let later = t0 + Duration::minutes(20);
        let after = store.record_login_failure(&keys, later).await.unwrap();
        assert_eq!((after[0].failures, after[1].failures), (1, 4));
        assert_eq!(after[0].first_failure, later);
        // Success from another client forgets the account-wide count only.
        let b = [key("alice", "198.51.100.1", 15)];
        store.record_login_failure(&b, later).await.unwrap();
        store
            .clear_login_failures("alice", "198.51.100.1")
            .await
            .unwrap();
        let left = store
            .login_counters(&[
                ("alice".into(), "192.0.2.7".into()),
                ("alice".into(), String::new()),
                ("alice".into(), "198.51.100.1".into()),
            ])
            .await
            .unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].client, "192.0.2.7");
        // The operator's unlock drops everything of the account, audited.
        let dropped = other
            .unlock_account("alice", &Actor::cli("root"))
            .await
            .unwrap();
        assert_eq!(dropped, 1);
        assert!(store
            .login_counters(&[("alice".into(), "192.0.2.7".into())])
            .await
            .unwrap()
            .is_empty());
        let log = store.list_audit_platform(10).await.unwrap();
        assert!(log
            .iter()
            .any(|e| e.action == "auth.unlock" && e.target == "user:alice"));
        // Counters idle for a day are dropped when the next failure is counted.
        store
            .record_login_failure(&[key("old", "x", 15)], t0)
            .await
            .unwrap();
        store
            .record_login_failure(&[key("new", "x", 15)], t0 + Duration::days(2))
            .await
            .unwrap();
        assert!(store
            .login_counters(&[("old".into(), "x".into())])
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn new_passwords_meet_the_policy_on_every_path() {
    for (db, store) in stores().await {
        let actor = Actor::cli("test");
        let t = crate::tenant(&store, "acme").await;
        for (name, pw) in [
            ("carl", "too-short"),
            ("carl", "qwerty123456"),
            ("carl", "carl-and-his-dog"),
            ("carl", "ACME-rocks-forever"),
            ("carl", "              "),
        ] {
            let r = store
                .create_user(Some(t.id), name, pw, waihu_core::Role::Agent, &actor)
                .await;
            assert!(
                matches!(r, Err(waihu_store::StoreError::Invalid(ref m)) if m.contains("password")),
                "{pw:?} on {:?}: {r:?}",
                db.kind
            );
        }
        let carl = store
            .create_user(
                Some(t.id),
                "carl",
                "violet-tram-42",
                waihu_core::Role::Agent,
                &actor,
            )
            .await
            .unwrap();
        assert!(store
            .set_user_password(t.id, carl.id, "carl-rules-the-world", &actor)
            .await
            .is_err());
        assert!(store
            .change_own_password(&carl, "acme-forever-and-ever", "none", &actor)
            .await
            .is_err());
        store
            .change_own_password(&carl, "lantern-over-the-bay", "none", &actor)
            .await
            .unwrap();
    }
}

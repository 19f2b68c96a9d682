//! Back-office sessions: stored hashed, found until expiry, ended at logout, by a
//! password change (other sessions only) and with their user.

use crate::stores;
use chrono::{Duration, Utc};
use waihu_core::Role;
use waihu_store::password::{token_hash, verify_password};
use waihu_store::{Actor, NewSession, StoreError};

fn session(user: waihu_core::UserId, token: &str, ttl: Duration) -> NewSession {
    let now = Utc::now();
    NewSession {
        token_hash: token_hash(token),
        user_id: user,
        csrf_token: format!("csrf-{token}"),
        created_at: now,
        expires_at: now + ttl,
    }
}

#[tokio::test]
async fn sessions_live_until_expiry_logout_or_user_deletion() {
    for (db, store) in stores().await {
        let actor = Actor::cli("test");
        let t = crate::tenant(&store, "acme").await;
        let u = store
            .create_user(Some(t.id), "ann", "violet-tram-42", Role::Admin, &actor)
            .await
            .unwrap();
        store
            .create_session(&session(u.id, "tok-a", Duration::hours(1)))
            .await
            .unwrap();
        let now = Utc::now();
        let (s, found) = store
            .find_session(&token_hash("tok-a"), now)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("session missing on {:?}", db.kind));
        assert_eq!(found.id, u.id);
        assert_eq!(s.csrf_token, "csrf-tok-a");
        assert_ne!(s.token_hash, "tok-a", "only the hash is stored");
        // Past its expiry the session is gone, and purging removes it.
        let later = now + Duration::hours(2);
        assert!(store
            .find_session(&token_hash("tok-a"), later)
            .await
            .unwrap()
            .is_none());
        assert!(store
            .find_session(&token_hash("unknown"), now)
            .await
            .unwrap()
            .is_none());
        assert_eq!(store.delete_expired_sessions(later).await.unwrap(), 1);
        assert!(store
            .find_session(&token_hash("tok-a"), now)
            .await
            .unwrap()
            .is_none());

        // Logout ends one session.
        store
            .create_session(&session(u.id, "tok-b", Duration::hours(1)))
            .await
            .unwrap();
        store.delete_session(&token_hash("tok-b")).await.unwrap();
        assert!(store
            .find_session(&token_hash("tok-b"), now)
            .await
            .unwrap()
            .is_none());

        // An administrator's reset ends all of the user's sessions.
        for tok in ["tok-x", "tok-y"] {
            store
                .create_session(&session(u.id, tok, Duration::hours(1)))
                .await
                .unwrap();
        }
        assert_eq!(store.delete_user_sessions(u.id).await.unwrap(), 2);
        assert!(store
            .find_session(&token_hash("tok-x"), now)
            .await
            .unwrap()
            .is_none());

        // Deleting the user ends its sessions.
        store
            .create_session(&session(u.id, "tok-c", Duration::hours(1)))
            .await
            .unwrap();
        store.delete_user(t.id, u.id, &actor).await.unwrap();
        assert!(store
            .find_session(&token_hash("tok-c"), now)
            .await
            .unwrap()
            .is_none());
    }
}

#[tokio::test]
async fn changing_the_own_password_ends_other_sessions_and_is_audited() {
    for (_db, store) in stores().await {
        let actor = Actor::system();
        let op = store
            .create_user(None, "root-op", "first-password-1", Role::Operator, &actor)
            .await
            .unwrap();
        for tok in ["keep", "other"] {
            store
                .create_session(&session(op.id, tok, Duration::hours(1)))
                .await
                .unwrap();
        }
        let me = Actor::user(&op.username);
        assert!(matches!(
            store
                .change_own_password(&op, "short", &token_hash("keep"), &me)
                .await,
            Err(StoreError::Invalid(_))
        ));
        store
            .change_own_password(&op, "second-password-2", &token_hash("keep"), &me)
            .await
            .unwrap();
        let now = Utc::now();
        let (_, after) = store
            .find_session(&token_hash("keep"), now)
            .await
            .unwrap()
            .expect("the current session stays");
        assert!(verify_password("second-password-2", &after.password_hash));
        assert!(!verify_password("first-password-1", &after.password_hash));
        assert!(store
            .find_session(&token_hash("other"), now)
            .await
            .unwrap()
            .is_none());
        let log = store.list_audit_platform(1).await.unwrap();
        assert_eq!(log[0].action, "user.password");
        assert_eq!(log[0].actor, "user:root-op");
        assert!(store.verify_audit_chain().await.unwrap().is_ok());
    }
}

//! Tenant isolation: through the repository API, tenant B can neither read nor
//! change tenant A's rows, even knowing their ids.

use crate::stores;
use waihu_core::Role;
use waihu_store::{Actor, NewAudit, StoreError};

#[tokio::test]
async fn users_of_tenant_a_are_invisible_and_untouchable_for_tenant_b() {
    for (db, store) in stores().await {
        let actor = Actor::cli("test");
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        let alice = store
            .create_user(Some(a.id), "alice", "violet-tram-42", Role::Admin, &actor)
            .await
            .unwrap();
        assert_eq!(store.list_users(a.id).await.unwrap().len(), 1);
        assert!(
            store.list_users(b.id).await.unwrap().is_empty(),
            "{:?}",
            db.kind
        );
        assert!(store.get_user(b.id, alice.id).await.unwrap().is_none());
        assert!(matches!(
            store
                .set_user_password(b.id, alice.id, "hijacked-pass-1", &actor)
                .await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store.delete_user(b.id, alice.id, &actor).await,
            Err(StoreError::NotFound(_))
        ));
        // Still intact for its own tenant.
        let still = store.get_user(a.id, alice.id).await.unwrap().unwrap();
        assert_eq!(still.password_hash, alice.password_hash);
    }
}

#[tokio::test]
async fn api_tokens_of_tenant_a_are_invisible_and_unrevocable_for_tenant_b() {
    for (_db, store) in stores().await {
        let actor = Actor::cli("test");
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        let (token, secret) = store.create_api_token(a.id, "crm", &actor).await.unwrap();
        assert!(store.list_api_tokens(b.id).await.unwrap().is_empty());
        assert!(matches!(
            store.revoke_api_token(b.id, token.id, &actor).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(store
            .authenticate_api_token(&secret)
            .await
            .unwrap()
            .is_some());
    }
}

#[tokio::test]
async fn audit_entries_of_tenant_a_are_invisible_to_tenant_b() {
    for (_db, store) in stores().await {
        let actor = Actor::cli("test");
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        store
            .append_audit(NewAudit::new(
                &actor,
                Some(a.id),
                "contact.export",
                "list:1",
            ))
            .await
            .unwrap();
        let a_log = store.list_audit(a.id, 100).await.unwrap();
        let b_log = store.list_audit(b.id, 100).await.unwrap();
        assert!(a_log.iter().any(|e| e.action == "contact.export"));
        assert!(b_log.iter().all(|e| e.tenant_id == Some(b.id)));
        assert!(!b_log.iter().any(|e| e.action == "contact.export"));
    }
}

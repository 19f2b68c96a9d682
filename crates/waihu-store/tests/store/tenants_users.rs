//! Tenants, users and tokens: creation rules, conflicts, login lookup.

use crate::stores;
use waihu_core::{Role, TenantName};
use waihu_store::{password::verify_password, Actor, StoreError, TenantStatus};

#[tokio::test]
async fn tenants_are_unique_by_name_and_can_be_suspended() {
    for (db, store) in stores().await {
        let actor = Actor::cli("test");
        let name = TenantName::parse("acme").unwrap();
        let t = store.create_tenant(&name, &actor).await.unwrap();
        assert_eq!(t.status, TenantStatus::Active);
        let dup = store.create_tenant(&name, &actor).await;
        assert!(
            matches!(dup, Err(StoreError::Conflict(_))),
            "{:?}: {dup:?}",
            db.kind
        );
        assert_eq!(
            store.find_tenant_by_name(&name).await.unwrap(),
            Some(t.clone())
        );
        let s = store
            .set_tenant_status(t.id, TenantStatus::Suspended, "complaints", &actor)
            .await
            .unwrap();
        assert_eq!(s.status, TenantStatus::Suspended);
        assert_eq!(store.list_tenants().await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn users_need_the_right_tenant_shape_and_unique_names() {
    for (db, store) in stores().await {
        let actor = Actor::cli("test");
        let t = crate::tenant(&store, "shop").await;
        let op = store
            .create_user(None, "root-op", "operator-pass-1", Role::Operator, &actor)
            .await
            .unwrap();
        assert_eq!(op.tenant_id, None);
        assert!(matches!(
            store
                .create_user(None, "x-admin", "admin-pass-12", Role::Admin, &actor)
                .await,
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            store
                .create_user(Some(t.id), "x-op", "admin-pass-12", Role::Operator, &actor)
                .await,
            Err(StoreError::Invalid(_))
        ));
        let admin = store
            .create_user(Some(t.id), "alice", "violet-tram-42", Role::Admin, &actor)
            .await
            .unwrap();
        assert!(
            matches!(
                store
                    .create_user(Some(t.id), "alice", "violet-tram-42", Role::Agent, &actor)
                    .await,
                Err(StoreError::Conflict(_))
            ),
            "{:?}",
            db.kind
        );
        let found = store.find_user_for_login("alice").await.unwrap().unwrap();
        assert_eq!(found.id, admin.id);
        assert!(verify_password("violet-tram-42", &found.password_hash));
        assert!(!found.password_hash.contains("violet-tram-42"));
        store
            .set_user_password(t.id, admin.id, "new-password-456", &actor)
            .await
            .unwrap();
        let found = store.find_user_for_login("alice").await.unwrap().unwrap();
        assert!(verify_password("new-password-456", &found.password_hash));
        assert_eq!(store.count_users().await.unwrap(), 2);
        assert_eq!(store.list_operators().await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn api_tokens_are_stored_hashed_and_can_be_revoked() {
    for (_db, store) in stores().await {
        let actor = Actor::cli("test");
        let t = crate::tenant(&store, "tok").await;
        let (token, secret) = store.create_api_token(t.id, "crm", &actor).await.unwrap();
        assert!(secret.starts_with("wh_"));
        let auth = store
            .authenticate_api_token(&secret)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(auth.id, token.id);
        assert!(store
            .authenticate_api_token("wh_guess")
            .await
            .unwrap()
            .is_none());
        store
            .revoke_api_token(t.id, token.id, &actor)
            .await
            .unwrap();
        assert!(store
            .authenticate_api_token(&secret)
            .await
            .unwrap()
            .is_none());
    }
}

//! Every handler checks the role: agents manage nothing, auditors change nothing,
//! admins don't reach the platform console, operators don't reach tenant pages
//! without a tenant, API tokens act as their tenant's admin only.

use crate::support::{Harness, PW};
use axum::http::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn an_agent_cannot_manage_users_tokens_tenants_or_read_the_audit_log() {
    let (h, s) = Harness::seeded().await;
    let mut ag = h.login("agnes").await;
    assert_eq!(ag.get("/").await.status, StatusCode::OK);
    assert_eq!(ag.get("/account/password").await.status, StatusCode::OK);
    for path in [
        "/users",
        "/tokens",
        "/tenants",
        "/audit",
        "/audit/verify",
        &format!("/users/{}", s.alice),
    ] {
        assert_eq!(
            ag.get(path).await.status,
            StatusCode::FORBIDDEN,
            "GET {path}"
        );
    }
    let r = ag
        .post(
            "/users",
            &[("username", "mine"), ("password", PW), ("role", "admin")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        ag.post("/tokens", &[("name", "x")]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ag.post(&format!("/users/{}/delete", s.alice), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ag.post("/tenants", &[("name", "nope")]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        h.store.list_users(s.ta).await.unwrap().len(),
        3,
        "nothing changed"
    );
    assert!(h.store.list_api_tokens(s.ta).await.unwrap().is_empty());
    // The navigation does not even offer those pages.
    let dash = ag.get("/").await.body;
    assert!(
        !dash.contains("href=\"/users\"") && !dash.contains("href=\"/tokens\""),
        "{dash}"
    );
}

#[tokio::test]
async fn an_auditor_reads_but_cannot_change_anything() {
    let (h, s) = Harness::seeded().await;
    let (tok, _) = h
        .store
        .create_api_token(s.ta, "crm", &waihu_store::Actor::cli("t"))
        .await
        .unwrap();
    let mut au = h.login("audrey").await;
    for path in [
        "/users",
        "/tokens",
        "/audit",
        "/audit/verify",
        &format!("/users/{}", s.alice),
    ] {
        assert_eq!(au.get(path).await.status, StatusCode::OK, "GET {path}");
    }
    let users = au.get("/users").await.body;
    assert!(
        !users.contains("/delete\""),
        "no delete buttons for auditors"
    );
    let writes = [
        (
            "/users".to_string(),
            vec![("username", "x1"), ("password", PW), ("role", "admin")],
        ),
        (format!("/users/{}/delete", s.agnes), vec![]),
        (
            format!("/users/{}/password", s.agnes),
            vec![("password", "auditor-sets-this-1")],
        ),
        ("/tokens".to_string(), vec![("name", "mine")]),
        (format!("/tokens/{}/revoke", tok.id), vec![]),
        ("/tenants".to_string(), vec![("name", "nope")]),
        (
            format!("/tenants/{}/status", s.ta),
            vec![("status", "suspended")],
        ),
    ];
    for (path, fields) in &writes {
        assert_eq!(
            au.post(path, fields).await.status,
            StatusCode::FORBIDDEN,
            "POST {path}"
        );
    }
    assert_eq!(h.store.list_users(s.ta).await.unwrap().len(), 3);
    let tokens = h.store.list_api_tokens(s.ta).await.unwrap();
    assert_eq!(tokens.len(), 1);
    assert!(tokens[0].revoked_at.is_none());
    // Same over the API with the session.
    let csrf = au.csrf().await;
    let r = au
        .api(
            Method::POST,
            "/api/v1/users",
            Some(&csrf),
            json!({"username": "x2", "password": PW, "role": "agent"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "forbidden");
    let r = au
        .api(
            Method::DELETE,
            &format!("/api/v1/api-tokens/{}", tok.id),
            Some(&csrf),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = au.api(Method::GET, "/api/v1/users", None, json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn admins_and_tokens_stay_out_of_the_platform_console_and_operators_out_of_tenant_pages() {
    let (h, s) = Harness::seeded().await;
    let mut a = h.login("alice").await;
    assert_eq!(a.get("/tenants").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        a.get(&format!("/tenants/{}", s.ta)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        a.post(
            &format!("/tenants/{}/status", s.tb),
            &[("status", "suspended")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    // A tenant admin cannot raise its own (or anyone's) line quota.
    assert_eq!(
        a.post(&format!("/tenants/{}/quota", s.ta), &[("lines", "500")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(h.store.get_limits(s.ta).await.unwrap().line_quota, 0);
    let (_, secret) = h
        .store
        .create_api_token(s.ta, "crm", &waihu_store::Actor::cli("t"))
        .await
        .unwrap();
    for (m, path) in [
        (Method::GET, "/api/v1/tenants".to_string()),
        (Method::POST, format!("/api/v1/tenants/{}/suspend", s.tb)),
    ] {
        let r = h.api(m, &path, Some(&secret), Some(json!({}))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    let mut op = h.login("op").await;
    assert_eq!(op.get("/tokens").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        op.get(&format!("/users/{}", s.alice)).await.status,
        StatusCode::NOT_FOUND,
        "tenant users via the tenant page"
    );
    assert_eq!(op.get("/users").await.status, StatusCode::OK);
    assert_eq!(op.get("/tenants").await.status, StatusCode::OK);
}

//! Tenant isolation on every resource route: tenant B's admin (browser session
//! or API token) asking for tenant A's resources by id gets 404 — never the data,
//! and nothing changes. The route tables below list every route with an id; a new
//! resource route must be added here.

use crate::support::{Harness, Seed};
use axum::http::{Method, StatusCode};
use serde_json::json;
use waihu_store::Actor;

struct A {
    user: String,
    token: String,
    list: String,
}

async fn tenant_a_resources(h: &Harness, s: &Seed) -> A {
    let (tok, _) = h
        .store
        .create_api_token(s.ta, "a-crm", &Actor::cli("t"))
        .await
        .unwrap();
    let list = h
        .store
        .ensure_contact_list(s.ta, "a-list", &Actor::cli("t"))
        .await
        .unwrap();
    A {
        user: s.alice.to_string(),
        token: tok.id.to_string(),
        list: list.id.to_string(),
    }
}

const HIJACK: &str = "hijacked-password-1";

async fn tenant_a_unchanged(h: &Harness, s: &Seed) {
    let alice = h.store.get_user(s.ta, s.alice).await.unwrap().unwrap();
    assert!(
        waihu_store::password::verify_password(crate::support::PW, &alice.password_hash),
        "alice's password unchanged"
    );
    assert!(
        h.store.get_user(s.ta, s.alice).await.unwrap().is_some(),
        "alice still there"
    );
    let tokens = h.store.list_api_tokens(s.ta).await.unwrap();
    assert!(
        tokens.iter().all(|t| t.revoked_at.is_none()),
        "A's tokens untouched"
    );
}

#[tokio::test]
async fn pages_answer_404_for_another_tenants_resources() {
    for (h, s) in Harness::seeded_all().await {
        check_pages_answer_404_for_another_tenants_resources(&h, &s).await;
    }
}

async fn check_pages_answer_404_for_another_tenants_resources(h: &Harness, s: &Seed) {
    let a = tenant_a_resources(h, s).await;
    let mut bob = h.login("bob").await;
    let gets = [
        format!("/users/{}", a.user),
        format!("/contacts/{}", a.list),
    ];
    for path in &gets {
        let r = bob.get(path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "GET {path}");
        assert!(
            !r.body.contains("alice") && !r.body.contains("a-list"),
            "GET {path} leaked data"
        );
    }
    let posts: [(String, &[(&str, &str)]); 3] = [
        (format!("/users/{}/delete", a.user), &[]),
        (
            format!("/users/{}/password", a.user),
            &[("password", HIJACK)],
        ),
        (format!("/tokens/{}/revoke", a.token), &[]),
    ];
    for (path, fields) in &posts {
        assert_eq!(
            bob.post(path, fields).await.status,
            StatusCode::NOT_FOUND,
            "POST {path}"
        );
    }
    // Lists show only B's own rows.
    let users = bob.get("/users").await.body;
    assert!(users.contains("bob") && !users.contains("alice"));
    let tokens = bob.get("/tokens").await.body;
    assert!(!tokens.contains("a-crm"));
    let audit = bob.get("/audit").await.body;
    assert!(
        !audit.contains("user:alice") && !audit.contains("a-crm"),
        "{audit}"
    );
    tenant_a_unchanged(h, s).await;
}

#[tokio::test]
async fn the_api_answers_404_for_another_tenants_resources() {
    for (h, s) in Harness::seeded_all().await {
        check_the_api_answers_404_for_another_tenants_resources(&h, &s).await;
    }
}

async fn check_the_api_answers_404_for_another_tenants_resources(h: &Harness, s: &Seed) {
    let a = tenant_a_resources(h, s).await;
    let (_, b_secret) = h
        .store
        .create_api_token(s.tb, "b-crm", &Actor::cli("t"))
        .await
        .unwrap();
    let routes = [
        (Method::GET, format!("/api/v1/users/{}", a.user), json!({})),
        (
            Method::DELETE,
            format!("/api/v1/users/{}", a.user),
            json!({}),
        ),
        (
            Method::POST,
            format!("/api/v1/users/{}/password", a.user),
            json!({ "password": HIJACK }),
        ),
        (
            Method::DELETE,
            format!("/api/v1/api-tokens/{}", a.token),
            json!({}),
        ),
        (
            Method::GET,
            format!("/api/v1/contact-lists/{}", a.list),
            json!({}),
        ),
        (
            Method::GET,
            format!("/api/v1/contact-lists/{}/contacts", a.list),
            json!({}),
        ),
    ];
    for (m, path, body) in &routes {
        let r = h
            .api(m.clone(), path, Some(&b_secret), Some(body.clone()))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{m} {path}: {}", r.body);
        assert_eq!(r.code(), "not_found");
        assert!(!r.body.contains("alice") && !r.body.contains("a-list"));
    }
    // The same through B's admin's browser session.
    let mut bob = h.login("bob").await;
    let csrf = bob.csrf().await;
    for (m, path, body) in &routes {
        let r = bob.api(m.clone(), path, Some(&csrf), body.clone()).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "session {m} {path}");
    }
    for path in [
        "/api/v1/users",
        "/api/v1/api-tokens",
        "/api/v1/audit",
        "/api/v1/contact-lists",
    ] {
        let r = h.api(Method::GET, path, Some(&b_secret), None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            !r.body.contains("alice") && !r.body.contains("a-crm") && !r.body.contains("a-list"),
            "{path}: {}",
            r.body
        );
    }
    tenant_a_unchanged(h, s).await;
    assert!(h.store.get_user(s.tb, s.bob).await.unwrap().is_some());
}

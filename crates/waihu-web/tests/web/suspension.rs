//! A suspended tenant: its people and API tokens still sign in, read and export,
//! and every state-changing route refuses them with 403 `tenant_suspended` — every
//! one, found by reading the router's own list of routes, so a route added later
//! is covered without anyone listing it here.

use super::support::*;
use axum::http::{Method, StatusCode};
use waihu_store::{Actor, TenantStatus};
use waihu_web::auth::suspension::ALLOWED_WHEN_SUSPENDED;
use waihu_web::i18n::{Lang, Msg};

/// Every route path of the application, read from the router (its `Debug` form
/// lists each route's path as `RouteId(n): "/path"`).
fn router_paths(h: &Harness) -> Vec<String> {
    let dump = format!("{:?}", waihu_web::app(h.state.clone()));
    let mut paths = Vec::new();
    let mut rest = dump.as_str();
    while let Some(i) = rest.find("RouteId(") {
        rest = &rest[i + "RouteId(".len()..];
        let Some(close) = rest.find(')') else { break };
        if let Some(p) = rest[close..].strip_prefix("): \"") {
            if let Some(end) = p.find('"') {
                paths.push(p[..end].to_string());
            }
        }
    }
    paths.sort();
    paths.dedup();
    paths
}

/// A concrete request path for a route pattern.
fn concrete(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|seg| match seg {
            "{id}" => uuid::Uuid::new_v4().to_string(),
            "{action}" => "start".to_string(),
            "{file}" => "app.css".to_string(),
            s if s.starts_with('{') => "x".to_string(),
            s => s.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn suspend(h: &Harness, s: &Seed, status: TenantStatus) {
    h.store
        .set_tenant_status(s.ta, status, "test", &Actor::cli("t"))
        .await
        .unwrap();
}

#[tokio::test]
async fn every_state_changing_route_refuses_a_suspended_tenant() {
    let (h, s) = Harness::seeded().await;
    let (_, token) = h
        .store
        .create_api_token(s.ta, "crm", &Actor::cli("t"))
        .await
        .unwrap();
    let mut alice = h.login("alice").await;
    let csrf = alice.csrf().await;
    suspend(&h, &s, TenantStatus::Suspended).await;

    let paths = router_paths(&h);
    for known in ["/api/v1/users", "/users", "/tasks/{id}/{action}", "/login"] {
        assert!(
            paths.iter().any(|p| p == known),
            "{known} not found in {paths:?}"
        );
    }
    let hint = Msg::ErrTenantSuspendedHint.t(Lang::Zh);
    let mut refused = Vec::new();
    for pattern in &paths {
        // The API's catch-all (its "no such route" fallback), and the public
        // callee pages (no tenant signs in there).
        if pattern.contains("__private__")
            || pattern == "/api/v1"
            || pattern == "/api/v1/"
            || pattern == "/p"
            || pattern.starts_with("/p/")
        {
            continue;
        }
        if ALLOWED_WHEN_SUSPENDED.contains(&pattern.as_str()) {
            continue;
        }
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            let path = concrete(pattern);
            let api = pattern.starts_with("/api/v1");
            // The session (with its anti-CSRF header), on pages and API alike.
            let r = alice
                .api(method.clone(), &path, Some(&csrf), serde_json::json!({}))
                .await;
            if r.status == StatusCode::METHOD_NOT_ALLOWED {
                continue;
            }
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{method} {path}: {}",
                r.body
            );
            if api {
                assert_eq!(r.code(), "tenant_suspended", "{method} {path}");
                // The tenant's API token too.
                let r = h
                    .api(
                        method.clone(),
                        &path,
                        Some(&token),
                        Some(serde_json::json!({})),
                    )
                    .await;
                assert_eq!(
                    (r.status, r.code().as_str()),
                    (StatusCode::FORBIDDEN, "tenant_suspended"),
                    "token: {method} {path}"
                );
            } else {
                assert!(r.body.contains(hint), "{method} {path}: {}", r.body);
            }
            refused.push(format!("{method} {pattern}"));
        }
    }
    // Enough routes were found that the enumeration cannot have come up empty.
    assert!(refused.len() > 60, "{refused:?}");
    for must in [
        "POST /api/v1/users",
        "DELETE /api/v1/users/{id}",
        "PUT /api/v1/retention",
        "POST /tasks/{id}/{action}",
        "POST /account/password",
    ] {
        assert!(refused.iter().any(|r| r == must), "{must} in {refused:?}");
    }
}

#[tokio::test]
async fn a_suspended_tenant_reads_exports_and_signs_in_but_changes_nothing_until_resumed() {
    for (h, s) in Harness::seeded_all().await {
        let (_, token) = h
            .store
            .create_api_token(s.ta, "crm", &Actor::cli("t"))
            .await
            .unwrap();
        let new_user = |name: &str| serde_json::json!({ "username": name, "password": "a-long-enough-pw-1", "role": "agent" });
        let r = h
            .api(
                Method::POST,
                "/api/v1/users",
                Some(&token),
                Some(new_user("carl")),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

        suspend(&h, &s, TenantStatus::Suspended).await;
        let r = h
            .api(
                Method::POST,
                "/api/v1/users",
                Some(&token),
                Some(new_user("cora")),
            )
            .await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (StatusCode::FORBIDDEN, "tenant_suspended")
        );
        let users = h.store.list_users(s.ta).await.unwrap();
        assert!(
            !users.iter().any(|u| u.username == "cora"),
            "nothing written"
        );
        // Reading still works, with the token and in the browser.
        let r = h
            .api(Method::GET, "/api/v1/users", Some(&token), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // Signing in works; the page form refuses with the Chinese explanation.
        let mut alice = h.login("alice").await;
        assert_eq!(alice.get("/users").await.status, StatusCode::OK);
        let r = alice
            .post(
                "/users",
                &[
                    ("username", "cora"),
                    ("password", "a-long-enough-pw-1"),
                    ("role", "agent"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(
            r.body.contains(Msg::ErrTenantSuspendedHint.t(Lang::Zh)),
            "{}",
            r.body
        );
        // Look-ups sent as POST still answer; another tenant is untouched.
        let token_csrf = alice.csrf().await;
        let r = alice
            .api(
                Method::POST,
                "/logout",
                Some(&token_csrf),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "sign out works: {}",
            r.body
        );
        let (_, tb_token) = h
            .store
            .create_api_token(s.tb, "crm", &Actor::cli("t"))
            .await
            .unwrap();
        let r = h
            .api(
                Method::POST,
                "/api/v1/users",
                Some(&tb_token),
                Some(new_user("cora")),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "tenant B is not suspended: {}",
            r.body
        );

        suspend(&h, &s, TenantStatus::Active).await;
        let r = h
            .api(
                Method::POST,
                "/api/v1/users",
                Some(&token),
                Some(new_user("cyd")),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "resumed: {}", r.body);
    }
}

//! The JSON API: authentication, consistent errors with stable codes and the
//! field at fault, pagination, and the operator's session-authenticated routes.

use crate::support::{Harness, PW};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::json;
use waihu_store::Actor;

#[tokio::test]
async fn missing_bad_and_revoked_credentials_are_401_with_a_stable_code() {
    let (h, s) = Harness::seeded().await;
    let r = h.api(Method::GET, "/api/v1/users", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "unauthorized");
    assert!(r.json()["error"]["message"].is_string());
    let r = h
        .api(Method::GET, "/api/v1/users", Some("wh_not-a-token"), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let (tok, secret) = h
        .store
        .create_api_token(s.ta, "crm", &Actor::cli("t"))
        .await
        .unwrap();
    let me = h
        .api(Method::GET, "/api/v1/me", Some(&secret), None)
        .await
        .json();
    assert_eq!(me["role"], "admin");
    assert_eq!(me["tenant_id"], s.ta.to_string());
    h.store
        .revoke_api_token(s.ta, tok.id, &Actor::cli("t"))
        .await
        .unwrap();
    assert_eq!(
        h.api(Method::GET, "/api/v1/me", Some(&secret), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let r = h
        .api(Method::GET, "/api/v1/no-such-route", Some(&secret), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "not_found");
    let r = h
        .api(Method::PUT, "/api/v1/users", Some(&secret), None)
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.code(), "method_not_allowed");
}

#[tokio::test]
async fn validation_errors_name_the_field() {
    let (h, s) = Harness::seeded().await;
    let (_, t) = h
        .store
        .create_api_token(s.ta, "crm", &Actor::cli("t"))
        .await
        .unwrap();
    // `dup@ta` exists already (a clash inside the tenant).
    let r = h
        .api(
            Method::POST,
            "/api/v1/users",
            Some(&t),
            Some(json!({"username": "dup", "password": PW, "role": "agent"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let cases = [
        (
            json!({"username": "x-user", "password": "short", "role": "agent"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "password",
        ),
        (
            json!({"username": "x-user", "password": PW, "role": "operator"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "role",
        ),
        (
            json!({"username": "x user!", "password": PW, "role": "agent"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "username",
        ),
        (
            json!({"username": "dup", "password": PW, "role": "agent"}),
            StatusCode::CONFLICT,
            "conflict",
            "username",
        ),
        (
            json!({"password": PW, "role": "agent"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "username",
        ),
    ];
    for (body, status, code, field) in cases {
        let r = h
            .api(Method::POST, "/api/v1/users", Some(&t), Some(body.clone()))
            .await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
        assert_eq!(r.code(), code, "{body}");
        assert_eq!(r.json()["error"]["field"], field, "{body}: {}", r.body);
    }
    // Not JSON at all.
    let req = Request::post("/api/v1/users")
        .header(header::AUTHORIZATION, format!("Bearer {t}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    let r = h.send(req).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "bad_request");
    let r = h
        .api(Method::GET, "/api/v1/users?limit=0", Some(&t), None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "limit");
    let r = h
        .api(Method::GET, "/api/v1/users/not-a-uuid", Some(&t), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn lists_are_paged_and_tokens_work_end_to_end() {
    let (h, s) = Harness::seeded().await;
    let (_, t) = h
        .store
        .create_api_token(s.ta, "first", &Actor::cli("t"))
        .await
        .unwrap();
    for name in ["second", "third"] {
        let r = h
            .api(
                Method::POST,
                "/api/v1/api-tokens",
                Some(&t),
                Some(json!({ "name": name })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let body = r.json();
        assert!(body["secret"].as_str().unwrap().starts_with("wh_"));
        assert_eq!(body["token"]["name"], name);
    }
    let p1 = h
        .api(Method::GET, "/api/v1/api-tokens?limit=2", Some(&t), None)
        .await
        .json();
    assert_eq!(p1["items"].as_array().unwrap().len(), 2);
    assert_eq!(p1["total"], 3);
    assert_eq!(p1["next_offset"], 2);
    let p2 = h
        .api(
            Method::GET,
            "/api/v1/api-tokens?limit=2&offset=2",
            Some(&t),
            None,
        )
        .await
        .json();
    assert_eq!(p2["items"].as_array().unwrap().len(), 1);
    assert!(p2["next_offset"].is_null());
    assert!(!p2.to_string().contains("wh_"), "secrets are never listed");

    let r = h
        .api(
            Method::POST,
            "/api/v1/users",
            Some(&t),
            Some(json!({"username": "viaapi", "password": PW, "role": "agent"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(
        h.api(Method::GET, &format!("/api/v1/users/{id}"), Some(&t), None)
            .await
            .json()["username"],
        "viaapi@ta"
    );
    assert_eq!(
        h.api(
            Method::DELETE,
            &format!("/api/v1/users/{id}"),
            Some(&t),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        h.api(Method::GET, &format!("/api/v1/users/{id}"), Some(&t), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let audit = h
        .api(Method::GET, "/api/v1/audit?action=user.", Some(&t), None)
        .await
        .json();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"user.delete") && actions.iter().all(|a| a.starts_with("user.")),
        "{actions:?}"
    );
    assert!(audit["items"][0]["actor"]
        .as_str()
        .unwrap()
        .starts_with("token:"));
    let v = h
        .api(Method::GET, "/api/v1/audit/verify", Some(&t), None)
        .await
        .json();
    assert_eq!(v["intact"], true);
}

#[tokio::test]
async fn the_operator_uses_the_platform_routes_with_the_session() {
    let (h, s) = Harness::seeded().await;
    let mut op = h.login("op").await;
    let csrf = op.csrf().await;
    let r = op
        .api(Method::GET, "/api/v1/tenants", None, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["total"], 2);
    let r = op
        .api(
            Method::POST,
            "/api/v1/tenants",
            Some(&csrf),
            json!({"name": "Bad!"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "name");
    let r = op
        .api(
            Method::POST,
            "/api/v1/tenants",
            Some(&csrf),
            json!({"name": "ta"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = op
        .api(
            Method::POST,
            &format!("/api/v1/tenants/{}/suspend", s.tb),
            Some(&csrf),
            json!({"reason": "abuse"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "suspended");
    let r = op
        .api(
            Method::POST,
            &format!("/api/v1/tenants/{}/resume", s.tb),
            Some(&csrf),
            json!({}),
        )
        .await;
    assert_eq!(r.json()["status"], "active");
    let r = op
        .api(
            Method::POST,
            &format!("/api/v1/tenants/{}/users", s.tb),
            Some(&csrf),
            json!({"username": "tb-agent", "password": PW, "role": "agent"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let users = op
        .api(
            Method::GET,
            &format!("/api/v1/tenants/{}/users", s.tb),
            None,
            json!({}),
        )
        .await
        .json();
    assert_eq!(users["total"], 2);
    let r = op
        .api(
            Method::GET,
            &format!("/api/v1/tenants/{}", uuid::Uuid::new_v4()),
            None,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Operators have no tenant: tenant routes are not theirs.
    assert_eq!(
        op.api(Method::GET, "/api/v1/users", None, json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_operator_sets_a_quota_and_users_change_their_own_password_over_the_api() {
    let (h, s) = Harness::seeded().await;
    let mut op = h.login("op").await;
    let csrf = op.csrf().await;
    let quota = format!("/api/v1/tenants/{}/quota", s.ta);
    let r = op
        .api(Method::POST, &quota, Some(&csrf), json!({"lines": 12}))
        .await;
    assert_eq!(
        (r.status, r.json()["lines"].clone()),
        (StatusCode::OK, json!(12)),
        "{}",
        r.body
    );
    assert_eq!(h.store.get_limits(s.ta).await.unwrap().line_quota, 12);
    let r = op
        .api(Method::POST, &quota, Some(&csrf), json!({"lines": 20000}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "lines");
    let r = op
        .api(
            Method::POST,
            "/api/v1/tenants/00000000-0000-0000-0000-000000000000/quota",
            Some(&csrf),
            json!({"lines": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A tenant admin cannot raise their own quota.
    let mut alice = h.login("alice").await;
    let csrf = alice.csrf().await;
    let r = alice
        .api(Method::POST, &quota, Some(&csrf), json!({"lines": 99}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // One's own password: the current one is checked, the new one too.
    let pw = "/api/v1/account/password";
    let r = alice
        .api(
            Method::POST,
            pw,
            Some(&csrf),
            json!({"current": "wrong-password", "new": "a-new-long-password"}),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["error"]["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("current"))
    );
    let r = alice
        .api(
            Method::POST,
            pw,
            Some(&csrf),
            json!({"current": PW, "new": "short"}),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["error"]["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("new")),
        "{}",
        r.body
    );
    let r = alice
        .api(
            Method::POST,
            pw,
            Some(&csrf),
            json!({"current": PW, "new": "a-new-long-password"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let mut again = h.browser();
    let r = again.login("alice", "a-new-long-password").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the new password works");
    // An API token has no user: 401.
    let tok = crate::campaign::token(&h, s.ta).await;
    let r = h
        .api(
            Method::POST,
            pw,
            Some(&tok),
            Some(json!({"current": PW, "new": "another-long-password"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
}

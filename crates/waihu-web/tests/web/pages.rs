//! The pages themselves: language switching, the operator's tenant console, user
//! and token management, the audit log with chain verification.

use crate::support::{Harness, PW};
use axum::http::StatusCode;

#[tokio::test]
async fn chinese_first_english_by_query_or_cookie() {
    let (h, _) = Harness::seeded().await;
    let mut b = h.browser();
    let zh = b.get("/login").await;
    assert!(
        zh.body.contains("lang=\"zh-CN\"") && zh.body.contains("登录"),
        "{}",
        zh.body
    );
    let en = b.get("/login?lang=en").await;
    assert!(en.body.contains("lang=\"en\"") && en.body.contains("Sign in"));
    assert!(en
        .set_cookies()
        .iter()
        .any(|c| c.starts_with("waihu_lang=en")));
    // The cookie keeps the choice.
    let again = b.get("/login").await;
    assert!(again.body.contains("Sign in"), "{}", again.body);
    let back = b.get("/login?lang=zh-CN").await;
    assert!(back.body.contains("登录"));
    assert_eq!(h.get("/login?lang=klingon").await.status, StatusCode::OK);
    // Unknown pages get a localised HTML 404.
    let missing = b.get("/no-such-page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.header("content-type").starts_with("text/html"));
    assert!(missing.body.contains("未找到"), "{}", missing.body);
}

#[tokio::test]
async fn operator_creates_suspends_and_resumes_a_tenant_and_gives_it_an_admin() {
    let (h, _) = Harness::seeded().await;
    let mut op = h.login("op").await;
    let r = op.post("/tenants", &[("name", "acme")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let detail = r.location();
    assert!(detail.starts_with("/tenants/"), "{detail}");
    let page = op.get(&detail).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("acme"));
    let id = detail
        .trim_start_matches("/tenants/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let r = op
        .post(
            &format!("/tenants/{id}/users"),
            &[
                ("username", "acme-admin"),
                ("password", PW),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(op
        .get(&format!("/tenants/{id}"))
        .await
        .body
        .contains("acme-admin"));
    // An operator role cannot be given inside a tenant.
    let r = op
        .post(
            &format!("/tenants/{id}/users"),
            &[
                ("username", "sneaky"),
                ("password", PW),
                ("role", "operator"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = op
        .post(
            &format!("/tenants/{id}/status"),
            &[("status", "suspended"), ("reason", "complaints")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let tid = id.parse().unwrap();
    assert_eq!(
        h.store.get_tenant(tid).await.unwrap().unwrap().status,
        waihu_store::TenantStatus::Suspended
    );
    let log = h.store.list_audit_platform(5).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action.starts_with("tenant.") && e.details.contains("complaints")),
        "{log:?}"
    );
    op.post(&format!("/tenants/{id}/status"), &[("status", "active")])
        .await;
    assert_eq!(
        h.store.get_tenant(tid).await.unwrap().unwrap().status,
        waihu_store::TenantStatus::Active
    );
    // The operator sets the tenant's robot-line quota (audited); nonsense is refused.
    let r = op
        .post(&format!("/tenants/{id}/quota"), &[("lines", "12")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(h.store.get_limits(tid).await.unwrap().line_quota, 12);
    assert!(op
        .get(&format!("/tenants/{id}"))
        .await
        .body
        .contains("value=\"12\""));
    for bad in ["-1", "many", "10001"] {
        let r = op
            .post(&format!("/tenants/{id}/quota"), &[("lines", bad)])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    assert_eq!(h.store.get_limits(tid).await.unwrap().line_quota, 12);
    let r = op
        .post(
            &format!("/tenants/{}/quota", uuid::Uuid::new_v4()),
            &[("lines", "3")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A bad name is an error page naming the rule, not a crash.
    let r = op.post("/tenants", &[("name", "Bad Name")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.header("content-type").starts_with("text/html"));
    let r = op.get("/tenants/not-a-uuid").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn admin_manages_users_and_tokens_and_the_secret_is_shown_once() {
    let (h, s) = Harness::seeded().await;
    let mut a = h.login("alice").await;
    let r = a
        .post(
            "/users",
            &[("username", "newbie"), ("password", PW), ("role", "agent")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let users = h.store.list_users(s.ta).await.unwrap();
    let newbie = users
        .iter()
        .find(|u| u.username == "newbie@ta")
        .expect("created");
    assert_eq!(newbie.role, waihu_core::Role::Agent);
    assert_eq!(
        a.get(&format!("/users/{}", newbie.id)).await.status,
        StatusCode::OK
    );
    let r = a.post(&format!("/users/{}/delete", newbie.id), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(h.store.get_user(s.ta, newbie.id).await.unwrap().is_none());
    // Not oneself.
    let r = a.post(&format!("/users/{}/delete", s.alice), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let r = a.post("/tokens", &[("name", "crm")]).await;
    assert_eq!(r.status, StatusCode::OK);
    let marker = "id=\"new-token\">";
    let start = r.body.find(marker).expect("secret shown") + marker.len();
    let secret = r.body[start..].split('<').next().unwrap().to_string();
    assert!(secret.starts_with("wh_"), "{secret}");
    let listed = a.get("/tokens").await;
    assert!(
        listed.body.contains("crm") && !listed.body.contains(&secret),
        "shown once only"
    );
    let who = h
        .api(axum::http::Method::GET, "/api/v1/me", Some(&secret), None)
        .await;
    assert_eq!(who.status, StatusCode::OK);
    let token_id = h.store.list_api_tokens(s.ta).await.unwrap()[0].id;
    let r = a.post(&format!("/tokens/{token_id}/revoke"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let who = h
        .api(axum::http::Method::GET, "/api/v1/me", Some(&secret), None)
        .await;
    assert_eq!(who.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn audit_page_filters_and_verifies_the_chain() {
    let (h, _) = Harness::seeded().await;
    let mut op = h.login("op").await;
    let all = op.get("/audit").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.body.contains("tenant.create") && all.body.contains("auth.login"));
    let filtered = op.get("/audit?action=auth.").await;
    assert!(
        filtered.body.contains("auth.login")
            && !filtered.body.contains("<code>tenant.create</code>"),
        "{}",
        filtered.body
    );
    // Thousands of newer entries do not hide older ones from a filter, and the
    // pages reach back through all of them.
    for i in 0..2_100 {
        h.store
            .append_audit(waihu_store::NewAudit::new(
                &waihu_store::Actor::raw("system"),
                None,
                "task.tick",
                format!("tick:{i}"),
            ))
            .await
            .unwrap();
    }
    let old = op.get("/audit?action=auth.").await;
    assert!(old.body.contains("auth.login"), "{}", old.body);
    let api = op
        .get("/api/v1/audit?action=task.tick&limit=200&offset=2000")
        .await;
    let page: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(page["total"], 2_100, "{}", api.body);
    assert_eq!(page["items"].as_array().unwrap().len(), 100);
    assert_eq!(page["items"][99]["target"], "tick:0");
    let last = op.get("/audit?offset=2100").await;
    assert!(
        last.body.contains("tenant.create"),
        "the oldest entries: {}",
        last.body
    );
    let ok = op.get("/audit/verify").await;
    assert!(ok.body.contains("data-ok=\"true\""), "{}", ok.body);
    // Tamper with an entry: the page says the chain is broken and where.
    h.tamper("UPDATE audit_log SET target = 'tenant:forged' WHERE seq = 2")
        .await;
    let bad = op.get("/audit/verify").await;
    assert!(bad.body.contains("data-ok=\"false\""), "{}", bad.body);
    assert!(bad.body.contains("changed"), "{}", bad.body);
}

#[tokio::test]
async fn an_admin_resets_a_users_password_and_ends_its_sessions() {
    let (h, s) = Harness::seeded().await;
    let mut agent = h.login("agnes").await;
    let mut a = h.login("alice").await;
    let page = a.get(&format!("/users/{}", s.agnes)).await;
    assert!(page.body.contains("/password\""), "reset form offered");
    let r = a
        .post(
            &format!("/users/{}/password", s.agnes),
            &[("password", "short")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = a
        .post(
            &format!("/users/{}/password", s.agnes),
            &[("password", "reset-by-admin-1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        agent.get("/").await.status,
        StatusCode::SEE_OTHER,
        "agent signed out"
    );
    assert_eq!(
        h.browser().login("agnes", PW).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.browser().login("agnes", "reset-by-admin-1").await.status,
        StatusCode::SEE_OTHER
    );
    // Not for oneself (that needs the current password).
    let r = a
        .post(
            &format!("/users/{}/password", s.alice),
            &[("password", "whatever-long-1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let log = h.store.list_audit(s.ta, 50).await.unwrap();
    assert!(log
        .iter()
        .any(|e| e.action == "user.password" && e.actor == "user:alice"));
}

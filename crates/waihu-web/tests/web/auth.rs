//! Login, logout, wrong passwords, lockout, session expiry, CSRF, password change
//! and security headers.

use crate::support::{Harness, Resp, PW};
use axum::body::Body;
use axum::http::Request;
use axum::http::{Method, StatusCode};
use chrono::Duration;
use serde_json::json;

async fn audit_actions(h: &Harness) -> Vec<String> {
    h.store
        .list_audit_platform(100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn login_sets_a_strict_http_only_session_cookie_and_is_audited() {
    let (h, _) = Harness::seeded().await;
    let mut b = h.browser();
    let r = b.login("alice", PW).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/");
    let cookie = r
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("waihu_session="))
        .expect("session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP without a TLS proxy: {cookie}"
    );
    let dash = b.get("/").await;
    assert_eq!(dash.status, StatusCode::OK);
    assert!(dash.body.contains("alice"), "{}", dash.body);
    assert!(audit_actions(&h).await.contains(&"auth.login".to_string()));
    // The cookie value is not what the database stores.
    let token = b.cookies["waihu_session"].clone();
    assert!(h
        .store
        .find_session(&token, h.clock_now())
        .await
        .unwrap()
        .is_none());
}

fn secure_session_cookie(r: &Resp) -> bool {
    r.set_cookies()
        .iter()
        .any(|c| c.starts_with("waihu_session=") && c.contains("; Secure"))
}

/// `secure_cookies = auto`: `X-Forwarded-Proto: https` counts only from a trusted
/// proxy; a client claiming it on its own gets no `Secure` cookie, and a request
/// that reached this server over TLS does.
#[tokio::test]
async fn forwarded_proto_is_believed_only_from_a_trusted_proxy() {
    let (mut h, _) = Harness::seeded().await;
    h.state.config = std::sync::Arc::new(waihu_web::WebConfig {
        trusted_proxies: waihu_web::client_addr::TrustedProxies::parse(&["127.0.0.1"]).unwrap(),
        ..Default::default()
    });
    let claims_https = |peer: &str| {
        let mut b = h.browser();
        b.peer = Some(peer.parse().unwrap());
        b.extra.push(("x-forwarded-proto".into(), "https".into()));
        b
    };
    let mut untrusted = claims_https("198.51.100.7:40000");
    let r = untrusted.login("alice", PW).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        !secure_session_cookie(&r),
        "a client's own claim is ignored"
    );
    let mut proxied = claims_https("127.0.0.1:40000");
    let r = proxied.login("alice", PW).await;
    assert!(secure_session_cookie(&r), "the trusted proxy is believed");
    // Over TLS to this server itself (the URI's scheme, or a TLS listener's mark).
    let r = h
        .send(
            Request::get("https://waihu.example/login")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        r.set_cookies()
            .iter()
            .any(|c| c.starts_with("waihu_pre=") && c.contains("; Secure")),
        "{:?}",
        r.set_cookies()
    );
    let mut req = Request::get("/login").body(Body::empty()).unwrap();
    req.extensions_mut().insert(waihu_web::tls::ServedOverTls);
    let r = h.send(req).await;
    assert!(r.set_cookies().iter().any(|c| c.contains("; Secure")));
    let r = h.get("/login").await;
    assert!(
        !r.set_cookies().iter().any(|c| c.contains("; Secure")),
        "plain HTTP"
    );
}

trait Now {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc>;
}
impl Now for Harness {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        waihu_core::Clock::now(&self.clock)
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_user_are_refused_alike() {
    let (h, _) = Harness::seeded().await;
    let mut b = h.browser();
    let wrong = b.login("alice", "not-the-password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("用户名或密码错误"), "{}", wrong.body);
    assert!(!b.cookies.contains_key("waihu_session"));
    let unknown = b.login("nobody", "not-the-password").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    // Pages need a session: redirected to the login page, remembering where to.
    let r = h.get("/users").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?next=/users");
    assert_eq!(h.get("/").await.location(), "/login");
}

#[tokio::test]
async fn five_failures_lock_the_account_even_for_the_right_password_until_the_lock_ends() {
    let (h, _) = Harness::seeded().await;
    let mut b = h.browser();
    for i in 1..5 {
        assert_eq!(
            b.login("alice", "wrong-password").await.status,
            StatusCode::UNAUTHORIZED,
            "attempt {i}"
        );
    }
    let fifth = b.login("alice", "wrong-password").await;
    assert_eq!(fifth.status, StatusCode::TOO_MANY_REQUESTS);
    let right = b.login("ALICE", PW).await;
    assert_eq!(
        right.status,
        StatusCode::TOO_MANY_REQUESTS,
        "locked, whatever the case of the name"
    );
    assert!(right.body.contains("15"), "{}", right.body);
    let log = h.store.list_audit_platform(100).await.unwrap();
    let lock = log
        .iter()
        .find(|e| e.action == "auth.lockout")
        .expect("lockout audited");
    assert_eq!(lock.target, "user:alice");
    // Another user is not affected.
    assert_eq!(
        h.browser().login("bob", PW).await.status,
        StatusCode::SEE_OTHER
    );
    // After the lock, the right password works again.
    h.clock.advance(Duration::minutes(15));
    assert_eq!(b.login("alice", PW).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn twenty_failures_from_one_address_lock_that_address_for_every_name() {
    let (h, _) = Harness::seeded().await;
    let mut attacker = h.browser();
    attacker.peer = Some("192.0.2.7:40000".parse().unwrap());
    // Spread over many names so that no single name reaches its own limit.
    for i in 0..19 {
        let r = attacker
            .login(&format!("guess{}", i % 5), "wrong-password")
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    assert_eq!(
        attacker.login("guess9", "wrong-password").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        attacker.login("alice", PW).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "address locked"
    );
    let log = h.store.list_audit_platform(100).await.unwrap();
    let lock = log
        .iter()
        .find(|e| e.action == "auth.lockout")
        .expect("audited");
    assert!(
        lock.details.contains("address") && lock.details.contains("192.0.2.7"),
        "{}",
        lock.details
    );
    // Alice from her own address is not affected.
    let mut alice = h.browser();
    alice.peer = Some("198.51.100.1:50000".parse().unwrap());
    assert_eq!(alice.login("alice", PW).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn logout_ends_the_session_and_is_audited() {
    let (h, _) = Harness::seeded().await;
    let mut b = h.login("alice").await;
    let stolen = b.cookies.clone();
    let r = b.post("/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?bye=1");
    assert!(!b.cookies.contains_key("waihu_session"));
    // The old cookie no longer works.
    let mut replay = h.browser();
    replay.cookies = stolen;
    assert_eq!(replay.get("/users").await.status, StatusCode::SEE_OTHER);
    assert!(audit_actions(&h).await.contains(&"auth.logout".to_string()));
}

#[tokio::test]
async fn sessions_expire() {
    let (h, _) = Harness::seeded().await;
    let mut b = h.login("alice").await;
    assert_eq!(b.get("/users").await.status, StatusCode::OK);
    h.clock.advance(Duration::hours(12) + Duration::seconds(1));
    let r = b.get("/users").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login"));
}

#[tokio::test]
async fn state_changing_requests_without_the_csrf_token_are_rejected() {
    let (h, _) = Harness::seeded().await;
    let mut op = h.login("op").await;
    let before = h.store.list_tenants().await.unwrap().len();
    let none = op.post_raw("/tenants", &[("name", "evil")]).await;
    assert_eq!(none.status, StatusCode::FORBIDDEN, "{}", none.body);
    let wrong = op
        .post_raw("/tenants", &[("_csrf", "forged"), ("name", "evil")])
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(
        h.store.list_tenants().await.unwrap().len(),
        before,
        "nothing created"
    );
    let ok = op.post("/tenants", &[("name", "good")]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(h.store.list_tenants().await.unwrap().len(), before + 1);

    // Login form: the pre-login token must match its cookie.
    let mut fresh = h.browser();
    let r = fresh
        .post_raw("/login", &[("username", "alice"), ("password", PW)])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The JSON API with a session cookie needs the X-CSRF-Token header.
    let token = op.csrf().await;
    let r = op
        .api(
            Method::POST,
            "/api/v1/tenants",
            None,
            json!({"name": "viaapi"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "csrf_failed");
    let r = op
        .api(
            Method::POST,
            "/api/v1/tenants",
            Some(&token),
            json!({"name": "viaapi"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_pages_have_no_inline_script() {
    let (h, _) = Harness::seeded().await;
    let mut b = h.login("alice").await;
    for path in [
        "/login",
        "/",
        "/users",
        "/healthz",
        "/api/v1/openapi.json",
        "/static/app.js",
        "/nope",
    ] {
        let r = b.get(path).await;
        let csp = r.header("content-security-policy");
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(r.header("x-frame-options"), "DENY", "{path}");
        assert_eq!(r.header("referrer-policy"), "same-origin", "{path}");
        if r.header("content-type").starts_with("text/html") {
            assert!(!r.body.contains("<script>"), "{path}: inline script");
            assert!(!r.body.contains(" style=\""), "{path}: inline style");
        }
    }
    assert_eq!(b.get("/users").await.header("cache-control"), "no-store");
}

#[tokio::test]
async fn password_change_needs_the_current_password_and_ends_other_sessions() {
    let (h, _) = Harness::seeded().await;
    let mut b = h.login("op").await;
    let mut other = h.login("op").await;
    let new = "brand-new-password-9";
    let r = b
        .post(
            "/account/password",
            &[
                ("current", "wrong-current-1"),
                ("new", new),
                ("repeat", new),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = b
        .post(
            "/account/password",
            &[
                ("current", PW),
                ("new", new),
                ("repeat", "different-one-99"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = b
        .post(
            "/account/password",
            &[("current", PW), ("new", "short"), ("repeat", "short")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = b
        .post(
            "/account/password",
            &[("current", PW), ("new", new), ("repeat", new)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("password-result"));
    // This session goes on; the other one ended.
    assert_eq!(b.get("/tenants").await.status, StatusCode::OK);
    assert_eq!(other.get("/tenants").await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        h.browser().login("op", PW).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.browser().login("op", new).await.status,
        StatusCode::SEE_OTHER
    );
    let log = h.store.list_audit_platform(100).await.unwrap();
    assert!(log
        .iter()
        .any(|e| e.action == "user.password" && e.actor == "user:op"));
}

/// Behind a trusted reverse proxy every connection comes from the proxy: the
/// address it forwarded for is the one locked, so one attacker does not lock
/// out everyone; a client that is not a trusted proxy cannot pick its address
/// by sending the header itself.
#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_the_one_locked() {
    let (mut h, _) = Harness::seeded().await;
    h.state.config = std::sync::Arc::new(waihu_web::WebConfig {
        trusted_proxies: waihu_web::client_addr::TrustedProxies::parse(&["127.0.0.1"]).unwrap(),
        ..Default::default()
    });
    let via_proxy = |client: &str| {
        let mut b = h.browser();
        b.peer = Some("127.0.0.1:40000".parse().unwrap());
        b.extra
            .push(("x-forwarded-for".into(), format!("6.6.6.6, {client}")));
        b
    };
    let mut attacker = via_proxy("192.0.2.7");
    for i in 0..20 {
        attacker
            .login(&format!("guess{}", i % 5), "wrong-password")
            .await;
    }
    assert_eq!(
        attacker.login("alice", PW).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the forwarded address is locked"
    );
    let lock = h.store.list_audit_platform(100).await.unwrap();
    assert!(
        lock.iter()
            .any(|e| e.action == "auth.lockout" && e.details.contains("192.0.2.7")),
        "the lock names the client, not the proxy"
    );
    // Another client through the same proxy logs in.
    let mut alice = via_proxy("198.51.100.1");
    assert_eq!(alice.login("alice", PW).await.status, StatusCode::SEE_OTHER);
    // A direct client forging the header is judged by its own address: the
    // attacker's address stays locked whatever it claims.
    let mut forger = h.browser();
    forger.peer = Some("192.0.2.7:40001".parse().unwrap());
    forger
        .extra
        .push(("x-forwarded-for".into(), "198.51.100.99".into()));
    assert_eq!(
        forger.login("alice", PW).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

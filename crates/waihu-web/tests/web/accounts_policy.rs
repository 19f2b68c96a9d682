//! Accounts a tenant's admin creates are named `name@tenant`, so "already taken"
//! never reveals another tenant's usernames; new passwords meet the policy
//! (12–128 characters, not common, not the username or tenant, not blank) while
//! accounts with older, weaker passwords keep signing in.

use crate::support::*;
use axum::http::{Method, StatusCode};
use serde_json::json;
use waihu_store::Actor;

#[tokio::test]
async fn creating_a_user_never_reveals_another_tenant_s_usernames() {
    let (h, s) = Harness::seeded().await;
    let (_, t) = h
        .store
        .create_api_token(s.ta, "crm", &Actor::cli("t"))
        .await
        .unwrap();
    let create = |name: &str| json!({"username": name, "password": PW, "role": "agent"});
    // `bob` is tenant B's admin; `nobody` exists nowhere: the same answer.
    let taken_elsewhere = h
        .api(Method::POST, "/api/v1/users", Some(&t), Some(create("bob")))
        .await;
    let free = h
        .api(
            Method::POST,
            "/api/v1/users",
            Some(&t),
            Some(create("nobody")),
        )
        .await;
    assert_eq!(
        taken_elsewhere.status,
        StatusCode::CREATED,
        "{}",
        taken_elsewhere.body
    );
    assert_eq!(free.status, StatusCode::CREATED, "{}", free.body);
    assert_eq!(taken_elsewhere.json()["username"], "bob@ta");
    assert_eq!(free.json()["username"], "nobody@ta");
    // A clash inside the tenant is still a 409 naming the field.
    let again = h
        .api(Method::POST, "/api/v1/users", Some(&t), Some(create("bob")))
        .await;
    assert_eq!(
        (again.status, again.code().as_str()),
        (StatusCode::CONFLICT, "conflict")
    );
    assert_eq!(again.json()["error"]["field"], "username");
    // The platform adds the tenant; an admin cannot pick another's namespace.
    let r = h
        .api(
            Method::POST,
            "/api/v1/users",
            Some(&t),
            Some(create("eve@tb")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["field"], "username");
    // The new account signs in with its full name; tenant B's bob is untouched.
    assert_eq!(
        h.browser().login("bob@ta", PW).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        h.browser().login("bob", PW).await.status,
        StatusCode::SEE_OTHER
    );
    // The page form names accounts the same way.
    let mut alice = h.login("alice").await;
    let r = alice
        .post(
            "/users",
            &[("username", "bob"), ("password", PW), ("role", "auditor")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "bob@ta exists now: {}",
        r.body
    );
    let r = alice
        .post(
            "/users",
            &[("username", "carol"), ("password", PW), ("role", "auditor")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let users = h.store.list_users(s.ta).await.unwrap();
    assert!(users.iter().any(|u| u.username == "carol@ta"));
}

#[tokio::test]
async fn each_class_of_weak_password_is_refused_when_set() {
    let (h, s) = Harness::seeded().await;
    let (_, t) = h
        .store
        .create_api_token(s.ta, "crm", &Actor::cli("t"))
        .await
        .unwrap();
    let long = "Zq9!".repeat(25_000);
    for pw in [
        "aaaaaaaaaa",
        "1234567890",
        "password12",
        "          ",
        "            ",
        long.as_str(),
        "qwerty123456",
        "Password1234!",
        "dora-the-explorer-1",
    ] {
        let body = json!({"username": "dora", "password": pw, "role": "agent"});
        let r = h
            .api(Method::POST, "/api/v1/users", Some(&t), Some(body))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{pw:.20}: {}",
            r.body
        );
        assert_eq!(r.json()["error"]["field"], "password", "{pw:.20}");
    }
    // An admin's reset and the user's own change follow the same policy.
    let r = h
        .api(
            Method::POST,
            &format!("/api/v1/users/{}/password", s.agnes),
            Some(&t),
            Some(json!({"password": "agnes-new-password"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let mut agnes = h.login("agnes").await;
    let r = agnes
        .post(
            "/account/password",
            &[
                ("current", PW),
                ("new", "qwertyuiop123"),
                ("repeat", "qwertyuiop123"),
            ],
        )
        .await;
    assert_ne!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        h.browser().login("agnes", PW).await.status,
        StatusCode::SEE_OTHER,
        "unchanged"
    );
}

#[tokio::test]
async fn an_account_whose_older_password_breaks_the_policy_still_signs_in() {
    let (h, _) = Harness::seeded().await;
    let weak = waihu_store::password::hash_password("password12").unwrap();
    h.tamper(&format!(
        "UPDATE users SET password_hash = '{weak}' WHERE username = 'agnes'"
    ))
    .await;
    assert_eq!(
        h.browser().login("agnes", "password12").await.status,
        StatusCode::SEE_OTHER
    );
}

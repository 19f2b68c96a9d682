//! Contact lists, pages and API: tenant isolation by id, numbers only ever
//! masked (no response body carries a full number); and who may see contacts
//! and the do-not-call list at all (agents see nothing, auditors only read).

use crate::contacts_support::{assert_no_full_numbers, key, seed_list, token, A1, A2, B1, DNC};
use crate::support::{Harness, Seed};
use axum::http::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;
use waihu_store::Actor;

#[tokio::test]
async fn contact_lists_are_tenant_scoped_and_show_numbers_masked() {
    for (h, s) in Harness::seeded_all().await {
        check_contact_lists(&h, &s).await;
    }
}

async fn check_contact_lists(h: &Harness, s: &Seed) {
    let a_list = seed_list(h, s.ta, "春季回访", &[A1, A2]).await;
    let b_list = seed_list(h, s.tb, "b-only-list", &[B1]).await;
    h.store
        .withdraw_consent(
            s.ta,
            &key().hash(A2),
            "139****5679",
            "asked by phone",
            chrono::Utc::now(),
            &Actor::cli("t"),
        )
        .await
        .unwrap();

    // Tenant A's admin: the lists and the contacts, masked, with consent evidence.
    let mut alice = h.login("alice").await;
    let r = alice.get("/contacts").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("春季回访") && !r.body.contains("b-only-list"),
        "{}",
        r.body
    );
    let r = alice.get(&format!("/contacts/{a_list}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("138****5678") && r.body.contains("139****5679"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("web_form")
            && r.body.contains("FORM-2026-0115")
            && r.body.contains("客户0")
    );
    assert!(r.body.contains("已撤回同意"), "withdrawn shown: {}", r.body);
    assert_no_full_numbers("list page", &r);

    // The API, with A's token: lists, one list, its contacts paged.
    let ta = token(h, s.ta, "a-crm").await;
    let r = h
        .api(Method::GET, "/api/v1/contact-lists", Some(&ta), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let items = r.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], a_list.to_string());
    let r = h
        .api(
            Method::GET,
            &format!("/api/v1/contact-lists/{a_list}"),
            Some(&ta),
            None,
        )
        .await;
    assert_eq!(r.json()["name"], "春季回访");
    let r = h
        .api(
            Method::GET,
            &format!("/api/v1/contact-lists/{a_list}/contacts?limit=1"),
            Some(&ta),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let first = r.json();
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
    assert_eq!(first["next_offset"], 1);
    assert_no_full_numbers("contacts api", &r);
    let r = h
        .api(
            Method::GET,
            &format!("/api/v1/contact-lists/{a_list}/contacts?limit=1&offset=1"),
            Some(&ta),
            None,
        )
        .await;
    assert_no_full_numbers("contacts api page 2", &r);
    let second = r.json();
    assert!(second["next_offset"].is_null());
    let mut seen = Vec::new();
    for c in [&first["items"][0], &second["items"][0]] {
        let masked = c["number_masked"].as_str().unwrap().to_string();
        assert_eq!(c["consent"]["source"], "web_form");
        assert_eq!(c["consent"]["purposes"], json!(["marketing"]));
        assert_eq!(c["consent"]["reference"], "FORM-2026-0115");
        assert!(c.get("number_hash").is_none() && c.get("number_enc").is_none());
        // Only the second number's consent was withdrawn.
        assert_eq!(
            c["consent"]["withdrawn_at"].is_string(),
            masked == "139****5679",
            "{c}"
        );
        seen.push(masked);
    }
    seen.sort();
    assert_eq!(seen, ["138****5678", "139****5679"]);
    let r = h
        .api(
            Method::GET,
            &format!("/api/v1/contact-lists/{a_list}/contacts?limit=0"),
            Some(&ta),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "limit");

    // Tenant B's admin asking for A's list by id: 404, never the data.
    let mut bob = h.login("bob").await;
    for path in [
        format!("/contacts/{a_list}"),
        format!("/contacts/{a_list}?offset=1"),
    ] {
        let r = bob.get(&path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "GET {path}");
        assert!(!r.body.contains("春季回访") && !r.body.contains("138****5678"));
    }
    let r = bob.get("/contacts").await;
    assert!(r.body.contains("b-only-list") && !r.body.contains("春季回访"));
    assert_eq!(
        bob.get(&format!("/contacts/{b_list}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        bob.get("/contacts/not-a-uuid").await.status,
        StatusCode::NOT_FOUND
    );
    let tb = token(h, s.tb, "b-crm").await;
    for path in [
        format!("/api/v1/contact-lists/{a_list}"),
        format!("/api/v1/contact-lists/{a_list}/contacts"),
        format!("/api/v1/contact-lists/{}/contacts", Uuid::new_v4()),
    ] {
        let r = h.api(Method::GET, &path, Some(&tb), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        assert_eq!(r.code(), "not_found");
        assert!(!r.body.contains("春季回访") && !r.body.contains("138****5678"));
    }
    let r = h
        .api(Method::GET, "/api/v1/contact-lists", Some(&tb), None)
        .await;
    assert!(!r.body.contains("春季回访") && r.body.contains("b-only-list"));
}

#[tokio::test]
async fn agents_see_nothing_of_contacts_or_dnc_and_auditors_only_read() {
    let (mut h, s) = Harness::seeded().await;
    h.state = h.state.clone().with_pii(key());
    let list = seed_list(&h, s.ta, "春季回访", &[A1]).await;
    let national = DNC.trim_start_matches("+86");

    let mut ag = h.login("agnes").await;
    let dash = ag.get("/").await.body;
    assert!(!dash.contains("href=\"/contacts\"") && !dash.contains("href=\"/dnc\""));
    for path in [
        "/contacts".to_string(),
        format!("/contacts/{list}"),
        "/dnc".to_string(),
    ] {
        let r = ag.get(&path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "GET {path}");
        assert!(!r.body.contains("138****5678"));
    }
    for path in ["/dnc/check", "/dnc", "/dnc/remove"] {
        let r = ag
            .post(path, &[("number", national), ("reason", "x")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "POST {path}");
    }
    let csrf = ag.csrf().await;
    for (m, path) in [
        (Method::GET, "/api/v1/contact-lists".to_string()),
        (
            Method::GET,
            format!("/api/v1/contact-lists/{list}/contacts"),
        ),
        (Method::GET, "/api/v1/dnc".to_string()),
        (Method::POST, "/api/v1/dnc/check".to_string()),
        (Method::POST, "/api/v1/dnc".to_string()),
    ] {
        let r = ag
            .api(
                m.clone(),
                &path,
                Some(&csrf),
                json!({ "number": national, "reason": "x" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{m} {path}");
    }

    let mut au = h.login("audrey").await;
    let dash = au.get("/").await.body;
    assert!(dash.contains("href=\"/contacts\"") && dash.contains("href=\"/dnc\""));
    assert_eq!(au.get("/contacts").await.status, StatusCode::OK);
    let r = au.get(&format!("/contacts/{list}")).await;
    assert!(r.status == StatusCode::OK && r.body.contains("138****5678"));
    let r = au.get("/dnc").await;
    assert!(r.body.contains("action=\"/dnc/check\""));
    assert!(!r.body.contains("action=\"/dnc\"") && !r.body.contains("action=\"/dnc/remove\""));
    let r = au.post("/dnc/check", &[("number", national)]).await;
    assert_eq!(r.status, StatusCode::OK);
    for path in ["/dnc", "/dnc/remove"] {
        let r = au
            .post(path, &[("number", national), ("reason", "x")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "POST {path}");
    }
    let csrf = au.csrf().await;
    for m in [Method::POST, Method::DELETE] {
        let r = au
            .api(
                m.clone(),
                "/api/v1/dnc",
                Some(&csrf),
                json!({ "number": national, "reason": "x" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{m}");
    }
    let r = au
        .api(
            Method::POST,
            "/api/v1/dnc/check",
            Some(&csrf),
            json!({ "number": national }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        !h.store
            .dnc_membership(s.ta, &key().hash(DNC))
            .await
            .unwrap()
            .tenant
    );
    // A page form without the anti-CSRF token changes nothing.
    let mut al = h.login("alice").await;
    let r = al
        .post_raw("/dnc", &[("number", national), ("reason", "x")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        !h.store
            .dnc_membership(s.ta, &key().hash(DNC))
            .await
            .unwrap()
            .tenant
    );
}

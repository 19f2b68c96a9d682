//! Contact lists and the do-not-call list, pages and API: tenant isolation by id,
//! numbers only ever masked (no response body carries a full number), reasons
//! required for do-not-call changes, roles (agents see nothing, auditors read),
//! and the page's notice when the server has no PII key.

use crate::support::{Harness, Resp, Seed};
use axum::http::{Method, StatusCode};
use chrono::TimeZone;
use serde_json::json;
use uuid::Uuid;
use waihu_compliance::pii::{NumberCipher, PhoneKey};
use waihu_compliance::{ConsentEvidence, EvidenceRef, Purpose};
use waihu_store::{Actor, ImportBatch, NewContact};

const A1: &str = "+8613812345678";
const A2: &str = "+8613912345679";
const B1: &str = "+8618612345670";
const DNC: &str = "+8615012345678";

fn key() -> PhoneKey {
    PhoneKey::from_bytes([7; 32])
}

/// No body may carry a full number, in any common spelling.
fn assert_no_full_numbers(what: &str, r: &Resp) {
    for n in [A1, A2, B1, DNC] {
        let national = n.trim_start_matches("+86");
        assert!(
            !r.body.contains(national),
            "{what}: full number {national} in the body: {}",
            r.body
        );
    }
}

async fn seed_list(
    h: &Harness,
    tenant: waihu_core::TenantId,
    name: &str,
    numbers: &[&str],
) -> Uuid {
    let actor = Actor::cli("test");
    let list = h
        .store
        .ensure_contact_list(tenant, name, &actor)
        .await
        .unwrap();
    let cipher = NumberCipher::from_bytes([9; 32]);
    let evidence = ConsentEvidence {
        source: "web_form".into(),
        given_at: chrono::Utc.with_ymd_and_hms(2026, 1, 15, 2, 0, 0).unwrap(),
        purposes: vec![Purpose::parse("marketing").unwrap()],
        share_leads: true,
        evidence: EvidenceRef::Reference("FORM-2026-0115".into()),
        expires_at: None,
    };
    let contacts = numbers
        .iter()
        .enumerate()
        .map(|(i, n)| NewContact {
            number_hash: key().hash(n),
            number_enc: cipher.seal(n),
            number_masked: waihu_compliance::pii::mask(n),
            fields: json!({ "name": format!("客户{i}"), "产品": "宽带" }),
            zone_override: None,
            evidence: 0,
        })
        .collect();
    h.store
        .import_contacts(
            tenant,
            list.id,
            ImportBatch {
                evidence: vec![evidence],
                contacts,
            },
            &actor,
        )
        .await
        .unwrap();
    list.id
}

async fn token(h: &Harness, tenant: waihu_core::TenantId, name: &str) -> String {
    h.store
        .create_api_token(tenant, name, &Actor::cli("t"))
        .await
        .unwrap()
        .1
}

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
async fn do_not_call_add_check_remove_need_reasons_and_stay_in_the_tenant() {
    for (h, s) in Harness::seeded_all().await {
        let mut h = h;
        h.state = h.state.clone().with_pii(key());
        check_dnc(&h, &s).await;
    }
}

async fn check_dnc(h: &Harness, s: &Seed) {
    let national = DNC.trim_start_matches("+86");
    let on_a = || async {
        h.store
            .dnc_membership(s.ta, &key().hash(DNC))
            .await
            .unwrap()
            .tenant
    };

    // Pages: check, add (reason required), check again, remove (reason required).
    let mut alice = h.login("alice").await;
    let r = alice.get("/dnc").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("action=\"/dnc/check\"") && r.body.contains("action=\"/dnc/remove\""));
    let r = alice.post("/dnc/check", &[("number", national)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("150****5678"), "{}", r.body);
    assert_no_full_numbers("check page", &r);
    let r = alice
        .post("/dnc", &[("number", national), ("reason", "  ")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(!on_a().await, "nothing added without a reason");
    let r = alice
        .post("/dnc", &[("number", national), ("reason", "complaint")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("150****5678") && r.body.contains("已加入"),
        "{}",
        r.body
    );
    assert_no_full_numbers("add page", &r);
    assert!(on_a().await);
    let r = alice.post("/dnc/remove", &[("number", national)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(on_a().await, "not removed without a reason");
    let r = alice
        .post(
            "/dnc/remove",
            &[("number", national), ("reason", "entered by mistake")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("已移出"), "{}", r.body);
    assert!(!on_a().await);
    // The language switch on a result page leads back to the page.
    let r = alice.get("/dnc/check?lang=en").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/dnc");
    let r = alice.post("/dnc/check", &[("number", "12345")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // API: the same with A's token; B's token neither sees nor removes A's entry.
    let ta = token(h, s.ta, "a-crm").await;
    let tb = token(h, s.tb, "b-crm").await;
    let r = h
        .api(
            Method::POST,
            "/api/v1/dnc",
            Some(&ta),
            Some(json!({ "number": national })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.code(), "invalid");
    assert_eq!(r.json()["error"]["field"], "reason");
    let r = h
        .api(
            Method::POST,
            "/api/v1/dnc",
            Some(&ta),
            Some(json!({ "number": "not a number", "reason": "x" })),
        )
        .await;
    assert_eq!(r.json()["error"]["field"], "number");
    let body = json!({ "number": DNC, "reason": "complaint" });
    let r = h
        .api(Method::POST, "/api/v1/dnc", Some(&ta), Some(body.clone()))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        r.json(),
        json!({ "number_masked": "150****5678", "added": true })
    );
    let r = h
        .api(Method::POST, "/api/v1/dnc", Some(&ta), Some(body.clone()))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["added"], false);
    let check = json!({ "number": national });
    let r = h
        .api(
            Method::POST,
            "/api/v1/dnc/check",
            Some(&ta),
            Some(check.clone()),
        )
        .await;
    assert_eq!(
        r.json(),
        json!({ "number_masked": "150****5678", "tenant": true, "platform": false, "registry": false })
    );
    assert_no_full_numbers("check api", &r);
    let r = h.api(Method::GET, "/api/v1/dnc", Some(&ta), None).await;
    assert_eq!(
        r.json(),
        json!({ "tenant_entries": 1, "lookups_enabled": true })
    );
    let r = h
        .api(
            Method::POST,
            "/api/v1/dnc/check",
            Some(&tb),
            Some(check.clone()),
        )
        .await;
    assert_eq!(r.json()["tenant"], false, "B does not see A's entry");
    let r = h
        .api(Method::DELETE, "/api/v1/dnc", Some(&tb), Some(body.clone()))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert!(on_a().await, "B cannot remove A's entry");
    let r = h
        .api(
            Method::DELETE,
            "/api/v1/dnc",
            Some(&ta),
            Some(json!({ "number": DNC })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "reason");
    assert!(on_a().await);
    let r = h
        .api(Method::DELETE, "/api/v1/dnc", Some(&ta), Some(body.clone()))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(!on_a().await);
    let r = h
        .api(Method::DELETE, "/api/v1/dnc", Some(&ta), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The audit log has every change, masked, with its reason; never the number.
    let audit = h.store.list_audit(s.ta, 100).await.unwrap();
    let dnc: Vec<_> = audit
        .iter()
        .filter(|e| e.action.starts_with("dnc."))
        .collect();
    assert_eq!(dnc.len(), 4, "{dnc:?}");
    for e in &dnc {
        assert_eq!(e.target, "number:150****5678");
        assert!(!e.details.contains(national));
    }
    assert!(dnc
        .iter()
        .any(|e| e.action == "dnc.remove" && e.details.contains("entered by mistake")));
    let r = alice.get("/audit").await;
    assert_no_full_numbers("audit page", &r);
}

#[tokio::test]
async fn without_the_pii_key_the_dnc_page_says_so() {
    let (h, s) = Harness::seeded().await;
    let mut alice = h.login("alice").await;
    let r = alice.get("/dnc").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("id=\"dnc-disabled\"") && !r.body.contains("name=\"number\""),
        "{}",
        r.body
    );
    let ta = token(&h, s.ta, "a-crm").await;
    let r = h
        .api(
            Method::POST,
            "/api/v1/dnc/check",
            Some(&ta),
            Some(json!({ "number": DNC })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = h.api(Method::GET, "/api/v1/dnc", Some(&ta), None).await;
    assert_eq!(r.json()["lookups_enabled"], false);
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

//! The do-not-call list, pages and API: add, check and remove with reasons
//! required, staying in the tenant, numbers only ever masked, and the page's
//! notice when the server has no PII key.

use crate::contacts_support::{assert_no_full_numbers, key, token, DNC};
use crate::support::{Harness, Seed};
use axum::http::{Method, StatusCode};
use serde_json::json;

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

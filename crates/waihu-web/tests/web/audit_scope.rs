//! A tenant's verification of the audit log reports its own part only: its own
//! entries' count and whether the chain is intact, never the platform's head hash or
//! count, nor where another tenant's entry broke.

use crate::support::Harness;
use axum::http::{Method, StatusCode};
use waihu_store::{Actor, AuditSearch, NewAudit};

#[tokio::test]
async fn a_tenant_verifies_only_its_own_part_of_the_audit_log() {
    let (h, s) = Harness::seeded().await;
    for i in 0..3 {
        h.store
            .append_audit(NewAudit::new(
                &Actor::cli("t"),
                Some(s.tb),
                "test.b",
                format!("b:{i}"),
            ))
            .await
            .unwrap();
    }
    let token = crate::campaign::token(&h, s.ta).await;
    let platform = h.store.verify_audit_chain().await.unwrap().unwrap();
    let own = h
        .store
        .search_audit(&AuditSearch {
            tenant_id: Some(s.ta),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .1 as i64;
    assert!(own < platform.count);

    let r = h
        .api(Method::GET, "/api/v1/audit/verify", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["scope"], "tenant", "{v}");
    assert_eq!(
        (v["intact"].clone(), v["count"].clone()),
        (true.into(), own.into()),
        "{v}"
    );
    assert!(v["head"].is_null(), "{v}");
    assert!(
        !r.body.contains(&platform.hash),
        "platform head leaked: {}",
        r.body
    );

    let mut alice = h.login("alice").await;
    let page = alice.get("/audit/verify").await;
    assert!(page.body.contains("data-ok=\"true\""), "{}", page.body);
    assert!(
        !page.body.contains(&platform.hash),
        "platform head on the tenant's page"
    );

    // The operator still sees the platform's head.
    let mut op = h.login("op").await;
    let page = op.get("/audit/verify").await;
    let head = h.store.verify_audit_chain().await.unwrap().unwrap();
    assert!(page.body.contains(&head.hash), "{}", page.body);

    // Another tenant's entry is changed: the tenant learns the chain is broken but
    // not where (the entry is not its own).
    let b_seq = h.store.list_audit(s.tb, 1).await.unwrap()[0].seq;
    h.tamper(&format!(
        "UPDATE audit_log SET target = 'x' WHERE seq = {b_seq}"
    ))
    .await;
    let v = h
        .api(Method::GET, "/api/v1/audit/verify", Some(&token), None)
        .await
        .json();
    assert_eq!(v["intact"], false, "{v}");
    assert!(v["first_bad_seq"].is_null() && v["count"].is_null(), "{v}");
    let v = h
        .api(
            Method::GET,
            "/api/v1/audit/verify",
            Some(&crate::campaign::token(&h, s.tb).await),
            None,
        )
        .await
        .json();
    assert_eq!(v["first_bad_seq"], b_seq, "its own entry is named: {v}");
}

//! Leads and their failed pushes, pages and API, on every backend: regrading by
//! agents that keeps the robot's grade, with masked numbers; dead letters listed
//! and retried by admins only, with anti-CSRF.

use crate::campaign::{assert_masked, token, worlds, World};
use axum::http::{Method, StatusCode};
use serde_json::json;
use waihu_store::LeadStatus;

#[tokio::test]
async fn leads_are_regraded_by_agents_keeping_the_robots_grade() {
    for w in worlds().await {
        check_leads(&w).await;
    }
}

async fn check_leads(w: &World) {
    let (h, a) = (&w.h, &w.a);
    let mut agnes = h.login("agnes").await;
    let r = agnes.get("/leads").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("138****5678") && r.body.contains("ta wants a visit"));
    assert!(!r.body.contains("tb wants a visit"));
    assert_masked("/leads", &r);
    let grade = format!("/leads/{}/grade", a.lead);
    let status = format!("/leads/{}/status", a.lead);
    assert_eq!(
        agnes.post_raw(&grade, &[("grade", "C")]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        agnes.post(&grade, &[("grade", "Z")]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = agnes
        .post(&grade, &[("grade", "C"), ("note", "只是看看")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = agnes.post(&status, &[("status", "contacted")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let lead = h.store.get_lead(w.s.ta, a.lead).await.unwrap().unwrap();
    assert_eq!((lead.robot_grade.as_str(), lead.grade()), ("A", "C"));
    assert_eq!(lead.agent_id, Some(w.s.agnes));
    assert_eq!(lead.agent_note.as_deref(), Some("只是看看"));
    assert_eq!(lead.status, LeadStatus::Contacted);
    assert_eq!(
        agnes.post(&status, &[("status", "lost")]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // The call record shows the lead it became and regrades it in place.
    let call_page = format!("/calls/{}", lead.call_id);
    let page = agnes.get(&call_page).await;
    assert!(
        page.body.contains("id=\"lead\"") && page.body.contains(&grade),
        "{}",
        page.body
    );
    let r = agnes
        .post(
            &grade,
            &[("grade", "B"), ("note", "回电确认"), ("back", "call")],
        )
        .await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, call_page.clone())
    );
    let page = agnes.get(&call_page).await;
    assert!(page.body.contains("id=\"agent-grade\">B<"), "{}", page.body);
    assert!(page.body.contains("回电确认"));
    assert_eq!(
        h.store
            .get_lead(w.s.ta, a.lead)
            .await
            .unwrap()
            .unwrap()
            .grade(),
        "B"
    );
    assert!(h
        .store
        .lead_of_call(w.s.tb, lead.call_id)
        .await
        .unwrap()
        .is_none());

    // Auditors read only.
    let mut audrey = h.login("audrey").await;
    let page = audrey.get("/leads").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(&grade));
    let page = audrey.get(&call_page).await;
    assert!(page.body.contains("id=\"lead\"") && !page.body.contains(&grade));
    assert_eq!(
        audrey.post(&grade, &[("grade", "F")]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        audrey.post(&status, &[("status", "closed")]).await.status,
        StatusCode::FORBIDDEN
    );

    // The API: tokens list, set status and regrade (no user: the audit names the token).
    let tok = token(h, w.s.ta).await;
    let r = h
        .api(
            Method::GET,
            "/api/v1/leads?status=contacted",
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 1, "{}", r.body);
    assert_eq!(r.json()["items"][0]["robot_grade"], "A");
    let r = h
        .api(Method::GET, "/api/v1/leads?status=bogus", Some(&tok), None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = h
        .api(
            Method::POST,
            &format!("/api/v1/leads/{}/grade", a.lead),
            Some(&tok),
            Some(json!({"grade": "F"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.json()["grade"].as_str(), r.json()["robot_grade"].as_str()),
        (Some("F"), Some("A"))
    );
    assert!(r.json()["agent_id"].is_null(), "{}", r.body);
    let audit = h.store.list_audit(w.s.ta, 5).await.unwrap();
    let entry = audit.iter().find(|e| e.action == "lead.regrade").unwrap();
    assert!(
        entry.actor.as_str().starts_with("token:"),
        "{}",
        entry.actor
    );
    let r = h
        .api(
            Method::POST,
            &format!("/api/v1/leads/{}/status", a.lead),
            Some(&tok),
            Some(json!({"status": "closed"})),
        )
        .await;
    assert_eq!(r.json()["status"], "closed", "{}", r.body);
    let csrf = agnes.csrf().await;
    let r = agnes
        .api(
            Method::POST,
            &format!("/api/v1/leads/{}/grade", a.lead),
            Some(&csrf),
            json!({"grade": "B", "note": "回电"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.json()["robot_grade"].as_str(), r.json()["grade"].as_str()),
        (Some("A"), Some("B"))
    );
    let r = h
        .api(
            Method::GET,
            &format!("/api/v1/leads/{}", a.lead),
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(r.json()["agent_note"], "回电");
    assert_masked("/api/v1/leads/{id}", &r);
}

#[tokio::test]
async fn dead_letters_are_listed_and_retried_by_admins() {
    for w in worlds().await {
        check_dead_letters(&w).await;
    }
}

async fn check_dead_letters(w: &World) {
    let (h, a) = (&w.h, &w.a);
    let mut alice = h.login("alice").await;
    let r = alice.get("/dead-letters").await;
    assert!(
        r.body.contains("ta-crm") && r.body.contains("HTTP 502") && !r.body.contains("tb-crm"),
        "{}",
        r.body
    );
    let mut agnes = h.login("agnes").await;
    assert_eq!(
        agnes.get("/dead-letters").await.status,
        StatusCode::FORBIDDEN
    );
    let mut audrey = h.login("audrey").await;
    let page = audrey.get("/dead-letters").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("/retry"));
    let retry = format!("/dead-letters/{}/retry", a.dead_letter);
    assert_eq!(audrey.post(&retry, &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        alice.post_raw(&retry, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(h.store.dead_letters(w.s.ta).await.unwrap().len(), 1);
    assert_eq!(alice.post(&retry, &[]).await.status, StatusCode::SEE_OTHER);
    assert!(h.store.dead_letters(w.s.ta).await.unwrap().is_empty());
    assert_eq!(
        alice.post(&retry, &[]).await.status,
        StatusCode::NOT_FOUND,
        "no longer dead"
    );

    let tok = token(h, w.s.tb).await;
    let r = h
        .api(Method::GET, "/api/v1/dead-letters", Some(&tok), None)
        .await;
    assert_eq!(r.json()["total"], 1, "{}", r.body);
    let r = h
        .api(
            Method::POST,
            &format!("/api/v1/dead-letters/{}/retry", w.b.dead_letter),
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
}

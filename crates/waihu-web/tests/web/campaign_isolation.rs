//! Tenant isolation on every campaign resource route: tenant B's admin (browser
//! session or API token) asking for tenant A's script, version, task, call,
//! recording, lead or dead letter by id gets 404 — never the data — and nothing
//! of tenant A changes. A new campaign id route must be added here.

use crate::campaign::{token, worlds, World};
use axum::http::{Method, StatusCode};
use serde_json::json;
use waihu_core::TaskState;
use waihu_store::LeadStatus;

fn leaked(body: &str) -> bool {
    [
        "ta-welcome",
        "ta-draft",
        "ta-running",
        "ta想了解",
        "ta wants",
        "ta asked",
        "RIFF-ta",
        "ta-crm",
    ]
    .iter()
    .any(|s| body.contains(s))
}

#[tokio::test]
async fn campaign_pages_answer_404_for_another_tenants_resources() {
    for w in worlds().await {
        check_pages(&w).await;
    }
}

async fn check_pages(w: &World) {
    let a = &w.a;
    let mut bob = w.h.login("bob").await;
    for path in [
        format!("/scripts/{}", a.script_id),
        format!("/script-versions/{}", a.clean),
        format!("/tasks/{}", a.draft_task),
        format!("/calls/{}", a.answered_call),
        format!("/calls/{}/recording", a.answered_call),
    ] {
        let r = bob.get(&path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "GET {path}");
        assert!(!leaked(&r.body), "GET {path} leaked: {}", r.body);
    }
    let posts: [(String, &[(&str, &str)]); 9] = [
        (format!("/script-versions/{}/publish", a.clean), &[]),
        (format!("/tasks/{}/start", a.draft_task), &[]),
        (format!("/tasks/{}/pause", a.running_task), &[]),
        (format!("/tasks/{}/resume", a.running_task), &[]),
        (format!("/tasks/{}/stop", a.running_task), &[]),
        (format!("/leads/{}/grade", a.lead), &[("grade", "F")]),
        (format!("/leads/{}/status", a.lead), &[("status", "closed")]),
        (format!("/dead-letters/{}/retry", a.dead_letter), &[]),
        (format!("/script-versions/{}/publish", a.dirty), &[]),
    ];
    for (path, fields) in &posts {
        let r = bob.post(path, fields).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "POST {path}");
        assert!(!leaked(&r.body), "POST {path} leaked");
    }
    for path in ["/scripts", "/tasks", "/calls", "/leads", "/dead-letters"] {
        let r = bob.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(!leaked(&r.body), "{path} lists A's rows: {}", r.body);
    }
    tenant_a_unchanged(w).await;
}

#[tokio::test]
async fn the_campaign_api_answers_404_for_another_tenants_resources() {
    for w in worlds().await {
        check_api(&w).await;
    }
}

async fn check_api(w: &World) {
    let a = &w.a;
    let b_tok = token(&w.h, w.s.tb).await;
    let routes = [
        (
            Method::GET,
            format!("/api/v1/scripts/{}/versions", a.script_id),
            json!({}),
        ),
        (
            Method::GET,
            format!("/api/v1/script-versions/{}", a.clean),
            json!({}),
        ),
        (
            Method::POST,
            format!("/api/v1/script-versions/{}/publish", a.clean),
            json!({}),
        ),
        (
            Method::GET,
            format!("/api/v1/tasks/{}", a.draft_task),
            json!({}),
        ),
        (
            Method::GET,
            format!("/api/v1/tasks/{}/counts", a.running_task),
            json!({}),
        ),
        (
            Method::POST,
            format!("/api/v1/tasks/{}/start", a.draft_task),
            json!({}),
        ),
        (
            Method::POST,
            format!("/api/v1/tasks/{}/pause", a.running_task),
            json!({}),
        ),
        (
            Method::POST,
            format!("/api/v1/tasks/{}/resume", a.running_task),
            json!({}),
        ),
        (
            Method::POST,
            format!("/api/v1/tasks/{}/stop", a.running_task),
            json!({}),
        ),
        (
            Method::GET,
            format!("/api/v1/calls/{}", a.answered_call),
            json!({}),
        ),
        (
            Method::GET,
            format!("/api/v1/calls/{}/recording", a.answered_call),
            json!({}),
        ),
        (Method::GET, format!("/api/v1/leads/{}", a.lead), json!({})),
        (
            Method::POST,
            format!("/api/v1/leads/{}/grade", a.lead),
            json!({"grade": "F"}),
        ),
        (
            Method::POST,
            format!("/api/v1/leads/{}/status", a.lead),
            json!({"status": "closed"}),
        ),
        (
            Method::POST,
            format!("/api/v1/dead-letters/{}/retry", a.dead_letter),
            json!({}),
        ),
    ];
    for (m, path, body) in &routes {
        let r =
            w.h.api(m.clone(), path, Some(&b_tok), Some(body.clone()))
                .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{m} {path}: {}", r.body);
        assert_eq!(r.code(), "not_found");
        assert!(!leaked(&r.body));
    }
    let mut bob = w.h.login("bob").await;
    let csrf = bob.csrf().await;
    for (m, path, body) in &routes {
        let r = bob.api(m.clone(), path, Some(&csrf), body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "session {m} {path}: {}",
            r.body
        );
    }
    for path in [
        "/api/v1/scripts",
        "/api/v1/tasks",
        "/api/v1/calls",
        "/api/v1/leads",
        "/api/v1/dead-letters",
    ] {
        let r = w.h.api(Method::GET, path, Some(&b_tok), None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(!leaked(&r.body), "{path}: {}", r.body);
    }
    // Filtering by A's task id finds nothing for B.
    let r =
        w.h.api(
            Method::GET,
            &format!("/api/v1/calls?task={}", a.running_task),
            Some(&b_tok),
            None,
        )
        .await;
    assert_eq!(r.json()["items"], json!([]));
    tenant_a_unchanged(w).await;
}

async fn tenant_a_unchanged(w: &World) {
    let (s, a, ta) = (&w.h.store, &w.a, w.s.ta);
    assert!(s
        .get_script_version(ta, a.clean)
        .await
        .unwrap()
        .unwrap()
        .published_at
        .is_none());
    assert_eq!(
        s.get_task(ta, a.draft_task).await.unwrap().unwrap().state,
        TaskState::Draft
    );
    assert_eq!(
        s.get_task(ta, a.running_task).await.unwrap().unwrap().state,
        TaskState::Running
    );
    let lead = s.get_lead(ta, a.lead).await.unwrap().unwrap();
    assert_eq!((lead.agent_grade, lead.status), (None, LeadStatus::New));
    assert_eq!(s.dead_letters(ta).await.unwrap().len(), 1);
}

//! Campaign task state changes, pages and API, on every backend: start, pause,
//! resume and stop by admins only, with anti-CSRF on every change.

use crate::campaign::{token, worlds, World};
use axum::http::{Method, StatusCode};
use serde_json::json;
use waihu_core::TaskState;

async fn task_state(w: &World, id: uuid::Uuid) -> TaskState {
    w.h.store.get_task(w.s.ta, id).await.unwrap().unwrap().state
}

#[tokio::test]
async fn tasks_start_pause_resume_and_stop_by_admins_only() {
    for w in worlds().await {
        check_tasks(&w).await;
    }
}

async fn check_tasks(w: &World) {
    let (h, a) = (&w.h, &w.a);
    let mut alice = h.login("alice").await;
    let r = alice.get("/tasks").await;
    assert!(r.body.contains("ta-draft-task") && r.body.contains("ta-running-task"));
    assert!(!r.body.contains("tb-"), "{}", r.body);
    // A running task's progress refreshes itself (app.js follows data-refresh).
    assert!(
        r.body.contains("id=\"tasks-live\" data-refresh=\"3\""),
        "{}",
        r.body
    );
    let r = alice.get(&format!("/tasks/{}", a.running_task)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("id=\"task-live\" data-refresh=\"3\""),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("id=\"by-outcome\"")
            && r.body.contains("answered")
            && r.body.contains("busy")
    );

    // An agent sees the task but cannot change it.
    let mut agnes = h.login("agnes").await;
    let page = agnes.get(&format!("/tasks/{}", a.draft_task)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("task-actions"));
    // A draft changes only when someone acts: nothing to refresh.
    assert!(page.body.contains("id=\"task-live\"") && !page.body.contains("data-refresh"));
    let start = format!("/tasks/{}/start", a.draft_task);
    assert_eq!(agnes.post(&start, &[]).await.status, StatusCode::FORBIDDEN);
    let csrf = agnes.csrf().await;
    let r = agnes
        .api(
            Method::POST,
            &format!("/api/v1/tasks/{}/start", a.draft_task),
            Some(&csrf),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Without the token nothing happens either.
    assert_eq!(
        alice.post_raw(&start, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(task_state(w, a.draft_task).await, TaskState::Draft);

    // Start queues the contacts and runs the task; then pause, resume, stop.
    let r = alice.post(&start, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(task_state(w, a.draft_task).await, TaskState::Running);
    let counts = h.store.task_counts(w.s.ta, a.draft_task).await.unwrap();
    assert_eq!(counts.by_state.values().sum::<i64>(), 2, "{counts:?}");
    assert_eq!(alice.post(&start, &[]).await.status, StatusCode::CONFLICT);
    for (action, state) in [
        ("pause", TaskState::Paused),
        ("resume", TaskState::Running),
        ("stop", TaskState::Stopped),
    ] {
        let r = alice
            .post(&format!("/tasks/{}/{action}", a.draft_task), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{action}: {}", r.body);
        assert_eq!(task_state(w, a.draft_task).await, state, "{action}");
    }
    let r = alice
        .post(&format!("/tasks/{}/resume", a.draft_task), &[])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = alice
        .post(&format!("/tasks/{}/explode", a.draft_task), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The API with a token.
    let tok = token(h, w.s.ta).await;
    let base = format!("/api/v1/tasks/{}", a.running_task);
    let r = h
        .api(Method::POST, &format!("{base}/pause"), Some(&tok), None)
        .await;
    assert_eq!(
        (r.status, r.json()["state"].as_str()),
        (StatusCode::OK, Some("paused")),
        "{}",
        r.body
    );
    let r = h
        .api(
            Method::POST,
            &format!("{base}/resume"),
            Some(&tok),
            Some(json!({"reason": "窗口恢复"})),
        )
        .await;
    assert_eq!(r.json()["state"], "running", "{}", r.body);
    assert_eq!(r.json()["state_reason"], "窗口恢复");
    let r = h
        .api(Method::GET, &format!("{base}/counts"), Some(&tok), None)
        .await;
    assert_eq!(r.json()["attempts"], 2, "{}", r.body);
    assert_eq!(r.json()["by_outcome"]["busy"], 1);
    let r = h.api(Method::GET, "/api/v1/tasks", Some(&tok), None).await;
    assert_eq!(r.json()["total"], 2);
    assert!(r.json()["items"][0]["counts"].is_object());
    let r = h
        .api(Method::POST, &format!("{base}/stop"), Some(&tok), None)
        .await;
    assert_eq!(r.json()["state"], "stopped");
    let r = h
        .api(Method::POST, &format!("{base}/start"), Some(&tok), None)
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "conflict")
    );
}

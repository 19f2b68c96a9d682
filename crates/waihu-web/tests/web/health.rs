//! Health, readiness and metrics.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;
use waihu_web::{app, AppState};

async fn get(state: &AppState, path: &str) -> (StatusCode, String) {
    let resp = app(state.clone())
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn readiness_follows_the_database() {
    let db = waihu_store::testing::fresh_sqlite().unwrap();
    let store = db.store().await.unwrap();
    let state = AppState::new(store.clone());
    assert_eq!(get(&state, "/readyz").await.0, StatusCode::OK);
    store.close().await;
    let (status, body) = get(&state, "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("unreachable"), "{body}");
    assert_eq!(get(&state, "/healthz").await.0, StatusCode::OK);
    let (status, metrics) = get(&state, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(metrics.contains("waihu_database_up 0"), "{metrics}");
}

#[tokio::test]
async fn unknown_paths_are_404_and_counted_as_unmatched() {
    let db = waihu_store::testing::fresh_sqlite().unwrap();
    let state = AppState::new(db.store().await.unwrap());
    assert_eq!(
        get(&state, "/no/such/thing/123").await.0,
        StatusCode::NOT_FOUND
    );
    let (_, metrics) = get(&state, "/metrics").await;
    assert!(metrics.contains("route=\"unmatched\""), "{metrics}");
    assert!(
        !metrics.contains("/no/such/thing"),
        "raw paths never become labels"
    );
}

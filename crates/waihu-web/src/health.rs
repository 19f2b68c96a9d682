//! `/healthz` (the process is up) and `/readyz` (the database answers).

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

/// Liveness: answers as long as the process serves HTTP.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: 200 when the database answers, 503 with the reason when it does not.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.store.ping().await {
        Ok(()) => {
            ::metrics::gauge!("waihu_database_up").set(1.0);
            (
                StatusCode::OK,
                Json(json!({ "status": "ready", "database": "ok" })),
            )
        }
        Err(e) => {
            ::metrics::gauge!("waihu_database_up").set(0.0);
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "not_ready", "database": "unreachable" })),
            )
        }
    }
}

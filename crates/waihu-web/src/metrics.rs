//! Prometheus metrics: one process-wide recorder, rendered at `/metrics`, and a
//! middleware counting HTTP requests by route and status.

use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// A handle on the process-wide Prometheus recorder.
#[derive(Clone)]
pub struct Metrics {
    handle: PrometheusHandle,
}

static GLOBAL: OnceLock<PrometheusHandle> = OnceLock::new();

impl Metrics {
    /// The process-wide recorder, installed on first use.
    pub fn global() -> Self {
        let handle = GLOBAL
            .get_or_init(|| {
                let recorder = PrometheusBuilder::new().build_recorder();
                let handle = recorder.handle();
                // Another recorder may already be installed (e.g. by an embedding
                // program); then our handle renders only what we record directly.
                let _ = ::metrics::set_global_recorder(recorder);
                ::metrics::gauge!("waihu_build_info", "version" => env!("CARGO_PKG_VERSION"))
                    .set(1.0);
                handle
            })
            .clone();
        Self { handle }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        self.handle.render()
    }
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics.render(),
    )
        .into_response()
}

/// Counts requests and their latency by matched route (never the raw path, which
/// could hold ids) and status.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_owned();
    let start = Instant::now();
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    ::metrics::counter!("waihu_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    ::metrics::histogram!("waihu_http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    resp
}

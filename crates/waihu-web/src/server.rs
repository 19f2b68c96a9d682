//! The router and the server loop. Tests call [`app`] with `oneshot`, or [`serve`]
//! on a listener bound to `127.0.0.1:0`.

use crate::auth::suspension;
use crate::state::AppState;
use crate::{api, assets, body_limit, health, i18n, metrics, pages, public, security, tls};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use axum::Router;
use std::future::Future;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics))
        .route("/static/{file}", get(assets::serve))
        .route("/favicon.ico", get(assets::favicon))
        .nest(
            "/api/v1",
            api::routes().route_layer(from_fn_with_state(state.clone(), suspension::guard)),
        )
        .merge(public::routes(state.clone()))
        .merge(pages::routes(state.clone()))
        // Every body is bounded: JSON and forms by this default, file uploads
        // by their routes' own larger limits (docs/api.md, "Body limits").
        .layer(axum::extract::DefaultBodyLimit::max(body_limit::JSON_MAX))
        .layer(from_fn(i18n::negotiate))
        .layer(from_fn(security::headers))
        .layer(from_fn(metrics::track))
        // First of all: forwarding headers only from trusted proxies.
        .layer(from_fn_with_state(state.clone(), tls::forwarded_proto))
        .with_state(state)
}

/// Serves the application until `shutdown` completes, then finishes in-flight
/// requests and returns. Peer addresses reach handlers (login rate limiting).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

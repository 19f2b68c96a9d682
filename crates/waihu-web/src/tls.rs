//! Whether a request reached the client over TLS, as far as this server can trust
//! what it is told. `X-Forwarded-Proto` is a header any client can send: this
//! middleware, first on every request, removes it unless the connection's peer is
//! one of `server.trusted_proxies`, and sets it to `https` when the connection
//! itself was TLS (a TLS-terminating listener marks such requests with
//! [`ServedOverTls`], or the request's URI says `https`). Everything after it —
//! the `Secure` attribute of cookies with `secure_cookies = auto` — reads the
//! header as a fact.

use crate::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::net::SocketAddr;

/// The header a TLS-terminating proxy sets.
pub const FORWARDED_PROTO: &str = "x-forwarded-proto";

/// Marks a request that arrived over TLS at this server's own listener (inserted
/// into the request's extensions by a TLS acceptor in front of the router).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServedOverTls;

/// The middleware (see the module documentation).
pub async fn forwarded_proto(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let direct_tls = req.extensions().get::<ServedOverTls>().is_some()
        || req.uri().scheme_str() == Some("https");
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    if direct_tls {
        req.headers_mut()
            .insert(FORWARDED_PROTO, HeaderValue::from_static("https"));
    } else if !state.config.trusted_proxies.trusts_peer(peer) {
        req.headers_mut().remove(FORWARDED_PROTO);
    }
    next.run(req).await
}

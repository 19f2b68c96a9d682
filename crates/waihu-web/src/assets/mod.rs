//! The stylesheet and the small hand-written scripts, embedded in the binary and
//! served under `/static/` (the CSP allows only these scripts: no inline code).

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// (file name, content type, content)
const FILES: &[(&str, &str, &str)] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("app.js"),
    ),
    ("favicon.svg", "image/svg+xml", include_str!("favicon.svg")),
];

/// A version tag for cache-busting URLs (changes with every release).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `GET /static/{file}`: only the embedded files; nothing is read from disk, so
/// there is no path to traverse.
pub async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, ctype, body)) => (
            [
                (CONTENT_TYPE, *ctype),
                (CACHE_CONTROL, "public, max-age=3600"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET /favicon.ico`: browsers ask for it regardless; answer with the SVG icon.
pub async fn favicon() -> Response {
    serve(Path("favicon.svg".to_string())).await
}

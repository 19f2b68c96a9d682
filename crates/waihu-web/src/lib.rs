//! waihu's HTTP layer — the only crate that knows HTTP. It builds the axum
//! [`Router`](axum::Router): health, readiness and metrics; the server-rendered
//! back office ([`pages`]); the JSON API under `/api/v1` ([`api`]) with its
//! OpenAPI document; and serves it with graceful shutdown. Authentication,
//! sessions, CSRF and login lockout live in [`auth`]; every UI string in [`i18n`];
//! the one error type in [`error`].
//! The public callee pages (no login: opt-out, complaints, data requests,
//! one-time codes) are in [`public`].

pub mod api;
pub mod assets;
pub mod auth;
pub mod body_limit;
pub mod campaign;
pub mod client_addr;
pub mod contacts;
pub mod error;
pub mod health;
pub mod i18n;
pub mod insight;
pub mod live;
pub mod metrics;
pub mod multipart;
pub mod numbers;
pub mod pages;
pub mod public;
pub mod rights;
pub mod security;
pub mod server;
pub mod state;
pub mod tls;

pub use error::{AppError, AppResult, ErrorCode};
pub use server::{app, serve};
pub use state::{AppState, SecureCookies, WebConfig};

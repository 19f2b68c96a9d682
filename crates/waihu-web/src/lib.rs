//! waihu's HTTP layer — the only crate that knows HTTP. It builds the axum
//! [`Router`](axum::Router) (health, readiness, metrics; the back office and JSON
//! API grow here) and serves it with graceful shutdown.

pub mod health;
pub mod metrics;
pub mod server;
pub mod state;

pub use server::{app, serve};
pub use state::AppState;

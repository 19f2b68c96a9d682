//! In-process handler tests: the router called with `oneshot`, on a real SQLite
//! store. One test binary, one module per area.

mod api;
mod auth;
mod campaign;
mod campaign_isolation;
mod campaign_seed;
mod contacts;
mod health;
mod isolation;
mod openapi;
mod pages;
mod roles;
mod support;

//! In-process handler tests: the router called with `oneshot`, on a real SQLite
//! store. One test binary, one module per area.

mod api;
mod auth;
mod backoffice_more;
mod campaign;
mod campaign_isolation;
mod campaign_seed;
mod chat;
mod complaints;
mod contacts;
mod health;
mod insight;
mod isolation;
mod live;
mod openapi;
mod pages;
mod public;
mod roles;
mod support;

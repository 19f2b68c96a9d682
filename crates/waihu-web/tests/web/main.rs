//! In-process handler tests: the router called with `oneshot`, on a real SQLite
//! store. One test binary, one module per area.

mod accounts_policy;
mod api;
mod audit_scope;
mod auth;
mod backoffice_support;
mod body_limits;
mod campaign;
mod campaign_calls;
mod campaign_isolation;
mod campaign_leads;
mod campaign_scripts;
mod campaign_seed;
mod campaign_tasks;
mod chat;
mod complaints;
mod contact_import;
mod contacts;
mod contacts_support;
mod dashboard;
mod dnc;
mod health;
mod insight;
mod isolation;
mod live;
mod openapi;
mod operator_console;
mod pages;
mod prompts;
mod public;
mod roles;
mod support;
mod suspension;
mod task_creation;
mod tenant_settings;
mod throttle;

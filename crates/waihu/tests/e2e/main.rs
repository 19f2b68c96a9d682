//! End-to-end tests of the `waihu` binary: one test binary for the whole
//! application, each module one area. Tests run the real binary with a fresh data
//! directory and a fresh database (SQLite always, PostgreSQL when
//! `WAIHU_TEST_POSTGRES_URL` is set).

mod api_fuzz;
mod audit_cli;
mod browser;
mod call_cli;
mod config_cli;
mod contacts_cli;
mod conversation;
mod keys_cli;
mod line_cli;
mod live;
mod llm_cli;
mod prompt_cli;
mod public_cli;
mod push_cli;
mod report_cli;
mod rights_cli;
mod script_cli;
mod server;
mod support;
mod task_cli;
mod tenant_cli;

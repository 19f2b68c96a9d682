//! One module per subcommand. Each exposes its clap argument types and
//! `run(ctx, args) -> anyhow::Result<ExitCode>`.

pub mod audit;
pub mod bench;
pub mod bench_asr;
pub mod bench_conversation;
pub mod bench_line;
pub mod bench_report;
pub mod bench_store;
pub mod call;
pub mod call_script;
pub mod callee_sim;
pub mod caller_number;
pub mod complaint;
pub mod config;
pub mod contact;
pub mod db;
pub mod demo;
pub mod dnc;
pub mod gate;
pub mod import;
pub mod intent;
pub mod keys;
pub mod line;
pub mod line_clips;
pub mod policy;
pub mod prompt;
pub mod push;
pub mod report;
pub mod retention;
pub mod script;
pub mod serve;
pub mod subject;
pub mod task;
pub mod tenant;
pub mod trunk;
pub mod user;

use crate::cli::GlobalArgs;
use crate::settings::Settings;
use anyhow::Context as _;
use secrecy::ExposeSecret;
use std::path::Path;
use waihu_store::Store;

/// What every subcommand gets: the effective settings.
pub struct Context {
    /// The effective configuration.
    pub settings: Settings,
}

impl Context {
    /// Loads the settings and sets up logging.
    pub fn new(global: GlobalArgs) -> anyhow::Result<Self> {
        let settings = Settings::load(&global)?;
        crate::telemetry::init(&settings.log);
        Ok(Self { settings })
    }

    /// The data directory, created if missing.
    pub fn data_dir(&self) -> anyhow::Result<&Path> {
        self.settings.ensure_data_dir()
    }

    /// Opens the database, applies pending migrations and loads the audit key
    /// (created next to the PII key file on first start), so every audit entry this
    /// process appends is keyed.
    pub async fn store(&self) -> anyhow::Result<Store> {
        self.data_dir()?;
        let url = self.settings.database.url.expose_secret();
        let store = Store::connect(url, self.settings.database.max_connections)
            .await
            .with_context(|| {
                format!("cannot open database {}", crate::settings::redact_url(url))
            })?;
        store
            .migrate()
            .await
            .context("cannot apply database migrations")?;
        let key_file = self.settings.audit_key_file();
        waihu_app::audit_key::load_audit_key(&store, &key_file)
            .await
            .with_context(|| format!("cannot load the audit key {}", key_file.display()))?;
        Ok(store)
    }

    /// The audit actor for CLI actions: `cli:<os user>`.
    pub fn cli_actor(&self) -> String {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "unknown".into());
        format!("cli:{user}")
    }
}

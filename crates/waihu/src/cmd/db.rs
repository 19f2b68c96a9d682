//! `waihu db migrate`: apply pending migrations of the configured backend.

use super::Context;
use std::process::ExitCode;

/// Database subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum DbCommand {
    /// Apply pending migrations (also done automatically at start).
    Migrate,
}

/// Runs a database subcommand.
pub async fn run(ctx: &Context, cmd: DbCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        DbCommand::Migrate => {
            let store = ctx.store().await?;
            println!("database migrated ({:?})", store.kind());
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
    }
}

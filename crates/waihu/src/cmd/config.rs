//! `waihu config show`: the effective configuration, secrets redacted.

use super::Context;
use std::process::ExitCode;

/// Configuration subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration (file, environment and flags merged) as TOML.
    Show,
}

/// Runs a configuration subcommand.
pub async fn run(ctx: &Context, cmd: ConfigCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ConfigCommand::Show => {
            print!("{}", ctx.settings.redacted_toml());
            Ok(ExitCode::SUCCESS)
        }
    }
}

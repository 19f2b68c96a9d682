//! `waihu prompt add|list`: a tenant's library of recorded prompts. Scripts refer
//! to them by name (`prompt: <name>`); any WAV or MP3 is converted once to 8 kHz
//! and kept under `<data.dir>/prompts/<tenant id>/`.

use super::Context;
use anyhow::Context as _;
use std::path::PathBuf;
use std::process::ExitCode;
use waihu_speech::prompts::PromptLibrary;
use waihu_store::Actor;

/// Prompt subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum PromptCommand {
    /// Add (or replace) a recorded prompt.
    Add {
        /// The tenant (name or id).
        #[arg(long)]
        tenant: String,
        /// The name scripts use.
        #[arg(long)]
        name: String,
        /// A WAV or MP3 file.
        file: PathBuf,
    },
    /// List the tenant's prompts.
    List {
        /// The tenant (name or id).
        #[arg(long)]
        tenant: String,
    },
}

/// The prompt library directory of a tenant.
pub fn library_dir(ctx: &Context, tenant: waihu_core::TenantId) -> anyhow::Result<PathBuf> {
    Ok(ctx.data_dir()?.join("prompts").join(tenant.to_string()))
}

/// Runs a prompt subcommand.
pub async fn run(ctx: &Context, cmd: PromptCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    match cmd {
        PromptCommand::Add { tenant, name, file } => {
            let tenant = super::tenant::resolve(&store, &tenant).await?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let lib = PromptLibrary::open(library_dir(ctx, tenant.id)?)
                .map_err(|e| anyhow::anyhow!("prompt library: {e}"))?;
            let hint = file
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            let info = lib
                .import(&name, &bytes, &hint)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            store
                .add_prompt(
                    tenant.id,
                    &info.name,
                    &info.file_name,
                    info.duration_ms as i64,
                    &info.sha256,
                    &Actor::raw(ctx.cli_actor()),
                )
                .await?;
            println!(
                "prompt {} stored: {:.1} s at 8 kHz",
                info.name,
                info.duration_ms as f64 / 1000.0
            );
        }
        PromptCommand::List { tenant } => {
            let tenant = super::tenant::resolve(&store, &tenant).await?;
            for p in store.list_prompts(tenant.id).await? {
                println!(
                    "{}\t{:.1} s\t{}\t{}",
                    p.name,
                    p.duration_ms as f64 / 1000.0,
                    p.file_name,
                    p.created_at.to_rfc3339()
                );
            }
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

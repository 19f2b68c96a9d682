//! `waihu audit verify`: walk the hash chain; exit non-zero naming the first bad
//! entry, or if the head differs from one recorded earlier (`--expect-head`).

use super::Context;
use std::process::ExitCode;
use waihu_store::ChainHead;

/// Audit subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Verify the audit log's hash chain and print its head (COUNT:HASH).
    Verify {
        /// A head printed by an earlier verify; catches truncation of the newest entries.
        #[arg(long, value_name = "COUNT:HASH")]
        expect_head: Option<ChainHead>,
    },
}

/// Runs an audit subcommand.
pub async fn run(ctx: &Context, cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Verify { expect_head } => {
            let store = ctx.store().await?;
            let result = store.verify_audit_chain().await?;
            store.close().await;
            match result {
                Err(broken) => {
                    println!("audit log BROKEN at {broken}");
                    Ok(ExitCode::FAILURE)
                }
                Ok(head) => {
                    println!("audit log intact: {} entries", head.count);
                    println!("head {head}");
                    match expect_head {
                        Some(expected) if expected.count > head.count => {
                            println!(
                                "audit log TRUNCATED: expected at least {} entries, found {}",
                                expected.count, head.count
                            );
                            Ok(ExitCode::FAILURE)
                        }
                        Some(expected)
                            if expected.count == head.count && expected.hash != head.hash =>
                        {
                            println!("audit log head MISMATCH: expected {expected}, found {head}");
                            Ok(ExitCode::FAILURE)
                        }
                        Some(expected) if expected.count < head.count => {
                            // The log grew since; the recorded head must still be in it.
                            let store = ctx.store().await?;
                            let still = store.audit_hash_at(expected.count).await?;
                            store.close().await;
                            if still.as_deref() == Some(expected.hash.as_str()) {
                                Ok(ExitCode::SUCCESS)
                            } else {
                                println!(
                                    "audit log head MISMATCH: entry {} no longer has hash {}",
                                    expected.count, expected.hash
                                );
                                Ok(ExitCode::FAILURE)
                            }
                        }
                        _ => Ok(ExitCode::SUCCESS),
                    }
                }
            }
        }
    }
}

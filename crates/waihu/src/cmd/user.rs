//! `waihu user create`: a back-office account; the password comes from stdin
//! (piped) or a prompt, never from the command line. `waihu user unlock`: lifts
//! every sign-in lock and delay on an account (the operator's included).

use super::Context;
use anyhow::{bail, Context as _};
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use waihu_core::Role;
use waihu_store::Actor;

/// User subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Create a user. The password is read from stdin (one line) or prompted for.
    Create {
        /// The tenant (name or id); required for every role but operator.
        #[arg(long)]
        tenant: Option<String>,
        /// operator | admin | agent | auditor
        #[arg(long)]
        role: Role,
        /// The login name.
        #[arg(long)]
        username: String,
    },
    /// Lift every sign-in lock and delay on an account, from every client (audited).
    Unlock {
        /// The login name (any case).
        username: String,
    },
}

/// Runs a user subcommand.
pub async fn run(ctx: &Context, cmd: UserCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        UserCommand::Create {
            tenant,
            role,
            username,
        } => {
            let store = ctx.store().await?;
            let tenant_id = match (&tenant, role) {
                (Some(_), Role::Operator) => {
                    bail!("an operator belongs to no tenant: drop --tenant")
                }
                (None, r) if r.is_tenant_role() => bail!("--tenant is required for role {r}"),
                (Some(t), _) => Some(super::tenant::resolve(&store, t).await?.id),
                (None, _) => None,
            };
            let password = read_password()?;
            let user = store
                .create_user(
                    tenant_id,
                    &username,
                    &password,
                    role,
                    &Actor::raw(ctx.cli_actor()),
                )
                .await?;
            println!(
                "created user {} ({}, role {})",
                user.username, user.id, user.role
            );
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Unlock { username } => {
            let store = ctx.store().await?;
            let account = waihu_store::login_throttle::account_key(&username);
            let dropped = store
                .unlock_account(&account, &Actor::raw(ctx.cli_actor()))
                .await?;
            println!("unlocked {account}: {dropped} failure counter(s) cleared");
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("password: ");
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from stdin")?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        bail!("no password given on stdin");
    }
    Ok(password)
}

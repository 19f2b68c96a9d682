//! The waihu binary: parses the command line, loads configuration, sets up logging
//! and dispatches to one subcommand. All wiring of crates happens here.

mod cli;
mod cmd;
mod gatekeeper;
mod llm;
mod pii;
mod settings;
mod telemetry;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cli: cli::Cli) -> anyhow::Result<ExitCode> {
    use cli::Command;
    let ctx = cmd::Context::new(cli.global)?;
    match cli.command {
        Command::Serve(args) => cmd::serve::run(&ctx, args).await,
        Command::Db(c) => cmd::db::run(&ctx, c).await,
        Command::Tenant(c) => cmd::tenant::run(&ctx, c).await,
        Command::User(c) => cmd::user::run(&ctx, c).await,
        Command::Audit(c) => cmd::audit::run(&ctx, c).await,
        Command::Config(c) => cmd::config::run(&ctx, c).await,
        Command::Import(c) => cmd::import::run(&ctx, c).await,
        Command::Dnc(c) => cmd::dnc::run(&ctx, c).await,
        Command::Gate(c) => cmd::gate::run(&ctx, c).await,
        Command::CallerNumber(c) => cmd::caller_number::run(&ctx, c).await,
        Command::Contact(c) => cmd::contact::run(&ctx, c).await,
        Command::Policy(c) => cmd::policy::run(&ctx, c).await,
        Command::Script(c) => cmd::script::run(&ctx, c).await,
        Command::Intent(a) => cmd::intent::run(&ctx, a).await,
        Command::Bench(c) => cmd::bench::run(&ctx, c).await,
        Command::Call(a) => cmd::call::run(&ctx, a).await,
        Command::CalleeSim(a) => cmd::callee_sim::run(&ctx, a).await,
    }
}

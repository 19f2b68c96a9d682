//! The waihu binary: parses the command line, loads configuration, sets up logging
//! and dispatches to one subcommand. All wiring of crates happens here.

mod cli;
mod cmd;
mod demo;
mod settings;
mod telemetry;
mod wiring;

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

async fn dispatch(mut cli: cli::Cli) -> anyhow::Result<ExitCode> {
    use cli::Command;
    if let Command::Demo(_) = &cli.command {
        // The demo never touches an existing non-empty directory.
        let dir = cmd::demo::prepare_data_dir(cli.global.data_dir.as_deref())?;
        cli.global.data_dir = Some(dir);
    }
    let ctx = cmd::Context::new(cli.global)?;
    match cli.command {
        Command::Serve(args) => cmd::serve::run(&ctx, args).await,
        Command::Db(c) => cmd::db::run(&ctx, c).await,
        Command::Tenant(c) => cmd::tenant::run(&ctx, c).await,
        Command::User(c) => cmd::user::run(&ctx, c).await,
        Command::Audit(c) => cmd::audit::run(&ctx, c).await,
        Command::Keys(c) => cmd::keys::run(&ctx, c).await,
        Command::Config(c) => cmd::config::run(&ctx, c).await,
        Command::Import(c) => cmd::import::run(&ctx, c).await,
        Command::Dnc(c) => cmd::dnc::run(&ctx, c).await,
        Command::Gate(c) => cmd::gate::run(&ctx, c).await,
        Command::CallerNumber(c) => cmd::caller_number::run(&ctx, c).await,
        Command::Contact(c) => cmd::contact::run(&ctx, c).await,
        Command::Complaint(c) => cmd::complaint::run(&ctx, c).await,
        Command::Subject(c) => cmd::subject::run(&ctx, c).await,
        Command::Retention(c) => cmd::retention::run(&ctx, c).await,
        Command::Policy(c) => cmd::policy::run(&ctx, c).await,
        Command::Script(c) => cmd::script::run(&ctx, c).await,
        Command::Intent(a) => cmd::intent::run(&ctx, a).await,
        Command::Line(c) => cmd::line::run(&ctx, c).await,
        Command::Bench(c) => cmd::bench::run(&ctx, c).await,
        Command::Call(a) => cmd::call::run(&ctx, *a).await,
        Command::CalleeSim(a) => cmd::callee_sim::run(&ctx, a).await,
        Command::Task(c) => cmd::task::run(&ctx, c).await,
        Command::Report(c) => cmd::report::run(&ctx, c).await,
        Command::Trunk(c) => cmd::trunk::run(&ctx, c).await,
        Command::Prompt(c) => cmd::prompt::run(&ctx, c).await,
        Command::Push(c) => cmd::push::run(&ctx, c).await,
        Command::Demo(a) => cmd::demo::run(&ctx, a).await,
    }
}

//! The command line: global flags and the table of subcommands. Each subcommand's
//! arguments and code live in `cmd/<name>.rs`.

use crate::cmd;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// waihu — AI outbound calling that respects the callee.
#[derive(Debug, Parser)]
#[command(name = "waihu", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags accepted by every subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// Configuration file (TOML). Environment variables WAIHU_<SECTION>__<KEY> override it.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Database URL (sqlite://PATH or postgres://...); wins over file and environment.
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Data directory (recordings, prompts, keys, the default SQLite database).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Log output format.
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormat>,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Every subcommand. Register a new one here with one line and dispatch it in `main.rs`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server: back office, API, health checks and metrics.
    Serve(cmd::serve::ServeArgs),
    /// Database maintenance.
    #[command(subcommand)]
    Db(cmd::db::DbCommand),
    /// Manage tenants.
    #[command(subcommand)]
    Tenant(cmd::tenant::TenantCommand),
    /// Manage back-office users.
    #[command(subcommand)]
    User(cmd::user::UserCommand),
    /// Inspect and verify the audit log.
    #[command(subcommand)]
    Audit(cmd::audit::AuditCommand),
    /// The number keys: status, rotation, retiring old keys (operator).
    #[command(subcommand)]
    Keys(cmd::keys::KeysCommand),
    /// Show the effective configuration.
    #[command(subcommand)]
    Config(cmd::config::ConfigCommand),
    /// Import data (contacts with consent evidence).
    #[command(subcommand)]
    Import(cmd::import::ImportCommand),
    /// Do-not-call lists (tenant, platform, registry).
    #[command(subcommand)]
    Dnc(cmd::dnc::DncCommand),
    /// The dial-time compliance gate: why a number may or may not be called.
    #[command(subcommand)]
    Gate(cmd::gate::GateCommand),
    /// Caller numbers: register, verify, assign (operator).
    #[command(subcommand, name = "caller-number")]
    CallerNumber(cmd::caller_number::CallerNumberCommand),
    /// Jurisdiction policies: calling hours and caps (operator; tenants only tighten).
    #[command(subcommand)]
    Policy(cmd::policy::PolicyCommand),
    /// Contacts: withdraw consent, delete a number.
    #[command(subcommand)]
    Contact(cmd::contact::ContactCommand),
    /// Complaint tickets with the SLA clock, complaint rates and threshold (operator).
    #[command(subcommand)]
    Complaint(cmd::complaint::ComplaintCommand),
    /// Data subject requests: export or erase everything about a number (operator).
    #[command(subcommand)]
    Subject(cmd::subject::SubjectCommand),
    /// Retention: the sweep deleting what is due, tenants' periods.
    #[command(subcommand)]
    Retention(cmd::retention::RetentionCommand),
    /// Dialog scripts (话术): lint and chat.
    #[command(subcommand)]
    Script(cmd::script::ScriptCommand),
    /// Recognise callee utterances from stdin (one JSON object per line).
    Intent(cmd::intent::IntentArgs),
    /// Line classification: person, voicemail, announcement, ringback, silence, fax.
    #[command(subcommand)]
    Line(cmd::line::LineCommand),
    /// Measure performance and accuracy.
    #[command(subcommand)]
    Bench(cmd::bench::BenchCommand),
    /// Place one SIP call through a trunk (loopback only without --tenant).
    Call(Box<cmd::call::CallArgs>),
    /// Run the virtual callee: a SIP endpoint answering per a behaviour file.
    #[command(name = "callee-sim")]
    CalleeSim(cmd::callee_sim::CalleeSimArgs),
    /// Calling tasks: create, start, pause, resume, stop, status, run the scheduler.
    #[command(subcommand)]
    Task(cmd::task::TaskCommandArgs),
    /// Reports: a task per day (CSV/XLSX export), a script version's funnel,
    /// unrecognised utterances.
    #[command(subcommand)]
    Report(cmd::report::ReportCommand),
    /// The whole product on one machine: a demo tenant, script, contacts and task
    /// calling the built-in virtual callee, then the back office.
    Demo(cmd::demo::DemoArgs),
    /// Lead push: targets (WeCom, DingTalk, Feishu, webhook), dead letters, the pusher.
    #[command(subcommand)]
    Push(cmd::push::PushCommand),
    /// Recorded prompts of a tenant (WAV or MP3, converted to 8 kHz once).
    #[command(subcommand)]
    Prompt(cmd::prompt::PromptCommand),
    /// SIP trunks calls go out on (operator).
    #[command(subcommand)]
    Trunk(cmd::trunk::TrunkCommand),
}

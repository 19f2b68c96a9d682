//! `waihu gate check`: "why was this number (not) called?" — the gate's decision
//! and every reason, at now or at a given instant. It never dials.

use super::Context;
use chrono::{DateTime, Utc};
use std::process::ExitCode;
use waihu_app::gate::{parse_number, GateQuestion, Gatekeeper};
use waihu_compliance::{CheckScope, Decision, Jurisdiction, Purpose};

/// Gate subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum GateCommand {
    /// Ask the gate whether a number may be called, with every reason.
    Check(GateCheckArgs),
}

/// Arguments of `waihu gate check`.
#[derive(Debug, clap::Args)]
pub struct GateCheckArgs {
    /// The tenant (name or id).
    #[arg(long)]
    pub tenant: String,
    /// The callee's number.
    #[arg(long)]
    pub number: String,
    /// CN, US or UK; default: the number's country.
    #[arg(long)]
    pub jurisdiction: Option<Jurisdiction>,
    /// The purpose of the call (must be within the consent scope).
    #[arg(long, default_value = "marketing")]
    pub purpose: String,
    /// The caller number the call would be placed from (checked if given).
    #[arg(long)]
    pub caller_number: Option<String>,
    /// Ask about this instant instead of now (RFC 3339).
    #[arg(long)]
    pub at: Option<DateTime<Utc>>,
    /// Print the decision as one JSON object on the last line.
    #[arg(long)]
    pub json: bool,
}

/// Runs a gate subcommand.
pub async fn run(ctx: &Context, cmd: GateCommand) -> anyhow::Result<ExitCode> {
    let GateCommand::Check(args) = cmd;
    let number = parse_number(&args.number)?;
    let purpose = Purpose::parse(&args.purpose)?;
    let caller_number = args
        .caller_number
        .as_deref()
        .map(parse_number)
        .transpose()?;
    let store = ctx.store().await?;
    let pii = crate::wiring::pii(&ctx.settings)?;
    let tenant = super::tenant::resolve(&store, &args.tenant).await?;
    let question = GateQuestion {
        tenant,
        number: number.clone(),
        purpose,
        caller_number,
        jurisdiction: args.jurisdiction,
        scope: CheckScope::ContactOnly,
    };
    let at = args.at.unwrap_or_else(Utc::now);
    let decision = Gatekeeper {
        store: &store,
        pii: &pii,
        settings: None,
    }
    .decide(&question, at)
    .await?;
    store.close().await;
    println!("{}: {}", pii.mask(&number), decision.as_str());
    print_decision(&decision, args.json);
    Ok(ExitCode::SUCCESS)
}
/// Prints a decision's reasons, one per line, and with `json` the documented last
/// line `{"decision":…,"reasons":[{"rule":…,"message":…}]}`.
pub fn print_decision(decision: &Decision, json: bool) {
    for r in decision.reasons() {
        println!("  {}: {}", r.rule.id(), r.message);
    }
    if json {
        let reasons: Vec<_> = decision
            .reasons()
            .iter()
            .map(|r| serde_json::json!({ "rule": r.rule.id(), "message": r.message }))
            .collect();
        println!(
            "{}",
            serde_json::json!({ "decision": decision.as_str(), "reasons": reasons })
        );
    }
}

//! `waihu complaint list|show|ack|close|file|rates|settings`: the operator's view
//! of complaint tickets with the SLA clock (acknowledge within 3 working days,
//! close within 15, from the `[rights]` calendar; overdue tickets flagged), the
//! complaint rate per tenant and the platform threshold. Every change is audited.

use super::retention::parse_instant;
use super::Context;
use anyhow::bail;
use chrono::Utc;
use std::process::ExitCode;
use uuid::Uuid;
use waihu_app::gate::parse_number;
use waihu_compliance::complaint_rate::RateDecision;
use waihu_compliance::sla::{sla_status, SlaStatus, WorkCalendar};
use waihu_store::{
    Actor, Complaint, ComplaintFilter, ComplaintScope, ComplaintState, NewComplaint,
    RightsSettings, Store,
};

/// Complaint subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ComplaintCommand {
    /// Tickets, newest first, with their SLA deadlines.
    List {
        /// Only this tenant's (name or id).
        #[arg(long)]
        tenant: Option<String>,
        /// Only this state: open, acknowledged, closed.
        #[arg(long)]
        state: Option<String>,
        /// Only overdue tickets.
        #[arg(long)]
        overdue: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// One ticket in full.
    Show {
        /// The ticket id.
        id: Uuid,
    },
    /// Acknowledge a ticket.
    Ack {
        /// The ticket id.
        id: Uuid,
    },
    /// Close a ticket with a resolution note.
    Close {
        /// The ticket id.
        id: Uuid,
        /// What was done.
        #[arg(long)]
        resolution: String,
    },
    /// File a complaint received by the operator (e.g. by phone or letter).
    File {
        /// The complainant's number (the number that was called).
        #[arg(long)]
        number: String,
        /// When the call happened (RFC 3339).
        #[arg(long)]
        at: String,
        /// What happened.
        #[arg(long)]
        description: String,
        /// The tenant complained about (name or id), if known.
        #[arg(long)]
        tenant: Option<String>,
        /// The caller number shown on the complainant's phone, if known.
        #[arg(long)]
        caller_number: Option<String>,
        /// The complainant's control of the number was checked.
        #[arg(long)]
        verified: bool,
    },
    /// Complaint rate per tenant per 1,000 answered calls against the threshold.
    Rates {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show or change the platform threshold, rate window and retention maximum.
    Settings {
        /// Complaints per 1,000 answered calls above which a tenant's tasks pause.
        #[arg(long)]
        threshold: Option<f64>,
        /// Days the rate is computed over.
        #[arg(long)]
        window_days: Option<u32>,
        /// The longest retention period a tenant may set, in days.
        #[arg(long)]
        retention_max_days: Option<u32>,
    },
}

fn describe(c: &Complaint, tenant: &str, sla: &SlaStatus) -> String {
    let flag = if sla.overdue() {
        "  OVERDUE 已超时"
    } else {
        ""
    };
    format!(
        "{id}  {tenant}  {num}  {verified}  calls={calls}  {state}  filed {filed}  ack by {ack}  close by {close}{flag}",
        id = c.id,
        num = c.number_masked,
        verified = if c.verified { "verified" } else { "unverified" },
        calls = c.call_ids.len(),
        state = c.state.as_str(),
        filed = c.created_at.format("%Y-%m-%d %H:%M"),
        ack = sla.ack.due.format("%Y-%m-%d %H:%M"),
        close = sla.close.due.format("%Y-%m-%d %H:%M"),
    )
}

fn sla_of(cal: &WorkCalendar, c: &Complaint) -> SlaStatus {
    sla_status(cal, c.created_at, c.acked_at, c.closed_at, Utc::now())
}

async fn tenant_name(store: &Store, c: &Complaint) -> anyhow::Result<String> {
    Ok(match c.tenant_id {
        Some(id) => store
            .get_tenant(id)
            .await?
            .map(|t| t.name.to_string())
            .unwrap_or_else(|| id.to_string()),
        None => "(no tenant)".into(),
    })
}

/// Runs a complaint subcommand.
pub async fn run(ctx: &Context, cmd: ComplaintCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let actor = Actor::raw(ctx.cli_actor());
    let cal = ctx.settings.rights.calendar()?;
    let all = ComplaintScope::Platform;
    match cmd {
        ComplaintCommand::List {
            tenant,
            state,
            overdue,
            json,
        } => list(&store, &cal, tenant, state, overdue, json).await?,
        ComplaintCommand::Show { id } => {
            let Some(c) = store.get_complaint(all, id).await? else {
                bail!("no complaint {id}");
            };
            let sla = sla_of(&cal, &c);
            println!("{}", describe(&c, &tenant_name(&store, &c).await?, &sla));
            println!("occurred at: {}", c.occurred_at);
            if let Some(n) = &c.caller_number {
                println!("caller number: {n}");
            }
            println!("description: {}", c.description);
            for call in &c.call_ids {
                println!("names call: {call}");
            }
            if let Some(a) = &c.tenant_answer {
                println!("tenant's answer: {a}");
            }
            if let Some(r) = &c.resolution {
                println!("resolution: {r}");
            }
        }
        ComplaintCommand::Ack { id } => {
            let c = store.ack_complaint(all, id, Utc::now(), &actor).await?;
            println!("complaint {} is {}", c.id, c.state.as_str());
        }
        ComplaintCommand::Close { id, resolution } => {
            let c = store
                .close_complaint(all, id, &resolution, Utc::now(), &actor)
                .await?;
            println!("complaint {} is {}", c.id, c.state.as_str());
        }
        ComplaintCommand::File {
            number,
            at,
            description,
            tenant,
            caller_number,
            verified,
        } => {
            let filing = Filing {
                number,
                at,
                description,
                tenant,
                caller_number,
                verified,
            };
            file(ctx, &store, filing, &actor).await?;
        }
        ComplaintCommand::Rates { json } => rates(&store, json).await?,
        ComplaintCommand::Settings {
            threshold,
            window_days,
            retention_max_days,
        } => {
            let current = store.rights_settings().await?;
            let wanted = RightsSettings {
                complaint_threshold_per_1000: threshold
                    .unwrap_or(current.complaint_threshold_per_1000),
                complaint_window_days: window_days.unwrap_or(current.complaint_window_days),
                retention_max_days: retention_max_days.unwrap_or(current.retention_max_days),
            };
            let shown = if wanted != current {
                store.set_rights_settings(wanted, &actor).await?
            } else {
                current
            };
            println!(
                "complaint threshold {} per 1,000 answered calls over {} days; retention maximum {} days",
                shown.complaint_threshold_per_1000,
                shown.complaint_window_days,
                shown.retention_max_days
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `waihu complaint list`.
async fn list(
    store: &Store,
    cal: &WorkCalendar,
    tenant: Option<String>,
    state: Option<String>,
    overdue: bool,
    json: bool,
) -> anyhow::Result<()> {
    let all = ComplaintScope::Platform;
    let scope = match tenant {
        Some(t) => ComplaintScope::Tenant(super::tenant::resolve(store, &t).await?.id),
        None => all,
    };
    let state = state
        .map(|s| ComplaintState::parse(&s))
        .transpose()
        .map_err(|e| anyhow::anyhow!("--state: {e}"))?;
    let filter = ComplaintFilter {
        state,
        limit: 1000,
        offset: 0,
    };
    let mut rows = Vec::new();
    for c in store.list_complaints(scope, filter).await? {
        let sla = sla_of(cal, &c);
        if overdue && !sla.overdue() {
            continue;
        }
        rows.push((c, sla));
    }
    if json {
        let out: Vec<_> = rows
                .iter()
                .map(|(c, sla)| serde_json::json!({ "complaint": c, "sla": sla, "overdue": sla.overdue() }))
                .collect();
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else if rows.is_empty() {
        println!("no complaints");
    } else {
        for (c, sla) in &rows {
            println!("{}", describe(c, &tenant_name(store, c).await?, sla));
        }
    }
    Ok(())
}

/// What `waihu complaint file` was given.
struct Filing {
    number: String,
    at: String,
    description: String,
    tenant: Option<String>,
    caller_number: Option<String>,
    verified: bool,
}

/// `waihu complaint file`.
async fn file(ctx: &Context, store: &Store, f: Filing, actor: &Actor) -> anyhow::Result<()> {
    let Filing {
        number,
        at,
        description,
        tenant,
        caller_number,
        verified,
    } = f;
    let pii = crate::wiring::pii(&ctx.settings)?;
    let e164 = parse_number(&number)?;
    let tenant_id = match tenant {
        Some(t) => Some(super::tenant::resolve(store, &t).await?.id),
        None => None,
    };
    let filed = store
        .file_complaint(
            NewComplaint {
                tenant_id,
                caller_number,
                number_hash: pii.hash(&e164),
                number_masked: pii.mask(&e164),
                verified,
                description,
                occurred_at: parse_instant(&at, "--at")?,
                match_window: waihu_store::rights::DEFAULT_MATCH_WINDOW,
                filed_at: Utc::now(),
            },
            actor,
        )
        .await?;
    let c = &filed.complaint;
    println!(
        "complaint {} filed against {}: names {} calls{}",
        c.id,
        tenant_name(store, c).await?,
        c.call_ids.len(),
        if filed.dnc_added {
            "; number added to the tenant's do-not-call list"
        } else {
            ""
        }
    );
    if !filed.paused_tasks.is_empty() {
        println!(
            "complaint rate over the threshold: {} running tasks paused",
            filed.paused_tasks.len()
        );
    }
    Ok(())
}

/// `waihu complaint rates`.
async fn rates(store: &Store, json: bool) -> anyhow::Result<()> {
    let rates = store.complaint_rates(Utc::now()).await?;
    let settings = store.rights_settings().await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&rates)?);
    } else {
        println!(
            "threshold {} per 1,000 answered calls over {} days",
            settings.complaint_threshold_per_1000, settings.complaint_window_days
        );
        for r in rates {
            let name = store
                .get_tenant(r.tenant_id)
                .await?
                .map(|t| t.name.to_string())
                .unwrap_or_default();
            let rate = r
                .counts
                .per_1000()
                .map(|v| format!("{v:.2}"))
                .unwrap_or_else(|| "-".into());
            let flag = match r.decision {
                RateDecision::Ok => "",
                RateDecision::OverThreshold { .. } => "  OVER THRESHOLD 超过阈值",
            };
            println!(
                "{name}: {rate} per 1,000 ({} counted, {} not counted, {} answered calls){flag}",
                r.counts.counted, r.counts.ignored, r.counts.answered_calls
            );
        }
    }
    Ok(())
}

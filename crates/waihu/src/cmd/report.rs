//! `waihu report task|funnel|unknown`: what a tenant's calls teach. The task
//! report (per local day: attempts, answered, average talk time, grades, leads,
//! refusals by gate rule, opt-outs, complaints; per A/B variant with the
//! comparison) reads the store's hourly rollups, so it costs the same on a
//! million calls as on ten; the funnel and the unrecognised-utterance clusters
//! read the newest `--max-calls` calls. Exports (CSV, XLSX) show masked numbers
//! unless `--full-numbers`, and each one is written to the audit log.

use super::Context;
use anyhow::{bail, Context as _};
use chrono::FixedOffset;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use uuid::Uuid;
use waihu_core::call_outcome::IN_FLIGHT;
use waihu_insight::export::{report_csv, report_xlsx, CallLine, Lang, Numbers};
use waihu_insight::facts::CallFact;
use waihu_insight::report::{Report, ReportRow};
use waihu_store::insight::{RollupHour, Totals};
use waihu_store::{Actor, CallFactRow, FactScope, NewAudit, ScriptVersion, Store, Task, Tenant};

/// Exit code when there is nothing to report (no calls yet).
pub const EXIT_EMPTY: u8 = 3;

/// Report subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ReportCommand {
    /// A task per local day: attempts, answered, average talk time, grades,
    /// leads, refusals by gate rule, opt-outs, complaints (and the A/B comparison).
    Task(TaskReportArgs),
    /// The per-node funnel of a script version.
    Funnel(FunnelArgs),
    /// Clusters of what a task's callees said that the robot did not understand.
    Unknown(UnknownArgs),
}

/// `waihu report task`.
#[derive(Debug, clap::Args)]
pub struct TaskReportArgs {
    /// The tenant (name or id).
    #[arg(long)]
    pub tenant: String,
    /// The task (name or id).
    pub task: String,
    /// Print one JSON object.
    #[arg(long, conflicts_with_all = ["csv", "xlsx"])]
    pub json: bool,
    /// Write the daily rows to this CSV file.
    #[arg(long, value_name = "FILE", conflicts_with = "xlsx")]
    pub csv: Option<PathBuf>,
    /// Write an XLSX workbook: the daily rows and the newest calls.
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
    /// Days are local to this UTC offset.
    #[arg(long, default_value = "+08:00", value_parser = parse_offset)]
    pub utc_offset: FixedOffset,
    /// Calls read for the A/B comparison and the XLSX call sheet (newest first).
    #[arg(long, default_value_t = 20_000)]
    pub max_calls: u32,
    /// Column headings: zh (default) or en.
    #[arg(long, default_value = "zh", value_parser = ["zh", "en"])]
    pub lang: String,
    /// Full numbers in the XLSX call sheet instead of masked ones (operators
    /// only: it needs the number key; audited).
    #[arg(long)]
    pub full_numbers: bool,
}

/// `waihu report funnel`.
#[derive(Debug, clap::Args)]
pub struct FunnelArgs {
    /// The tenant (name or id).
    #[arg(long)]
    pub tenant: String,
    /// The script version: its id, NAME@VERSION, or NAME (the newest version).
    #[arg(long)]
    pub script: String,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Calls read, newest first.
    #[arg(long, default_value_t = 20_000)]
    pub max_calls: u32,
}

/// `waihu report unknown`.
#[derive(Debug, clap::Args)]
pub struct UnknownArgs {
    /// The tenant (name or id).
    #[arg(long)]
    pub tenant: String,
    /// The task (name or id).
    #[arg(long)]
    pub task: String,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Calls with an unrecognised or low-confidence turn read, newest first.
    #[arg(long, default_value_t = 20_000)]
    pub max_calls: u32,
    /// Clusters shown.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
}

fn parse_offset(s: &str) -> Result<FixedOffset, String> {
    s.parse::<FixedOffset>()
        .map_err(|_| format!("{s:?} is not a UTC offset such as +08:00"))
}

/// Runs a report subcommand.
pub async fn run(ctx: &Context, cmd: ReportCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let actor = Actor::raw(ctx.cli_actor());
    let code = match cmd {
        ReportCommand::Task(a) => task_report(ctx, &store, &a, &actor).await,
        ReportCommand::Funnel(a) => funnel_report(&store, &a).await,
        ReportCommand::Unknown(a) => unknown_report(&store, &a).await,
    };
    store.close().await;
    code
}

/// The tenant's task by name or id.
pub async fn find_task(store: &Store, tenant: &Tenant, name: &str) -> anyhow::Result<Task> {
    match name.parse::<Uuid>() {
        Ok(id) => store.get_task(tenant.id, id).await?,
        Err(_) => store.find_task(tenant.id, name).await?,
    }
    .with_context(|| format!("tenant {} has no task {name:?}", tenant.name))
}

/// The tenant's script version by id, NAME@VERSION or NAME (newest).
pub async fn find_version(
    store: &Store,
    tenant: &Tenant,
    spec: &str,
) -> anyhow::Result<ScriptVersion> {
    let found = if let Ok(id) = spec.parse::<Uuid>() {
        store.get_script_version(tenant.id, id).await?
    } else {
        let (name, version) = match spec.rsplit_once('@') {
            Some((n, v)) => (
                n,
                Some(v.parse::<i32>().with_context(|| {
                    format!("--script {spec:?}: the version after @ must be a number")
                })?),
            ),
            None => (spec, None),
        };
        store.find_script_version(tenant.id, name, version).await?
    };
    found.with_context(|| {
        format!(
            "--script {spec:?}: tenant {} has no such script version (unknown or deleted)",
            tenant.name
        )
    })
}

fn row_of(t: &Totals) -> ReportRow {
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    ReportRow {
        day: None,
        attempts: n(t.attempts),
        answered: n(t.answered),
        talk_ms: n(t.talk_ms),
        grades: t.grades.map(n),
        leads: n(t.leads),
        refused: n(t.refused),
        refusals: BTreeMap::new(),
        opt_outs: n(t.opt_outs),
        complaints: n(t.complaints),
        complaint_tickets: 0,
    }
}

/// The daily report of a task from its hourly rollups.
pub async fn task_days(
    store: &Store,
    tenant: &Tenant,
    task: &Task,
    offset: FixedOffset,
) -> anyhow::Result<(Report, Vec<RollupHour>)> {
    Ok(waihu_app::insight::task_report(store, tenant.id, task.id, offset).await?)
}

/// The newest `max` calls of `scope` as facts, with their rows.
pub async fn load_facts(
    store: &Store,
    tenant: &Tenant,
    scope: FactScope,
    only_unknown: bool,
    max: u32,
) -> anyhow::Result<(Vec<CallFact>, Vec<CallFactRow>)> {
    Ok(waihu_app::insight::load_facts(store, tenant.id, scope, only_unknown, max).await?)
}

fn row_json(r: &ReportRow) -> serde_json::Value {
    let grades: BTreeMap<String, u64> = ["A", "B", "C", "D", "E", "F"]
        .iter()
        .zip(r.grades)
        .map(|(g, n)| (g.to_string(), n))
        .collect();
    serde_json::json!({
        "day": r.day.map(|d| d.to_string()),
        "attempts": r.attempts,
        "answered": r.answered,
        "answer_rate": r.answer_rate(),
        "avg_duration_secs": r.avg_duration_secs(),
        "grades": grades,
        "leads": r.leads,
        "refused": r.refused,
        "refusals": r.refusals,
        "opt_outs": r.opt_outs,
        "complaints": r.complaints,
        "complaint_tickets": r.complaint_tickets,
    })
}

fn diff_json(d: &waihu_insight::ab::Difference) -> serde_json::Value {
    serde_json::json!({
        "a": d.a, "b": d.b, "diff": d.diff,
        "ci95": d.ci.map(|(l, h)| [l, h]),
        "p_value": d.p_value,
        "significant": d.significant(),
    })
}

async fn task_report(
    ctx: &Context,
    store: &Store,
    a: &TaskReportArgs,
    actor: &Actor,
) -> anyhow::Result<ExitCode> {
    let tenant = super::tenant::resolve(store, &a.tenant).await?;
    let task = find_task(store, &tenant, &a.task).await?;
    let (report, hours) = task_days(store, &tenant, &task, a.utc_offset).await?;
    if report.days.is_empty() {
        eprintln!(
            "task {} has no ended calls yet: nothing to report (no file written)",
            task.name
        );
        return Ok(ExitCode::from(EXIT_EMPTY));
    }
    let mut variants: BTreeMap<String, Totals> = BTreeMap::new();
    for h in &hours {
        if let Some(v) = &h.variant {
            variants.entry(v.clone()).or_default().add(&h.totals);
        }
    }
    let need_calls = task.variant.is_some() || a.xlsx.is_some();
    let (facts, rows) = if need_calls {
        load_facts(store, &tenant, FactScope::Task(task.id), false, a.max_calls).await?
    } else {
        (Vec::new(), Vec::new())
    };
    let ab = task
        .variant
        .map(|_| waihu_insight::ab::compare(&facts))
        .map(|c| {
            serde_json::json!({
                "calls_read": facts.len(),
                "a": {"attempts": c.a.attempts, "answered": c.a.answered, "leads": c.a.leads, "opt_outs": c.a.opt_outs, "avg_turns": c.a.turns.mean},
                "b": {"attempts": c.b.attempts, "answered": c.b.answered, "leads": c.b.leads, "opt_outs": c.b.opt_outs, "avg_turns": c.b.turns.mean},
                "lead_rate": diff_json(&c.lead_rate),
                "opt_out_rate": diff_json(&c.opt_out_rate),
                "avg_turns": diff_json(&c.avg_turns),
                "any_significant": c.any_significant(),
            })
        });
    let doc = serde_json::json!({
        "task": task.name,
        "id": task.id.to_string(),
        "state": task.state.as_str(),
        "utc_offset": a.utc_offset.to_string(),
        "variant_b": task.variant.map(|v| serde_json::json!({
            "script_version_id": v.script_version_id.to_string(),
            "split_percent": v.split_percent,
        })),
        "days": report.days.iter().map(row_json).collect::<Vec<_>>(),
        "total": row_json(&report.total),
        "variants": variants.iter().map(|(k, t)| (k.clone(), row_json(&row_of(t)))).collect::<BTreeMap<_, _>>(),
        "ab": ab,
    });
    let lang = if a.lang == "en" { Lang::En } else { Lang::Zh };
    if let Some(path) = &a.csv {
        let bytes = report_csv(&report, lang)?;
        write_file(path, &bytes)?;
        let n = report.days.len();
        audit_export(store, &tenant, &task, actor, "csv", path, n, false).await?;
        println!("wrote {} ({n} day rows)", path.display());
    } else if let Some(path) = &a.xlsx {
        let numbers = if a.full_numbers {
            Some(full_numbers(ctx, store, &tenant, &rows).await?)
        } else {
            None
        };
        let lines: Vec<CallLine> = rows
            .iter()
            .map(|r| CallLine {
                call_id: r.id,
                created_at: r.created_at,
                number_masked: r.number_masked.clone(),
                number_full: numbers.as_ref().and_then(|m| m.get(&r.id).cloned()),
                outcome: r.outcome.clone().unwrap_or_else(|| IN_FLIGHT.into()),
                grade: r.grade.as_deref().and_then(|g| g.chars().next()),
                duration_ms: r.duration_ms.and_then(|d| u64::try_from(d).ok()),
                opt_out: r.opt_out,
            })
            .collect();
        let mode = if a.full_numbers {
            Numbers::Full
        } else {
            Numbers::Masked
        };
        let bytes = report_xlsx(&report, &lines, mode, a.utc_offset, lang)?;
        write_file(path, &bytes)?;
        let n = report.days.len() + lines.len();
        audit_export(
            store,
            &tenant,
            &task,
            actor,
            "xlsx",
            path,
            n,
            a.full_numbers,
        )
        .await?;
        println!(
            "wrote {} ({} day rows, {} calls)",
            path.display(),
            report.days.len(),
            lines.len()
        );
    } else if a.json {
        println!("{doc}");
    } else {
        print_task(&task, &report, &variants);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_task(task: &Task, report: &Report, variants: &BTreeMap<String, Totals>) {
    println!("{} ({}): {}", task.name, task.id, task.state.as_str());
    println!(
        "day\tattempts\tanswered\tavg s\tA/B/C/D/E/F\tleads\trefused\topt-outs\tcomplaints\ttickets"
    );
    for r in report.days.iter().chain(std::iter::once(&report.total)) {
        let g: Vec<String> = r.grades.iter().map(u64::to_string).collect();
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.day
                .map(|d| d.to_string())
                .unwrap_or_else(|| "total".into()),
            r.attempts,
            r.answered,
            r.avg_duration_secs()
                .map(|s| format!("{s:.1}"))
                .unwrap_or_else(|| "-".into()),
            g.join("/"),
            r.leads,
            r.refused,
            r.opt_outs,
            r.complaints,
            r.complaint_tickets
        );
    }
    for (rule, n) in &report.total.refusals {
        println!("refused by {rule}: {n}");
    }
    for (v, t) in variants {
        println!(
            "variant {v}: attempts {}, answered {}, leads {}, opt-outs {}",
            t.attempts, t.answered, t.leads, t.opt_outs
        );
    }
}

/// Writes the whole file or nothing: a temporary file beside it, then a rename.
fn write_file(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    std::io::Write::write_all(&mut tmp, bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Full numbers of the calls' contacts (by keyed hash), decrypted with the number key.
async fn full_numbers(
    ctx: &Context,
    store: &Store,
    tenant: &Tenant,
    rows: &[CallFactRow],
) -> anyhow::Result<BTreeMap<Uuid, String>> {
    let pii = crate::wiring::pii(&ctx.settings)
        .context("--full-numbers needs the number key (operators only)")?;
    let mut by_hash: BTreeMap<[u8; 32], Option<String>> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for r in rows {
        let key = r.number_hash.0;
        if let std::collections::btree_map::Entry::Vacant(slot) = by_hash.entry(key) {
            let found = store
                .contacts_by_number(tenant.id, &r.number_hash)
                .await?
                .into_iter()
                .next()
                .and_then(|c| pii.open(&c.number_enc, tenant.id, c.number_hash).ok());
            slot.insert(found);
        }
        if let Some(Some(n)) = by_hash.get(&key) {
            out.insert(r.id, n.clone());
        }
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
async fn audit_export(
    store: &Store,
    tenant: &Tenant,
    task: &Task,
    actor: &Actor,
    format: &str,
    path: &std::path::Path,
    rows: usize,
    full_numbers: bool,
) -> anyhow::Result<()> {
    store
        .append_audit(
            NewAudit::new(
                actor,
                Some(tenant.id),
                "report.export",
                format!("task:{}", task.id),
            )
            .with_details(serde_json::json!({
                "report": "task",
                "format": format,
                "file": path.file_name().map(|f| f.to_string_lossy().to_string()),
                "rows": rows,
                "full_numbers": full_numbers,
            })),
        )
        .await?;
    Ok(())
}

async fn funnel_report(store: &Store, a: &FunnelArgs) -> anyhow::Result<ExitCode> {
    let tenant = super::tenant::resolve(store, &a.tenant).await?;
    let version = find_version(store, &tenant, &a.script).await?;
    if a.max_calls == 0 {
        bail!("--max-calls must be at least 1");
    }
    let (facts, _) = load_facts(
        store,
        &tenant,
        FactScope::ScriptVersion(version.id),
        false,
        a.max_calls,
    )
    .await?;
    let f = waihu_insight::funnel::funnel(version.id, &facts)
        .with_script_nodes(waihu_insight::funnel::script_node_ids(&version.yaml));
    if f.calls == 0 {
        eprintln!(
            "script version {} (v{}) has no answered calls yet: nothing to report",
            version.id, version.version
        );
        return Ok(ExitCode::from(EXIT_EMPTY));
    }
    if a.json {
        let nodes: Vec<serde_json::Value> = f
            .nodes
            .iter()
            .map(|n| {
                serde_json::json!({
                    "node": n.node,
                    "reached": n.reached,
                    "entries": n.entries,
                    "turns": n.turns,
                    "hangups": n.hangups,
                    "refusals": n.refusals,
                    "opt_outs": n.opt_outs,
                    "silences": n.silences,
                    "drop_off": n.drop_off(),
                    "ended": n.ended,
                    "branches": n.branches.iter().map(|b| serde_json::json!({
                        "intent": b.intent, "target": b.target, "count": b.count,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let doc = serde_json::json!({
            "script_version_id": version.id.to_string(),
            "version": version.version,
            "calls_read": facts.len(),
            "calls": f.calls,
            "start": f.start,
            "nodes": nodes,
        });
        println!("{doc}");
    } else {
        println!(
            "script version {} (v{}): {} answered calls",
            version.id, version.version, f.calls
        );
        println!("node\treached\tturns\thang-ups\trefusals\topt-outs\tsilences\tdrop-off");
        for n in &f.nodes {
            println!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{:.1} %",
                n.node,
                n.reached,
                n.turns,
                n.hangups,
                n.refusals,
                n.opt_outs,
                n.silences,
                n.drop_off() * 100.0
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn unknown_report(store: &Store, a: &UnknownArgs) -> anyhow::Result<ExitCode> {
    let tenant = super::tenant::resolve(store, &a.tenant).await?;
    let task = find_task(store, &tenant, &a.task).await?;
    if a.max_calls == 0 {
        bail!("--max-calls must be at least 1");
    }
    let (facts, _) =
        load_facts(store, &tenant, FactScope::Task(task.id), true, a.max_calls).await?;
    let clusters = waihu_insight::unknown::clusters(
        &facts,
        &waihu_insight::unknown::UnknownOptions::default(),
    );
    if clusters.is_empty() {
        eprintln!(
            "task {} has no unrecognised utterances: nothing to report",
            task.name
        );
        return Ok(ExitCode::from(EXIT_EMPTY));
    }
    let top: Vec<_> = clusters.iter().take(a.top).collect();
    if a.json {
        let doc = serde_json::json!({
            "task": task.name,
            "id": task.id.to_string(),
            "calls_read": facts.len(),
            "clusters": top.iter().map(|c| serde_json::json!({
                "label": c.label,
                "count": c.count,
                "calls": c.calls,
                "variants": c.variants.iter().map(|(t, n)| serde_json::json!({"text": t, "count": n})).collect::<Vec<_>>(),
                "nodes": c.nodes.iter().map(|(t, n)| serde_json::json!({"node": t, "count": n})).collect::<Vec<_>>(),
                "example_calls": c.example_calls.iter().map(Uuid::to_string).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        });
        println!("{doc}");
    } else {
        println!("count\tcalls\tutterance\tnodes");
        for c in top {
            let nodes: Vec<String> = c.nodes.iter().map(|(n, k)| format!("{n}×{k}")).collect();
            println!("{}\t{}\t{}\t{}", c.count, c.calls, c.label, nodes.join(" "));
        }
    }
    Ok(ExitCode::SUCCESS)
}

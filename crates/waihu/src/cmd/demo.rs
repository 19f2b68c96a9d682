//! `waihu demo`: the whole product on one machine. A fresh data directory with an
//! embedded SQLite database, a demo tenant with logins, a Chinese script, a contact
//! list with consent evidence (a few contacts the gate must refuse), a trunk to the
//! built-in virtual callee with a mix of personas, and a task that calls everyone
//! over real SIP/RTP; then a summary, and the back office keeps serving.

use super::Context;
use crate::demo::{self, clock::OffsetClock, Special};
use anyhow::{bail, Context as _};
use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use waihu_app::dialler::Finished;
use waihu_campaign::{Delay, TaskCommand};
use waihu_core::call_outcome::IN_FLIGHT;
use waihu_core::{CallOutcome, Clock, Role, TaskState, TenantName};
use waihu_store::{password::random_secret, Actor, DncScope, NewTrunk, Store, Tenant, Transport};

/// `waihu demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Contacts to call.
    #[arg(long, default_value_t = 50)]
    pub calls: usize,
    /// End after the summary instead of serving the back office.
    #[arg(long)]
    pub exit: bool,
    /// Print the summary as one JSON object on the last line.
    #[arg(long)]
    pub json: bool,
    /// Where the back office listens.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The virtual callee's SIP port (127.0.0.1).
    #[arg(long, default_value_t = 5070)]
    pub callee_port: u16,
    /// Robot lines (concurrent calls).
    #[arg(long, default_value_t = 4)]
    pub lines: u32,
    /// Speech recognition: the built-in Whisper engine, or the virtual callee's
    /// phrase book (no model needed; text injected at the recogniser).
    #[arg(long, default_value = "whisper", value_parser = ["whisper", "phrasebook"])]
    pub asr: String,
}

/// A fresh directory for the demo: the one given (it must be empty or absent) or a new one.
pub fn prepare_data_dir(given: Option<&std::path::Path>) -> anyhow::Result<std::path::PathBuf> {
    match given {
        Some(d) => {
            if d.exists() {
                let mut entries =
                    std::fs::read_dir(d).with_context(|| format!("cannot read {}", d.display()))?;
                if entries.next().is_some() {
                    bail!(
                        "{} is not empty: the demo only uses a fresh data directory \
                         (omit --data-dir to get a new one)",
                        d.display()
                    );
                }
            }
            Ok(d.to_path_buf())
        }
        None => Ok(std::path::PathBuf::from(format!(
            "waihu-demo-{}",
            chrono::Local::now().format("%Y%m%d-%H%M%S")
        ))),
    }
}

/// Runs the demo.
pub async fn run(ctx: &Context, args: DemoArgs) -> anyhow::Result<ExitCode> {
    run_flavor(ctx, args, demo::DEMO).await
}

/// Runs a demo-like task: the demo, or the campaign benchmark.
pub async fn run_flavor(
    ctx: &Context,
    args: DemoArgs,
    flavor: demo::Flavor,
) -> anyhow::Result<ExitCode> {
    if args.calls == 0 || args.calls > 10_000 {
        bail!("--calls must be between 1 and 10000");
    }
    let data_dir = ctx.data_dir()?.to_path_buf();
    eprintln!("demo data directory: {}", data_dir.display());
    let behaviour_path = data_dir.join("callee.toml");
    std::fs::write(&behaviour_path, flavor.callee_toml)?;
    let ctx = demo_settings(ctx, &args, behaviour_path);

    let clock = OffsetClock::weekday_morning_in_beijing(chrono::Utc::now());
    let now = clock.now();
    eprintln!(
        "demo clock: {} (Beijing) — calling hours are enforced, so the demo pretends it is a weekday morning",
        now.with_timezone(&chrono_tz::Asia::Shanghai).format("%a %Y-%m-%d %H:%M")
    );
    let store = ctx.store().await?;
    let logins = setup(&ctx, &store, &args, now, flavor).await?;

    let callee = start_callee(&args, flavor, &data_dir).await?;
    // The dialler, with progress.
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Finished>();
    let dialler =
        crate::wiring::dialler(&ctx, store.clone(), Arc::new(clock), Some(tx), None).await?;
    let engine = Arc::clone(&dialler.engine);
    let tenant = store
        .find_tenant_by_name(&TenantName::parse("demo")?)
        .await?
        .context("demo tenant vanished")?;
    let task = store
        .find_task(tenant.id, "试听邀约")
        .await?
        .context("demo task vanished")?;
    let total = store.task_remaining(task.id).await? as usize;
    let started = std::time::Instant::now();
    eprintln!("calling {total} contacts on {} robot lines…", args.lines);
    let finished = run_with_progress(&store, &engine, &tenant, &task, total, rx).await?;
    eprintln!();
    callee.shutdown();
    dialler.ua.shutdown();

    let elapsed = started.elapsed().as_secs_f64();
    let mut summary = summarise(&store, &tenant, task.id, &finished).await?;
    add_run_figures(&mut summary, &engine, elapsed, args.lines);
    print_summary(&summary);
    println!();
    for (who, pw) in &logins {
        println!("login: {who} / {pw}");
    }
    if args.json {
        println!("{}", summary.json);
    }
    if args.exit {
        store.close().await;
        return Ok(ExitCode::SUCCESS);
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (try --listen 127.0.0.1:0)",
                args.listen
            )
        })?;
    println!("the back office keeps serving until Ctrl-C");
    super::serve::serve_web(&ctx, &store, listener, super::serve::shutdown_signal()).await?;
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// The demo's own settings: the phrase book if asked, quick scheduler passes,
/// one-time codes of the public pages read to the virtual callee.
fn demo_settings(ctx: &Context, args: &DemoArgs, behaviour_path: std::path::PathBuf) -> Context {
    let mut settings = ctx.settings.clone();
    if args.asr == "phrasebook" {
        settings.speech.asr = crate::settings::AsrEngineSetting::Phrasebook;
        settings.speech.phrasebook = Some(behaviour_path.clone());
    }
    settings.dialler.worker = "demo".into();
    settings.dialler.tick_ms = 200;
    settings.dialler.ring_timeout_secs = 8;
    // One-time codes of the public pages are read to the virtual callee.
    settings.verification.tenant = "platform".into();
    settings.verification.trunk = "virtual-callee".into();
    settings.verification.caller_number = demo::VERIFY_CALLER.into();
    Context { settings }
}

/// The virtual callee on `args.callee_port`, logging what it heard.
async fn start_callee(
    args: &DemoArgs,
    flavor: demo::Flavor,
    data_dir: &std::path::Path,
) -> anyhow::Result<waihu_callee::CalleeServer> {
    let tts = waihu_app::speech::tts()?;
    let behavior = waihu_callee::Behavior::parse(flavor.callee_toml)?;
    let prepared = waihu_callee::Prepared::new(behavior, data_dir, Some(tts.as_ref()))?;
    waihu_callee::CalleeServer::start(waihu_callee::CalleeConfig {
        sip: waihu_sip::SipConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], args.callee_port)),
            ..waihu_sip::SipConfig::default()
        },
        behavior: prepared,
        log_path: Some(data_dir.join("callee-calls.jsonl")),
        record_dir: None,
    })
    .await
    .with_context(|| {
        format!(
            "cannot start the virtual callee on 127.0.0.1:{}",
            args.callee_port
        )
    })
}

/// Runs the scheduler until the demo task is no longer running, drawing the
/// progress bar; returns every finished call's figures.
async fn run_with_progress(
    store: &Store,
    engine: &Arc<waihu_campaign::Engine<waihu_app::dialler::port::StorePort>>,
    tenant: &Tenant,
    task: &waihu_store::Task,
    total: usize,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<Finished>,
) -> anyhow::Result<Vec<Finished>> {
    let mut finished: Vec<Finished> = Vec::new();
    let run_store = store.clone();
    let task_id = task.id;
    let tenant_id = tenant.id;
    let runner = {
        let engine = Arc::clone(engine);
        tokio::spawn(async move {
            let stop = async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    match run_store.get_task(tenant_id, task_id).await {
                        Ok(Some(t)) if t.state == TaskState::Running => {}
                        _ => return,
                    }
                }
            };
            engine.run(stop).await
        })
    };
    let mut ticker = tokio::time::interval(Duration::from_millis(250));
    let mut shown = (usize::MAX, usize::MAX);
    loop {
        tokio::select! {
            Some(f) = rx.recv() => finished.push(f),
            _ = ticker.tick() => {
                let done = total - (store.task_remaining(task.id).await? as usize).min(total);
                if shown != (done, finished.len()) {
                    shown = (done, finished.len());
                    progress(done, total, finished.len());
                }
                if runner.is_finished() {
                    break;
                }
            }
        }
    }
    while let Ok(f) = rx.try_recv() {
        finished.push(f);
    }
    runner
        .await
        .context("the scheduler panicked")?
        .map_err(|e| anyhow::anyhow!("scheduler: {e}"))?;
    Ok(finished)
}

/// The run's wall time, call rate and the scheduler's own time per attempt.
fn add_run_figures(
    summary: &mut Summary,
    engine: &waihu_campaign::Engine<waihu_app::dialler::port::StorePort>,
    elapsed: f64,
    lines: u32,
) {
    let o = engine.port().overhead();
    let per = |us: &std::sync::atomic::AtomicU64, n: u64| {
        us.load(std::sync::atomic::Ordering::Relaxed) as f64 / n.max(1) as f64
    };
    let attempts = o.attempts.load(std::sync::atomic::Ordering::Relaxed);
    let gates = o.gates.load(std::sync::atomic::Ordering::Relaxed);
    let claims = o.claims.load(std::sync::atomic::Ordering::Relaxed);
    let claim_per_attempt =
        o.claim_us.load(std::sync::atomic::Ordering::Relaxed) as f64 / attempts.max(1) as f64;
    summary.json["run"] = serde_json::json!({
        "elapsed_s": (elapsed * 10.0).round() / 10.0,
        "calls_per_hour": ((attempts as f64) * 3600.0 / elapsed.max(0.001)).round(),
        "lines": lines,
        "overhead_us_per_attempt": {
            "claim": claim_per_attempt.round(),
            "gate": per(&o.gate_us, gates).round(),
            "begin": per(&o.begin_us, attempts).round(),
            "finish": per(&o.finish_us, attempts).round(),
        },
        "claim_batches": claims,
        "write_transactions_per_call": ((claims as f64 / attempts.max(1) as f64 + 2.0) * 100.0).round() / 100.0,
    });
    summary.table.push((
        "run".to_string(),
        format!(
            "{:.0} s, {:.0} calls/hour on {} lines",
            elapsed,
            attempts as f64 * 3600.0 / elapsed.max(0.001),
            lines
        ),
    ));
}

fn progress(done: usize, total: usize, calls: usize) {
    let width = 30;
    let filled = (done * width).checked_div(total).unwrap_or(width);
    eprint!(
        "\r[{}{}] {done}/{total} contacts done, {calls} calls/refusals",
        "#".repeat(filled),
        "-".repeat(width - filled)
    );
    let _ = std::io::stderr().flush();
}

/// Creates the tenant, logins, trunk, caller number, script, contacts and task.
/// The demo tenant's caller number.
const DEMO_CALLER: &str = "+861088886666";

async fn setup(
    ctx: &Context,
    store: &Store,
    args: &DemoArgs,
    now: chrono::DateTime<chrono::Utc>,
    flavor: demo::Flavor,
) -> anyhow::Result<Vec<(String, String)>> {
    let actor = Actor::raw("demo".to_string());
    let pii = crate::wiring::pii(&ctx.settings)?;
    let (tenant, logins) = setup_accounts(store, args, &actor).await?;
    setup_script(store, &tenant, flavor, &actor).await?;
    setup_contacts(store, &pii, &tenant, args, now, flavor, &actor).await?;
    start_task(store, &tenant, args, flavor, &actor).await?;
    Ok(logins)
}

/// The demo tenant with its logins, line quota, trunk to the virtual callee and
/// caller number; the platform tenant with the verification caller number.
async fn setup_accounts(
    store: &Store,
    args: &DemoArgs,
    actor: &Actor,
) -> anyhow::Result<(Tenant, Vec<(String, String)>)> {
    let tenant = store
        .create_tenant(&TenantName::parse("demo")?, actor)
        .await?;
    let mut logins = Vec::new();
    for (user, role, t) in [
        ("operator", Role::Operator, None),
        ("demo-admin", Role::Admin, Some(tenant.id)),
        ("demo-agent", Role::Agent, Some(tenant.id)),
    ] {
        let pw = random_secret(12);
        store.create_user(t, user, &pw, role, actor).await?;
        logins.push((user.to_string(), pw));
    }
    store.set_line_quota(tenant.id, args.lines, actor).await?;
    store
        .add_trunk(
            NewTrunk {
                name: "virtual-callee".into(),
                address: format!("127.0.0.1:{}", args.callee_port),
                transport: Transport::Udp,
                username: None,
                password: None,
                cps_limit: 20.0,
            },
            actor,
        )
        .await?;
    // The platform's own tenant places the public pages' verification calls.
    let platform = store
        .create_tenant(&TenantName::parse("platform")?, actor)
        .await?;
    store.add_caller_number(demo::VERIFY_CALLER, actor).await?;
    store
        .verify_caller_number(demo::VERIFY_CALLER, actor)
        .await?;
    store
        .assign_caller_number(demo::VERIFY_CALLER, platform.id, actor)
        .await?;
    let caller = DEMO_CALLER;
    store.add_caller_number(caller, actor).await?;
    store.verify_caller_number(caller, actor).await?;
    store.assign_caller_number(caller, tenant.id, actor).await?;
    Ok((tenant, logins))
}

/// The flavour's script, linted, saved and published.
async fn setup_script(
    store: &Store,
    tenant: &Tenant,
    flavor: demo::Flavor,
    actor: &Actor,
) -> anyhow::Result<()> {
    let (lint, findings) = super::script::lint_summary(flavor.script_yaml);
    if !findings.is_empty() {
        bail!("the demo script has findings: {}", findings[0]);
    }
    let v = store
        .save_script_version(
            tenant.id,
            flavor.script_name,
            flavor.script_yaml,
            lint,
            actor,
        )
        .await?;
    store.publish_script_version(tenant.id, v.id, actor).await?;

    Ok(())
}

/// The demo's contacts, imported as a file would be, and the ones the gate must
/// refuse put on the do-not-call list or their consent withdrawn.
async fn setup_contacts(
    store: &Store,
    pii: &waihu_app::pii::Pii,
    tenant: &Tenant,
    args: &DemoArgs,
    now: chrono::DateTime<chrono::Utc>,
    flavor: demo::Flavor,
    actor: &Actor,
) -> anyhow::Result<()> {
    let special = |i: usize| {
        if flavor.twists {
            demo::special(i)
        } else {
            Special::None
        }
    };
    // Contacts: consent collected "last month"; a few the gate must refuse.
    let imported_at = now - chrono::Duration::days(2);
    let mut csv = String::from(
        "手机,姓名,child_name,consent_source,consent_time,consent_scope,consent_ref,consent_expiry\n",
    );
    let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
    for i in 0..args.calls {
        let consent_time = (now - chrono::Duration::days(30)).to_rfc3339();
        let (scope, expiry) = match special(i) {
            Special::OtherPurpose => ("survey", String::new()),
            Special::Expired => (
                "marketing,share_leads",
                (now - chrono::Duration::days(1)).to_rfc3339(),
            ),
            _ => ("marketing,share_leads", String::new()),
        };
        csv.push_str(&format!(
            "{},{}先生,小{},web_form,{consent_time},\"{scope}\",FORM-{i:04},{expiry}\n",
            demo::number(i),
            surnames[i % surnames.len()],
            ["明", "红", "刚", "丽", "伟"][i % 5],
        ));
    }
    let mut opts = waihu_contacts::ImportOptions::new(imported_at);
    opts.default_region = phonenumber::country::Id::CN;
    let summary = waihu_app::contact_import::import_file(
        store,
        pii,
        tenant.id,
        "试听名单",
        csv.into_bytes(),
        opts,
        actor,
    )
    .await?
    .map_err(|e| anyhow::anyhow!("demo contacts: {e}"))?;
    anyhow::ensure!(
        summary.report.imported as usize == args.calls,
        "demo contacts: {} of {} accepted",
        summary.report.imported,
        args.calls
    );
    for i in 0..args.calls {
        let n = demo::number(i);
        match special(i) {
            Special::Dnc => {
                store
                    .add_dnc(
                        DncScope::Tenant(tenant.id),
                        &pii.hash(&n),
                        &pii.mask(&n),
                        "asked not to be called",
                        "demo",
                        actor,
                    )
                    .await?;
            }
            Special::Withdrawn => {
                store
                    .withdraw_consent(
                        tenant.id,
                        &pii.hash(&n),
                        &pii.mask(&n),
                        "withdrew by email",
                        now - chrono::Duration::days(1),
                        actor,
                    )
                    .await?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The demo task, created and started.
async fn start_task(
    store: &Store,
    tenant: &Tenant,
    args: &DemoArgs,
    flavor: demo::Flavor,
    actor: &Actor,
) -> anyhow::Result<()> {
    let caller = DEMO_CALLER;
    let create = super::task::CreateArgs {
        tenant: "demo".into(),
        name: "试听邀约".into(),
        script: flavor.script_name.into(),
        lists: vec!["试听名单".into()],
        caller_number: caller.into(),
        trunk: "virtual-callee".into(),
        purpose: "marketing".into(),
        lines: args.lines,
        cps: None,
        windows: None,
        retry: Some(demo_retry()),
        priority: 0,
        lead_grade: "B".into(),
        variant_b: None,
        split: None,
        starts: None,
        ends: None,
    };
    let task = super::task::create(store, tenant, &create, Delay::from_secs(5), actor).await?;
    super::task::apply_command(
        store,
        tenant.id,
        &task,
        TaskCommand::Start,
        Some("demo"),
        actor,
        chrono::Utc::now(),
    )
    .await?;
    Ok(())
}

/// The demo's summary.
struct Summary {
    table: Vec<(String, String)>,
    json: serde_json::Value,
}

/// The demo task's retry policy: every retryable outcome but a trunk
/// authentication failure (the virtual trunk has none) after 10 s, two attempts.
fn demo_retry() -> String {
    let after: Vec<String> = CallOutcome::retryable()
        .filter(|o| *o != CallOutcome::AuthFailed)
        .map(|o| format!(r#""{o}":"10s""#))
        .collect();
    format!(r#"{{"max_attempts":2,"after":{{{}}}}}"#, after.join(","))
}

fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(idx).copied()
}

async fn summarise(
    store: &Store,
    tenant: &waihu_store::Tenant,
    task_id: uuid::Uuid,
    finished: &[Finished],
) -> anyhow::Result<Summary> {
    let counts = store.task_counts(tenant.id, task_id).await?;
    let contacts: i64 = counts.by_state.values().sum();
    let mut outcomes: BTreeMap<String, i64> = BTreeMap::new();
    let mut refused: BTreeMap<String, i64> = BTreeMap::new();
    let mut grades: BTreeMap<String, i64> = ["A", "B", "C", "D", "E", "F"]
        .iter()
        .map(|g| (g.to_string(), 0))
        .collect();
    let mut opt_outs = 0;
    let mut latencies = Vec::new();
    let calls = store
        .list_calls(
            tenant.id,
            waihu_store::CallFilter {
                task_id: Some(task_id),
                limit: 1_000_000,
                ..waihu_store::CallFilter::default()
            },
        )
        .await?;
    let mut attempts = 0;
    for c in &calls {
        let outcome = c.outcome.clone().unwrap_or_else(|| IN_FLIGHT.into());
        if CallOutcome::Refused.is(Some(&outcome)) {
            let doc: serde_json::Value = serde_json::from_str(&c.gate_json).unwrap_or_default();
            for r in doc["reasons"].as_array().into_iter().flatten() {
                if let Some(rule) = r["rule"].as_str() {
                    *refused.entry(rule.to_string()).or_default() += 1;
                }
            }
            continue;
        }
        attempts += 1;
        *outcomes.entry(outcome).or_default() += 1;
        if let Some(g) = &c.grade {
            *grades.entry(g.clone()).or_default() += 1;
        }
        if c.opt_out {
            opt_outs += 1;
        }
    }
    let mut key_latencies = Vec::new();
    for f in finished {
        latencies.extend(f.speech_latencies_ms.iter().copied());
        key_latencies.extend(f.key_latencies_ms.iter().copied());
    }
    latencies.sort_unstable();
    key_latencies.sort_unstable();
    let p50 = percentile(&latencies, 0.5);
    let p95 = percentile(&latencies, 0.95);
    let key_p50 = percentile(&key_latencies, 0.5);
    let key_p95 = percentile(&key_latencies, 0.95);
    let ms = |v: Option<u64>| v.map_or("-".into(), |v| v.to_string());
    let table = vec![
        ("contacts".to_string(), contacts.to_string()),
        ("attempts".to_string(), attempts.to_string()),
        ("outcomes".to_string(), fmt_map(&outcomes)),
        ("grades".to_string(), fmt_map(&grades)),
        ("leads".to_string(), counts.leads.to_string()),
        ("refused by the gate".to_string(), fmt_map(&refused)),
        ("opt-outs".to_string(), opt_outs.to_string()),
        (
            "response latency, speech".to_string(),
            format!(
                "p50 {} ms, p95 {} ms ({} turns)",
                ms(p50),
                ms(p95),
                latencies.len()
            ),
        ),
        (
            "response latency, keys".to_string(),
            format!(
                "p50 {} ms, p95 {} ms ({} turns)",
                ms(key_p50),
                ms(key_p95),
                key_latencies.len()
            ),
        ),
    ];
    let json = serde_json::json!({
        "contacts": contacts,
        "attempts": attempts,
        "outcomes": outcomes,
        "grades": grades,
        "leads": counts.leads,
        "refused": refused,
        "opt_outs": opt_outs,
        "latency_ms": {"p50": p50, "p95": p95, "turns": latencies.len()},
        "key_latency_ms": {"p50": key_p50, "p95": key_p95, "turns": key_latencies.len()},
    });
    Ok(Summary { table, json })
}

fn fmt_map(m: &BTreeMap<String, i64>) -> String {
    if m.is_empty() {
        return "-".into();
    }
    m.iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn print_summary(s: &Summary) {
    println!("\n== waihu demo summary ==");
    for (k, v) in &s.table {
        println!("{k:>20}  {v}");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn demo_retry_policy_text_is_unchanged() {
        assert_eq!(
            super::demo_retry(),
            r#"{"max_attempts":2,"after":{"busy":"10s","no_answer":"10s","unavailable":"10s","unreachable":"10s","failed":"10s","interrupted":"10s"}}"#
        );
    }
}

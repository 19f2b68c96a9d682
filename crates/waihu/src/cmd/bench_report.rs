//! `waihu bench report`: a task with a long history (1,000,000 calls by default,
//! bulk-imported over 90 days with the demo script's conversations: bookings,
//! refusals, unrecognised answers, opt-outs, silences, unanswered calls and gate
//! refusals, on two A/B variants) in a fresh SQLite file (or `--db`), then each
//! report timed as the CLI builds it. Figures go into BENCHMARKS.md.

use super::report::{load_facts, task_days};
use anyhow::Context as _;
use chrono::{Duration, TimeZone, Utc};
use std::time::Instant;
use waihu_compliance::pii::PhoneKey;
use waihu_core::CallOutcome;
use waihu_store::insight::HistoricCall;
use waihu_store::{Actor, CallResult, FactScope, NewTask, NewTrunk, Store, TaskVariant, Transport};

/// Arguments of `waihu bench report`.
#[derive(Debug, clap::Args)]
pub struct BenchReportArgs {
    /// Calls of history.
    #[arg(long, default_value_t = 1_000_000)]
    pub calls: usize,
    /// Days the history spans.
    #[arg(long, default_value_t = 90)]
    pub days: i64,
    /// Calls read by the funnel, unknown and A/B reports (their page).
    #[arg(long, default_value_t = 50_000)]
    pub page: u32,
    /// Database URL; default a fresh temporary SQLite file.
    #[arg(long)]
    pub db: Option<String>,
}

/// The unrecognised answers of the generated history (two spellings each).
const UNKNOWN: [&str; 6] = [
    "我在开车呢",
    "我在开车",
    "你们地址在哪",
    "你们地址在哪里",
    "孩子在上学",
    "孩子还在上学呢",
];

fn json(v: serde_json::Value) -> Option<String> {
    Some(v.to_string())
}

fn turn(callee: Option<&str>, dtmf: Option<char>, intent: &str) -> serde_json::Value {
    serde_json::json!({"callee": callee, "dtmf": dtmf, "intent": intent, "robot": null, "latency_ms": 700})
}

fn line(speaker: &str, text: &str) -> serde_json::Value {
    serde_json::json!({"speaker": speaker, "text": text, "start_ms": 0, "end_ms": 1, "interrupted": false, "disclosure": false, "confidence": if speaker == "callee" { Some(0.9) } else { None }, "dtmf": null})
}

/// One generated call: kind `i % 20` decides what happened.
fn historic(i: usize, at: chrono::DateTime<Utc>, key: &PhoneKey) -> HistoricCall {
    let number = format!("+86139{:08}", i % 100_000_000);
    let mut r = CallResult {
        ended_at: Some(at + Duration::seconds(40)),
        ..CallResult::default()
    };
    let answered = |r: &mut CallResult, secs: i64, grade: &str, end: &str| {
        r.outcome = CallOutcome::Answered.as_str().into();
        r.sip_status = Some(200);
        r.answered_at = Some(at + Duration::seconds(3));
        r.duration_ms = Some(secs * 1000);
        r.grade = Some(grade.into());
        r.grade_reason = Some(end.into());
        r.script_outcome = Some(end.into());
    };
    let mut gate = r#"{"decision":"allow","reasons":[]}"#.to_string();
    let mut lead = false;
    match i % 20 {
        0..=3 => {
            answered(&mut r, 45, "A", "booked");
            r.path_json = json(serde_json::json!([
                "disclosure",
                "invite",
                "pick_time",
                "booked_sat",
                "end_booked"
            ]));
            r.turn_log_json = json(serde_json::json!([
                turn(Some("好的可以"), None, "affirm"),
                turn(None, Some('1'), "dtmf:1")
            ]));
            r.transcript_json = json(serde_json::json!([
                line("robot", "您好"),
                line("callee", "好的可以")
            ]));
            lead = true;
        }
        4..=6 => {
            answered(&mut r, 25, "D", "declined");
            r.path_json = json(serde_json::json!([
                "disclosure",
                "invite",
                "ask_later_interest",
                "end_declined"
            ]));
            r.turn_log_json = json(serde_json::json!([
                turn(Some("不需要"), None, "reject"),
                turn(Some("不用了"), None, "reject")
            ]));
            r.transcript_json = json(serde_json::json!([
                line("callee", "不需要"),
                line("callee", "不用了")
            ]));
        }
        7 | 8 => {
            let u = UNKNOWN[(i / 20) % UNKNOWN.len()];
            answered(&mut r, 35, "E", "no_response");
            r.path_json = json(serde_json::json!([
                "disclosure",
                "invite",
                "invite",
                "invite",
                "end_unclear"
            ]));
            r.turn_log_json = json(serde_json::json!([
                turn(Some(u), None, "unknown"),
                turn(Some(u), None, "unknown"),
                turn(Some(u), None, "unknown")
            ]));
            r.transcript_json = json(serde_json::json!([
                line("callee", u),
                line("callee", u),
                line("callee", u)
            ]));
        }
        9 => {
            answered(&mut r, 12, "F", "opt_out");
            r.opt_out = true;
            r.path_json = json(serde_json::json!(["disclosure", "invite", "bye_opt_out"]));
            r.turn_log_json = json(serde_json::json!([turn(
                Some("别再给我打电话了"),
                None,
                "opt_out"
            )]));
            r.intents_json = json(serde_json::json!(["opt_out"]));
            r.transcript_json = json(serde_json::json!([line("callee", "别再给我打电话了")]));
        }
        10 => {
            answered(&mut r, 8, "E", "hangup");
            r.path_json = json(serde_json::json!(["disclosure", "invite"]));
            r.turn_log_json = json(serde_json::json!([]));
        }
        11..=14 => {
            r.outcome = CallOutcome::NoAnswer.as_str().into();
            r.sip_status = Some(480);
        }
        15 | 16 => {
            r.outcome = CallOutcome::Busy.as_str().into();
            r.sip_status = Some(486);
        }
        17 => {
            r.outcome = CallOutcome::InvalidNumber.as_str().into();
            r.sip_status = Some(404);
        }
        _ => {
            r.outcome = CallOutcome::Refused.as_str().into();
            r.ended_at = Some(at);
            gate = if i.is_multiple_of(2) {
                r#"{"decision":"deny","reasons":[{"rule":"dnc_tenant","message":"on the list"}]}"#
            } else {
                r#"{"decision":"deny","reasons":[{"rule":"cap_24h","message":"too many"}]}"#
            }
            .to_string();
        }
    }
    HistoricCall {
        contact_id: None,
        number_hash: key.hash(&number),
        number_masked: waihu_compliance::pii::mask(&number),
        created_at: at,
        result: r,
        gate_json: gate,
        script_version_id: None,
        variant: None,
        lead,
    }
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

/// Seeds the history, then times each report.
pub async fn bench_report(args: BenchReportArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.calls > 0 && args.days > 0,
        "--calls and --days must be positive"
    );
    let dir = tempfile::tempdir()?;
    let url = match &args.db {
        Some(u) => u.clone(),
        None => format!("sqlite://{}", dir.path().join("bench.db").display()),
    };
    let store = Store::connect(&url, 4)
        .await
        .context("cannot open the bench database")?;
    store.migrate().await?;
    let actor = Actor::system();
    let f = seed_fixture(&store, &actor).await?;
    seed_history(&store, &f, &args, &actor).await?;
    time_reports(&store, &f, &args).await?;
    store.close().await;
    Ok(())
}

/// What the history is seeded into: a tenant, its task with two published
/// versions of the demo script as its A/B variants.
struct Fixture {
    tenant: waihu_store::Tenant,
    task: waihu_store::Task,
    va: uuid::Uuid,
    vb: uuid::Uuid,
}

/// Creates the tenant, the two script versions, a trunk, a list and the task.
async fn seed_fixture(store: &Store, actor: &Actor) -> anyhow::Result<Fixture> {
    let tenant = store
        .create_tenant(&waihu_core::TenantName::parse("bench")?, actor)
        .await?;
    let yaml = crate::demo::SCRIPT_YAML;
    let (lint, _) = super::script::lint_summary(yaml);
    let va = store
        .save_script_version(tenant.id, "trial", yaml, lint.clone(), actor)
        .await?;
    store
        .publish_script_version(tenant.id, va.id, actor)
        .await?;
    let vb = store
        .save_script_version(tenant.id, "trial", yaml, lint, actor)
        .await?;
    store
        .publish_script_version(tenant.id, vb.id, actor)
        .await?;
    let trunk = store
        .add_trunk(
            NewTrunk {
                name: "bench".into(),
                address: "127.0.0.1:5060".into(),
                transport: Transport::Udp,
                username: None,
                password: None,
                cps_limit: 100.0,
            },
            actor,
        )
        .await?;
    let list = store.ensure_contact_list(tenant.id, "bench", actor).await?;
    let task = store
        .create_task_with_variant(
            tenant.id,
            NewTask {
                name: "history".into(),
                purpose: "marketing".into(),
                script_version_id: va.id,
                caller_number: "+861088886666".into(),
                trunk_id: trunk.id,
                list_ids: vec![list.id],
                windows_json: "{}".into(),
                lines: 10,
                cps_limit: None,
                retry_json: "{}".into(),
                priority: 0,
                lead_grade: "B".into(),
                starts_at: None,
                ends_at: None,
            },
            Some(TaskVariant {
                script_version_id: vb.id,
                split_percent: 50,
            }),
            actor,
        )
        .await?;
    Ok(Fixture {
        tenant,
        task,
        va: va.id,
        vb: vb.id,
    })
}

/// Imports `args.calls` historic calls spread over `args.days` days.
async fn seed_history(
    store: &Store,
    f: &Fixture,
    args: &BenchReportArgs,
    actor: &Actor,
) -> anyhow::Result<()> {
    let key = PhoneKey::from_bytes([7; 32]);
    let start = Utc
        .with_ymd_and_hms(2026, 1, 5, 0, 0, 0)
        .single()
        .context("date")?;
    let step_ms = args.days * 86_400_000 / args.calls as i64;
    let seeding = Instant::now();
    let batch = 50_000;
    let mut i = 0;
    while i < args.calls {
        let n = batch.min(args.calls - i);
        let calls: Vec<HistoricCall> = (i..i + n)
            .map(|k| {
                let mut c = historic(k, start + Duration::milliseconds(k as i64 * step_ms), &key);
                if !CallOutcome::Refused.is(Some(&c.result.outcome)) {
                    let b = (k / 7) % 2 == 1;
                    c.script_version_id = Some(if b { f.vb } else { f.va });
                    c.variant = Some(if b { "B" } else { "A" }.into());
                }
                c
            })
            .collect();
        store
            .import_call_history(f.tenant.id, f.task.id, &calls, actor)
            .await?;
        i += n;
    }
    let seeded = secs(seeding);
    println!(
        "seeded {} calls over {} days into {:?} in {:.1} s ({:.0} calls/s)",
        args.calls,
        args.days,
        store.kind(),
        seeded,
        args.calls as f64 / seeded
    );
    Ok(())
}

/// Times each report over the seeded history.
async fn time_reports(store: &Store, f: &Fixture, args: &BenchReportArgs) -> anyhow::Result<()> {
    let (tenant, task) = (&f.tenant, &f.task);
    let offset = chrono::FixedOffset::east_opt(8 * 3600).context("offset")?;

    let t = Instant::now();
    let (report, hours) = task_days(store, tenant, task, offset).await?;
    let daily = secs(t);
    println!(
        "task report (rollup, {} hourly rows → {} days, {} attempts, {} answered): {:.3} s",
        hours.len(),
        report.days.len(),
        report.total.attempts,
        report.total.answered,
        daily
    );

    let t = Instant::now();
    let bytes = waihu_insight::export::report_xlsx(
        &report,
        &[],
        waihu_insight::export::Numbers::Masked,
        offset,
        waihu_insight::export::Lang::Zh,
    )?;
    println!(
        "task report XLSX ({} bytes, daily sheet): {:.3} s",
        bytes.len(),
        secs(t)
    );

    let t = Instant::now();
    let (facts, _) = load_facts(store, tenant, FactScope::Task(task.id), false, args.page).await?;
    let read = secs(t);
    let t = Instant::now();
    let ab = waihu_insight::ab::compare(&facts);
    println!(
        "A/B comparison over the newest {} calls: read {:.3} s + compare {:.3} s (A answered {}, B answered {})",
        facts.len(),
        read,
        secs(t),
        ab.a.answered,
        ab.b.answered
    );

    let t = Instant::now();
    let (facts, _) = load_facts(
        store,
        tenant,
        FactScope::ScriptVersion(f.va),
        false,
        args.page,
    )
    .await?;
    let read = secs(t);
    let t = Instant::now();
    let f = waihu_insight::funnel::funnel(f.va, &facts);
    println!(
        "funnel of version 1 over its newest {} calls ({} answered): read {:.3} s + funnel {:.3} s",
        facts.len(),
        f.calls,
        read,
        secs(t)
    );

    let t = Instant::now();
    let (facts, _) = load_facts(store, tenant, FactScope::Task(task.id), true, args.page).await?;
    let read = secs(t);
    let t = Instant::now();
    let clusters = waihu_insight::unknown::clusters(
        &facts,
        &waihu_insight::unknown::UnknownOptions::default(),
    );
    println!(
        "unknown utterances over the newest {} calls with one: read {:.3} s + cluster {:.3} s ({} clusters, top {:?} ×{})",
        facts.len(),
        read,
        secs(t),
        clusters.len(),
        clusters.first().map(|c| c.label.as_str()).unwrap_or(""),
        clusters.first().map(|c| c.count).unwrap_or(0)
    );
    Ok(())
}

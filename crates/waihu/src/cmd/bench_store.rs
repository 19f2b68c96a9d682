//! `waihu bench import` and `waihu bench gate`: the contact import and the gate
//! decision measured against a real database (a fresh temporary SQLite file unless
//! `--db` names another, e.g. PostgreSQL). Figures go into BENCHMARKS.md.

use anyhow::Context as _;
use chrono::{TimeZone, Utc};
use std::time::Instant;
use waihu_app::contact_import::import_file;
use waihu_app::gate::{GateQuestion, GateSettings, Gatekeeper, DIALLER_TTL};
use waihu_app::pii::Pii;
use waihu_compliance::{
    CheckScope, ConsentEvidence, EvidenceRef, Purpose, TaskFacts, TimeWindow, WeeklyWindows,
};
use waihu_contacts::ImportOptions;
use waihu_core::TenantName;
use waihu_store::{Actor, DncScope, Store};

/// Arguments of `waihu bench import`.
#[derive(Debug, clap::Args)]
pub struct BenchImportArgs {
    /// Rows in the generated CSV.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: usize,
    /// Entries put on the platform do-not-call list first.
    #[arg(long, default_value_t = 100_000)]
    pub dnc: usize,
    /// Database URL; default a fresh temporary SQLite file.
    #[arg(long)]
    pub db: Option<String>,
}

/// Arguments of `waihu bench gate`.
#[derive(Debug, clap::Args)]
pub struct BenchGateArgs {
    /// Entries on the platform do-not-call list.
    #[arg(long, default_value_t = 1_000_000)]
    pub dnc: usize,
    /// Decisions to time.
    #[arg(long, default_value_t = 20_000)]
    pub decisions: usize,
    /// Database URL; default a fresh temporary SQLite file.
    #[arg(long)]
    pub db: Option<String>,
    /// Read the policy and the caller number from the database on every decision
    /// (as `waihu gate check` does) instead of the dialler's short-lived cache.
    #[arg(long)]
    pub no_cache: bool,
}

struct BenchDb {
    store: Store,
    _dir: tempfile::TempDir,
    pii: Pii,
    label: String,
}

async fn open(db: Option<&str>) -> anyhow::Result<BenchDb> {
    let dir = tempfile::tempdir()?;
    let url = match db {
        Some(u) => u.to_string(),
        None => format!("sqlite://{}", dir.path().join("bench.db").display()),
    };
    let store = Store::connect(&url, 4)
        .await
        .context("cannot open the bench database")?;
    store.migrate().await?;
    let pii = Pii::new(
        waihu_compliance::pii::PhoneKey::generate().0,
        waihu_compliance::pii::NumberCipher::generate().0,
    );
    let label = format!("{:?}", store.kind());
    Ok(BenchDb {
        store,
        _dir: dir,
        pii,
        label,
    })
}

fn mobile(i: usize) -> String {
    // 139 and 186 prefixes keep the numbers valid mainland mobiles.
    let prefix = if i.is_multiple_of(2) { "139" } else { "186" };
    format!("{prefix}{:08}", i / 2)
}

fn evidence() -> anyhow::Result<ConsentEvidence> {
    Ok(ConsentEvidence {
        source: "web_form".into(),
        given_at: Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .context("date")?,
        purposes: vec![Purpose::parse("marketing")?],
        share_leads: false,
        evidence: EvidenceRef::Reference("bench".into()),
        expires_at: None,
    })
}

async fn fill_dnc(b: &BenchDb, n: usize, offset: usize) -> anyhow::Result<f64> {
    let t = Instant::now();
    let actor = Actor::system();
    let mut hashes = Vec::with_capacity(100_000);
    for i in 0..n {
        hashes.push(b.pii.hash(&format!("+86{}", mobile(offset + i))));
        if hashes.len() == 100_000 {
            b.store
                .import_dnc(DncScope::Platform, &hashes, "bench", &actor)
                .await?;
            hashes.clear();
        }
    }
    b.store
        .import_dnc(DncScope::Platform, &hashes, "bench", &actor)
        .await?;
    Ok(t.elapsed().as_secs_f64())
}

/// Generates a CSV and imports it: validation, de-duplication, consent, DNC check,
/// encryption and one all-or-nothing transaction.
pub async fn bench_import(args: BenchImportArgs) -> anyhow::Result<()> {
    let b = open(args.db.as_deref()).await?;
    let actor = Actor::system();
    let tenant = b
        .store
        .create_tenant(&TenantName::parse("bench")?, &actor)
        .await?;
    fill_dnc(&b, args.dnc, args.rows / 2).await?;
    let mut csv = String::with_capacity(args.rows * 32);
    csv.push_str("手机号,姓名,产品\n");
    for i in 0..args.rows {
        csv.push_str(&mobile(i));
        csv.push_str(",张先生,会员卡\n");
    }
    let mut opts = ImportOptions::new(Utc::now());
    opts.consent = Some(evidence()?);
    let start = Instant::now();
    let summary = import_file(
        &b.store,
        &b.pii,
        tenant.id,
        "bench",
        csv.into_bytes(),
        opts,
        &actor,
    )
    .await??;
    let total = start.elapsed().as_secs_f64();
    println!(
        "import of {} rows into {} ({} DNC entries): read+validate+dedup+hash+encrypt+DNC {:.2} s (its own thread, overlapping the inserts), total {:.2} s ({:.0} rows/s); imported {}, on DNC {}",
        args.rows,
        b.label,
        args.dnc,
        summary.timing.0,
        total,
        args.rows as f64 / total,
        summary.stored.imported,
        summary.on_dnc
    );
    Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Times the dialler's gate call: `Gatekeeper::decide_in_task` with task facts, a
/// verified caller number of the tenant and `CheckScope::Dial`, as the campaign
/// port asks it before every dial. Setup (not timed): the DNC list, contacts with
/// consent, and an attempt history for some of them.
pub async fn bench_gate(args: BenchGateArgs) -> anyhow::Result<()> {
    let b = open(args.db.as_deref()).await?;
    let actor = Actor::system();
    let tenant = b
        .store
        .create_tenant(&TenantName::parse("bench")?, &actor)
        .await?;
    let load = fill_dnc(&b, args.dnc, 0).await?;
    // Contacts with consent for the numbers we ask about (off the DNC range).
    let n = args.decisions.min(100_000);
    let mut csv = String::from("phone\n");
    for i in 0..n {
        csv.push_str(&mobile(args.dnc + i));
        csv.push('\n');
    }
    let mut opts = ImportOptions::new(Utc::now());
    opts.consent = Some(evidence()?);
    import_file(
        &b.store,
        &b.pii,
        tenant.id,
        "bench",
        csv.into_bytes(),
        opts,
        &actor,
    )
    .await??;
    let at = Utc
        .with_ymd_and_hms(2026, 3, 2, 3, 0, 0)
        .single()
        .context("date")?;
    // Every fifth consented number was called a day and a half ago: the attempt
    // query finds rows, the caps are not reached.
    for i in (0..n).step_by(5) {
        let hash = b.pii.hash(&format!("+86{}", mobile(args.dnc + i)));
        b.store
            .record_attempt(
                tenant.id,
                &hash,
                "marketing",
                at - chrono::Duration::hours(36),
            )
            .await?;
    }
    let caller = "+862150000001";
    b.store.add_caller_number(caller, &actor).await?;
    b.store.verify_caller_number(caller, &actor).await?;
    b.store
        .assign_caller_number(caller, tenant.id, &actor)
        .await?;
    // What the port reads from the task row before every dial.
    let task = TaskFacts {
        state: waihu_core::TaskState::Running,
        windows: WeeklyWindows::every_day(TimeWindow::hm((9, 0), (20, 0))?),
        starts_at: None,
        ends_at: None,
    };
    // The port's own cache of policies and caller numbers, with its time to live.
    let settings = GateSettings::new(DIALLER_TTL);
    let keeper = Gatekeeper {
        store: &b.store,
        pii: &b.pii,
        settings: (!args.no_cache).then_some(&settings),
    };
    let purpose = Purpose::parse("marketing")?;
    let question = |i: usize| {
        // Alternate numbers on the list and numbers with consent.
        let idx = if i.is_multiple_of(2) {
            (i * 7919) % args.dnc.max(1)
        } else {
            args.dnc + (i % n)
        };
        GateQuestion {
            tenant: tenant.clone(),
            number: format!("+86{}", mobile(idx)),
            purpose: purpose.clone(),
            caller_number: Some(caller.to_string()),
            jurisdiction: None,
            scope: CheckScope::Dial,
        }
    };
    // Warm-up (connections, statement caches), as in a running dialler.
    for i in 0..args.decisions.min(1_000) {
        keeper.decide_in_task(&question(i), Some(&task), at).await?;
    }
    let load_before = loadavg();
    let mut times = Vec::with_capacity(args.decisions);
    let mut allowed = 0;
    for i in 0..args.decisions {
        let q = question(i);
        let t = Instant::now();
        let d = keeper.decide_in_task(&q, Some(&task), at).await?;
        times.push(t.elapsed().as_secs_f64() * 1e6);
        allowed += usize::from(d.is_allow());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "dialler's gate (decide_in_task, task facts, caller number, settings {}) on {} with {} DNC entries (loaded in {:.1} s): {} decisions ({} allowed), p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs; load average {} before, {} after",
        if args.no_cache { "read every time" } else { "cached" },
        b.label,
        args.dnc,
        load,
        args.decisions,
        allowed,
        percentile(&times, 0.50),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or(0.0),
        load_before,
        loadavg()
    );
    Ok(())
}

/// The 1-minute load average (the machine is shared: the figure belongs with it).
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

//! `waihu bench <what>`: measurements that go into BENCHMARKS.md. Build with
//! `--release` for figures worth reporting.

use std::process::ExitCode;

/// What to measure.
#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// Contact import: generated CSV through validation, DNC check, encryption and storage.
    Import(super::bench_store::BenchImportArgs),
    /// Compliance gate: facts from the database plus the decision, with a large DNC list.
    Gate(super::bench_store::BenchGateArgs),
    /// Intent recognition: accuracy per intent on the dev and held-out corpus, and time per utterance.
    Intent(BenchIntentArgs),
    /// Hearing: the callee utterances spoken by several voices through G.711, noise
    /// and packet loss, recognised by Whisper; CER/WER, intent accuracy and opt-out
    /// recall after ASR, real-time factor.
    Asr(super::bench_asr::BenchAsrArgs),
    /// Media: N concurrent G.711 calls against the virtual callee (or a SIP target); loss, send jitter, CPU, memory.
    Media(BenchMediaArgs),
    /// Conversations: N concurrent robot ↔ virtual-callee conversations; response latency split into end-pointing, ASR, dialog and playback; ASR real-time factor; the knee.
    Conversation(super::bench_conversation::BenchConversationArgs),
    /// A task against the virtual callee: calls per hour, scheduler overhead per
    /// attempt, write transactions per call (SQLite, or PostgreSQL with --database-url).
    Campaign(BenchCampaignArgs),
    /// Reports over a long task history (1,000,000 calls): daily report, A/B,
    /// funnel and unknown utterances, each timed (SQLite, or --db).
    Report(super::bench_report::BenchReportArgs),
    /// Line classification on the held-out clip set: accuracy per class and
    /// reason, confusion matrix, decision time, CPU per clip.
    Line(super::bench_line::BenchLineArgs),
}

/// `waihu bench campaign`.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchCampaignArgs {
    /// Contacts in the task.
    #[arg(long, default_value_t = 1000)]
    pub contacts: usize,
    /// Robot lines.
    #[arg(long, default_value_t = 100)]
    pub lines: u32,
}

/// Runs a benchmark.
pub async fn run(ctx: &super::Context, cmd: BenchCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        BenchCommand::Import(args) => super::bench_store::bench_import(args)
            .await
            .map(|()| ExitCode::SUCCESS),
        BenchCommand::Gate(args) => super::bench_store::bench_gate(args)
            .await
            .map(|()| ExitCode::SUCCESS),
        BenchCommand::Intent(args) => bench_intent(args),
        BenchCommand::Asr(args) => tokio::task::block_in_place(|| super::bench_asr::run(ctx, args)),
        BenchCommand::Media(args) => bench_media(args).await,
        BenchCommand::Conversation(args) => super::bench_conversation::run(ctx, args).await,
        BenchCommand::Campaign(args) => bench_campaign(ctx, args).await,
        BenchCommand::Report(args) => super::bench_report::bench_report(args)
            .await
            .map(|()| ExitCode::SUCCESS),
        BenchCommand::Line(args) => super::bench_line::run(ctx, args).await,
    }
}

/// Arguments of `waihu bench intent`.
#[derive(Debug, clap::Args)]
pub struct BenchIntentArgs {
    /// How many times every utterance is timed.
    #[arg(long, default_value_t = 200)]
    pub rounds: usize,
    /// Also list every misrecognised utterance.
    #[arg(long)]
    pub errors: bool,
    /// Instead: K-fold cross-validation on dev (stratified, fixed seed): the model
    /// is trained on K−1 folds; rules alone vs rules + model on the K-th.
    #[arg(long, value_name = "K")]
    pub cv: Option<usize>,
    /// With --cv: also sweep the opt-out override threshold.
    #[arg(long, requires = "cv")]
    pub sweep: bool,
}

/// The seed of the cross-validation folds (fixed so figures are reproducible).
const CV_SEED: u64 = 7;

fn bench_intent_cv(k: usize, args: &BenchIntentArgs) -> anyhow::Result<ExitCode> {
    use waihu_dialog::corpus::{cross_validate, cross_validate_at, parse, Tally, DEV};
    use waihu_dialog::intent::{IntentModel, OPT_OUT};
    let r = waihu_dialog::intent::Recognizer::builtin()?;
    let (dev, _) = parse(DEV);
    let t0 = std::time::Instant::now();
    let m = IntentModel::train(dev.iter().map(|s| (s.text.as_str(), s.label.as_str())));
    let train = t0.elapsed();
    std::hint::black_box(&m);
    let pct = |t: &Tally| match t.total {
        0 => "–".to_string(),
        _ => format!("{:.1} % ({}/{})", t.accuracy() * 100.0, t.correct, t.total),
    };
    let cv = cross_validate(&r, &dev, k, CV_SEED);
    println!(
        "{k}-fold cross-validation on dev ({} utterances, seed {CV_SEED})",
        dev.len()
    );
    println!();
    println!("| fold | rules | rules + model | opt_out recall (rules → +model) | opt_out precision (rules → +model) |");
    println!("|---|---|---|---|---|");
    for (i, (a, b)) in cv.folds.iter().enumerate() {
        println!(
            "| {} | {} | {} | {} → {} | {} → {} |",
            i + 1,
            pct(&a.overall),
            pct(&b.overall),
            pct(&a.recall(OPT_OUT)),
            pct(&b.recall(OPT_OUT)),
            pct(&a.precision(OPT_OUT)),
            pct(&b.precision(OPT_OUT)),
        );
    }
    println!();
    println!("| intent | rules | rules + model | precision: rules | precision: rules + model |");
    println!("|---|---|---|---|---|");
    for label in cv.rules.per_intent.keys() {
        println!(
            "| {label} | {} | {} | {} | {} |",
            pct(&cv.rules.recall(label)),
            pct(&cv.combined.recall(label)),
            pct(&cv.rules.precision(label)),
            pct(&cv.combined.precision(label)),
        );
    }
    let empty = Tally::default();
    for lang in ["zh", "en"] {
        println!(
            "| **all {lang}** | {} | {} | | |",
            pct(cv.rules.per_lang.get(lang).unwrap_or(&empty)),
            pct(cv.combined.per_lang.get(lang).unwrap_or(&empty)),
        );
    }
    println!(
        "| **all** | {} | {} | | |",
        pct(&cv.rules.overall),
        pct(&cv.combined.overall)
    );
    println!();
    println!(
        "training on all of dev: {:.1} ms ({} samples)",
        train.as_secs_f64() * 1e3,
        dev.len()
    );
    if args.sweep {
        println!();
        println!(
            "| opt_out threshold | fill threshold | all | opt_out recall | opt_out precision |"
        );
        println!("|---|---|---|---|---|");
        // 1.01 switches that part of the model off.
        for (th, fill) in [0.9, 0.99, 0.999, 0.9999, 1.01]
            .into_iter()
            .flat_map(|t| [0.9, 0.99, 0.999, 1.01].map(|f| (t, f)))
        {
            let c = cross_validate_at(&r, &dev, k, CV_SEED, th, fill);
            println!(
                "| {th} | {fill} | {} | {} | {} |",
                pct(&c.combined.overall),
                pct(&c.combined.recall(OPT_OUT)),
                pct(&c.combined.precision(OPT_OUT)),
            );
        }
    }
    if args.errors {
        for (s, got) in &cv.combined.errors {
            println!("cv\t{}\t{}\tgot {got}", s.label, s.text);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn bench_intent(args: BenchIntentArgs) -> anyhow::Result<ExitCode> {
    if let Some(k) = args.cv {
        return bench_intent_cv(k, &args);
    }
    use waihu_dialog::corpus::{evaluate, parse, DEV, HELDOUT};
    let r = waihu_dialog::intent::Recognizer::builtin()?;
    let (dev, _) = parse(DEV);
    let (held, _) = parse(HELDOUT);
    let d = evaluate(&r, &dev, args.rounds);
    let h = evaluate(&r, &held, args.rounds);
    // An empty part (no held-out set yet) prints a dash, not 0 %.
    let pct = |t: &waihu_dialog::corpus::Tally| match t.total {
        0 => "–".to_string(),
        _ => format!("{:.1} % ({}/{})", t.accuracy() * 100.0, t.correct, t.total),
    };
    println!("| intent | dev | held-out |");
    println!("|---|---|---|");
    let empty = Default::default();
    for label in d.per_intent.keys().chain(
        h.per_intent
            .keys()
            .filter(|k| !d.per_intent.contains_key(*k)),
    ) {
        let a = d.per_intent.get(label).unwrap_or(&empty);
        let b = h.per_intent.get(label).unwrap_or(&empty);
        println!("| {label} | {} | {} |", pct(a), pct(b));
    }
    for lang in ["zh", "en"] {
        let a = d.per_lang.get(lang).unwrap_or(&empty);
        let b = h.per_lang.get(lang).unwrap_or(&empty);
        println!("| **all {lang}** | {} | {} |", pct(a), pct(b));
    }
    println!("| **all** | {} | {} |", pct(&d.overall), pct(&h.overall));
    // The figure that matters most: a missed opt-out means a person is called again.
    let opt_out = waihu_dialog::intent::OPT_OUT;
    println!(
        "| **opt_out recall** | {} | {} |",
        pct(&d.recall(opt_out)),
        pct(&h.recall(opt_out))
    );
    println!(
        "| **opt_out precision** | {} | {} |",
        pct(&d.precision(opt_out)),
        pct(&h.precision(opt_out))
    );
    let mut times = d.times.clone();
    times.extend(&h.times);
    times.sort();
    let all = waihu_dialog::corpus::Report {
        times,
        ..Default::default()
    };
    println!();
    println!(
        "time per utterance ({} timed calls): p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        all.times.len(),
        all.quantile(0.5).as_secs_f64() * 1e6,
        all.quantile(0.99).as_secs_f64() * 1e6,
        all.quantile(1.0).as_secs_f64() * 1e6,
    );
    if args.errors {
        // The development part only: nobody who changes rules reads held-out lines.
        for (part, rep) in [("dev", &d)] {
            for (s, got) in &rep.errors {
                println!("{part}\t{}\t{}\tgot {got}", s.label, s.text);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `waihu bench media`.
#[derive(Debug, clap::Args)]
pub struct BenchMediaArgs {
    /// Calls to place (held concurrently).
    #[arg(long, default_value_t = 100)]
    pub calls: usize,
    /// Seconds each answered call stays up.
    #[arg(long, default_value_t = 30)]
    pub hold: u64,
    /// Call attempts per second.
    #[arg(long, default_value_t = 100.0)]
    pub cps: f64,
    /// Dial this target (sip:IP:PORT: a `waihu callee-sim` or SIPp UAS) instead of an in-process callee. Loopback only.
    #[arg(long, value_name = "sip:IP:PORT")]
    pub target: Option<String>,
    /// SIP transport.
    #[arg(long, default_value = "udp", value_parser = ["udp", "tcp"])]
    pub transport: String,
}

async fn bench_media(args: BenchMediaArgs) -> anyhow::Result<ExitCode> {
    use anyhow::Context as _;
    let target = match &args.target {
        Some(t) => {
            let addr: std::net::SocketAddr = t
                .strip_prefix("sip:")
                .unwrap_or(t)
                .parse()
                .context("--target must be sip:IP:PORT")?;
            anyhow::ensure!(
                addr.ip().is_loopback(),
                "benchmarks only dial loopback targets"
            );
            Some(addr)
        }
        None => None,
    };
    let r = waihu_callee::bench::run_media_bench(waihu_callee::bench::MediaBenchOptions {
        calls: args.calls,
        hold: std::time::Duration::from_secs(args.hold),
        cps: args.cps,
        target,
        transport: args.transport.parse()?,
    })
    .await?;
    println!(
        "calls attempted {}, established {}, failed {}, peak concurrent {}",
        r.attempted, r.established, r.failed, r.peak_concurrent
    );
    println!(
        "attempt rate {:.1}/s, setup p50 {} ms, p99 {} ms",
        r.attempts_per_sec, r.setup_p50_ms, r.setup_p99_ms
    );
    println!(
        "RTP dialer sent {}, received {}, lost {} ({:.3} %)",
        r.rtp_sent,
        r.rtp_received,
        r.rtp_lost,
        r.loss_pct()
    );
    if r.in_process_callee {
        println!(
            "RTP callee received {}, lost {} ({:.3} %)",
            r.callee_received,
            r.callee_lost,
            r.callee_loss_pct()
        );
    }
    println!(
        "send-interval jitter p50 {:.1} ms, p99 {:.1} ms, p99.9 {:.1} ms; send lateness p50 {:.1} ms, p99 {:.1} ms",
        r.jitter_p50_ms, r.jitter_p99_ms, r.jitter_p999_ms, r.lateness_p50_ms, r.lateness_p99_ms
    );
    println!(
        "CPU {:.1} s over {:.1} s wall ({:.0} % of one core); peak RSS {} KiB; {:.1} KiB per live call{}",
        r.cpu_seconds,
        r.wall_seconds,
        r.cpu_seconds * 100.0 / r.wall_seconds.max(1e-9),
        r.peak_rss_kib,
        r.kib_per_call,
        if r.in_process_callee { " (both ends in this process)" } else { "" }
    );
    Ok(ExitCode::SUCCESS)
}

/// A whole task against the virtual callee in a fresh data directory (and the
/// configured database, which must be empty), with the phrase-book recogniser.
async fn bench_campaign(
    ctx: &super::Context,
    args: BenchCampaignArgs,
) -> anyhow::Result<std::process::ExitCode> {
    let callee_port = {
        let s = std::net::UdpSocket::bind("127.0.0.1:0")?;
        s.local_addr()?.port()
    };
    let demo = super::demo::DemoArgs {
        calls: args.contacts,
        exit: true,
        json: true,
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        callee_port,
        lines: args.lines,
        asr: "phrasebook".into(),
    };
    super::demo::run_flavor(ctx, demo, crate::demo::BENCH).await
}

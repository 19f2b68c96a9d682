//! `waihu bench conversation`: N concurrent whole conversations between the
//! robot and an in-process virtual callee over SIP/RTP on 127.0.0.1, with
//! the callee's replies synthesised in advance. Reports the response
//! latency the callee experiences — from the end of its speech to the first
//! robot audio it hears — as p50/p95/p99, split (robot side) into
//! end-pointing, ASR queue, ASR, dialog and playback start; the ASR
//! real-time factor; and, over several `--calls` steps, the knee: the most
//! concurrent conversations whose p95 stays within 1.5 s.
//!
//! `--asr off` recognises the callee's phrases by their audio (the phrase
//! book): text enters at the ASR boundary, so the figures are media plus
//! dialog alone. `--asr whisper` runs the built-in model on every utterance.

use std::collections::{BTreeMap, HashMap};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use waihu_call::{
    place_call, CallRecord, ConversationConfig, ConversationSetup, Engines, MemoryOptOutSink,
};
use waihu_callee::{Behavior, CallLog, CalleeConfig, CalleeServer, LogKind, Prepared};
use waihu_dialog::interp::Interpreter;
use waihu_sip::rtp::MediaConfig;
use waihu_sip::{sys, DialRequest, SipConfig, UserAgent};
use waihu_speech::asr::{Asr, AsrPool, PhraseBookAsr};
use waihu_speech::tts::{Lang, Tts};

/// The bench script: a short course-trial invitation (disclosure, invite,
/// pick a day, booked).
const SCRIPT: &str = include_str!("../../tests/e2e/data/trial.zh.yaml");

/// The callee's two replies with the phrase book: agree, pick Saturday (booked).
const REPLIES: [&str; 2] = ["可以啊", "周六吧"];
/// The callee's replies with Whisper: phrases Whisper base hears correctly
/// from espeak-ng's robotic Mandarin ("周六吧" comes back as "中流吧"): agree,
/// then refuse the day (re-prompted, then the call ends after silence).
const WHISPER_REPLIES: [&str; 2] = ["可以", "不需要"];

/// Latency target for the knee.
const KNEE_P95_MS: f64 = 1500.0;

/// Arguments of `waihu bench conversation`.
#[derive(Debug, clap::Args)]
pub struct BenchConversationArgs {
    /// Concurrent conversations; a comma list runs one step per value and
    /// reports the knee (e.g. 10,25,50).
    #[arg(long, default_value = "10", value_delimiter = ',')]
    pub calls: Vec<usize>,
    /// Recogniser: `off` (phrase book: text injected at the ASR boundary) or
    /// `whisper` (the built-in model, `speech.model`).
    #[arg(long, default_value = "off", value_parser = ["off", "whisper"])]
    pub asr: String,
    /// Recognition worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub workers: usize,
    /// Spread the call starts evenly over this many seconds (so that the
    /// callees' turns do not all end at the same instant, as in real traffic).
    #[arg(long, default_value_t = 10.0)]
    pub spread_secs: f64,
    /// End-of-utterance silence, ms.
    #[arg(long, default_value_t = 700)]
    pub end_silence_ms: u64,
    /// Turn adaptive end-pointing off.
    #[arg(long)]
    pub no_speculative: bool,
    /// Pause after which an utterance is recognised speculatively, ms.
    #[arg(long, default_value_t = 300)]
    pub speculative_ms: u64,
}

/// Percentiles of a sample, ms.
fn pct(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let idx = ((p / 100.0) * (values.len() - 1) as f64).round() as usize;
    values[idx.min(values.len() - 1)]
}

fn triple(values: &[f64]) -> String {
    let mut v = values.to_vec();
    format!(
        "p50 {:>5.0}  p95 {:>5.0}  p99 {:>5.0}",
        pct(&mut v, 50.0),
        pct(&mut v, 95.0),
        pct(&mut v, 99.0)
    )
}

/// What one step measured.
#[derive(Debug, Default)]
struct StepResult {
    calls: usize,
    answered: usize,
    booked: usize,
    /// Callee-side latencies, ms.
    latency: Vec<f64>,
    endpoint: Vec<f64>,
    asr_queue: Vec<f64>,
    asr: Vec<f64>,
    dialog: Vec<f64>,
    playback: Vec<f64>,
    /// Robot-side latency (speech end → first robot audio queued).
    robot_side: Vec<f64>,
    speculative: usize,
    turns: usize,
    /// What the recogniser heard, with counts.
    heard: BTreeMap<String, usize>,
    wall_s: f64,
    cpu_s: f64,
}

/// Runs `waihu bench conversation`.
pub async fn run(ctx: &super::Context, args: BenchConversationArgs) -> anyhow::Result<ExitCode> {
    sys::raise_fd_limit();
    let tts = waihu_app::speech::tts()?;
    let loaded = waihu_dialog::script::load_str(SCRIPT);
    let script = loaded.script.context("the bench script does not load")?;
    let interpreter = Arc::new(Interpreter::new(script)?);
    let replies = if args.asr == "whisper" {
        WHISPER_REPLIES
    } else {
        REPLIES
    };
    let (book, trailing) = render_replies(tts.as_ref(), &replies)?;
    let asr: Arc<dyn Asr> = match args.asr.as_str() {
        "whisper" => {
            let mut speech = ctx.settings.speech.clone();
            speech.asr = crate::settings::AsrEngineSetting::Whisper;
            waihu_app::speech::asr(&speech, &ctx.settings.data.dir, tts.as_ref())?
        }
        _ => Arc::new(book),
    };
    let pool = match args.workers {
        0 => AsrPool::per_core(asr),
        n => AsrPool::new(asr, n),
    }?;
    let pool = Arc::new(pool);
    let engines = Arc::new(Engines::new(pool.clone(), tts.clone()));
    let (mut callee, ua) = start_ends(&replies, &tts).await?;
    let mut logs = callee.take_logs().context("callee logs")?;
    let mut config = ConversationConfig::default();
    config.vad.end_silence_ms = args.end_silence_ms;
    config.speculative_pause_ms = (!args.no_speculative).then_some(args.speculative_ms);
    let mut vars = BTreeMap::new();
    vars.insert("name".to_string(), "王女士".to_string());
    let setup = ConversationSetup {
        interpreter,
        vars,
        engines: engines.clone(),
        opt_out: Arc::new(MemoryOptOutSink::default()),
        record_to: None,
        prompt_dir: None,
        prompt_library: None,
        config,
        observer: None,
    };
    // Warm the prompt cache with one conversation so every step measures
    // steady state (a campaign synthesises its prompts once).
    println!("warming up (one conversation)…");
    let _ = run_step(
        &ua,
        callee.local_addr(),
        &setup,
        1,
        0.0,
        &mut logs,
        &trailing,
    )
    .await;

    let mut knee = None;
    println!(
        "asr {} ({} workers), end-of-utterance {} ms, adaptive end-pointing {}",
        args.asr,
        pool.stats().workers,
        args.end_silence_ms,
        if args.no_speculative { "off" } else { "on" }
    );
    for &n in &args.calls {
        let before = pool.stats();
        let r = run_step(
            &ua,
            callee.local_addr(),
            &setup,
            n,
            args.spread_secs,
            &mut logs,
            &trailing,
        )
        .await;
        let after = pool.stats();
        let audio_ms = after.audio_ms.saturating_sub(before.audio_ms);
        let decode_us = after.decode_us.saturating_sub(before.decode_us);
        let rtf = if audio_ms == 0 {
            0.0
        } else {
            decode_us as f64 / 1000.0 / audio_ms as f64
        };
        print_step(n, &r, rtf, audio_ms);
        if r.p95() <= KNEE_P95_MS && r.answered == r.calls {
            knee = Some(n);
        }
    }
    match knee {
        Some(n) => println!(
            "\nknee: {n} concurrent conversations keep p95 ≤ 1.5 s (largest step tried that did)"
        ),
        None => println!("\nknee: no step kept p95 ≤ 1.5 s"),
    }
    ua.shutdown();
    callee.shutdown();
    Ok(ExitCode::SUCCESS)
}

/// The callee's replies, rendered once: the phrase book and the trailing
/// silence of each (the callee's "say_end" is the end of its audio; its
/// speech ended that much earlier).
fn render_replies(
    tts: &dyn Tts,
    replies: &[&str],
) -> anyhow::Result<(PhraseBookAsr, HashMap<String, u64>)> {
    let mut trailing = HashMap::new();
    let mut book = PhraseBookAsr::new();
    for reply in replies {
        let audio = tts.synthesize(reply, Lang::Mandarin)?;
        let trimmed = waihu_call::trim_silence(&audio);
        let lead = audio
            .iter()
            .position(|s| s.unsigned_abs() > 200)
            .unwrap_or(0);
        let voiced_end = lead + trimmed.len().saturating_sub(640);
        trailing.insert(
            reply.to_string(),
            (audio.len().saturating_sub(voiced_end) / 8) as u64,
        );
        book.add(*reply, &audio);
    }
    Ok((book, trailing))
}

/// Both ends in this process: the virtual callee speaking `replies`, and the
/// robot's user agent, on separate RTP port ranges.
async fn start_ends(
    replies: &[&str],
    tts: &Arc<dyn Tts>,
) -> anyhow::Result<(CalleeServer, UserAgent)> {
    let persona = format!(
        "[[rule]]\naction = \"answer\"\npersona = \"p\"\nmax_call_secs = 120\n\n[persona.p]\nlang = \"zh\"\nsteps = [{}]\n",
        replies
            .iter()
            .map(|r| format!("{{ do = \"say\", text = \"{r}\" }}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let behavior = Behavior::parse(&persona)?;
    let prepared = Prepared::new(behavior, std::path::Path::new("."), Some(tts.as_ref()))?;
    let callee = CalleeServer::start(CalleeConfig {
        sip: SipConfig {
            media: MediaConfig {
                port_min: 30000,
                port_max: 45000,
                inactivity: None,
                ..MediaConfig::default()
            },
            ..SipConfig::default()
        },
        behavior: prepared,
        log_path: None,
        record_dir: None,
    })
    .await?;
    let ua = UserAgent::start(SipConfig {
        media: MediaConfig {
            port_min: 10000,
            port_max: 29998,
            inactivity: None,
            ..MediaConfig::default()
        },
        ..SipConfig::default()
    })
    .await?;

    Ok((callee, ua))
}

/// Prints one step's figures.
fn print_step(n: usize, r: &StepResult, rtf: f64, audio_ms: u64) {
    println!(
        "\n== {n} concurrent conversations: answered {}, booked {}, turns {} ({} answered speculatively)",
        r.answered, r.booked, r.turns, r.speculative
    );
    let heard: Vec<String> = r.heard.iter().map(|(t, n)| format!("{t:?}×{n}")).collect();
    println!("heard: {}", heard.join(", "));
    println!(
        "response latency, callee side (ms):        {}",
        triple(&r.latency)
    );
    println!(
        "  robot side, speech end → audio queued:   {}",
        triple(&r.robot_side)
    );
    println!(
        "  end-pointing:                            {}",
        triple(&r.endpoint)
    );
    println!(
        "  ASR queue:                               {}",
        triple(&r.asr_queue)
    );
    println!(
        "  ASR:                                     {}",
        triple(&r.asr)
    );
    println!(
        "  dialog (intent + step):                  {}",
        triple(&r.dialog)
    );
    println!(
        "  playback start (TTS/cache + queue):      {}",
        triple(&r.playback)
    );
    println!(
        "ASR real-time factor {rtf:.3} ({} ms audio); CPU {:.1} s over {:.1} s wall ({:.0} % of one core)",
        audio_ms,
        r.cpu_s,
        r.wall_s,
        r.cpu_s * 100.0 / r.wall_s.max(1e-9)
    );
}

impl StepResult {
    /// The callee-side response latency's 95th percentile, ms.
    fn p95(&self) -> f64 {
        let mut lat = self.latency.clone();
        pct(&mut lat, 95.0)
    }
}

/// Places `n` conversations, starts spread over `spread_secs`, and gathers their figures.
async fn run_step(
    ua: &UserAgent,
    target: std::net::SocketAddr,
    setup: &ConversationSetup,
    n: usize,
    spread_secs: f64,
    logs: &mut tokio::sync::mpsc::UnboundedReceiver<CallLog>,
    trailing: &HashMap<String, u64>,
) -> StepResult {
    let cpu0 = sys::cpu_seconds();
    let t0 = Instant::now();
    let interval = Duration::from_secs_f64(spread_secs.max(0.0) / n.max(1) as f64);
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        tokio::time::sleep_until((t0 + interval * i as u32).into()).await;
        let ua = ua.clone();
        let setup = setup.clone();
        let mut req = DialRequest::new(target.to_string(), format!("1380000{i:04}"));
        req.no_response_timeout = Duration::from_secs(10);
        tasks.push(tokio::spawn(async move {
            place_call(&ua, req, setup, None).await
        }));
    }
    let mut records: Vec<CallRecord> = Vec::new();
    for t in tasks {
        if let Ok(Ok(r)) = t.await {
            records.push(r);
        }
    }
    let mut r = StepResult {
        calls: n,
        ..StepResult::default()
    };
    let answered = records.iter().filter(|c| c.conversation.is_some()).count();
    // Every answered call leaves one callee log.
    for _ in 0..answered {
        match tokio::time::timeout(Duration::from_secs(10), logs.recv()).await {
            Ok(Some(log)) => r.latency.extend(callee_latencies(&log, trailing)),
            _ => break,
        }
    }
    r.wall_s = t0.elapsed().as_secs_f64();
    r.cpu_s = sys::cpu_seconds() - cpu0;
    r.answered = answered;
    for c in records.iter().filter_map(|c| c.conversation.as_ref()) {
        if c.script_outcome == "booked" {
            r.booked += 1;
        }
        for t in c
            .turn_log
            .iter()
            .filter(|t| t.timings.endpoint_ms.is_some())
        {
            let tm = &t.timings;
            r.turns += 1;
            r.speculative += usize::from(tm.speculative);
            *r.heard
                .entry(t.callee.clone().unwrap_or_default())
                .or_default() += 1;
            let f = |v: Option<u64>| v.unwrap_or(0) as f64;
            r.endpoint.push(f(tm.endpoint_ms));
            r.asr_queue.push(f(tm.asr_queue_ms));
            r.asr.push(f(tm.asr_ms));
            r.dialog.push(f(tm.dialog_ms));
            r.playback.push(f(tm.playback_ms));
            if let Some(l) = t.latency_ms {
                r.robot_side.push(l as f64);
            }
        }
    }
    r
}

/// Callee-side latencies of one call: for each reply, from the end of its
/// speech (the end of its audio minus the audio's trailing silence) to the
/// start of the robot's next speech.
fn callee_latencies(log: &CallLog, trailing: &HashMap<String, u64>) -> Vec<f64> {
    let mut out = Vec::new();
    let mut saying: Option<String> = None;
    let mut speech_end: Option<u64> = None;
    for e in &log.events {
        match &e.kind {
            LogKind::SayStart { what, .. } => saying = Some(what.clone()),
            LogKind::SayEnd => {
                let tail = saying
                    .as_ref()
                    .and_then(|w| trailing.get(w))
                    .copied()
                    .unwrap_or(0);
                speech_end = Some(e.t_ms.saturating_sub(tail));
            }
            LogKind::RobotSpeechStart { at_ms } => {
                if let Some(end) = speech_end.take() {
                    out.push(at_ms.saturating_sub(end) as f64);
                }
            }
            _ => {}
        }
    }
    out
}

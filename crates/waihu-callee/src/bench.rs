//! The media load test behind `waihu bench media`: N concurrent calls placed
//! at a given rate against a virtual callee (in-process, or any SIP target
//! such as a `waihu callee-sim` process or a SIPp UAS), G.711 both ways for
//! the hold time, then BYE. Reports establishment, RTP loss in both
//! directions, send-tick jitter, CPU and memory.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use waihu_sip::rtp::{MediaConfig, SendJitterHistogram};
use waihu_sip::{sys, DialRequest, DialResult, SipConfig, Transport, UserAgent};

use crate::log::LogKind;
use crate::{Behavior, CalleeConfig, CalleeError, CalleeServer, Prepared};

/// What to run.
#[derive(Debug, Clone)]
pub struct MediaBenchOptions {
    /// Calls to place (all held concurrently when the rate allows).
    pub calls: usize,
    /// How long each answered call stays up.
    pub hold: Duration,
    /// Call attempts per second.
    pub cps: f64,
    /// External target `host:port`; `None` starts an in-process callee.
    pub target: Option<SocketAddr>,
    /// SIP transport.
    pub transport: Transport,
}

/// The figures.
#[derive(Debug, Clone, Default)]
pub struct MediaBenchReport {
    /// Calls attempted.
    pub attempted: usize,
    /// Calls answered.
    pub established: usize,
    /// Calls not answered or failed locally.
    pub failed: usize,
    /// Highest number of calls up at the same time.
    pub peak_concurrent: usize,
    /// Packets the dialer sent / received / lost (callee → dialer).
    pub rtp_sent: u64,
    /// Packets received by the dialer.
    pub rtp_received: u64,
    /// Callee → dialer packets lost.
    pub rtp_lost: u64,
    /// Dialer → callee packets received and lost (in-process callee only).
    pub callee_received: u64,
    /// Dialer → callee packets lost (in-process callee only).
    pub callee_lost: u64,
    /// Send-interval jitter of the dialer (|gap between a session's
    /// consecutive packets − 20 ms|), ms.
    pub jitter_p50_ms: f64,
    /// 99th percentile.
    pub jitter_p99_ms: f64,
    /// Worst 0.1 %.
    pub jitter_p999_ms: f64,
    /// Send lateness (packet sent − its 20 ms deadline) p50, ms.
    pub lateness_p50_ms: f64,
    /// Send lateness p99, ms.
    pub lateness_p99_ms: f64,
    /// Call setup (INVITE → 200) p50 / p99, ms.
    pub setup_p50_ms: u64,
    /// p99 setup.
    pub setup_p99_ms: u64,
    /// Achieved attempt rate.
    pub attempts_per_sec: f64,
    /// CPU seconds of this process during the run.
    pub cpu_seconds: f64,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
    /// Peak resident memory, KiB.
    pub peak_rss_kib: u64,
    /// Resident memory added per concurrent call, KiB.
    pub kib_per_call: f64,
    /// Whether the callee ran in this process (memory and CPU cover both ends).
    pub in_process_callee: bool,
}

impl MediaBenchReport {
    /// Loss of callee → dialer packets, percent.
    pub fn loss_pct(&self) -> f64 {
        pct(self.rtp_lost, self.rtp_received + self.rtp_lost)
    }

    /// Loss of dialer → callee packets, percent.
    pub fn callee_loss_pct(&self) -> f64 {
        pct(self.callee_lost, self.callee_received + self.callee_lost)
    }
}

fn pct(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 * 100.0 / b as f64
    }
}

const BENCH_BEHAVIOR: &str = r#"
[[rule]]
action = "answer"
persona = "listener"
max_call_secs = 3600

[persona.listener]
then = "wait"
"#;

/// Run the benchmark.
pub async fn run_media_bench(opts: MediaBenchOptions) -> Result<MediaBenchReport, CalleeError> {
    sys::raise_fd_limit();
    let mut callee = None;
    let target = match opts.target {
        Some(t) => t,
        None => {
            let behavior = Behavior::parse(BENCH_BEHAVIOR)?;
            let prepared = Prepared::new(behavior, std::path::Path::new("."), None)?;
            let mut server = CalleeServer::start(CalleeConfig {
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
            let logs = server.take_logs();
            let addr = server.local_addr();
            callee = Some((server, logs));
            addr
        }
    };
    let hist = Arc::new(SendJitterHistogram::default());
    let late = Arc::new(SendJitterHistogram::default());
    let ua = UserAgent::start(SipConfig {
        media: MediaConfig {
            port_min: 10000,
            port_max: 29998,
            inactivity: None,
            send_jitter: Some(hist.clone()),
            send_lateness: Some(late.clone()),
            ..MediaConfig::default()
        },
        ..SipConfig::default()
    })
    .await?;
    // A spoken-prompt-sized buffer shared by every call (as real prompts are).
    let prompt: Arc<[i16]> = (0..8000 * 10)
        .map(|i| ((i as f64 * 0.3).sin() * 6000.0) as i16)
        .collect::<Vec<_>>()
        .into();

    let rss_base = sys::status_kib("VmRSS");
    let cpu0 = sys::cpu_seconds();
    let t0 = Instant::now();
    let live = Arc::new(AtomicUsize::new(0));
    let peak_live = Arc::new(AtomicUsize::new(0));
    let rss_at_peak = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(opts.calls);
    let interval = Duration::from_secs_f64(1.0 / opts.cps.max(0.1));
    for i in 0..opts.calls {
        tokio::time::sleep_until((t0 + interval * i as u32).into()).await;
        let ua = ua.clone();
        let prompt = prompt.clone();
        let live = live.clone();
        let peak_live = peak_live.clone();
        let rss_at_peak = rss_at_peak.clone();
        let mut req = DialRequest::new(target.to_string(), format!("1380000{i:04}"));
        req.transport = opts.transport;
        req.from = "10086".into();
        req.no_response_timeout = Duration::from_secs(10);
        req.max_duration = Some(opts.hold + Duration::from_secs(30));
        let hold = opts.hold;
        tasks.push(tokio::spawn(async move {
            match ua.dial(req, None).await {
                Ok(DialResult::Answered(mut call)) => {
                    let n = live.fetch_add(1, Ordering::SeqCst) + 1;
                    if n > peak_live.fetch_max(n, Ordering::SeqCst) {
                        rss_at_peak.store(sys::status_kib("VmRSS"), Ordering::SeqCst);
                    }
                    let until = tokio::time::Instant::now() + hold;
                    while tokio::time::Instant::now() < until {
                        if !call.media().is_playing() {
                            call.media().play(prompt.clone());
                        }
                        tokio::select! {
                            ev = call.next_event() => if let waihu_sip::CallEvent::Ended(_) = ev { break },
                            _ = tokio::time::sleep_until(until) => break,
                        }
                    }
                    call.hangup().await;
                    live.fetch_sub(1, Ordering::SeqCst);
                    Some(call.finish().await)
                }
                _ => None,
            }
        }));
    }
    let attempts_per_sec = opts.calls as f64 / t0.elapsed().as_secs_f64().max(1e-9);
    let mut report = MediaBenchReport {
        attempted: opts.calls,
        attempts_per_sec,
        in_process_callee: callee.is_some(),
        ..Default::default()
    };
    let mut setups = Vec::new();
    for t in tasks {
        match t.await.ok().flatten() {
            Some(r) => {
                report.established += 1;
                report.rtp_sent += r.rtp.sent;
                report.rtp_received += r.rtp.received;
                report.rtp_lost += r.rtp.lost;
                setups.extend(r.setup_ms);
            }
            None => report.failed += 1,
        }
    }
    report.wall_seconds = t0.elapsed().as_secs_f64();
    report.cpu_seconds = sys::cpu_seconds() - cpu0;
    report.peak_rss_kib = sys::status_kib("VmHWM");
    report.peak_concurrent = peak_live.load(Ordering::SeqCst);
    let at_peak = rss_at_peak.load(Ordering::SeqCst);
    report.kib_per_call =
        at_peak.saturating_sub(rss_base) as f64 / report.peak_concurrent.max(1) as f64;
    report.jitter_p50_ms = hist.quantile_ms(0.5);
    report.jitter_p99_ms = hist.quantile_ms(0.99);
    report.jitter_p999_ms = hist.quantile_ms(0.999);
    report.lateness_p50_ms = late.quantile_ms(0.5);
    report.lateness_p99_ms = late.quantile_ms(0.99);
    setups.sort_unstable();
    let q = |p: f64| {
        setups
            .get(((setups.len() as f64 * p) as usize).min(setups.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    report.setup_p50_ms = q(0.5);
    report.setup_p99_ms = q(0.99);
    if let Some((server, Some(mut logs))) = callee {
        // Every callee call has ended (we hung up); collect its counters.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let mut seen = 0;
        while seen < report.established {
            let Ok(Some(log)) = tokio::time::timeout_at(deadline, logs.recv()).await else {
                break;
            };
            seen += 1;
            for e in &log.events {
                if let LogKind::Ended {
                    rtp_received,
                    rtp_lost,
                    ..
                } = e.kind
                {
                    report.callee_received += rtp_received;
                    report.callee_lost += rtp_lost;
                }
            }
        }
        server.shutdown();
    }
    ua.shutdown();
    Ok(report)
}

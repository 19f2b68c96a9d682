//! `waihu callee-sim`: run the virtual callee — a SIP endpoint that answers
//! calls per a behaviour file (docs/callee.md) and logs what it heard.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use waihu_callee::{Behavior, CalleeConfig, CalleeServer, Prepared};
use waihu_sip::rtp::MediaConfig;
use waihu_sip::SipConfig;
use waihu_speech::tts::{EspeakTts, Tts};

/// Arguments of `waihu callee-sim`.
#[derive(Debug, clap::Args)]
pub struct CalleeSimArgs {
    /// SIP address to listen on (UDP and TCP are both served on it).
    #[arg(long, default_value = "127.0.0.1:5070")]
    pub listen: SocketAddr,
    /// Transport the callers use (both are always served; kept for symmetry with `waihu call`).
    #[arg(long, default_value = "udp", value_parser = ["udp", "tcp"])]
    pub transport: String,
    /// Behaviour file (TOML, see docs/callee.md).
    #[arg(long, value_name = "FILE")]
    pub behavior: PathBuf,
    /// Append one JSON line per finished call to this file.
    #[arg(long, value_name = "FILE.jsonl")]
    pub log: Option<PathBuf>,
    /// Record every answered call into this directory.
    #[arg(long, value_name = "DIR")]
    pub record_dir: Option<PathBuf>,
    /// RTP port range, MIN-MAX.
    #[arg(long, default_value = "40000-60000")]
    pub rtp_ports: String,
}

/// Runs `waihu callee-sim` until interrupted.
pub async fn run(_ctx: &super::Context, args: CalleeSimArgs) -> anyhow::Result<ExitCode> {
    let behavior = Behavior::load(&args.behavior)?;
    let tts = if Prepared::needs_tts(&behavior) {
        Some(EspeakTts::new().context("the behaviour file has text replies")?)
    } else {
        None
    };
    let base = args
        .behavior
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    let prepared = Prepared::new(behavior, &base, tts.as_ref().map(|t| t as &dyn Tts))?;
    let (port_min, port_max) = args
        .rtp_ports
        .split_once('-')
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
        .context("--rtp-ports must be MIN-MAX")?;
    let mut server = CalleeServer::start(CalleeConfig {
        sip: SipConfig {
            listen: args.listen,
            media: MediaConfig {
                bind_ip: args.listen.ip(),
                port_min,
                port_max,
                ..MediaConfig::default()
            },
            ..SipConfig::default()
        },
        behavior: prepared,
        log_path: args.log.clone(),
        record_dir: args.record_dir.clone(),
    })
    .await
    .with_context(|| format!("cannot listen on {}", args.listen))?;
    println!("callee-sim listening on {} (udp+tcp)", server.local_addr());
    let mut logs = server.take_logs().context("log stream")?;
    loop {
        tokio::select! {
            log = logs.recv() => match log {
                Some(log) => {
                    use std::io::Write as _;
                    let last = log.events.last().map(|e| serde_json::to_string(e).unwrap_or_default());
                    // A closed stdout must not stop the callee.
                    let _ = writeln!(
                        std::io::stdout(),
                        "call {} from {} to {}: {} events, last {}",
                        log.call_id,
                        log.from,
                        log.to,
                        log.events.len(),
                        last.unwrap_or_default()
                    );
                }
                None => break,
            },
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    server.shutdown();
    Ok(ExitCode::SUCCESS)
}

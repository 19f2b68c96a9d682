//! `waihu call`: place one SIP call through a trunk, print its progress and
//! (with `--json`) a final JSON line with the outcome, timings, RTP counters
//! and DTMF received. Without `--tenant` only loopback trunks may be dialled
//! (engineering and test use).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context as _};
use waihu_core::CallOutcome;
use waihu_sip::outcome::CallReport;
use waihu_sip::{CallEvent, DialRequest, DialResult, Progress, SipConfig, Transport, UserAgent};

/// Arguments of `waihu call`.
#[derive(Debug, clap::Args)]
pub struct CallArgs {
    /// The trunk or PBX: sip:HOST:PORT.
    #[arg(long, value_name = "sip:HOST:PORT")]
    pub trunk: String,
    /// SIP transport to the trunk.
    #[arg(long, default_value = "udp", value_parser = ["udp", "tcp"])]
    pub transport: String,
    /// Digest username (with --password).
    #[arg(long, requires = "password")]
    pub username: Option<String>,
    /// Digest password.
    #[arg(
        long,
        requires = "username",
        env = "WAIHU_CALL_PASSWORD",
        hide_env_values = true
    )]
    pub password: Option<String>,
    /// Caller number (From).
    #[arg(long, default_value = "waihu")]
    pub from: String,
    /// Number to call.
    #[arg(long)]
    pub to: String,
    /// WAV prompt to play once answered; hang up after it.
    #[arg(long, value_name = "FILE.wav")]
    pub play: Option<PathBuf>,
    /// Record both directions to this WAV (left robot, right callee).
    #[arg(long, value_name = "FILE.wav")]
    pub record: Option<PathBuf>,
    /// Give up (CANCEL) after ringing this long.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub ring_timeout: Duration,
    /// Hang up an answered call after this long.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub max_duration: Duration,
    /// Unreachable when not even a provisional response arrives this fast.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub no_response_timeout: Duration,
    /// Local SIP address to bind (default: 127.0.0.1:0 for loopback trunks).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Public address for Contact and SDP when behind NAT.
    #[arg(long)]
    pub advertised_ip: Option<IpAddr>,
    /// Place the call for this tenant (name or id): the compliance gate decides first
    /// (`--from` must be a verified caller number of the tenant) and the attempt is
    /// recorded before dialling. A refused call exits with status 3.
    #[arg(long)]
    pub tenant: Option<String>,
    /// The purpose of a tenant's call (must lie within the callee's consent scope).
    #[arg(long, default_value = "marketing", requires = "tenant")]
    pub purpose: String,
    /// Print a JSON summary as the last line.
    #[arg(long)]
    pub json: bool,
    /// Hold a conversation with this script once answered (docs/conversation.md).
    #[arg(long, value_name = "FILE.yaml", conflicts_with = "play")]
    pub script: Option<PathBuf>,
    /// A script variable, `name=value` (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", requires = "script")]
    pub vars: Vec<String>,
    /// Speech recogniser for --script (default: the `speech.asr` setting).
    #[arg(long, value_parser = ["whisper", "openai", "phrasebook"], requires = "script")]
    pub asr: Option<String>,
    /// For `--asr phrasebook`: the callee behaviour file whose phrases are known.
    #[arg(long, value_name = "FILE.toml", requires = "script")]
    pub phrasebook: Option<PathBuf>,
    /// End-of-utterance silence in ms (the pause that ends a callee turn).
    #[arg(long, default_value_t = 700, value_parser = clap::value_parser!(u64).range(200..=3000))]
    pub end_silence_ms: u64,
    /// Turn adaptive end-pointing off (always wait for the full pause).
    #[arg(long)]
    pub no_speculative: bool,
}

/// Parse `30s`, `500ms`, `2m` or a plain number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or((s, "s"), |i| s.split_at(i));
    let v: f64 = num.parse().map_err(|_| format!("bad duration {s:?}"))?;
    let secs = match unit {
        "ms" => v / 1000.0,
        "s" | "" => v,
        "m" | "min" => v * 60.0,
        "h" => v * 3600.0,
        _ => return Err(format!("bad duration unit in {s:?} (use ms, s, m, h)")),
    };
    if !(0.0..=86_400.0).contains(&secs) {
        return Err(format!("duration out of range: {s:?}"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// `sip:HOST:PORT` → (`HOST:PORT`, host IP).
fn parse_trunk(trunk: &str) -> anyhow::Result<(String, SocketAddr)> {
    let rest = trunk.strip_prefix("sip:").unwrap_or(trunk);
    let rest = rest.split(';').next().unwrap_or(rest);
    let rest = rest.rsplit('@').next().unwrap_or(rest);
    let with_port = if rest.contains(':') {
        rest.to_string()
    } else {
        format!("{rest}:5060")
    };
    let addr: SocketAddr = with_port
        .parse()
        .or_else(|_| {
            with_port
                .replace("localhost", "127.0.0.1")
                .parse::<SocketAddr>()
        })
        .with_context(|| format!("trunk must be sip:IP:PORT, got {trunk:?}"))?;
    Ok((addr.to_string(), addr))
}

/// Exit status of a call the compliance gate refused.
pub const EXIT_REFUSED: u8 = 3;

/// A tenant's call: the gate decided to allow it and the attempt is on record.
struct GatedAttempt {
    store: waihu_store::Store,
    attempt: uuid::Uuid,
}

/// Asks the gate about a tenant's call; records the attempt before it is dialled.
/// `Ok(None)` means refused (the reasons are printed).
async fn pass_gate(
    ctx: &super::Context,
    tenant: &str,
    args: &CallArgs,
) -> anyhow::Result<Option<GatedAttempt>> {
    use waihu_app::gate::{parse_number, GateQuestion, Gatekeeper};
    let number = parse_number(&args.to)?;
    let caller = parse_number(&args.from).context("--from must be the tenant's caller number")?;
    let purpose = waihu_compliance::Purpose::parse(&args.purpose)?;
    let store = ctx.store().await?;
    let pii = crate::wiring::pii(&ctx.settings)?;
    let tenant = super::tenant::resolve(&store, tenant).await?;
    let question = GateQuestion {
        tenant: tenant.clone(),
        number: number.clone(),
        purpose: purpose.clone(),
        caller_number: Some(caller),
        jurisdiction: None,
        scope: waihu_compliance::CheckScope::Dial,
    };
    let now = chrono::Utc::now();
    let decision = Gatekeeper {
        store: &store,
        pii: &pii,
        settings: None,
    }
    .decide(&question, now)
    .await?;
    if !decision.is_allow() {
        println!(
            "not dialled: the compliance gate refused {}",
            pii.mask(&number)
        );
        super::gate::print_decision(&decision, args.json);
        store.close().await;
        return Ok(None);
    }
    let attempt = store
        .record_attempt(tenant.id, &pii.hash(&number), purpose.as_str(), now)
        .await?;
    Ok(Some(GatedAttempt { store, attempt }))
}

/// Runs `waihu call`.
pub async fn run(ctx: &super::Context, args: CallArgs) -> anyhow::Result<ExitCode> {
    let (trunk, trunk_addr) = parse_trunk(&args.trunk)?;
    let gated = match &args.tenant {
        Some(t) => match pass_gate(ctx, t, &args).await? {
            Some(g) => Some(g),
            None => return Ok(ExitCode::from(EXIT_REFUSED)),
        },
        None => None,
    };
    if gated.is_none() && !trunk_addr.ip().is_loopback() {
        bail!("without --tenant, `waihu call` only dials trunks on loopback addresses (got {trunk_addr})");
    }
    let transport: Transport = args.transport.parse()?;
    // Load the script and the speech engines before dialling: a bad script or
    // a missing model is a local error, not a failed call.
    let setup = match &args.script {
        Some(path) => Some(super::call_script::setup(ctx, &args, path)?),
        None => None,
    };
    // Load the prompt before dialling: a bad file is a local error.
    let prompt: Option<Arc<[i16]>> = match &args.play {
        Some(p) => Some(
            waihu_sip::audio::load_wav_8k(p)
                .with_context(|| format!("cannot read prompt {}", p.display()))?
                .into(),
        ),
        None => None,
    };
    let listen = args
        .listen
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    let ua = UserAgent::start(SipConfig {
        listen,
        advertised_ip: args.advertised_ip,
        ..SipConfig::default()
    })
    .await
    .with_context(|| format!("cannot bind SIP on {listen}"))?;

    let req = dial_request(&args, &trunk, transport);

    println!(
        "calling {} via {trunk} ({:?}) from {}",
        args.to, transport, args.from
    );
    let (ptx, printer) = print_progress();
    let result = ua.dial(req, Some(ptx)).await?;
    let mut conversation_record = None;
    let _ = printer.await;
    let report = match result {
        DialResult::NotAnswered(r) => r,
        DialResult::Answered(call) if setup.is_some() => {
            println!("{}", CallOutcome::Answered);
            let Some(setup) = setup.as_ref() else {
                unreachable!("guarded by the match arm")
            };
            let (report, conversation) = waihu_call::run_conversation(*call, setup).await;
            super::call_script::print_transcript(&conversation);
            conversation_record = Some(conversation);
            report
        }
        DialResult::Answered(call) => {
            println!("{}", CallOutcome::Answered);
            play_and_wait(*call, prompt, args.play.is_some()).await
        }
    };
    ua.shutdown();
    if let Some(g) = gated {
        g.store
            .set_attempt_outcome(g.attempt, report.outcome.code())
            .await?;
        g.store.close().await;
    }
    println!(
        "outcome: {}{}",
        report.outcome,
        report
            .sip_status
            .map(|s| format!(" (SIP {s})"))
            .unwrap_or_default()
    );
    if args.json {
        match &args.script {
            Some(_) => println!(
                "{}",
                super::call_script::json(&report, conversation_record.as_ref())
            ),
            None => println!("{}", report_json(&report)),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The INVITE's parameters from the command line.
fn dial_request(args: &CallArgs, trunk: &str, transport: Transport) -> DialRequest {
    let mut req = DialRequest::new(trunk.to_string(), args.to.clone());
    req.transport = transport;
    req.from = args.from.clone();
    req.credentials = args.username.clone().zip(args.password.clone());
    req.ring_timeout = args.ring_timeout;
    req.max_duration = Some(args.max_duration);
    req.no_response_timeout = args.no_response_timeout;
    req.record = args.record.clone();
    req
}

/// Prints the call's progress (INVITE sent, provisional responses, CANCEL) as
/// it happens, until the sender is dropped.
fn print_progress() -> (
    tokio::sync::mpsc::UnboundedSender<Progress>,
    tokio::task::JoinHandle<()>,
) {
    let (ptx, mut prx) = tokio::sync::mpsc::unbounded_channel();
    let printer = tokio::spawn(async move {
        while let Some(p) = prx.recv().await {
            match p {
                Progress::InviteSent => println!("INVITE sent"),
                Progress::Provisional {
                    status,
                    early_media,
                } => println!(
                    "{status}{}",
                    if early_media { " (early media)" } else { "" }
                ),
                Progress::Cancelling => println!("ring timeout: CANCEL sent"),
            }
        }
    });
    (ptx, printer)
}

/// An answered call without a script: plays the prompt if any (then hangs up),
/// prints key presses, ends on the callee's hang-up or Ctrl-C.
async fn play_and_wait(
    mut call: waihu_sip::ActiveCall,
    prompt: Option<Arc<[i16]>>,
    hang_up_after_prompt: bool,
) -> CallReport {
    if let Some(p) = prompt {
        call.media().play(p);
    }
    loop {
        let ev = tokio::select! {
            ev = call.next_event() => ev,
            _ = tokio::signal::ctrl_c() => {
                println!("interrupted: hanging up");
                call.hangup().await;
                break;
            }
        };
        match ev {
            CallEvent::Dtmf { digit, at_ms } => println!("DTMF {digit} at {at_ms} ms"),
            CallEvent::PlaybackFinished { .. } => {
                if hang_up_after_prompt && !call.media().is_playing() {
                    println!("prompt played: hanging up");
                    call.hangup().await;
                    break;
                }
            }
            CallEvent::Ended(by) => {
                println!("call ended ({})", by.code());
                break;
            }
        }
    }
    call.finish().await
}

/// The `--json` summary line, fields in the documented order.
#[derive(serde::Serialize)]
struct JsonReport<'a> {
    outcome: &'static str,
    sip_status: Option<u16>,
    reason: Option<JsonReason<'a>>,
    setup_ms: Option<u64>,
    duration_ms: u64,
    rtp: JsonRtp,
    dtmf: &'a str,
}

#[derive(serde::Serialize)]
struct JsonReason<'a> {
    q850: Option<u16>,
    text: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct JsonRtp {
    sent: u64,
    received: u64,
    lost: u64,
}

/// Render the `--json` summary line.
pub fn report_json(r: &CallReport) -> String {
    let j = JsonReport {
        outcome: r.outcome.code(),
        sip_status: r.sip_status,
        reason: r.reason.as_ref().map(|x| JsonReason {
            q850: x.q850,
            text: x.text.as_deref(),
        }),
        setup_ms: r.setup_ms,
        duration_ms: r.duration_ms,
        rtp: JsonRtp {
            sent: r.rtp.sent,
            received: r.rtp.received,
            lost: r.rtp.lost,
        },
        dtmf: &r.dtmf,
    };
    serde_json::to_string(&j).unwrap_or_else(|_| "{}".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("-1s").is_err());
    }

    #[test]
    fn trunks() {
        assert_eq!(
            parse_trunk("sip:127.0.0.1:5070").unwrap().0,
            "127.0.0.1:5070"
        );
        assert_eq!(parse_trunk("127.0.0.1").unwrap().0, "127.0.0.1:5060");
        assert_eq!(
            parse_trunk("sip:localhost:5070").unwrap().0,
            "127.0.0.1:5070"
        );
        assert!(parse_trunk("sip:pbx.example.com:5060").is_err());
    }
}

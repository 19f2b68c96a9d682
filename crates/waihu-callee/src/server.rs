//! The callee server: accept every INVITE on the user agent and handle it
//! per the behaviour's first matching rule, logging each call.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;
use tracing::warn;
use waihu_sip::{IncomingCall, Reason, SipConfig, UserAgent};

use crate::behavior::Action;
use crate::log::{CallLog, LogEvent, LogKind};
use crate::prepare::Prepared;
use crate::{persona, CalleeError};

/// How to run the callee.
#[derive(Debug, Clone)]
pub struct CalleeConfig {
    /// SIP/media settings (`accept_incoming` is forced on).
    pub sip: SipConfig,
    /// The prepared behaviour.
    pub behavior: Prepared,
    /// Append one JSON line per finished call here.
    pub log_path: Option<PathBuf>,
    /// Record every answered call to `<dir>/<call-id>.wav`.
    pub record_dir: Option<PathBuf>,
}

/// A running virtual callee.
#[derive(Debug)]
pub struct CalleeServer {
    ua: UserAgent,
    logs: Option<mpsc::UnboundedReceiver<CallLog>>,
}

impl CalleeServer {
    /// Bind and start answering calls.
    pub async fn start(config: CalleeConfig) -> Result<CalleeServer, CalleeError> {
        let mut sip = config.sip.clone();
        sip.accept_incoming = true;
        let ua = UserAgent::start(sip).await?;
        let (log_tx, log_rx) = mpsc::unbounded_channel();
        let server_ua = ua.clone();
        let cfg = Arc::new(config);
        tokio::spawn(async move {
            while let Some(call) = server_ua.incoming().await {
                let cfg = cfg.clone();
                let log_tx = log_tx.clone();
                tokio::spawn(async move {
                    let log = handle(call, &cfg).await;
                    if let Some(path) = &cfg.log_path {
                        if let Err(e) = log.append_to(path) {
                            warn!(error = %e, "cannot write call log");
                        }
                    }
                    let _ = log_tx.send(log);
                });
            }
        });
        Ok(CalleeServer {
            ua,
            logs: Some(log_rx),
        })
    }

    /// The SIP address calls should be sent to.
    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.ua.local_addr()
    }

    /// Take the stream of finished-call logs (once).
    pub fn take_logs(&mut self) -> Option<mpsc::UnboundedReceiver<CallLog>> {
        self.logs.take()
    }

    /// The underlying user agent.
    pub fn user_agent(&self) -> &UserAgent {
        &self.ua
    }

    /// Stop answering.
    pub fn shutdown(&self) {
        self.ua.shutdown();
    }
}

fn q850_text(cause: u16) -> &'static str {
    match cause {
        1 => "Unallocated number",
        17 => "User busy",
        20 => "Subscriber absent",
        21 => "Call rejected",
        _ => "Call failed",
    }
}

async fn handle(mut call: IncomingCall, cfg: &CalleeConfig) -> CallLog {
    let t0 = Instant::now();
    let mut events: Vec<LogEvent> = Vec::new();
    let log = |events: &mut Vec<LogEvent>, kind| {
        events.push(LogEvent {
            t_ms: t0.elapsed().as_millis() as u64,
            kind,
        })
    };
    let mut out = CallLog {
        call_id: call.call_id(),
        from: call.caller_number(),
        to: call.called_number(),
        events: Vec::new(),
    };
    tracing::debug!(to = %out.to, from = %out.from, "incoming call");
    let Some(rule) = cfg.behavior.rule_for_call(&out.from, &out.to).cloned() else {
        call.reject(404, Some(reason(1)));
        log(&mut events, LogKind::Rejected { status: 404 });
        out.events = events;
        return out;
    };
    if (rule.ring_secs > 0.0 || rule.action == Action::NoAnswer) && call.ring().is_ok() {
        log(&mut events, LogKind::Ringing);
    }
    let ring = if rule.action == Action::NoAnswer {
        Duration::from_secs(3600)
    } else {
        Duration::from_secs_f64(rule.ring_secs)
    };
    if call.wait_cancelled(ring).await {
        log(&mut events, LogKind::Cancelled);
        out.events = events;
        return out;
    }
    let final_status = |action: Action| {
        let (status, cause) = action.default_status().unwrap_or((480, 20));
        (rule.status.unwrap_or(status), cause)
    };
    match rule.action {
        Action::Busy
        | Action::Reject
        | Action::Invalid
        | Action::Unavailable
        | Action::NoAnswer => {
            let (status, cause) = final_status(rule.action);
            call.reject(status, Some(reason(cause)));
            log(&mut events, LogKind::Rejected { status });
        }
        Action::EarlyMedia => {
            let pcm = rule.announcement.as_ref().map(|a| {
                cfg.behavior
                    .audio(&a.text, &a.wav, a.lang.unwrap_or_default())
            });
            let mut cancelled = false;
            match call.early_media().await {
                Ok(media) => {
                    if let Some(pcm) = pcm {
                        media.play(pcm);
                    }
                    log(&mut events, LogKind::EarlyMedia);
                    loop {
                        let playing = call.early_media_playing();
                        if !playing {
                            break;
                        }
                        if call.wait_cancelled(Duration::from_millis(20)).await {
                            cancelled = true;
                            break;
                        }
                    }
                }
                Err(e) => warn!(error = %e, "cannot start early media"),
            }
            if cancelled {
                log(&mut events, LogKind::Cancelled);
            } else {
                let (status, cause) = final_status(Action::EarlyMedia);
                call.reject(status, Some(reason(cause)));
                log(&mut events, LogKind::Rejected { status });
            }
        }
        Action::Answer => {
            let max = Duration::from_secs(rule.max_call_secs.unwrap_or(300));
            match call.answer(Some(max)).await {
                Ok(active) => {
                    if let Some(dir) = &cfg.record_dir {
                        let path = dir.join(format!("{}.wav", sanitize(&out.call_id)));
                        if let Err(e) = active.media().record_to(&path) {
                            warn!(error = %e, "cannot record");
                        }
                    }
                    log(&mut events, LogKind::Answered);
                    let empty = crate::behavior::Persona::default();
                    let persona = rule
                        .persona
                        .as_ref()
                        .and_then(|p| cfg.behavior.behavior().personas.get(p))
                        .unwrap_or(&empty);
                    persona::run(active, persona, &cfg.behavior, t0, &mut events).await;
                }
                Err(e) => warn!(error = %e, "cannot answer"),
            }
        }
    }
    out.events = events;
    out
}

fn reason(cause: u16) -> Reason {
    Reason {
        q850: Some(cause),
        text: Some(q850_text(cause).to_string()),
    }
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

//! The one-time-code sender of the public pages (docs/public-pages.md): a call
//! to the number that reads the code out. It asks the compliance gate with the
//! purpose `verification` (consent and do-not-call do not apply; at most 3 such
//! calls per number per 24 h), records the attempt so the cap counts, then dials
//! on the configured trunk from the configured caller number, reads the code
//! three times and hangs up. `send` returns once dialling has started.

pub mod prompt;
mod sender;

pub use sender::{CodeSender, SendError};

use crate::config::VerificationSettings;
use crate::gate::{GateQuestion, Gatekeeper};
use crate::pii::Pii;
use crate::{AppError, AppResult};
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use waihu_compliance::{CheckScope, Purpose};
use waihu_core::{CallOutcome, Clock, TenantName};
use waihu_sip::{CallEvent, DialRequest, DialResult, UserAgent};
use waihu_speech::tts::Tts;
use waihu_store::Store;

/// Longest a verification call may last.
const MAX_CALL: Duration = Duration::from_secs(90);

/// Places verification calls.
pub struct CallCodeSender {
    store: Store,
    pii: Arc<Pii>,
    ua: Arc<UserAgent>,
    tts: Arc<dyn Tts>,
    clock: Arc<dyn Clock>,
    tenant: TenantName,
    trunk: String,
    caller_number: String,
    ring_timeout: Duration,
    /// Held from the gate's answer until the attempt is recorded, so that
    /// requests racing for a number's last verification call cannot all pass
    /// the cap (within this process).
    reserving: tokio::sync::Mutex<()>,
}

impl CallCodeSender {
    /// The sender of the `[verification]` settings, or `None` when they leave it
    /// off (no caller number). Checks the names now so that a typo fails at start.
    pub async fn from_settings(
        v: &VerificationSettings,
        pii: Arc<Pii>,
        store: Store,
        ua: Arc<UserAgent>,
        tts: Arc<dyn Tts>,
        clock: Arc<dyn Clock>,
    ) -> AppResult<Option<Self>> {
        if v.caller_number.trim().is_empty() {
            return Ok(None);
        }
        let caller_number = crate::gate::parse_number(&v.caller_number)
            .map_err(|e| AppError::Config(format!("verification.caller_number: {e}")))?;
        let tenant = TenantName::parse(&v.tenant)
            .map_err(|e| AppError::Config(format!("verification.tenant: {e}")))?;
        if store.find_tenant_by_name(&tenant).await?.is_none() {
            return Err(AppError::Config(format!(
                "verification.tenant: no tenant named {tenant} (create it and assign it the caller number)"
            )));
        }
        if store.find_trunk(&v.trunk).await?.is_none() {
            return Err(AppError::Config(format!(
                "verification.trunk: no trunk named {:?} (waihu trunk add)",
                v.trunk
            )));
        }
        Ok(Some(Self {
            store,
            pii,
            ua,
            tts,
            clock,
            tenant,
            trunk: v.trunk.clone(),
            caller_number,
            ring_timeout: Duration::from_secs(v.ring_timeout_secs.clamp(5, 300)),
            reserving: tokio::sync::Mutex::new(()),
        }))
    }

    async fn prepare(&self, number: &str, code: &str) -> Result<Prepared, SendError> {
        let unavailable = |e: &dyn std::fmt::Display| SendError::Unavailable(e.to_string());
        let tenant = self
            .store
            .find_tenant_by_name(&self.tenant)
            .await
            .map_err(|e| unavailable(&e))?
            .ok_or_else(|| unavailable(&"the verification tenant is gone"))?;
        let trunk = self
            .store
            .find_trunk(&self.trunk)
            .await
            .map_err(|e| unavailable(&e))?
            .ok_or_else(|| unavailable(&"the verification trunk is gone"))?;
        // Held from the gate's answer until the attempt is recorded (the code
        // is rendered in between: a refused request costs no synthesis).
        let reserving = self.reserving.lock().await;
        let now = self.clock.now();
        let question = GateQuestion {
            tenant: tenant.clone(),
            number: number.to_string(),
            purpose: Purpose::verification(),
            caller_number: Some(self.caller_number.clone()),
            jurisdiction: None,
            scope: CheckScope::Dial,
        };
        let decision = Gatekeeper {
            store: &self.store,
            pii: &self.pii,
            settings: None,
        }
        .decide(&question, now)
        .await
        .map_err(|e| unavailable(&format!("{e:#}")))?;
        if !decision.is_allow() {
            let why: Vec<String> = decision
                .reasons()
                .iter()
                .map(|r| r.message.clone())
                .collect();
            let rules = decision
                .reasons()
                .iter()
                .map(|r| r.rule.id().to_string())
                .collect();
            return Err(SendError::Refused {
                rules,
                why: why.join("; "),
            });
        }
        let tts = Arc::clone(&self.tts);
        let code = code.to_string();
        let audio = tokio::task::spawn_blocking(move || prompt::render(tts.as_ref(), &code))
            .await
            .map_err(|e| unavailable(&e))?
            .map_err(|e| unavailable(&e))?;
        let attempt = self
            .store
            .record_attempt(
                tenant.id,
                &self.pii.hash(number),
                Purpose::VERIFICATION,
                now,
            )
            .await
            .map_err(|e| unavailable(&e))?;
        drop(reserving);
        let mut req = DialRequest::new(
            trunk
                .address
                .strip_prefix("sip:")
                .unwrap_or(&trunk.address)
                .to_string(),
            number.to_string(),
        );
        req.transport = match trunk.transport {
            waihu_store::Transport::Udp => waihu_sip::Transport::Udp,
            waihu_store::Transport::Tcp => waihu_sip::Transport::Tcp,
        };
        req.from = self.caller_number.trim_start_matches('+').to_string();
        req.credentials = trunk.username.clone().zip(trunk.password.clone());
        req.ring_timeout = self.ring_timeout;
        req.max_duration = Some(MAX_CALL);
        Ok(Prepared {
            req,
            audio: audio.into(),
            attempt,
        })
    }
}

struct Prepared {
    req: DialRequest,
    audio: Arc<[i16]>,
    attempt: uuid::Uuid,
}

/// Dials, plays the code once answered, hangs up; returns the outcome code.
async fn run_call(ua: &UserAgent, p: Prepared) -> Result<&'static str, waihu_sip::SipError> {
    let report = match ua.dial(p.req, None).await? {
        DialResult::NotAnswered(r) => r,
        DialResult::Answered(mut call) => {
            call.media().play(p.audio);
            loop {
                match call.next_event().await {
                    CallEvent::PlaybackFinished { .. } if !call.media().is_playing() => {
                        call.hangup().await;
                        break;
                    }
                    CallEvent::Ended(_) => break,
                    _ => {}
                }
            }
            call.finish().await
        }
    };
    Ok(report.outcome.code())
}

#[async_trait]
impl CodeSender for CallCodeSender {
    async fn send(&self, number: &str, code: &str) -> Result<(), SendError> {
        let prepared = self.prepare(number, code).await?;
        let attempt = prepared.attempt;
        let ua = Arc::clone(&self.ua);
        let store = self.store.clone();
        let masked = self.pii.mask(number);
        tokio::spawn(async move {
            let outcome = match run_call(&ua, prepared).await {
                Ok(o) => o,
                Err(e) => {
                    tracing::warn!(number = %masked, error = %e, "verification call failed");
                    CallOutcome::Failed.as_str()
                }
            };
            tracing::info!(number = %masked, outcome, "verification call finished");
            if let Err(e) = store.set_attempt_outcome(attempt, outcome).await {
                tracing::warn!(error = %e, "cannot store the verification call's outcome");
            }
        });
        Ok(())
    }
}

/// The code sender `waihu serve` (and `waihu demo`) gives the public pages: a
/// verification caller on its own SIP user agent (on the dialler's address
/// `sip_ip`, any port), or `None` when `[verification]` is off or cannot start
/// (warned).
pub async fn sender(
    settings: &VerificationSettings,
    sip_ip: std::net::IpAddr,
    pii: Arc<Pii>,
    store: &Store,
) -> Option<Arc<dyn CodeSender>> {
    if settings.caller_number.trim().is_empty() {
        return None;
    }
    match build(settings, sip_ip, pii, store).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "verification calls are disabled");
            eprintln!("warning: verification calls are disabled: {e}");
            None
        }
    }
}

async fn build(
    settings: &VerificationSettings,
    sip_ip: std::net::IpAddr,
    pii: Arc<Pii>,
    store: &Store,
) -> AppResult<Option<Arc<dyn CodeSender>>> {
    let listen = std::net::SocketAddr::new(sip_ip, 0);
    let ua = UserAgent::start(waihu_sip::SipConfig {
        listen,
        ..waihu_sip::SipConfig::default()
    })
    .await
    .map_err(|e| {
        AppError::unavailable(
            format!("cannot start the verification SIP user agent on {listen}"),
            e,
        )
    })?;
    let tts = crate::speech::tts()?;
    let sender = CallCodeSender::from_settings(
        settings,
        pii,
        store.clone(),
        Arc::new(ua),
        tts,
        Arc::new(waihu_core::SystemClock),
    )
    .await?;
    Ok(sender.map(|s| Arc::new(s) as Arc<dyn CodeSender>))
}

//! Outbound calls (UAC): INVITE with our SDP offer, early media on 183,
//! digest authentication, our own no-response and ring timers (we never wait
//! for the stack's 32 s Timer B), CANCEL on ring timeout, and classification
//! of the result into an [`Outcome`].

use std::path::PathBuf;
use std::time::Duration;

use rsipstack::dialog::authenticate::Credential;
use rsipstack::dialog::dialog::{DialogState, DialogStateReceiver};
use rsipstack::dialog::invitation::{InviteAsyncResult, InviteOption};
use rsipstack::dialog::invite_dialog::InviteDialog;
use rsipstack::sip::prelude::HeadersExt;
use rsipstack::sip::{Header, Response, StatusCodeKind};
use tokio::sync::mpsc;
use tokio::task::{JoinError, JoinHandle};
use tokio::time::Instant;
use tracing::debug;

use super::call::{ActiveCall, ActiveCallParts};
use super::{Transport, UserAgent};
use crate::outcome::{CallReport, Outcome, Reason};
use crate::rtp::{RtpSession, RtpStats};
use crate::sdp::{Direction, LocalSdp, RemoteSdp};
use crate::SipError;

/// One call to place.
#[derive(Debug, Clone)]
pub struct DialRequest {
    /// The trunk or PBX, `host:port` (an IP address on loopback for tests).
    pub trunk: String,
    /// Transport to the trunk.
    pub transport: Transport,
    /// Number (user part) to call.
    pub to: String,
    /// Caller number shown to the callee (From user part).
    pub from: String,
    /// Optional display name in From.
    pub from_display: Option<String>,
    /// Optional P-Asserted-Identity value (a full URI).
    pub p_asserted_identity: Option<String>,
    /// Digest credentials for 401/407 challenges.
    pub credentials: Option<(String, String)>,
    /// Unreachable if no response at all (not even 100) arrives in time.
    pub no_response_timeout: Duration,
    /// CANCEL and report `no_answer` after ringing this long.
    pub ring_timeout: Duration,
    /// Hang up an answered call after this long.
    pub max_duration: Option<Duration>,
    /// Record both directions to this WAV file.
    pub record: Option<PathBuf>,
}

impl DialRequest {
    /// A request with default timers (no response 5 s, ring 30 s, max 1 h).
    pub fn new(trunk: impl Into<String>, to: impl Into<String>) -> DialRequest {
        DialRequest {
            trunk: trunk.into(),
            transport: Transport::Udp,
            to: to.into(),
            from: "waihu".into(),
            from_display: None,
            p_asserted_identity: None,
            credentials: None,
            no_response_timeout: Duration::from_secs(5),
            ring_timeout: Duration::from_secs(30),
            max_duration: Some(Duration::from_secs(3600)),
            record: None,
        }
    }
}

/// Provisional progress of a call being set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// The INVITE left.
    InviteSent,
    /// A provisional response (100, 180, 183…), with whether it had SDP.
    Provisional {
        /// Status code.
        status: u16,
        /// Whether it carried SDP (early media).
        early_media: bool,
    },
    /// Our ring timer fired; CANCEL sent.
    Cancelling,
}

/// The result of dialling.
#[derive(Debug)]
pub enum DialResult {
    /// Answered: the live call.
    Answered(Box<ActiveCall>),
    /// Not answered: the final report.
    NotAnswered(CallReport),
}

/// How the wait for the INVITE's final response ended.
enum Waited {
    /// Not even a 100 before the no-response timer: the INVITE was cancelled
    /// and its task aborted (we never wait for the stack's Timer B).
    NoResponse,
    /// Our CANCEL (ring timeout) got no final response within its grace.
    CancelUnanswered,
    /// The INVITE task finished; `cancelled` if our ring timer fired first.
    Final {
        result: Result<InviteAsyncResult, JoinError>,
        cancelled: bool,
    },
}

impl UserAgent {
    /// Place a call and wait until it is answered or has failed.
    /// Outcomes are not errors; an `Err` is a local failure (bad input,
    /// no RTP port, cannot create the recording file).
    pub async fn dial(
        &self,
        req: DialRequest,
        progress: Option<mpsc::UnboundedSender<Progress>>,
    ) -> Result<DialResult, SipError> {
        let notify = |p: Progress| {
            if let Some(tx) = &progress {
                let _ = tx.send(p);
            }
        };
        let shared = &self.shared;
        let media = shared.media.open().await?;
        if let Some(path) = &req.record {
            media.record_to(path)?;
        }
        let local_sdp = self.local_sdp(media.local_addr().port());
        let opt = self.invite_option(&req, &local_sdp)?;

        let (state_tx, mut state_rx) = shared.dialog_layer.new_dialog_state_channel();
        let (dialog, mut handle) = shared.dialog_layer.do_invite_async(opt, state_tx)?;
        let sent_at = Instant::now();
        notify(Progress::InviteSent);
        let waited = wait_for_final(
            &req,
            sent_at,
            &dialog,
            &mut handle,
            &mut state_rx,
            &media,
            &notify,
        )
        .await;
        let setup_ms = Some(sent_at.elapsed().as_millis() as u64);
        let not_answered = |outcome, status, reason, setup_ms| {
            let r = report(outcome, status, reason, setup_ms, media.close().ok());
            Ok(DialResult::NotAnswered(r))
        };

        let (result, cancelled) = match waited {
            Waited::NoResponse => return not_answered(Outcome::Unreachable, None, None, None),
            Waited::CancelUnanswered => {
                // CANCEL sent but no final response: still no answer.
                handle.abort();
                return not_answered(Outcome::NoAnswer, None, None, setup_ms);
            }
            Waited::Final { result, cancelled } => (result, cancelled),
        };
        let resp = match result {
            Err(join) => return Err(SipError::Stack(format!("invite task: {join}"))),
            Ok(Err(e)) => {
                // Transport failure (connection refused, unresolvable…).
                debug!(error = %e, "INVITE failed");
                return not_answered(Outcome::Unreachable, None, None, None);
            }
            Ok(Ok((_, None))) => return not_answered(Outcome::Unreachable, None, None, None),
            Ok(Ok((_, Some(resp)))) => resp,
        };

        let status = resp.status_code.code();
        let answered = resp.status_code.kind() == StatusCodeKind::Successful;
        if !answered || cancelled {
            let outcome = if answered {
                Outcome::NoAnswer // answered after our CANCEL: the stack BYEs it
            } else {
                Outcome::from_final_status(status, cancelled)
            };
            return not_answered(outcome, Some(status), response_reason(&resp), setup_ms);
        }

        match RemoteSdp::parse(&resp.body).and_then(|sdp| media.set_remote(&sdp)) {
            Ok(codec) => debug!(?codec, "answered"),
            Err(e) => debug!(error = %e, "answer without usable SDP; media may be one-way"),
        }
        let call = ActiveCall::new(ActiveCallParts {
            ua: self.shared.clone(),
            dialog,
            state_rx,
            media,
            local_sdp,
            max_duration: req.max_duration,
            setup_ms,
            sip_status: status,
        });
        Ok(DialResult::Answered(Box::new(call)))
    }

    /// Our SDP offer for RTP on `port` (the media engine's advertised
    /// address if it has one, else the agent's).
    fn local_sdp(&self, port: u16) -> LocalSdp {
        let media = self.shared.media.config();
        LocalSdp {
            session_id: rand::random::<u32>() as u64,
            version: 1,
            addr: media.advertised_ip.unwrap_or(self.shared.advertised_ip),
            port,
            codecs: media.codecs.clone(),
            dtmf_pt: Some(media.dtmf_pt),
            direction: Direction::SendRecv,
        }
    }

    /// The INVITE for `req` carrying `local_sdp`, with a fresh Call-ID.
    fn invite_option(
        &self,
        req: &DialRequest,
        local_sdp: &LocalSdp,
    ) -> Result<InviteOption, SipError> {
        let transport_param = match req.transport {
            Transport::Udp => "",
            Transport::Tcp => ";transport=tcp",
        };
        let local = format!("{}:{}", self.shared.advertised_ip, self.shared.local.port());
        let parse = |s: String| {
            rsipstack::sip::Uri::try_from(s.as_str())
                .map_err(|e| SipError::Invalid(format!("{s}: {e}")))
        };
        let callee = parse(format!("sip:{}@{}{}", req.to, req.trunk, transport_param))?;
        let caller = parse(format!("sip:{}@{}", req.from, local))?;
        let contact = parse(format!("sip:{}@{}", req.from, local))?;
        let mut headers = Vec::new();
        if let Some(pai) = &req.p_asserted_identity {
            headers.push(Header::Other("P-Asserted-Identity".into(), pai.clone()));
        }
        let call_id = format!("{:032x}@waihu", rand::random::<u128>());
        Ok(InviteOption {
            caller_display_name: req.from_display.clone(),
            caller,
            callee,
            contact,
            content_type: Some("application/sdp".into()),
            offer: Some(local_sdp.render().into_bytes()),
            credential: req.credentials.as_ref().map(|(u, p)| Credential {
                username: u.clone(),
                password: p.clone(),
                realm: None,
                auth_username: None,
            }),
            headers: (!headers.is_empty()).then_some(headers),
            call_id: Some(call_id),
            ..Default::default()
        })
    }
}

/// Waits for the INVITE sent at `sent_at` to end, reporting provisional
/// responses (and applying early media) on the way; runs our own timers: no
/// response in `req.no_response_timeout` abandons the call, ringing past
/// `req.ring_timeout` sends a CANCEL and then waits 5 s for its 487.
async fn wait_for_final(
    req: &DialRequest,
    sent_at: Instant,
    dialog: &InviteDialog,
    handle: &mut JoinHandle<InviteAsyncResult>,
    state_rx: &mut DialogStateReceiver,
    media: &RtpSession,
    notify: &(dyn Fn(Progress) + Sync),
) -> Waited {
    let no_response_at = sent_at + req.no_response_timeout;
    let ring_at = sent_at + req.ring_timeout;
    let mut got_response = false;
    let mut cancelled = false;
    // After our CANCEL, wait this long for the 487 before giving up.
    let mut cancel_grace: Option<Instant> = None;
    loop {
        let deadline = match (got_response, cancel_grace) {
            (_, Some(g)) => g,
            (false, None) => no_response_at.min(ring_at),
            (true, None) => ring_at,
        };
        tokio::select! {
            biased;
            r = &mut *handle => return Waited::Final { result: r, cancelled },
            Some(state) = state_rx.recv() => match state {
                DialogState::Trying(_) => {
                    got_response = true;
                    notify(Progress::Provisional { status: 100, early_media: false });
                }
                DialogState::Early(_, resp) => {
                    got_response = true;
                    let early = apply_early_media(media, &resp);
                    notify(Progress::Provisional {
                        status: resp.status_code.code(),
                        early_media: early,
                    });
                }
                other => debug!(state = %other, "dialog state during setup"),
            },
            _ = tokio::time::sleep_until(deadline) => {
                if cancel_grace.is_some() {
                    return Waited::CancelUnanswered;
                }
                if !got_response {
                    // Nobody there: do not wait for Timer B.
                    let _ = dialog.cancel().await;
                    handle.abort();
                    return Waited::NoResponse;
                }
                notify(Progress::Cancelling);
                cancelled = true;
                if let Err(e) = dialog.cancel().await {
                    debug!(error = %e, "CANCEL failed");
                }
                cancel_grace = Some(Instant::now() + Duration::from_secs(5));
            }
        }
    }
}

fn apply_early_media(media: &RtpSession, resp: &Response) -> bool {
    if resp.body.is_empty() {
        return false;
    }
    match RemoteSdp::parse(&resp.body) {
        Ok(sdp) => media.set_remote(&sdp).is_ok(),
        Err(_) => false,
    }
}

fn response_reason(resp: &Response) -> Option<Reason> {
    resp.reason_header().and_then(|r| Reason::parse(r.value()))
}

fn report(
    outcome: Outcome,
    sip_status: Option<u16>,
    reason: Option<Reason>,
    setup_ms: Option<u64>,
    rtp: Option<RtpStats>,
) -> CallReport {
    CallReport {
        outcome,
        sip_status,
        reason,
        setup_ms,
        duration_ms: 0,
        rtp: rtp.unwrap_or_default(),
        dtmf: String::new(),
        ended_by: None,
    }
}

//! An answered call, on either side: its dialog, its RTP session, and the
//! in-dialog housekeeping (re-INVITE/UPDATE answered with our SDP, INFO
//! DTMF, OPTIONS, BYE from the peer) done by a driver task. The owner reads
//! [`CallEvent`]s and ends the call with [`ActiveCall::hangup`] or lets the
//! peer, the maximum duration or RTP inactivity end it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rsipstack::dialog::dialog::{DialogState, DialogStateReceiver};
use rsipstack::dialog::invite_dialog::InviteDialog;
use rsipstack::sip::{Header, StatusCode};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tracing::debug;

use super::UaShared;
use crate::outcome::{CallReport, EndedBy, Outcome};
use crate::rtp::{MediaEvent, RtpSession};
use crate::sdp::{LocalSdp, RemoteSdp};

/// Something the owner of an answered call should know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallEvent {
    /// A DTMF digit arrived (RFC 4733 or SIP INFO).
    Dtmf {
        /// The digit.
        digit: char,
        /// Milliseconds on the media clock ([`RtpSession::now_ms`]).
        at_ms: u64,
    },
    /// A playback finished or was stopped.
    PlaybackFinished {
        /// Its id.
        id: u64,
        /// Whether it was stopped early.
        stopped: bool,
    },
    /// The call is over; no further events follow.
    Ended(EndedBy),
}

/// An answered call.
pub struct ActiveCall {
    ua: Arc<UaShared>,
    dialog: InviteDialog,
    media: Arc<RtpSession>,
    media_rx: mpsc::UnboundedReceiver<MediaEvent>,
    terminated_rx: mpsc::UnboundedReceiver<()>,
    driver: JoinHandle<()>,
    call_id: String,
    answered_at: Instant,
    max_deadline: Option<Instant>,
    ended: Option<EndedBy>,
    setup_ms: Option<u64>,
    sip_status: u16,
}

impl std::fmt::Debug for ActiveCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActiveCall")
            .field("call_id", &self.call_id)
            .finish_non_exhaustive()
    }
}

pub(crate) struct ActiveCallParts {
    pub ua: Arc<UaShared>,
    pub dialog: InviteDialog,
    pub state_rx: DialogStateReceiver,
    pub media: RtpSession,
    pub local_sdp: LocalSdp,
    pub max_duration: Option<Duration>,
    pub setup_ms: Option<u64>,
    pub sip_status: u16,
}

impl ActiveCall {
    pub(crate) fn new(parts: ActiveCallParts) -> ActiveCall {
        let media = Arc::new(parts.media);
        let media_rx = media
            .take_events()
            .unwrap_or_else(|| mpsc::unbounded_channel().1);
        let (term_tx, terminated_rx) = mpsc::unbounded_channel();
        let call_id = parts.dialog.id().call_id.clone();
        let driver = tokio::spawn(drive_dialog(
            parts.ua.clone(),
            parts.state_rx,
            media.clone(),
            Arc::new(Mutex::new(parts.local_sdp)),
            term_tx,
        ));
        media.start_sending();
        let now = Instant::now();
        ActiveCall {
            ua: parts.ua,
            dialog: parts.dialog,
            media,
            media_rx,
            terminated_rx,
            driver,
            call_id,
            answered_at: now,
            max_deadline: parts.max_duration.map(|d| now + d),
            ended: None,
            setup_ms: parts.setup_ms,
            sip_status: parts.sip_status,
        }
    }

    /// The call's RTP session (play, stop, DTMF, stats, audio).
    pub fn media(&self) -> &Arc<RtpSession> {
        &self.media
    }

    /// The SIP Call-ID.
    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    /// Whether the call has ended.
    pub fn is_ended(&self) -> bool {
        self.ended.is_some()
    }

    /// Wait for the next event. After [`CallEvent::Ended`] it keeps
    /// returning `Ended`.
    pub async fn next_event(&mut self) -> CallEvent {
        if let Some(by) = self.ended {
            return CallEvent::Ended(by);
        }
        let deadline = self.max_deadline;
        let max = async move {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            ev = self.media_rx.recv() => match ev {
                Some(MediaEvent::Dtmf { digit, at_ms }) => CallEvent::Dtmf { digit, at_ms },
                Some(MediaEvent::PlaybackFinished { id, stopped }) => {
                    CallEvent::PlaybackFinished { id, stopped }
                }
                Some(MediaEvent::Inactive) | None => self.end(EndedBy::RtpTimeout).await,
            },
            _ = self.terminated_rx.recv() => {
                self.ended = Some(EndedBy::Remote);
                CallEvent::Ended(EndedBy::Remote)
            }
            _ = max => self.end(EndedBy::MaxDuration).await,
        }
    }

    async fn end(&mut self, by: EndedBy) -> CallEvent {
        if self.ended.is_none() {
            self.ended = Some(by);
            self.media.stop_playback();
            if let Err(e) = self.dialog.hangup().await {
                debug!(error = %e, "BYE failed");
            }
        }
        CallEvent::Ended(self.ended.unwrap_or(by))
    }

    /// Send BYE (if the call is still up).
    pub async fn hangup(&mut self) {
        self.end(EndedBy::Local).await;
    }

    /// Play until every queued prompt finished, or the call ended. Returns
    /// `true` if the call is still up. DTMF received meanwhile is recorded in
    /// the session (see [`RtpSession::dtmf_received`]).
    pub async fn wait_playback(&mut self) -> bool {
        while self.media.is_playing() {
            if let CallEvent::Ended(_) = self.next_event().await {
                return false;
            }
        }
        self.ended.is_none()
    }

    /// Hang up if needed, close media and the recording, and report.
    pub async fn finish(mut self) -> CallReport {
        if self.ended.is_none() {
            self.hangup().await;
        }
        let duration_ms = self.answered_at.elapsed().as_millis() as u64;
        let rtp = self.media.close().unwrap_or_else(|_| self.media.stats());
        let dtmf = self.media.dtmf_received();
        self.ua.dialog_layer.remove_dialog(&self.dialog.id());
        // The driver ends by itself on Terminated; do not leave it behind.
        self.driver.abort();
        let reason = self
            .ua
            .bye_reasons
            .lock()
            .ok()
            .and_then(|mut m| m.remove(&self.call_id));
        CallReport {
            outcome: Outcome::Answered,
            sip_status: Some(self.sip_status),
            reason,
            setup_ms: self.setup_ms,
            duration_ms,
            rtp,
            dtmf,
            ended_by: self.ended,
        }
    }
}

/// Answer in-dialog requests and watch for termination.
async fn drive_dialog(
    ua: Arc<UaShared>,
    mut state_rx: DialogStateReceiver,
    media: Arc<RtpSession>,
    local_sdp: Arc<Mutex<LocalSdp>>,
    terminated: mpsc::UnboundedSender<()>,
) {
    while let Some(state) = state_rx.recv().await {
        match state {
            DialogState::Updated(_, req, handle) => {
                // re-INVITE or UPDATE: take the new offer, answer with ours.
                if !req.body.is_empty() {
                    if let Ok(remote) = RemoteSdp::parse(&req.body) {
                        let _ = media.set_remote(&remote);
                        if let Ok(mut l) = local_sdp.lock() {
                            l.direction = remote.direction.answer();
                        }
                    }
                }
                let body = local_sdp.lock().ok().map(|mut l| {
                    l.version += 1;
                    l.render().into_bytes()
                });
                let headers = vec![Header::ContentType("application/sdp".into())];
                let _ = handle.respond(StatusCode::OK, Some(headers), body).await;
            }
            DialogState::Info(_, req, handle) => {
                if let Some(d) = info_dtmf(&req.body) {
                    media.note_dtmf(d);
                }
                let _ = handle.reply(StatusCode::OK).await;
            }
            DialogState::Options(_, _, handle) | DialogState::Message(_, _, handle) => {
                let _ = handle.reply(StatusCode::OK).await;
            }
            DialogState::Notify(_, _, handle) => {
                let _ = handle.reply(StatusCode::OK).await;
            }
            DialogState::Refer(_, _, handle) | DialogState::Publish(_, _, handle) => {
                let _ = handle.reply(StatusCode::Decline).await;
            }
            DialogState::Terminated(id, reason) => {
                debug!(%id, ?reason, "dialog terminated");
                ua.dialog_layer.remove_dialog(&id);
                let _ = terminated.send(());
                return;
            }
            _ => {}
        }
    }
    let _ = terminated.send(());
}

/// Parse `application/dtmf-relay` (`Signal=5`) or `application/dtmf` bodies.
fn info_dtmf(body: &[u8]) -> Option<char> {
    let text = std::str::from_utf8(body).ok()?;
    let value = text
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once('=')?;
            k.trim().eq_ignore_ascii_case("signal").then_some(v)
        })
        .unwrap_or(text);
    let c = value.trim().chars().next()?;
    crate::rtp::dtmf::digit_to_event(c).map(|_| c.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::info_dtmf;

    #[test]
    fn info_bodies() {
        assert_eq!(info_dtmf(b"Signal=5\r\nDuration=160\r\n"), Some('5'));
        assert_eq!(info_dtmf(b"#"), Some('#'));
        assert_eq!(info_dtmf(b"Signal=x"), None);
        assert_eq!(info_dtmf(b""), None);
    }
}

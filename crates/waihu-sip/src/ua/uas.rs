//! Inbound calls (UAS), the building block of the virtual callee: ring,
//! send 183 with early media, reject with any status and Q.850 reason, or
//! answer with an SDP answer and get an [`ActiveCall`].

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use rsipstack::dialog::dialog::{DialogState, DialogStateReceiver};
use rsipstack::dialog::invite_dialog::InviteDialog;
use rsipstack::sip::prelude::HeadersExt;
use rsipstack::sip::{Header, Request, StatusCode};
use rsipstack::transaction::transaction::Transaction;

use super::call::{ActiveCall, ActiveCallParts};
use super::{uri_user, UaShared};
use crate::outcome::Reason;
use crate::rtp::RtpSession;
use crate::sdp::{Direction, LocalSdp, RemoteSdp};
use crate::SipError;

/// A call offered to us and not yet answered or rejected.
pub struct IncomingCall {
    ua: Arc<UaShared>,
    dialog: InviteDialog,
    state_rx: Option<DialogStateReceiver>,
    request: Request,
    media: Option<RtpSession>,
    local_sdp: Option<LocalSdp>,
    done: bool,
}

impl std::fmt::Debug for IncomingCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IncomingCall")
            .field("to", &self.called_number())
            .finish_non_exhaustive()
    }
}

impl IncomingCall {
    /// Create the server dialog for a new INVITE; the returned future drives
    /// the INVITE transaction (CANCEL, ACK) and must be spawned.
    pub(crate) fn accept_transaction(
        ua: Arc<UaShared>,
        tx: Transaction,
    ) -> Result<(IncomingCall, impl Future<Output = ()> + Send), SipError> {
        let (state_tx, state_rx) = ua.dialog_layer.new_dialog_state_channel();
        let user = uri_user(&tx.original.uri.to_string())
            .unwrap_or("callee")
            .to_string();
        let contact = rsipstack::sip::Uri::try_from(
            format!("sip:{}@{}:{}", user, ua.advertised_ip, ua.local.port()).as_str(),
        )
        .map_err(|e| SipError::Invalid(e.to_string()))?;
        let dialog =
            ua.dialog_layer
                .get_or_create_server_invite(&tx, state_tx, None, Some(contact))?;
        let request = tx.original.clone();
        if let Ok(mut m) = ua.ringing.lock() {
            m.insert(dialog.id().call_id, dialog.clone());
        }
        let mut driver_dialog = dialog.clone();
        let driver = async move {
            let mut tx = tx;
            if let Err(e) = driver_dialog.handle(&mut tx).await {
                tracing::debug!(error = %e, "server INVITE transaction ended with error");
            }
        };
        Ok((
            IncomingCall {
                ua,
                dialog,
                state_rx: Some(state_rx),
                request,
                media: None,
                local_sdp: None,
                done: false,
            },
            driver,
        ))
    }

    /// The number called (Request-URI user part).
    pub fn called_number(&self) -> String {
        uri_user(&self.request.uri.to_string())
            .unwrap_or_default()
            .to_string()
    }

    /// The caller number (From user part).
    pub fn caller_number(&self) -> String {
        self.request
            .from_header()
            .ok()
            .and_then(|f| uri_user(f.value()).map(str::to_string))
            .unwrap_or_default()
    }

    /// The SIP Call-ID.
    pub fn call_id(&self) -> String {
        self.dialog.id().call_id
    }

    /// Send 180 Ringing.
    pub fn ring(&self) -> Result<(), SipError> {
        self.dialog.ringing(None, None)?;
        Ok(())
    }

    async fn ensure_media(&mut self) -> Result<(), SipError> {
        if self.media.is_some() {
            return Ok(());
        }
        let remote = RemoteSdp::parse(&self.request.body)?;
        let media = self.ua.media.open().await?;
        let codec = media.set_remote(&remote)?;
        let sdp_ip = self
            .ua
            .media
            .config()
            .advertised_ip
            .unwrap_or(self.ua.advertised_ip);
        self.local_sdp = Some(LocalSdp {
            session_id: rand::random::<u32>() as u64,
            version: 1,
            addr: sdp_ip,
            port: media.local_addr().port(),
            codecs: vec![codec],
            dtmf_pt: remote.dtmf_pt,
            direction: Direction::SendRecv.min_with(remote.direction.answer()),
        });
        self.media = Some(media);
        Ok(())
    }

    fn sdp_body(&self) -> Option<Vec<u8>> {
        self.local_sdp.as_ref().map(|s| s.render().into_bytes())
    }

    /// Send 183 Session Progress with SDP and start sending early media;
    /// returns the session to play the announcement on.
    pub async fn early_media(&mut self) -> Result<&RtpSession, SipError> {
        self.ensure_media().await?;
        let headers = vec![Header::ContentType("application/sdp".into())];
        self.dialog.ringing(Some(headers), self.sdp_body())?;
        let media = self
            .media
            .as_ref()
            .ok_or_else(|| SipError::Invalid("no media".into()))?;
        media.start_sending();
        Ok(media)
    }

    /// Whether an early-media announcement is still playing.
    pub fn early_media_playing(&self) -> bool {
        self.media.as_ref().is_some_and(|m| m.is_playing())
    }

    /// Wait up to `dur`; returns `true` if the caller cancelled meanwhile.
    pub async fn wait_cancelled(&mut self, dur: Duration) -> bool {
        let Some(rx) = self.state_rx.as_mut() else {
            return true;
        };
        let sleep = tokio::time::sleep(dur);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                s = rx.recv() => match s {
                    Some(DialogState::Terminated(..)) | None => {
                        self.done = true;
                        self.forget_ringing();
                        self.ua.dialog_layer.remove_dialog(&self.dialog.id());
                        return true;
                    }
                    Some(_) => {}
                },
                _ = &mut sleep => return false,
            }
        }
    }

    /// Reject with `status` (e.g. 486, 404, 603) and an optional Reason.
    pub fn reject(mut self, status: u16, reason: Option<Reason>) {
        let reason = reason.map(|r| {
            let mut v = String::from("Q.850");
            if let Some(c) = r.q850 {
                v.push_str(&format!(";cause={c}"));
            }
            if let Some(t) = r.text {
                v.push_str(&format!(";text=\"{t}\""));
            }
            v
        });
        let _ = self.dialog.reject(Some(StatusCode::from(status)), reason);
        self.finish_unanswered();
    }

    /// Answer with 200 OK and our SDP.
    pub async fn answer(mut self, max_duration: Option<Duration>) -> Result<ActiveCall, SipError> {
        self.ensure_media().await?;
        let headers = vec![Header::ContentType("application/sdp".into())];
        self.dialog.accept(Some(headers), self.sdp_body())?;
        self.done = true;
        self.forget_ringing();
        let media = self
            .media
            .take()
            .ok_or_else(|| SipError::Invalid("no media".into()))?;
        let local_sdp = self
            .local_sdp
            .take()
            .ok_or_else(|| SipError::Invalid("no SDP".into()))?;
        let state_rx = self
            .state_rx
            .take()
            .ok_or_else(|| SipError::Invalid("call already ended".into()))?;
        Ok(ActiveCall::new(ActiveCallParts {
            ua: self.ua.clone(),
            dialog: self.dialog.clone(),
            state_rx,
            media,
            local_sdp,
            max_duration,
            setup_ms: None,
            sip_status: 200,
        }))
    }

    fn forget_ringing(&self) {
        if let Ok(mut m) = self.ua.ringing.lock() {
            m.remove(&self.dialog.id().call_id);
        }
    }

    fn finish_unanswered(&mut self) {
        self.done = true;
        self.forget_ringing();
        if let Some(m) = self.media.take() {
            let _ = m.close();
        }
        // Let the final response be sent before the dialog is forgotten.
        let layer = self.ua.dialog_layer.clone();
        let id = self.dialog.id();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            layer.remove_dialog(&id);
        });
    }
}

impl Drop for IncomingCall {
    fn drop(&mut self) {
        if !self.done {
            let _ = self
                .dialog
                .reject(Some(StatusCode::TemporarilyUnavailable), None);
            self.finish_unanswered();
        }
    }
}

impl Direction {
    /// Combine our preferred direction with what the offer allows.
    fn min_with(self, allowed: Direction) -> Direction {
        match (self, allowed) {
            (Direction::SendRecv, d) => d,
            (d, _) => d,
        }
    }
}

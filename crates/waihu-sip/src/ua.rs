//! The SIP user agent: one `rsipstack` endpoint listening on UDP and TCP on
//! the same port, a dispatcher for incoming requests, outbound calls
//! ([`UserAgent::dial`]) and, when enabled, inbound calls
//! ([`UserAgent::incoming`]) for the virtual callee.

mod call;
mod dispatch;
mod register;
mod uac;
mod uas;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use rsipstack::dialog::dialog_layer::DialogLayer;
use rsipstack::transport::{
    tcp_listener::TcpListenerConnection, udp::UdpConnection, TransportLayer,
};
use rsipstack::EndpointBuilder;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub use call::{ActiveCall, CallEvent};
pub use register::RegistrationHandle;
pub use uac::{DialRequest, DialResult, Progress};
pub use uas::IncomingCall;

use crate::outcome::Reason;
use crate::rtp::{MediaConfig, MediaEngine};
use crate::SipError;

/// SIP transport for a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    /// UDP (default).
    #[default]
    Udp,
    /// TCP.
    Tcp,
}

impl std::str::FromStr for Transport {
    type Err = SipError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "udp" => Ok(Transport::Udp),
            "tcp" => Ok(Transport::Tcp),
            other => Err(SipError::Invalid(format!("unknown transport {other:?}"))),
        }
    }
}

/// User-agent settings.
#[derive(Debug, Clone)]
pub struct SipConfig {
    /// Address to listen on (UDP and TCP on the same port; port 0 = any).
    pub listen: SocketAddr,
    /// Address advertised in Contact and SDP when behind NAT.
    pub advertised_ip: Option<IpAddr>,
    /// User-Agent header.
    pub user_agent: String,
    /// Whether to accept incoming INVITEs (virtual callee); otherwise they
    /// are answered 480.
    pub accept_incoming: bool,
    /// Media settings.
    pub media: MediaConfig,
}

impl Default for SipConfig {
    fn default() -> Self {
        SipConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            advertised_ip: None,
            user_agent: concat!("waihu/", env!("CARGO_PKG_VERSION")).to_string(),
            accept_incoming: false,
            media: MediaConfig::default(),
        }
    }
}

/// State shared by the UA, its dispatcher and its calls.
pub(crate) struct UaShared {
    pub(crate) dialog_layer: Arc<DialogLayer>,
    pub(crate) media: MediaEngine,
    pub(crate) local: SocketAddr,
    pub(crate) advertised_ip: IpAddr,
    /// Reason headers of BYEs received, by Call-ID, until the call reads it.
    pub(crate) bye_reasons: Mutex<HashMap<String, Reason>>,
    /// Incoming INVITEs not yet answered, by Call-ID: a CANCEL the stack
    /// does not match to its INVITE transaction (seen over TCP) is applied
    /// through this map.
    pub(crate) ringing: Mutex<HashMap<String, rsipstack::dialog::invite_dialog::InviteDialog>>,
}

/// A running SIP user agent. Cheap to clone.
#[derive(Clone)]
pub struct UserAgent {
    shared: Arc<UaShared>,
    cancel: CancellationToken,
    incoming: Arc<tokio::sync::Mutex<Option<mpsc::Receiver<IncomingCall>>>>,
}

impl std::fmt::Debug for UserAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserAgent")
            .field("local", &self.shared.local)
            .finish_non_exhaustive()
    }
}

impl UserAgent {
    /// Bind UDP and TCP on `config.listen` and start serving.
    pub async fn start(config: SipConfig) -> Result<UserAgent, SipError> {
        let cancel = CancellationToken::new();
        let transport_layer = TransportLayer::new(cancel.child_token());
        // UDP and TCP share one port number. With port 0 the kernel picks a free
        // UDP port, whose TCP twin may be taken by another process: pick again.
        let mut tries = 0;
        let (udp, local) = loop {
            let udp =
                UdpConnection::create_connection(config.listen, None, Some(cancel.child_token()))
                    .await?;
            let local = udp
                .get_addr()
                .get_socketaddr()
                .map_err(|e| SipError::Stack(e.to_string()))?;
            // The TCP listener binds lazily inside rsipstack and only logs a
            // failure; probe the port first so a taken port is our error.
            match std::net::TcpListener::bind(local) {
                Ok(probe) => {
                    drop(probe);
                    break (udp, local);
                }
                Err(e)
                    if e.kind() == std::io::ErrorKind::AddrInUse
                        && config.listen.port() == 0
                        && tries < 32 =>
                {
                    tries += 1;
                }
                Err(e) => return Err(e.into()),
            }
        };
        let tcp = TcpListenerConnection::new(local, None).await?;
        transport_layer.add_transport(udp.into());
        transport_layer.add_transport(tcp.into());

        let endpoint = EndpointBuilder::new()
            .with_cancel_token(cancel.clone())
            .with_transport_layer(transport_layer)
            .with_user_agent(&config.user_agent)
            .build();
        let incoming_tx = endpoint.incoming_transactions()?;
        let dialog_layer = Arc::new(DialogLayer::new(endpoint.inner.clone()));
        let advertised_ip = config.advertised_ip.unwrap_or(local.ip());
        let mut media_cfg = config.media.clone();
        if media_cfg.advertised_ip.is_none() {
            media_cfg.advertised_ip = config.advertised_ip;
        }
        let shared = Arc::new(UaShared {
            dialog_layer,
            media: MediaEngine::new(media_cfg),
            local,
            advertised_ip,
            bye_reasons: Mutex::new(HashMap::new()),
            ringing: Mutex::new(HashMap::new()),
        });
        let (call_tx, call_rx) = mpsc::channel(1024);
        let call_tx = config.accept_incoming.then_some(call_tx);
        let token = cancel.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = endpoint.serve() => {}
                _ = token.cancelled() => {}
            }
        });
        tokio::spawn(dispatch::run(
            shared.clone(),
            incoming_tx,
            call_tx,
            cancel.clone(),
        ));
        Ok(UserAgent {
            shared,
            cancel,
            incoming: Arc::new(tokio::sync::Mutex::new(Some(call_rx))),
        })
    }

    /// The bound SIP address (UDP and TCP).
    pub fn local_addr(&self) -> SocketAddr {
        self.shared.local
    }

    /// The media engine (port pool and settings).
    pub fn media(&self) -> &MediaEngine {
        &self.shared.media
    }

    /// Number of dialogs the stack currently tracks (leak check).
    pub fn dialog_count(&self) -> usize {
        self.shared.dialog_layer.len()
    }

    /// Wait for the next incoming call (only with `accept_incoming`).
    /// Returns `None` once the UA is shut down.
    pub async fn incoming(&self) -> Option<IncomingCall> {
        let mut guard = self.incoming.lock().await;
        let rx = guard.as_mut()?;
        tokio::select! {
            c = rx.recv() => c,
            _ = self.cancel.cancelled() => None,
        }
    }

    /// Stop the endpoint and its transports.
    pub fn shutdown(&self) {
        self.cancel.cancel();
    }
}

/// The user part of a SIP URI string, e.g. `1000` of `sip:1000@host`.
pub fn uri_user(uri: &str) -> Option<&str> {
    let rest = uri
        .trim()
        .trim_start_matches('<')
        .strip_prefix("sip:")
        .or_else(|| uri.trim().strip_prefix("sips:"))
        .or_else(|| uri.trim().strip_prefix("tel:"))?;
    let user = rest.split_once('@').map(|(u, _)| u).unwrap_or(rest);
    let user = user.split([';', '>', ':']).next()?;
    (!user.is_empty()).then_some(user)
}

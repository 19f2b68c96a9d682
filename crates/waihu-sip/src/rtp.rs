//! RTP media: one [`RtpSession`] per call, created by a [`MediaEngine`] that
//! owns the port pool and media settings. Used by both the dialer (UAC) and
//! the virtual callee (UAS).

pub mod dtmf;
pub mod jitter;
pub mod packet;
pub mod pool;
mod scheduler;
mod session;
pub mod stats;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

pub use session::{AudioFrame, MediaEvent, RtpSession};
pub use stats::{RtpStats, SendJitterHistogram};

use crate::g711::Codec;

/// Media settings shared by all sessions of a user agent.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    /// Local address RTP sockets bind to.
    pub bind_ip: IpAddr,
    /// Address written into SDP (behind NAT: the public address).
    pub advertised_ip: Option<IpAddr>,
    /// Lowest RTP port.
    pub port_min: u16,
    /// Highest RTP port.
    pub port_max: u16,
    /// Codecs we offer/accept, in preference order.
    pub codecs: Vec<Codec>,
    /// Payload type we offer for telephone-event.
    pub dtmf_pt: u8,
    /// Jitter-buffer prefill, in 20 ms frames.
    pub jitter_frames: usize,
    /// Report [`MediaEvent::Inactive`] after this long without RTP.
    pub inactivity: Option<Duration>,
    /// Collect send-interval jitter here (benchmarks): for each packet, how
    /// far the gap since the session's previous packet is from 20 ms.
    pub send_jitter: Option<Arc<SendJitterHistogram>>,
    /// Collect send lateness here (benchmarks): how long after its 20 ms
    /// deadline each packet left.
    pub send_lateness: Option<Arc<SendJitterHistogram>>,
}

impl Default for MediaConfig {
    fn default() -> Self {
        MediaConfig {
            bind_ip: IpAddr::from([127, 0, 0, 1]),
            advertised_ip: None,
            port_min: 20000,
            port_max: 40000,
            codecs: vec![Codec::Pcmu, Codec::Pcma],
            dtmf_pt: crate::sdp::DEFAULT_DTMF_PT,
            jitter_frames: 3,
            inactivity: Some(Duration::from_secs(30)),
            send_jitter: None,
            send_lateness: None,
        }
    }
}

/// Creates RTP sessions from a shared port pool.
#[derive(Debug, Clone)]
pub struct MediaEngine {
    config: Arc<MediaConfig>,
    pool: Arc<pool::PortPool>,
    scheduler: Arc<scheduler::Scheduler>,
}

impl MediaEngine {
    /// An engine over `config`'s port range.
    pub fn new(config: MediaConfig) -> MediaEngine {
        let pool = pool::PortPool::new(config.bind_ip, config.port_min, config.port_max);
        MediaEngine {
            config: Arc::new(config),
            pool: Arc::new(pool),
            scheduler: Arc::new(scheduler::Scheduler::new(
                scheduler::Scheduler::default_shards(),
            )),
        }
    }

    /// The settings.
    pub fn config(&self) -> &MediaConfig {
        &self.config
    }

    /// Bind a new session on a free port.
    pub async fn open(&self) -> Result<RtpSession, crate::SipError> {
        let socket = self.pool.bind()?;
        RtpSession::start(socket, self.config.clone(), &self.scheduler)
    }
}

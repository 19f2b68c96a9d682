//! waihu-sip: the telephony layer of waihu.
//!
//! A SIP user agent built on `rsipstack` that places outbound calls (UAC) and
//! accepts inbound ones (UAS, used by the virtual callee), negotiates G.711 and
//! RFC 4733 telephone-events over SDP, runs one RTP session per call with a
//! paced 20 ms sender, a small jitter buffer, DTMF and statistics, plays WAV
//! prompts, records both directions to a two-channel WAV and classifies every
//! call attempt into a stable [`Outcome`] code. It knows nothing of tenants,
//! databases or HTTP.

pub mod audio;
pub mod error;
pub mod g711;
pub mod outcome;
pub mod recorder;
pub mod rtp;
pub mod sdp;
pub mod sys;
pub mod ua;

pub use error::SipError;
pub use outcome::{CallReport, Outcome, Reason};
pub use rtp::{MediaConfig, MediaEvent, RtpSession, RtpStats};
pub use ua::{
    ActiveCall, CallEvent, DialRequest, DialResult, IncomingCall, Progress, SipConfig, Transport,
    UserAgent,
};

//! Errors at the crate boundary. Call outcomes (busy, no answer, …) are not
//! errors: they are [`crate::Outcome`] values. Errors are local failures.

use std::io;

/// A local failure of the telephony layer (bad input, cannot bind, I/O).
#[derive(Debug, thiserror::Error)]
pub enum SipError {
    /// A socket or file operation failed.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// No free RTP port in the configured range.
    #[error("no free RTP port in {0}..={1}")]
    NoRtpPort(u16, u16),
    /// An argument (URI, number, address) could not be used.
    #[error("invalid argument: {0}")]
    Invalid(String),
    /// The SIP stack reported an error we cannot turn into an outcome.
    #[error("SIP stack: {0}")]
    Stack(String),
    /// A WAV file could not be read or written.
    #[error("WAV: {0}")]
    Wav(#[from] hound::Error),
    /// An SDP body could not be understood.
    #[error("SDP: {0}")]
    Sdp(String),
}

impl From<rsipstack::Error> for SipError {
    fn from(e: rsipstack::Error) -> Self {
        SipError::Stack(e.to_string())
    }
}

//! Errors of the call layer. Call outcomes (busy, no answer, hang-ups) are
//! not errors: they are in the [`crate::CallRecord`]. An error is a local
//! failure before or around the call.

/// Why a call could not be placed or run.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The SIP layer failed locally (bad request, no RTP port, recording file).
    #[error(transparent)]
    Sip(#[from] waihu_sip::SipError),
    /// The speech engines could not be set up.
    #[error("speech engine: {0}")]
    Speech(String),
}

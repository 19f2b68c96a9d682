//! Errors of the virtual callee (all at startup: a running callee never
//! fails a call for a local reason it could have detected earlier).

/// Why the callee cannot start.
#[derive(Debug, thiserror::Error)]
pub enum CalleeError {
    /// The behaviour file cannot be read.
    #[error("cannot read behaviour file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The behaviour file is not valid TOML for our schema.
    #[error("behaviour file: {0}")]
    Parse(#[from] toml::de::Error),
    /// The behaviour file is well-formed but inconsistent.
    #[error("behaviour file: {0}")]
    Invalid(String),
    /// Text-to-speech failed while preparing a reply.
    #[error("text-to-speech: {0}")]
    Tts(#[from] waihu_speech::tts::TtsError),
    /// SIP or media setup failed.
    #[error("SIP: {0}")]
    Sip(#[from] waihu_sip::SipError),
}

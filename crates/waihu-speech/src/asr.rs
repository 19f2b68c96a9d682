//! Speech recognition behind a trait. One call transcribes one utterance
//! (as cut by the [`crate::vad`] end-pointer): Whisper-style models decode
//! best, and fastest, on exactly the speech. The built-in engine is
//! `WhisperAsr` (whisper.cpp through `whisper-rs`, feature `whisper`, on by
//! default); [`OpenAiAsr`] calls an OpenAI-compatible transcription server.

mod guard;
mod openai;
mod phrasebook;
mod pool;
#[cfg(feature = "whisper")]
mod whisper;

pub use guard::collapse_repeats;
pub use openai::{OpenAiAsr, OpenAiConfig};
pub use phrasebook::PhraseBookAsr;
pub use pool::{AsrPool, PoolOutcome, PoolStats};
#[cfg(feature = "whisper")]
pub use whisper::{WhisperAsr, WhisperConfig};

/// A piece of recognised text with its time span.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptSegment {
    /// Text of the segment (simplified Chinese for Mandarin).
    pub text: String,
    /// Start, in ms from the start of the audio passed in.
    pub start_ms: u64,
    /// End, in ms from the start of the audio passed in.
    pub end_ms: u64,
}

/// The result of recognising one utterance.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    /// The whole text, trimmed (empty when nothing was recognised).
    pub text: String,
    /// How sure the engine is, 0.0–1.0 (for Whisper: the mean probability of
    /// the text tokens, halved when the repetition guard had to cut).
    pub confidence: f32,
    /// The text split into timed segments.
    pub segments: Vec<TranscriptSegment>,
    /// The engine's estimate that the audio holds no speech at all, 0.0–1.0
    /// (0.0 when the engine has none).
    pub no_speech: f32,
    /// Duration of the audio that was recognised, in ms.
    pub audio_ms: u64,
}

/// Why recognition failed.
#[derive(Debug, thiserror::Error)]
pub enum AsrError {
    /// The model file is missing or unreadable.
    #[error("cannot load ASR model {path}: {reason}")]
    Model {
        /// Where the model was looked for.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The audio cannot be recognised (e.g. too long for one utterance).
    #[error("unsuitable audio: {0}")]
    Audio(String),
    /// The engine failed while decoding.
    #[error("speech recognition failed: {0}")]
    Engine(String),
}

/// A speech recogniser. Implementations are shared between calls, hence
/// `Send + Sync`; recognition is CPU-heavy and blocks (run it on a blocking
/// thread or a worker pool in async code).
pub trait Asr: Send + Sync {
    /// Recognises one utterance of 8 kHz mono PCM.
    fn transcribe(&self, audio: &[i16]) -> Result<Transcript, AsrError>;
}

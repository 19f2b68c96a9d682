//! Text-to-speech behind a trait. The built-in engine is [`EspeakTts`]
//! (espeak-ng run as a subprocess; Mandarin through tone-numbered pinyin).
//! Every engine returns 8 kHz mono `i16` PCM, ready for G.711.

mod cache;
mod espeak;
mod http;
mod pinyin_text;

pub use cache::CachedTts;
pub use espeak::EspeakTts;
pub use http::{HttpTts, HttpTtsConfig};
pub use pinyin_text::to_tone_pinyin;

/// The language of a text to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Mandarin Chinese, written in simplified or traditional characters.
    Mandarin,
    /// English.
    English,
}

/// Why speech could not be synthesised.
#[derive(Debug, thiserror::Error)]
pub enum TtsError {
    /// The `espeak-ng` program is not installed or cannot be run.
    #[error("cannot run espeak-ng (install it: apt-get install espeak-ng): {0}")]
    EspeakMissing(std::io::Error),
    /// espeak-ng runs but lacks a voice we need.
    #[error("espeak-ng has no voice {0:?} (install the full espeak-ng-data)")]
    VoiceMissing(String),
    /// The engine ran and failed.
    #[error("speech synthesis failed: {0}")]
    Failed(String),
    /// The engine produced audio we could not understand.
    #[error("speech synthesis produced bad audio: {0}")]
    BadOutput(String),
}

/// A text-to-speech engine. Implementations are shared between calls, hence
/// `Send + Sync`; synthesis may block (run it on a blocking thread in async
/// code).
pub trait Tts: Send + Sync {
    /// Speaks `text` in `lang` and returns 8 kHz mono PCM. Empty (or
    /// whitespace-only) text gives empty audio.
    fn synthesize(&self, text: &str, lang: Lang) -> Result<Vec<i16>, TtsError>;
}

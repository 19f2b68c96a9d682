//! The prompt library: recorded prompts that scripts play by name
//! (`prompt: 开场白`) or by file (`audio: greeting.mp3`). Uploads in WAV (PCM
//! 8/16/24/32-bit, float, μ-law, A-law; any rate, any channels) or MP3 are
//! validated — size, real format from the content, duration, not empty —
//! and converted once to 8 kHz mono 16-bit, stored by content hash, and
//! then loaded without decoding from a bounded in-memory cache.
//!
//! [`decode_prompt`] is the conversion on its own, for callers that only
//! need audio from bytes.

mod cache;
mod decode;
mod detect;
mod error;
mod index;
mod library;
mod mp3;
mod name;
mod wav_check;

pub(crate) use decode::{decode_audio, Strictness};
pub use decode::{decode_prompt, DecodedPrompt, PromptLimits};
pub use detect::{detect_format, SourceFormat, UnsupportedFormat};
pub use error::PromptError;
pub use library::{PromptInfo, PromptLibrary};
pub use name::{validate_name, MAX_NAME_CHARS};

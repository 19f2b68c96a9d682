//! Why a prompt could not be imported or loaded. Every variant says what is
//! wrong in words an operator uploading a file can act on; [`PromptError::code`]
//! gives a stable machine-readable code for API responses.

use std::path::PathBuf;

use crate::wav::WavError;

/// Why a prompt could not be imported, stored or loaded.
#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    /// The prompt name is not allowed.
    #[error("invalid prompt name {name:?}: {reason}")]
    InvalidName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The upload is bigger than the library accepts.
    #[error("file is {bytes} bytes; the limit is {limit} bytes")]
    TooLarge {
        /// Size of the upload.
        bytes: usize,
        /// The configured limit.
        limit: usize,
    },
    /// The bytes are neither WAV nor MP3 (whatever the file name says).
    #[error("not a WAV or MP3 file: {0}")]
    NotAudio(String),
    /// A WAV or MP3 file that cannot be decoded.
    #[error("cannot decode {format} file: {reason}")]
    Malformed {
        /// "WAV" or "MP3".
        format: &'static str,
        /// What the decoder said.
        reason: String,
    },
    /// A WAV file whose header promises more audio than the file holds.
    #[error(
        "WAV file is truncated: its header declares {declared_ms} ms of audio but the file \
         holds only {actual_ms} ms (was the upload cut off?)"
    )]
    Truncated {
        /// Duration the header declares.
        declared_ms: u64,
        /// Duration actually present.
        actual_ms: u64,
    },
    /// The audio is longer than the library accepts.
    #[error("audio is {duration_ms} ms long; the limit is {limit_ms} ms")]
    TooLong {
        /// Duration of the audio (or at least this much, when decoding stopped early).
        duration_ms: u64,
        /// The configured limit.
        limit_ms: u64,
    },
    /// The file is well-formed but holds no audio samples.
    #[error("{0} file holds no audio")]
    NoAudio(&'static str),
    /// No prompt of that name is in the library.
    #[error("no prompt named {0:?} in the library")]
    NotFound(String),
    /// A prompt file referenced by path is outside its base directory or
    /// otherwise not acceptable.
    #[error("prompt file {path:?} refused: {reason}")]
    BadPath {
        /// The path as given.
        path: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// Reading or writing the library directory failed.
    #[error("prompt library I/O on {path}: {source}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The library's index file is unreadable.
    #[error("prompt library index {path} is corrupt: {reason}")]
    Index {
        /// Path of the index file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A stored (already converted) prompt file is damaged.
    #[error("stored prompt {path} is damaged ({source}); import it again")]
    Stored {
        /// Path of the stored file.
        path: PathBuf,
        /// Why it could not be read.
        source: WavError,
    },
}

impl PromptError {
    /// A stable lower-case code for this kind of error (for API responses
    /// and logs).
    pub fn code(&self) -> &'static str {
        match self {
            PromptError::InvalidName { .. } => "invalid-name",
            PromptError::TooLarge { .. } => "too-large",
            PromptError::NotAudio(_) => "not-audio",
            PromptError::Malformed { .. } => "malformed-audio",
            PromptError::Truncated { .. } => "truncated",
            PromptError::TooLong { .. } => "too-long",
            PromptError::NoAudio(_) => "no-audio",
            PromptError::NotFound(_) => "not-found",
            PromptError::BadPath { .. } => "bad-path",
            PromptError::Io { .. } => "io",
            PromptError::Index { .. } => "corrupt-index",
            PromptError::Stored { .. } => "damaged-store",
        }
    }

    /// Whether the caller's input is at fault (as opposed to the server's
    /// storage): maps to HTTP 4xx versus 5xx.
    pub fn is_bad_input(&self) -> bool {
        !matches!(
            self,
            PromptError::Io { .. } | PromptError::Index { .. } | PromptError::Stored { .. }
        )
    }

    /// Wraps an I/O error with the path it concerns.
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| PromptError::Io { path, source }
    }
}

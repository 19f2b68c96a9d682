//! One entry point from uploaded bytes to telephone audio: checks the size,
//! detects the real format from the content, refuses over-long and empty
//! audio, decodes (WAV through [`crate::wav`], MP3 through symphonia), mixes
//! to mono and resamples to 8 kHz.

use super::detect::{detect_format, SourceFormat};
use super::mp3::decode_mp3;
use super::wav_check::WavLayout;
use super::PromptError;
use crate::resample::{f32_to_i16, resample_f32};
use crate::wav::{decode_wav_8k, WavError};
use crate::SAMPLE_RATE;

/// What the library accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromptLimits {
    /// Largest upload in bytes (default 100 MiB: 5 minutes of 48 kHz stereo
    /// 16-bit WAV is 55 MiB).
    pub max_bytes: usize,
    /// Longest audio in ms (default 5 minutes).
    pub max_duration_ms: u64,
}

impl Default for PromptLimits {
    fn default() -> Self {
        Self {
            max_bytes: 100 << 20,
            max_duration_ms: 5 * 60 * 1000,
        }
    }
}

/// Telephone audio decoded from an upload.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedPrompt {
    /// The format found in the content.
    pub format: SourceFormat,
    /// 8 kHz mono PCM, never empty.
    pub samples: Vec<i16>,
}

/// How strictly a WAV header is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strictness {
    /// Uploads: a header declaring more audio than present is refused.
    Upload,
    /// Server responses: decode whatever arrived.
    Lenient,
}

/// Decodes an uploaded WAV or MP3 file (format from content, not name) to
/// 8 kHz mono PCM within `limits`.
pub fn decode_prompt(bytes: &[u8], limits: &PromptLimits) -> Result<DecodedPrompt, PromptError> {
    decode_audio(bytes, limits, Strictness::Upload)
}

/// [`decode_prompt`] with a choice of strictness.
pub(crate) fn decode_audio(
    bytes: &[u8],
    limits: &PromptLimits,
    strictness: Strictness,
) -> Result<DecodedPrompt, PromptError> {
    if bytes.len() > limits.max_bytes {
        return Err(PromptError::TooLarge {
            bytes: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let format = detect_format(bytes).map_err(|e| PromptError::NotAudio(e.0))?;
    let samples = match format {
        SourceFormat::Wav => decode_wav(bytes, limits, strictness)?,
        SourceFormat::Mp3 => {
            let decoded = decode_mp3(bytes, limits.max_duration_ms)?;
            let resampled =
                resample_f32(&decoded.mono, decoded.rate, SAMPLE_RATE).map_err(|e| {
                    PromptError::Malformed {
                        format: "MP3",
                        reason: e.to_string(),
                    }
                })?;
            resampled.into_iter().map(f32_to_i16).collect()
        }
    };
    if samples.is_empty() {
        return Err(PromptError::NoAudio(format.as_str()));
    }
    let duration_ms = samples.len() as u64 * 1000 / u64::from(SAMPLE_RATE);
    if duration_ms > limits.max_duration_ms {
        return Err(PromptError::TooLong {
            duration_ms,
            limit_ms: limits.max_duration_ms,
        });
    }
    Ok(DecodedPrompt { format, samples })
}

/// Checks a WAV header, then decodes it.
fn decode_wav(
    bytes: &[u8],
    limits: &PromptLimits,
    strictness: Strictness,
) -> Result<Vec<i16>, PromptError> {
    let prepared = match WavLayout::read(bytes) {
        Some(layout) => {
            let duration_ms = layout.duration_ms();
            if duration_ms > limits.max_duration_ms {
                return Err(PromptError::TooLong {
                    duration_ms,
                    limit_ms: limits.max_duration_ms,
                });
            }
            layout.prepare(bytes, strictness == Strictness::Lenient)?
        }
        // Let the decoder name what is wrong with the header.
        None => std::borrow::Cow::Borrowed(bytes),
    };
    decode_wav_8k(&prepared).map_err(|e| PromptError::Malformed {
        format: "WAV",
        reason: match e {
            WavError::Malformed(m) | WavError::Unsupported(m) => m,
            other => other.to_string(),
        },
    })
}

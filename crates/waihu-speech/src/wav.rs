//! WAV files in and out at the telephone rate.
//!
//! Reading accepts what people upload as prompts: PCM 8/16/24/32-bit, 32-bit
//! float, G.711 μ-law and A-law, any sample rate, any channel count; the audio
//! is mixed to mono and resampled to 8 kHz. Untrusted files must never crash
//! the process, so the header is checked by our own parser before `hound`
//! sees it (hound panics on some formats it does not support, e.g. μ-law),
//! and G.711 is decoded here. Writing produces 8 kHz 16-bit PCM, mono or
//! stereo (two-channel call recordings).

use std::io::Cursor;
use std::path::Path;

use crate::resample::{f32_to_i16, resample_f32, ResampleError};
use crate::SAMPLE_RATE;

/// Why a WAV file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    /// The file could not be opened, read or written.
    #[error("WAV file I/O: {0}")]
    Io(#[from] std::io::Error),
    /// The bytes are not a well-formed WAV file.
    #[error("malformed WAV: {0}")]
    Malformed(String),
    /// A well-formed WAV in an encoding we do not decode.
    #[error("unsupported WAV encoding: {0}")]
    Unsupported(String),
    /// Resampling to 8 kHz failed.
    #[error(transparent)]
    Resample(#[from] ResampleError),
}

/// Format codes from the `fmt ` chunk (RFC 2361).
const FORMAT_PCM: u16 = 1;
const FORMAT_FLOAT: u16 = 3;
const FORMAT_ALAW: u16 = 6;
const FORMAT_MULAW: u16 = 7;
const FORMAT_EXTENSIBLE: u16 = 0xFFFE;

/// Highest sample rate accepted; anything above is surely a corrupt header.
const MAX_RATE: u32 = 768_000;
/// Most channels accepted (WAVE_FORMAT_EXTENSIBLE allows 18 speakers).
const MAX_CHANNELS: u16 = 32;

/// The parts of the `fmt ` chunk we need, validated.
#[derive(Debug, Clone, Copy)]
struct Format {
    /// Encoding (PCM, float, A-law, μ-law), extensible resolved.
    code: u16,
    /// Interleaved channels.
    channels: u16,
    /// Frames per second.
    rate: u32,
    /// Bits per sample as stored.
    bits: u16,
}

/// Reads a WAV file and returns its audio as 8 kHz mono PCM.
pub fn read_wav_8k(path: impl AsRef<Path>) -> Result<Vec<i16>, WavError> {
    let bytes = std::fs::read(path)?;
    decode_wav_8k(&bytes)
}

/// Decodes WAV bytes to 8 kHz mono PCM (see the module docs for formats).
pub fn decode_wav_8k(bytes: &[u8]) -> Result<Vec<i16>, WavError> {
    let (format, data) = parse_header(bytes)?;
    let mono = match format.code {
        FORMAT_ALAW | FORMAT_MULAW => decode_g711(format, data),
        _ => decode_with_hound(bytes, format)?,
    };
    let resampled = resample_f32(&mono, format.rate, SAMPLE_RATE)?;
    Ok(resampled.into_iter().map(f32_to_i16).collect())
}

/// Walks the RIFF chunks, validates `fmt ` and returns it with the bytes of
/// the `data` chunk (truncated to what the file really holds).
fn parse_header(bytes: &[u8]) -> Result<(Format, &[u8]), WavError> {
    let malformed = |m: &str| WavError::Malformed(m.to_string());
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(malformed("not a RIFF/WAVE file"));
    }
    let mut pos = 12;
    let mut format = None;
    while pos + 8 <= bytes.len() {
        let id = &bytes[pos..pos + 4];
        let size = u32_at(bytes, pos + 4) as usize;
        let body_start = pos + 8;
        let body_end = body_start.saturating_add(size).min(bytes.len());
        let body = &bytes[body_start..body_end];
        if id == b"fmt " {
            format = Some(parse_fmt(body)?);
        } else if id == b"data" {
            let format = format.ok_or_else(|| malformed("data chunk before fmt chunk"))?;
            let frame_bytes = usize::from(format.channels) * usize::from(format.bits / 8);
            let whole = body.len() - body.len() % frame_bytes;
            return Ok((format, &body[..whole]));
        }
        // Chunks are padded to an even length.
        pos = body_start.saturating_add(size).saturating_add(size & 1);
    }
    Err(malformed(if format.is_some() {
        "no data chunk"
    } else {
        "no fmt chunk"
    }))
}

/// Validates a `fmt ` chunk body.
fn parse_fmt(body: &[u8]) -> Result<Format, WavError> {
    if body.len() < 16 {
        return Err(WavError::Malformed("fmt chunk too short".into()));
    }
    let mut code = u16_at(body, 0);
    let channels = u16_at(body, 2);
    let rate = u32_at(body, 4);
    let bits = u16_at(body, 14);
    if code == FORMAT_EXTENSIBLE {
        // cbSize(2) validBits(2) channelMask(4) then the sub-format GUID whose
        // first two bytes are the real format code.
        if body.len() < 26 {
            return Err(WavError::Malformed("extensible fmt chunk too short".into()));
        }
        code = u16_at(body, 24);
    }
    if channels == 0 || channels > MAX_CHANNELS {
        return Err(WavError::Malformed(format!("{channels} channels")));
    }
    if rate == 0 || rate > MAX_RATE {
        return Err(WavError::Malformed(format!("sample rate {rate} Hz")));
    }
    let bits_ok = match code {
        FORMAT_PCM => matches!(bits, 8 | 16 | 24 | 32),
        FORMAT_FLOAT => bits == 32,
        FORMAT_ALAW | FORMAT_MULAW => bits == 8,
        other => {
            return Err(WavError::Unsupported(format!(
                "format code {other:#06x} (only PCM, float, A-law and μ-law)"
            )))
        }
    };
    if !bits_ok {
        return Err(WavError::Unsupported(format!(
            "{bits}-bit samples in format code {code}"
        )));
    }
    Ok(Format {
        code,
        channels,
        rate,
        bits,
    })
}

/// Decodes PCM and float WAV with hound, mixing to mono `f32`.
fn decode_with_hound(bytes: &[u8], format: Format) -> Result<Vec<f32>, WavError> {
    let hound_err = |e: hound::Error| match e {
        hound::Error::IoError(io) => WavError::Malformed(io.to_string()),
        hound::Error::Unsupported => WavError::Unsupported("rejected by hound".into()),
        other => WavError::Malformed(other.to_string()),
    };
    let mut reader = hound::WavReader::new(Cursor::new(bytes)).map_err(hound_err)?;
    let spec = reader.spec();
    if spec.channels != format.channels || spec.sample_rate != format.rate {
        return Err(WavError::Malformed("inconsistent fmt chunk".into()));
    }
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader
            .samples::<f32>()
            .map(|s| s.map(|v| if v.is_finite() { v } else { 0.0 }))
            .collect::<Result<_, _>>()
            .map_err(hound_err)?,
        hound::SampleFormat::Int => {
            // Scale every bit depth to -1.0..1.0.
            let scale = 1.0 / (1u64 << (spec.bits_per_sample - 1)) as f32;
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect::<Result<_, _>>()
                .map_err(hound_err)?
        }
    };
    Ok(mix_to_mono(&interleaved, usize::from(format.channels)))
}

/// Averages interleaved channels into one.
fn mix_to_mono(interleaved: &[f32], channels: usize) -> Vec<f32> {
    if channels == 1 {
        return interleaved.to_vec();
    }
    interleaved
        .chunks_exact(channels)
        .map(|frame| frame.iter().sum::<f32>() / channels as f32)
        .collect()
}

/// Decodes 8-bit G.711 samples (A-law or μ-law) and mixes to mono.
fn decode_g711(format: Format, data: &[u8]) -> Vec<f32> {
    let decode = if format.code == FORMAT_MULAW {
        mulaw_to_linear
    } else {
        alaw_to_linear
    };
    let linear: Vec<f32> = data
        .iter()
        .map(|&b| f32::from(decode(b)) / 32768.0)
        .collect();
    mix_to_mono(&linear, usize::from(format.channels))
}

/// ITU-T G.711 μ-law expansion.
pub fn mulaw_to_linear(byte: u8) -> i16 {
    let u = !byte;
    let exponent = (u >> 4) & 0x07;
    let mantissa = i32::from(u & 0x0F);
    let magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    let value = if u & 0x80 != 0 { -magnitude } else { magnitude };
    value as i16
}

/// ITU-T G.711 A-law expansion.
pub fn alaw_to_linear(byte: u8) -> i16 {
    let a = byte ^ 0x55;
    let exponent = (a >> 4) & 0x07;
    let mantissa = i32::from(a & 0x0F);
    let magnitude = if exponent == 0 {
        (mantissa << 4) + 8
    } else {
        ((mantissa << 4) + 0x108) << (exponent - 1)
    };
    let value = if a & 0x80 != 0 { magnitude } else { -magnitude };
    value as i16
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Encodes 8 kHz 16-bit PCM as WAV bytes: one channel per slice, all of the
/// same length (1 = mono, 2 = stereo: left robot, right callee).
pub fn encode_wav_8k(channels: &[&[i16]]) -> Result<Vec<u8>, WavError> {
    let count = channels.len();
    if count == 0 || count > usize::from(MAX_CHANNELS) {
        return Err(WavError::Unsupported(format!("{count} channels")));
    }
    let frames = channels[0].len();
    if channels.iter().any(|c| c.len() != frames) {
        return Err(WavError::Unsupported(
            "channels of different lengths".into(),
        ));
    }
    let spec = hound::WavSpec {
        channels: count as u16,
        sample_rate: SAMPLE_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut out = Cursor::new(Vec::with_capacity(44 + frames * count * 2));
    {
        let io = |e: hound::Error| WavError::Io(std::io::Error::other(e.to_string()));
        let mut writer = hound::WavWriter::new(&mut out, spec).map_err(io)?;
        for i in 0..frames {
            for ch in channels {
                writer.write_sample(ch[i]).map_err(io)?;
            }
        }
        writer.finalize().map_err(io)?;
    }
    Ok(out.into_inner())
}

/// Writes an 8 kHz 16-bit mono WAV file.
pub fn write_wav_8k_mono(path: impl AsRef<Path>, samples: &[i16]) -> Result<(), WavError> {
    std::fs::write(path, encode_wav_8k(&[samples])?)?;
    Ok(())
}

/// Writes an 8 kHz 16-bit stereo WAV file (left, right of equal length).
pub fn write_wav_8k_stereo(
    path: impl AsRef<Path>,
    left: &[i16],
    right: &[i16],
) -> Result<(), WavError> {
    std::fs::write(path, encode_wav_8k(&[left, right])?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g711_reference_values() {
        // Values from the ITU-T G.711 tables.
        assert_eq!(mulaw_to_linear(0xFF), 0);
        assert_eq!(mulaw_to_linear(0x7F), 0);
        assert_eq!(mulaw_to_linear(0x80), 32124);
        assert_eq!(mulaw_to_linear(0x00), -32124);
        assert_eq!(mulaw_to_linear(0xFE), 8);
        assert_eq!(mulaw_to_linear(0x7E), -8);
        assert_eq!(alaw_to_linear(0xD5), 8);
        assert_eq!(alaw_to_linear(0x55), -8);
        assert_eq!(alaw_to_linear(0xAA), 32256);
        assert_eq!(alaw_to_linear(0x2A), -32256);
    }

    #[test]
    fn mono_mix() {
        assert_eq!(mix_to_mono(&[1.0, 0.0, 0.5, 0.5], 2), vec![0.5, 0.5]);
    }
}

//! MP3 decoding with symphonia (pure Rust, MPL-2.0; only its MPEG audio
//! reader and layer III decoder are compiled in). An ID3v2 tag at the start
//! is skipped here so that no byte pattern inside cover art can be taken for
//! the first frame. Decoding stops as soon as the audio exceeds the duration
//! limit, so a tiny low-bitrate file cannot make us decode hours.

use std::io::Cursor;

use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::default::codecs::MpaDecoder;
use symphonia::default::formats::MpaReader;

use super::PromptError;

/// Decoded audio before resampling.
#[derive(Debug, Default)]
pub(crate) struct Decoded {
    /// Mono samples in -1.0..=1.0.
    pub(crate) mono: Vec<f32>,
    /// Their rate in Hz.
    pub(crate) rate: u32,
}

/// Decodes MP3 bytes to mono `f32`, refusing audio longer than `max_ms`.
pub(crate) fn decode_mp3(bytes: &[u8], max_ms: u64) -> Result<Decoded, PromptError> {
    let malformed = |reason: String| PromptError::Malformed {
        format: "MP3",
        reason,
    };
    let audio = skip_id3v2(bytes);
    if audio.is_empty() {
        return Err(PromptError::NoAudio("MP3"));
    }
    let stream = MediaSourceStream::new(
        Box::new(Cursor::new(audio)),
        MediaSourceStreamOptions::default(),
    );
    let mut reader = MpaReader::try_new(stream, FormatOptions::default())
        .map_err(|e| malformed(format!("no MPEG audio frame found ({e})")))?;
    let params = reader
        .tracks()
        .first()
        .and_then(|t| t.codec_params.as_ref())
        .and_then(|p| p.audio())
        .cloned()
        .ok_or_else(|| malformed("no audio track".into()))?;
    let mut decoder = MpaDecoder::try_new(&params, &AudioDecoderOptions::default())
        .map_err(|e| malformed(format!("unsupported stream: {e}")))?;

    let mut out = Decoded::default();
    let mut interleaved: Vec<f32> = Vec::new();
    let mut bad_frames = 0usize;
    let mut last_error = String::new();
    loop {
        let packet = match reader.next_packet() {
            Ok(Some(packet)) => packet,
            Ok(None) => break,
            // Junk at the end (e.g. an ID3v1 tag or a cut-off last frame).
            Err(SymError::IoError(_)) => break,
            Err(e) => return Err(malformed(e.to_string())),
        };
        let buffer = match decoder.decode(&packet) {
            Ok(buffer) => buffer,
            // One damaged frame is a click, not a reason to refuse the file.
            Err(SymError::DecodeError(e)) => {
                bad_frames += 1;
                last_error = e.to_string();
                continue;
            }
            Err(e) => return Err(malformed(e.to_string())),
        };
        let rate = buffer.spec().rate();
        let channels = buffer.spec().channels().count().max(1);
        if out.rate == 0 {
            out.rate = rate;
        } else if out.rate != rate {
            return Err(malformed(format!(
                "sample rate changes from {} Hz to {rate} Hz mid-stream",
                out.rate
            )));
        }
        buffer.copy_to_vec_interleaved(&mut interleaved);
        out.mono.extend(
            interleaved
                .chunks_exact(channels)
                .map(|frame| frame.iter().sum::<f32>() / channels as f32),
        );
        let ms = out.mono.len() as u64 * 1000 / u64::from(rate.max(1));
        if ms > max_ms {
            return Err(PromptError::TooLong {
                duration_ms: ms,
                limit_ms: max_ms,
            });
        }
    }
    if out.mono.is_empty() {
        return Err(if bad_frames > 0 {
            malformed(format!(
                "none of its {bad_frames} frames could be decoded ({last_error})"
            ))
        } else {
            PromptError::NoAudio("MP3")
        });
    }
    Ok(out)
}

/// The bytes after a leading ID3v2 tag (all of them when there is none).
fn skip_id3v2(bytes: &[u8]) -> &[u8] {
    let Some(header) = bytes.get(..10) else {
        return bytes;
    };
    if &header[..3] != b"ID3" || header[6..10].iter().any(|b| b & 0x80 != 0) {
        return bytes;
    }
    // Four 7-bit "synchsafe" bytes; a footer (flag bit 4) adds 10 more.
    let size = header[6..10]
        .iter()
        .fold(0usize, |acc, &b| (acc << 7) | usize::from(b));
    let footer = if header[5] & 0x10 != 0 { 10 } else { 0 };
    bytes.get(10 + size + footer..).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_id3v2_tags() {
        let mut tagged = b"ID3\x04\x00\x00\x00\x00\x01\x00".to_vec();
        tagged.extend_from_slice(&[0xAB; 128]);
        tagged.extend_from_slice(&[0xFF, 0xFB]);
        assert_eq!(skip_id3v2(&tagged), &[0xFF, 0xFB]);
        assert_eq!(skip_id3v2(b"ID3\x04\x00\x00\x00\x00\x7F\x7F"), b"");
        assert_eq!(skip_id3v2(&[0xFF, 0xFB, 0x90]), &[0xFF, 0xFB, 0x90]);
    }

    #[test]
    fn garbage_after_a_tag_is_malformed_not_a_panic() {
        let mut bytes = b"ID3\x04\x00\x00\x00\x00\x00\x00".to_vec();
        bytes.extend((0..4096u32).map(|i| (i * 7919 % 251) as u8));
        let err = decode_mp3(&bytes, 60_000).unwrap_err();
        assert!(
            matches!(err, PromptError::Malformed { .. } | PromptError::NoAudio(_)),
            "{err:?}"
        );
    }
}

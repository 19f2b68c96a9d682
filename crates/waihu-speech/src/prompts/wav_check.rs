//! Checks on a WAV header before decoding, which [`crate::wav`] (lenient by
//! design: it decodes what is there) does not make:
//! - a header that declares more audio than the file holds is a cut-off
//!   upload and is refused with both durations, instead of importing half a
//!   prompt;
//! - a header written by a streaming encoder (data size `0` or
//!   `0xFFFFFFFF`, as TTS servers send) gets its sizes filled in;
//! - the duration is known before anything is decoded, so an over-long file
//!   costs no decoding.

use std::borrow::Cow;

use super::PromptError;

/// What the header says, as far as the checks need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WavLayout {
    /// Frames per second.
    rate: u32,
    /// Bytes per frame (all channels).
    frame_bytes: usize,
    /// Offset of the data chunk's size field.
    data_size_at: usize,
    /// Size the data chunk declares.
    declared: u32,
    /// Data bytes actually present after the chunk header.
    present: usize,
}

/// Data sizes that streaming writers put in a header they cannot rewrite.
const STREAMING_SIZES: [u32; 2] = [0, u32::MAX];

impl WavLayout {
    /// Reads the layout, or `None` when the header is too odd to say (the
    /// decoder then reports what is wrong).
    pub(crate) fn read(bytes: &[u8]) -> Option<Self> {
        let mut pos: usize = 12;
        let mut fmt = None;
        while pos.checked_add(8)? <= bytes.len() {
            let id = &bytes[pos..pos + 4];
            let size = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().ok()?);
            let body = pos + 8;
            if id == b"fmt " {
                let f = bytes.get(body..body.checked_add(16)?)?;
                let channels = usize::from(u16::from_le_bytes([f[2], f[3]]));
                let rate = u32::from_le_bytes([f[4], f[5], f[6], f[7]]);
                let bits = usize::from(u16::from_le_bytes([f[14], f[15]]));
                let frame_bytes = channels * bits.div_ceil(8);
                if rate == 0 || frame_bytes == 0 {
                    return None;
                }
                fmt = Some((rate, frame_bytes));
            } else if id == b"data" {
                let (rate, frame_bytes) = fmt?;
                return Some(Self {
                    rate,
                    frame_bytes,
                    data_size_at: pos + 4,
                    declared: size,
                    present: bytes.len() - body,
                });
            }
            pos = body
                .checked_add(size as usize)?
                .checked_add(size as usize & 1)?;
        }
        None
    }

    /// Whether the data size is a streaming placeholder.
    fn is_streamed(&self) -> bool {
        STREAMING_SIZES.contains(&self.declared) && self.present > 0
    }

    /// Milliseconds in `bytes` of data.
    fn ms(&self, bytes: usize) -> u64 {
        let frames = (bytes / self.frame_bytes) as u64;
        frames * 1000 / u64::from(self.rate)
    }

    /// Duration of the audio that will be decoded, in ms.
    pub(crate) fn duration_ms(&self) -> u64 {
        if self.is_streamed() {
            self.ms(self.present)
        } else {
            self.ms(self.present.min(self.declared as usize))
        }
    }

    /// Returns the bytes ready for the decoder: unchanged, or with the sizes
    /// of a streamed header filled in. A truncated file is an error unless
    /// `lenient` (then it is decoded as far as it goes).
    pub(crate) fn prepare<'a>(
        &self,
        bytes: &'a [u8],
        lenient: bool,
    ) -> Result<Cow<'a, [u8]>, PromptError> {
        let declared = self.declared as usize;
        if !self.is_streamed() && declared <= self.present {
            return Ok(Cow::Borrowed(bytes));
        }
        if !self.is_streamed() && !lenient {
            return Err(PromptError::Truncated {
                declared_ms: self.ms(declared),
                actual_ms: self.ms(self.present),
            });
        }
        // Whole frames only, so the decoder does not stop on a partial one.
        let whole = self.present - self.present % self.frame_bytes;
        let end = self.data_size_at + 4 + whole;
        let mut fixed = bytes[..end].to_vec();
        let data_size = u32::try_from(whole).unwrap_or(u32::MAX);
        fixed[self.data_size_at..self.data_size_at + 4].copy_from_slice(&data_size.to_le_bytes());
        let riff_size = u32::try_from(end - 8).unwrap_or(u32::MAX);
        fixed[4..8].copy_from_slice(&riff_size.to_le_bytes());
        Ok(Cow::Owned(fixed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 16-bit mono 8 kHz header declaring `declared` data bytes, followed
    /// by `present` bytes.
    fn wav(declared: u32, present: usize) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(b"RIFF");
        b.extend_from_slice(&36u32.wrapping_add(declared).to_le_bytes());
        b.extend_from_slice(b"WAVEfmt ");
        b.extend_from_slice(&16u32.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes()); // PCM
        b.extend_from_slice(&1u16.to_le_bytes()); // mono
        b.extend_from_slice(&8000u32.to_le_bytes());
        b.extend_from_slice(&16000u32.to_le_bytes());
        b.extend_from_slice(&2u16.to_le_bytes());
        b.extend_from_slice(&16u16.to_le_bytes());
        b.extend_from_slice(b"data");
        b.extend_from_slice(&declared.to_le_bytes());
        b.resize(b.len() + present, 0);
        b
    }

    #[test]
    fn complete_file_is_untouched() {
        let bytes = wav(16_000, 16_000);
        let layout = WavLayout::read(&bytes).unwrap();
        assert_eq!(layout.duration_ms(), 1000);
        assert!(matches!(
            layout.prepare(&bytes, false),
            Ok(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn truncated_file_is_refused_with_durations() {
        let bytes = wav(16_000, 4_001);
        let layout = WavLayout::read(&bytes).unwrap();
        match layout.prepare(&bytes, false) {
            Err(PromptError::Truncated {
                declared_ms,
                actual_ms,
            }) => assert_eq!((declared_ms, actual_ms), (1000, 250)),
            other => panic!("{other:?}"),
        }
        let lenient = layout.prepare(&bytes, true).unwrap();
        assert_eq!(lenient.len(), 44 + 4_000);
    }

    #[test]
    fn streamed_sizes_are_filled_in() {
        for placeholder in STREAMING_SIZES {
            let bytes = wav(placeholder, 8_001);
            let layout = WavLayout::read(&bytes).unwrap();
            assert_eq!(layout.duration_ms(), 500);
            let fixed = layout.prepare(&bytes, false).unwrap();
            assert_eq!(fixed.len(), 44 + 8_000);
            assert_eq!(&fixed[40..44], &8_000u32.to_le_bytes());
            assert_eq!(&fixed[4..8], &(36u32 + 8_000).to_le_bytes());
        }
    }

    #[test]
    fn odd_headers_give_none() {
        assert_eq!(WavLayout::read(b"RIFF\0\0\0\0WAVE"), None);
        let mut no_fmt = wav(0, 0);
        no_fmt[12..16].copy_from_slice(b"junk");
        assert_eq!(WavLayout::read(&no_fmt), None);
    }
}

//! The per-frame speech/non-speech decision: the WebRTC VAD (libfvad, a
//! Gaussian mixture model at native 8 kHz) through `webrtc-vad`.

use super::Aggressiveness;

/// The per-frame voiced/unvoiced decision (libfvad through `webrtc-vad`).
pub(super) struct Classifier {
    /// The native detector.
    inner: webrtc_vad::Vad,
}

// SAFETY: `webrtc_vad::Vad` holds a raw pointer to a heap-allocated libfvad
// instance, which makes it `!Send` by default. libfvad keeps all state in that
// instance (no globals, no thread-locals; checked in its C sources) and every
// call goes through `&mut self`, so moving the owner to another thread is
// sound. Without this a call task holding a VAD could not move between tokio
// worker threads. `Sync` is not claimed.
#[allow(unsafe_code)]
unsafe impl Send for Classifier {}

impl Classifier {
    /// A classifier at 8 kHz in the given mode.
    pub(super) fn new(mode: Aggressiveness) -> Self {
        let mode = match mode {
            Aggressiveness::Quality => webrtc_vad::VadMode::Quality,
            Aggressiveness::LowBitrate => webrtc_vad::VadMode::LowBitrate,
            Aggressiveness::Aggressive => webrtc_vad::VadMode::Aggressive,
            Aggressiveness::VeryAggressive => webrtc_vad::VadMode::VeryAggressive,
        };
        Self {
            inner: webrtc_vad::Vad::new_with_rate_and_mode(webrtc_vad::SampleRate::Rate8kHz, mode),
        }
    }

    /// Whether the frame holds speech. libfvad only accepts 10/20/30 ms
    /// frames; anything else is judged in 10 ms pieces, voiced if at least
    /// half of them are.
    pub(super) fn is_voiced(&mut self, frame: &[i16]) -> bool {
        match frame.len() {
            80 | 160 | 240 => self.inner.is_voice_segment(frame).unwrap_or(false),
            _ => {
                let pieces: Vec<bool> = frame
                    .chunks_exact(80)
                    .map(|p| self.inner.is_voice_segment(p).unwrap_or(false))
                    .collect();
                !pieces.is_empty() && pieces.iter().filter(|&&v| v).count() * 2 >= pieces.len()
            }
        }
    }
}

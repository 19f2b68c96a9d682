//! Detectors over the per-frame [`Features`](crate::dsp::Features): each is a
//! small state machine fed one 20 ms frame at a time that reports an event
//! when it has seen its pattern. [`sit`]: special information tones;
//! [`tones`]: ring cadences, fax CNG/CED and beeps; [`music`]: music versus
//! speech; [`activity`]: sound presence, utterances and pauses.

pub mod activity;
pub mod music;
pub mod sit;
pub mod tones;

use crate::dsp::Features;

/// Share of a frame's energy in its strongest tone above which the frame is
/// one steady tone (measured: pure tones 0.8–1.0 after G.711 and noise at
/// -45 dBFS; espeak-ng speech and synthetic babble stay below 0.6).
pub const TONE_SHARE: f32 = 0.7;

/// Whether the frame is one steady audible tone, and its frequency.
pub fn single_tone(f: &Features) -> Option<f64> {
    if !f.audible() {
        return None;
    }
    let (hz, share) = f.peak();
    (share >= TONE_SHARE).then_some(hz)
}

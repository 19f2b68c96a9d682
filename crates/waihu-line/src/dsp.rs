//! Signal processing of one 20 ms frame: Goertzel filters at the tone
//! frequencies telephony uses, and a coarse spectrum (the 81 DFT bins of a
//! 160-sample frame, 50 Hz apart, computed by Goertzel too: cheaper than an
//! FFT library and exact at these sizes).
//!
//! Every power is a *ratio* to the frame's energy, normalised so that a pure
//! sinusoid at the filter's frequency gives 1.0 and white noise about 0.0125:
//! the detectors then need no level thresholds beyond one for silence.

use crate::FRAME;

/// Frequencies (Hz) the detectors ask about, in this order ([`Tone`] indexes them).
pub const TONES: [f64; 7] = [
    913.8, 985.2, 1370.6, 1428.5, 1776.7, // SIT
    1100.0, 2100.0, // fax CNG, CED
];

/// Index into [`Features::tones`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// SIT first segment, low.
    SitLow1 = 0,
    /// SIT first segment, high.
    SitHigh1 = 1,
    /// SIT second segment, low.
    SitLow2 = 2,
    /// SIT second segment, high.
    SitHigh2 = 3,
    /// SIT third segment.
    Sit3 = 4,
    /// Fax calling tone.
    Cng = 5,
    /// Fax answer tone.
    Ced = 6,
}

/// The power of `freq` in `frame` (any length), as |X(f)|².
pub fn goertzel(frame: &[f32], freq: f64, rate: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq / rate;
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in frame {
        let s0 = x as f64 + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    (s1 * s1 + s2 * s2 - coeff * s1 * s2).max(0.0)
}

/// Bins of the coarse spectrum: 0..=4000 Hz every 50 Hz.
pub const BINS: usize = FRAME / 2 + 1;
/// Hz between bins.
pub const BIN_HZ: f64 = 50.0;

/// What one frame looks like.
#[derive(Debug, Clone)]
pub struct Features {
    /// Level in dBFS (mean square against full scale); -120 for digital silence.
    pub level_db: f32,
    /// Power ratios at [`TONES`].
    pub tones: [f32; TONES.len()],
    /// Power ratios of the 81 DFT bins; they sum to about 1.
    pub spectrum: [f32; BINS],
}

impl Features {
    /// The ratio at one named tone.
    pub fn tone(&self, t: Tone) -> f32 {
        self.tones[t as usize]
    }

    /// The share of energy between `lo` and `hi` Hz (inclusive bins).
    pub fn band(&self, lo: f64, hi: f64) -> f32 {
        let a = (lo / BIN_HZ).round() as usize;
        let b = ((hi / BIN_HZ).round() as usize).min(BINS - 1);
        self.spectrum[a..=b].iter().sum()
    }

    /// The strongest single tone: its frequency (Hz, between two bins,
    /// weighted) and the share of energy in its two bins. A pure tone gives
    /// about 0.8–1.0; speech and noise much less.
    pub fn peak(&self) -> (f64, f32) {
        let mut best = (0.0, 0.0f32);
        for k in 1..BINS - 1 {
            let (a, b) = (self.spectrum[k], self.spectrum[k + 1]);
            if a + b > best.1 {
                let f =
                    (k as f64 * a as f64 + (k + 1) as f64 * b as f64) / (a + b).max(1e-9) as f64;
                best = (f * BIN_HZ, a + b);
            }
        }
        best
    }

    /// Whether the frame is louder than digital silence and a very quiet line.
    pub fn audible(&self) -> bool {
        self.level_db > -55.0
    }
}

/// Computes the features of one frame of 8 kHz PCM (any length; 160 samples
/// expected).
pub fn features(frame: &[i16]) -> Features {
    let x: Vec<f32> = frame.iter().map(|&s| s as f32 / 32768.0).collect();
    let n = x.len().max(1) as f64;
    let energy: f64 = x.iter().map(|&v| (v as f64) * (v as f64)).sum();
    let level_db = if energy <= 0.0 {
        -120.0
    } else {
        (10.0 * (energy / n).log10()) as f32
    };
    // |X|² of a pure tone of amplitude A over n samples is (A·n/2)², its
    // energy A²·n/2: dividing by energy·n/2 makes the tone 1.0.
    let norm = (energy * n / 2.0).max(1e-12);
    let rate = crate::SAMPLE_RATE as f64;
    let mut tones = [0.0f32; TONES.len()];
    for (t, &f) in tones.iter_mut().zip(TONES.iter()) {
        *t = (goertzel(&x, f, rate) / norm) as f32;
    }
    let mut spectrum = [0.0f32; BINS];
    for (k, s) in spectrum.iter_mut().enumerate() {
        let edge = if k == 0 || k == BINS - 1 { 0.5 } else { 1.0 };
        *s = (edge * goertzel(&x, k as f64 * BIN_HZ, rate) / norm) as f32;
    }
    if energy <= 0.0 {
        tones = [0.0; TONES.len()];
        spectrum = [0.0; BINS];
    }
    Features {
        level_db,
        tones,
        spectrum,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth;

    #[test]
    fn a_pure_tone_is_one_at_its_frequency() {
        let f = features(&synth::tone(&[1100.0], 20, 0.3)[..FRAME]);
        assert!(f.tone(Tone::Cng) > 0.9, "{}", f.tone(Tone::Cng));
        assert!(f.tone(Tone::Ced) < 0.05);
        let (hz, share) = f.peak();
        assert!((hz - 1100.0).abs() < 30.0 && share > 0.8, "{hz} {share}");
        let total: f32 = f.spectrum.iter().sum();
        assert!((total - 1.0).abs() < 0.1, "{total}");
    }

    #[test]
    fn sit_frequencies_are_told_apart() {
        let f = features(&synth::tone(&[913.8], 20, 0.3)[..FRAME]);
        assert!(f.tone(Tone::SitLow1) > 2.0 * f.tone(Tone::SitHigh1));
        let f = features(&synth::tone(&[985.2], 20, 0.3)[..FRAME]);
        assert!(f.tone(Tone::SitHigh1) > 2.0 * f.tone(Tone::SitLow1));
    }

    #[test]
    fn silence_is_quiet_and_has_no_tones() {
        let f = features(&[0; FRAME]);
        assert!(!f.audible());
        assert_eq!(f.peak().1, 0.0);
    }
}

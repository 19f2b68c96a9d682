//! Frame levels for the end-pointer's gates: RMS and a running estimate
//! of the line's noise floor.

/// A running estimate of the noise level: follows quieter frames at once
/// and rises slowly (about 5 dB per second), so the pauses between
/// syllables keep it at the noise level while speech barely moves it.
#[derive(Debug, Default)]
pub(super) struct NoiseFloor {
    /// Current estimate (RMS); `None` before the first frame. It starts
    /// from zero rather than the first frame's level so that speech at the
    /// very start of a stream is not taken for the noise floor.
    rms: Option<f64>,
}

impl NoiseFloor {
    /// Per-frame growth factor: +0.1 dB per 20 ms frame.
    const RISE: f64 = 1.0116;

    /// Takes one frame's RMS and returns the floor before this frame.
    pub(super) fn update(&mut self, level: f64) -> f64 {
        let before = self.rms.unwrap_or(0.0);
        // The small additive term lets the floor recover from digital silence.
        self.rms = Some(level.min(before * Self::RISE + 0.5));
        before
    }
}

/// Root mean square of a frame.
pub(super) fn rms(frame: &[i16]) -> f64 {
    let sum: f64 = frame.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (sum / frame.len().max(1) as f64).sqrt()
}

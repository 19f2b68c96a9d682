//! Helpers shared by the tests: signal measures and a test-only espeak-ng
//! instance that fails loudly when the program is missing.

use std::sync::OnceLock;

use waihu_speech::tts::EspeakTts;

/// One shared engine (and cache) for all tests. Panics with instructions
/// when espeak-ng is not installed: these tests must not silently skip.
pub fn espeak() -> &'static EspeakTts {
    static TTS: OnceLock<EspeakTts> = OnceLock::new();
    TTS.get_or_init(|| {
        EspeakTts::new().unwrap_or_else(|e| {
            panic!("these tests need espeak-ng (apt-get install espeak-ng): {e}")
        })
    })
}

/// Root mean square of samples.
pub fn rms(x: &[i16]) -> f64 {
    let sum: f64 = x.iter().map(|&s| f64::from(s).powi(2)).sum();
    (sum / x.len().max(1) as f64).sqrt()
}

/// Milliseconds of `n` samples at 8 kHz.
pub fn ms(n: usize) -> u64 {
    n as u64 / 8
}

/// `ms` milliseconds of digital silence at 8 kHz.
pub fn silence(ms: u64) -> Vec<i16> {
    vec![0; (ms * 8) as usize]
}

/// Index of the first and one past the last sample louder than `level`.
pub fn active_bounds(x: &[i16], level: i16) -> Option<(usize, usize)> {
    let first = x
        .iter()
        .position(|s| s.unsigned_abs() > level.unsigned_abs())?;
    let last = x
        .iter()
        .rposition(|s| s.unsigned_abs() > level.unsigned_abs())?;
    Some((first, last + 1))
}

/// A sine tone at `rate` Hz, as f32 in -amp..amp.
pub fn tone(freq: f64, rate: u32, secs: f64, amp: f64) -> Vec<f64> {
    let n = (f64::from(rate) * secs) as usize;
    (0..n)
        .map(|i| amp * (2.0 * std::f64::consts::PI * freq * i as f64 / f64::from(rate)).sin())
        .collect()
}

/// Amplitude of the `freq` component of 8 kHz audio (single-bin DFT), in
/// the same units as the samples; a pure tone of peak A gives about A.
pub fn tone_amplitude(x: &[i16], freq: f64) -> f64 {
    let (mut re, mut im) = (0.0, 0.0);
    for (i, &s) in x.iter().enumerate() {
        let phase = 2.0 * std::f64::consts::PI * freq * i as f64 / 8000.0;
        re += f64::from(s) * phase.cos();
        im += f64::from(s) * phase.sin();
    }
    2.0 * (re * re + im * im).sqrt() / x.len().max(1) as f64
}

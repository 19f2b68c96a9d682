//! Sample-rate conversion of mono PCM, used to bring any input (espeak-ng's
//! 22.05 kHz, 44.1 kHz prompt files, 16 kHz for ASR) to or from the 8 kHz
//! telephone rate. Uses rubato's FFT resampler, which applies a proper
//! anti-aliasing low-pass filter: naive decimation would fold everything above
//! 4 kHz back into the voice band.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

/// Why a resampling failed.
#[derive(Debug, thiserror::Error)]
pub enum ResampleError {
    /// A sample rate of zero (or one rubato refuses) was given.
    #[error("cannot resample from {from} Hz to {to} Hz: {reason}")]
    Rates {
        /// Input rate.
        from: u32,
        /// Output rate.
        to: u32,
        /// What rubato said.
        reason: String,
    },
    /// The resampler failed while processing.
    #[error("resampling failed: {0}")]
    Process(String),
}

/// Frames per processing chunk; large enough for efficient FFTs, small enough
/// that short clips do not pay for a huge filter.
const CHUNK: usize = 1024;

/// Resamples mono `f32` samples (nominally in -1.0..=1.0) from `from` Hz to
/// `to` Hz. The output is time-aligned with the input (the filter delay is
/// removed) and has `ceil(len * to / from)` samples.
pub fn resample_f32(input: &[f32], from: u32, to: u32) -> Result<Vec<f32>, ResampleError> {
    let rates_err = |reason: String| ResampleError::Rates { from, to, reason };
    if from == 0 || to == 0 {
        return Err(rates_err("sample rates must be positive".into()));
    }
    if from == to || input.is_empty() {
        return Ok(input.to_vec());
    }
    let mut resampler = Fft::<f32>::new(from as usize, to as usize, CHUNK, 1, FixedSync::Input)
        .map_err(|e| rates_err(e.to_string()))?;
    let adapter = InterleavedSlice::new(input, 1, input.len())
        .map_err(|e| ResampleError::Process(e.to_string()))?;
    let out = resampler
        .process_all(&adapter, input.len(), None)
        .map_err(|e| ResampleError::Process(e.to_string()))?;
    Ok(out.take_data())
}

/// Resamples mono `i16` PCM from `from` Hz to `to` Hz (see [`resample_f32`]),
/// clamping the result so filter overshoot on full-scale input cannot wrap.
pub fn resample_i16(input: &[i16], from: u32, to: u32) -> Result<Vec<i16>, ResampleError> {
    if from == to && from != 0 {
        return Ok(input.to_vec());
    }
    let floats: Vec<f32> = input.iter().map(|&s| i16_to_f32(s)).collect();
    Ok(resample_f32(&floats, from, to)?
        .into_iter()
        .map(f32_to_i16)
        .collect())
}

/// Converts one `i16` sample to `f32` in -1.0..1.0.
pub fn i16_to_f32(s: i16) -> f32 {
    f32::from(s) / 32768.0
}

/// Converts one `f32` sample to `i16`, clamping out-of-range values
/// (and mapping NaN to silence).
pub fn f32_to_i16(s: f32) -> i16 {
    if s.is_nan() {
        return 0;
    }
    // The `as` cast saturates; rounding keeps round trips exact.
    (s * 32768.0).round().clamp(-32768.0, 32767.0) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f32, rate: u32, secs: f32) -> Vec<f32> {
        let n = (rate as f32 * secs) as usize;
        (0..n)
            .map(|i| 0.5 * (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin())
            .collect()
    }

    fn rms(x: &[f32]) -> f32 {
        (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt()
    }

    #[test]
    fn keeps_voice_band_tone_and_length() {
        let input = sine(1000.0, 22_050, 1.0);
        let out = resample_f32(&input, 22_050, 8_000).unwrap();
        assert_eq!(out.len(), 8_000);
        // Amplitude 0.5 sine has RMS 0.354; check away from the edges.
        let mid = &out[1000..7000];
        assert!((rms(mid) - 0.3536).abs() < 0.02, "rms {}", rms(mid));
        // Phase is preserved (delay trimmed): compare with an ideal 8 kHz sine.
        // A sub-sample offset remains; a one-sample shift would give ~0.27.
        let ideal = sine(1000.0, 8_000, 1.0);
        let err: Vec<f32> = mid
            .iter()
            .zip(&ideal[1000..7000])
            .map(|(a, b)| a - b)
            .collect();
        assert!(rms(&err) < 0.08, "error rms {}", rms(&err));
    }

    #[test]
    fn removes_tones_above_nyquist() {
        // 6 kHz cannot exist at 8 kHz; without a filter it would alias to 2 kHz.
        let input = sine(6000.0, 22_050, 1.0);
        let out = resample_f32(&input, 22_050, 8_000).unwrap();
        assert!(rms(&out[1000..7000]) < 0.01, "rms {}", rms(&out));
    }

    #[test]
    fn rejects_zero_rate() {
        assert!(resample_f32(&[0.0; 10], 0, 8000).is_err());
        assert!(resample_i16(&[0; 10], 8000, 0).is_err());
    }

    #[test]
    fn i16_clamps() {
        assert_eq!(f32_to_i16(2.0), 32767);
        assert_eq!(f32_to_i16(-2.0), -32768);
        assert_eq!(f32_to_i16(f32::NAN), 0);
        for s in [-32768i16, -1, 0, 1, 12345, 32767] {
            assert_eq!(f32_to_i16(i16_to_f32(s)), s);
        }
    }
}

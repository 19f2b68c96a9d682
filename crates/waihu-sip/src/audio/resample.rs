//! Band-limited resampling by windowed-sinc interpolation. Prompts are
//! resampled once when loaded, so clarity matters more than speed here.

use std::f64::consts::PI;

/// Resample `input` from `from` Hz to `to` Hz.
pub fn resample(input: &[i16], from: u32, to: u32) -> Vec<i16> {
    if from == to || input.is_empty() || from == 0 || to == 0 {
        return input.to_vec();
    }
    let ratio = to as f64 / from as f64;
    // Low-pass at 0.9 × the lower Nyquist frequency, normalised to input rate.
    let cutoff = 0.45 * ratio.min(1.0) * 2.0;
    let half_width = (16.0 / cutoff).ceil() as i64; // taps each side
    let out_len = ((input.len() as f64) * ratio).floor() as usize;
    let mut out = Vec::with_capacity(out_len);
    for n in 0..out_len {
        let t = n as f64 / ratio; // position in input samples
        let centre = t.floor() as i64;
        let mut acc = 0.0;
        let mut norm = 0.0;
        for k in (centre - half_width + 1)..=(centre + half_width) {
            if k < 0 || k as usize >= input.len() {
                continue;
            }
            let x = t - k as f64;
            let w = x / half_width as f64;
            if w.abs() >= 1.0 {
                continue;
            }
            let window = 0.5 * (1.0 + (PI * w).cos()); // Hann
            let arg = PI * cutoff * x;
            let sinc = if arg.abs() < 1e-9 {
                1.0
            } else {
                arg.sin() / arg
            };
            let h = sinc * window;
            acc += input[k as usize] as f64 * h;
            norm += h;
        }
        let v = if norm.abs() > 1e-9 { acc / norm } else { 0.0 };
        out.push(v.round().clamp(-32768.0, 32767.0) as i16);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(freq: f64, rate: u32, secs: f64) -> Vec<i16> {
        (0..(rate as f64 * secs) as usize)
            .map(|i| ((2.0 * PI * freq * i as f64 / rate as f64).sin() * 10000.0) as i16)
            .collect()
    }

    fn rms(x: &[i16]) -> f64 {
        (x.iter().map(|&s| (s as f64).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
    }

    #[test]
    fn keeps_in_band_tone_and_length() {
        let x = tone(440.0, 44100, 0.5);
        let y = resample(&x, 44100, 8000);
        assert_eq!(y.len(), 4000);
        let r = rms(&y[200..3800]);
        assert!((r - 7071.0).abs() < 400.0, "rms {r}");
    }

    #[test]
    fn removes_out_of_band_tone() {
        // 6 kHz cannot exist at 8 kHz; it must not alias into the band.
        let x = tone(6000.0, 16000, 0.5);
        let y = resample(&x, 16000, 8000);
        assert!(rms(&y[200..3800]) < 700.0);
    }

    #[test]
    fn upsamples() {
        let x = tone(300.0, 4000, 0.25);
        let y = resample(&x, 4000, 8000);
        assert_eq!(y.len(), 2000);
        assert!(rms(&y[100..1900]) > 6000.0);
    }
}

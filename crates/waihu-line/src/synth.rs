//! Synthesised telephone audio for tests and the benchmark's clip set:
//! tones, cadences, SIT sequences, music, speech-like babble, noise and the
//! G.711 μ-law round trip. Deterministic: randomness comes from a seeded
//! [`Rng`]. All output is 8 kHz mono PCM.

use crate::detect::sit::SitPattern;
use std::f64::consts::PI;

const RATE: f64 = crate::SAMPLE_RATE as f64;

/// A small deterministic generator (xorshift64*), so clip sets are
/// reproducible without a dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (0 is replaced by a constant).
    pub fn new(seed: u64) -> Self {
        Self(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }
}

fn samples(ms: u64) -> usize {
    (ms as usize) * (crate::SAMPLE_RATE as usize) / 1000
}

fn to_i16(x: f64) -> i16 {
    (x * 32767.0).clamp(-32768.0, 32767.0) as i16
}

/// `ms` of digital silence.
pub fn silence(ms: u64) -> Vec<i16> {
    vec![0; samples(ms)]
}

/// `ms` of the sum of `freqs` (Hz), peak amplitude `amp` (0–1 of full scale).
pub fn tone(freqs: &[f64], ms: u64, amp: f64) -> Vec<i16> {
    let each = amp / freqs.len().max(1) as f64;
    (0..samples(ms))
        .map(|i| {
            let t = i as f64 / RATE;
            to_i16(freqs.iter().map(|f| each * (2.0 * PI * f * t).sin()).sum())
        })
        .collect()
}

/// A cadence: `pattern` of (on ms, off ms) repeated until `total_ms`,
/// starting `offset_ms` into the pattern (a call may be picked up mid-ring).
pub fn cadence(
    freqs: &[f64],
    pattern: &[(u64, u64)],
    offset_ms: u64,
    total_ms: u64,
    amp: f64,
) -> Vec<i16> {
    let mut out = Vec::new();
    let mut i = 0;
    while out.len() < samples(total_ms + offset_ms) {
        let (on, off) = pattern[i % pattern.len()];
        out.extend(tone(freqs, on, amp));
        out.extend(silence(off));
        i += 1;
    }
    let start = samples(offset_ms).min(out.len());
    out.drain(..start);
    out.truncate(samples(total_ms));
    out
}

/// The three segments of a SIT, with no gap between them.
pub fn sit(pattern: SitPattern, amp: f64) -> Vec<i16> {
    let mut out = Vec::new();
    for (freq, ms) in pattern.segments() {
        out.extend(tone(&[freq], ms, amp));
    }
    out
}

/// `ms` of synthetic music: a melody over held chords, notes of 150–600 ms
/// with harmonics and soft attacks, always sounding (as 彩铃 does).
pub fn music(rng: &mut Rng, ms: u64, amp: f64) -> Vec<i16> {
    // A pentatonic scale around 220–880 Hz.
    let scale = [
        220.0, 247.5, 277.2, 330.0, 370.0, 440.0, 495.0, 554.4, 660.0, 740.0, 880.0,
    ];
    let total = samples(ms);
    let mut out = Vec::with_capacity(total);
    let tempo = rng.range(0.7, 1.4);
    while out.len() < total {
        let note_ms = (rng.range(150.0, 600.0) * tempo) as usize;
        let n = samples(note_ms as u64);
        let melody = *rng.pick(&scale);
        let root = *rng.pick(&scale[..5]) / 2.0;
        let chord = [root, root * 1.25, root * 1.5];
        let harmonics = rng.range(2.0, 6.0) as usize;
        for i in 0..n {
            let t = i as f64 / RATE;
            let attack = (i as f64 / (0.02 * RATE)).min(1.0);
            let decay = (-(t) * 1.5).exp() * 0.5 + 0.5;
            let mut v = 0.0;
            for h in 1..=harmonics {
                v += (2.0 * PI * melody * h as f64 * t).sin() / (h * h) as f64;
            }
            for c in chord {
                v += 0.35 * (2.0 * PI * c * t).sin();
            }
            out.push(to_i16(amp * 0.45 * attack * decay * v));
        }
    }
    out.truncate(total);
    out
}

/// Speech-like babble: voiced syllables with moving pitch and formants and
/// short gaps — harmonic-rich, never one steady tone. For tests of what must
/// *not* be a tone.
pub fn babble(rng: &mut Rng, ms: u64, amp: f64) -> Vec<i16> {
    let total = samples(ms);
    let mut out = Vec::with_capacity(total);
    while out.len() < total {
        let syl = samples(rng.range(120.0, 300.0) as u64);
        let (f0a, f0b) = (rng.range(90.0, 240.0), rng.range(90.0, 240.0));
        let (f1a, f1b) = (rng.range(300.0, 800.0), rng.range(300.0, 800.0));
        let (f2a, f2b) = (rng.range(900.0, 2400.0), rng.range(900.0, 2400.0));
        let mut phase = 0.0f64;
        for i in 0..syl {
            let p = i as f64 / syl as f64;
            let f0 = f0a + (f0b - f0a) * p;
            let f1 = f1a + (f1b - f1a) * p;
            let f2 = f2a + (f2b - f2a) * p;
            phase += 2.0 * PI * f0 / RATE;
            let mut v = 0.0;
            let mut h = 1.0;
            while h * f0 < 3400.0 {
                let f = h * f0;
                let g = 1.0 / (1.0 + ((f - f1) / 120.0).powi(2))
                    + 0.6 / (1.0 + ((f - f2) / 180.0).powi(2));
                v += g * (phase * h).sin();
                h += 1.0;
            }
            let env = (PI * p).sin();
            out.push(to_i16(amp * 0.3 * env * v));
        }
        out.extend(silence(rng.range(30.0, 160.0) as u64));
    }
    out.truncate(total);
    out
}

/// Gaussian-ish white noise (sum of uniforms) at RMS `rms` of full scale.
pub fn noise(rng: &mut Rng, len: usize, rms: f64) -> Vec<i16> {
    (0..len)
        .map(|_| {
            let s: f64 = (0..4).map(|_| rng.unit() - 0.5).sum();
            // Four uniforms: variance 4/12 = 1/3.
            to_i16(s * rms * 3f64.sqrt())
        })
        .collect()
}

/// `a` plus `b` sample by sample (saturating), as long as `a`.
pub fn mix(a: &[i16], b: &[i16]) -> Vec<i16> {
    a.iter()
        .enumerate()
        .map(|(i, &x)| x.saturating_add(b.get(i).copied().unwrap_or(0)))
        .collect()
}

/// Scales by `gain`.
pub fn gain(a: &[i16], gain: f64) -> Vec<i16> {
    a.iter()
        .map(|&x| to_i16(x as f64 / 32767.0 * gain))
        .collect()
}

/// A G.711 μ-law encode and decode, as on a telephone line.
pub fn ulaw_roundtrip(a: &[i16]) -> Vec<i16> {
    a.iter().map(|&x| ulaw_decode(ulaw_encode(x))).collect()
}

fn ulaw_encode(sample: i16) -> u8 {
    const BIAS: i32 = 0x84;
    const CLIP: i32 = 32635;
    let mut s = sample as i32;
    let sign = if s < 0 { 0x80 } else { 0 };
    if s < 0 {
        s = -s;
    }
    s = s.min(CLIP) + BIAS;
    let mut exponent = 7;
    let mut mask = 0x4000;
    while exponent > 0 && s & mask == 0 {
        exponent -= 1;
        mask >>= 1;
    }
    let mantissa = (s >> (exponent + 3)) & 0x0F;
    !(sign | (exponent << 4) | mantissa) as u8
}

fn ulaw_decode(byte: u8) -> i16 {
    let b = !byte as i32;
    let sign = b & 0x80;
    let exponent = (b >> 4) & 0x07;
    let mantissa = b & 0x0F;
    let magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    (if sign != 0 { -magnitude } else { magnitude }) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ulaw_round_trip_is_close() {
        for x in [0i16, 100, -100, 1000, -20000, 32000] {
            let y = ulaw_decode(ulaw_encode(x));
            assert!(
                (x as i32 - y as i32).abs() <= (x as i32).abs() / 16 + 8,
                "{x} {y}"
            );
        }
    }

    #[test]
    fn cadence_has_the_pattern() {
        let c = cadence(&[450.0], &[(1000, 4000)], 0, 10_000, 0.5);
        assert_eq!(c.len(), 80_000);
        assert!(c[4001] != 0 && c[8000 + 4001] == 0 && c[40_000 + 4001] != 0);
    }
}

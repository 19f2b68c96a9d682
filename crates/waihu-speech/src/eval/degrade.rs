//! Telephone-line degradations for recognition benchmarks. Every function is
//! deterministic for a given seed, so two runs hear the same audio.
//!
//! Noise is pink (−3 dB per octave, like the hum and hiss of real lines more
//! than white noise is), scaled so that speech power over noise power equals
//! the requested SNR, where speech power is measured over the voiced part only
//! (frames within 30 dB of the loudest) — measured over the whole clip, the
//! silence around an utterance would make every SNR look worse than it is.
//! Lost packets are 20 ms frames played out as silence, which is what the
//! dialler's jitter buffer produces for a frame that never arrived or arrived
//! too late.

/// Samples per 20 ms frame at 8 kHz.
pub const FRAME: usize = 160;

/// A small deterministic generator (SplitMix64): benchmark audio must be the same
/// from run to run and machine to machine.
#[derive(Debug, Clone)]
pub struct Noise {
    state: u64,
}

impl Noise {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Noise { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn gaussian(&mut self) -> f64 {
        let u1 = self.uniform().max(f64::MIN_POSITIVE);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// `n` samples of unit-power pink noise (Paul Kellet's filter over white noise).
    pub fn pink(&mut self, n: usize) -> Vec<f64> {
        let mut b = [0.0f64; 7];
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let w = self.gaussian();
            b[0] = 0.99886 * b[0] + w * 0.0555179;
            b[1] = 0.99332 * b[1] + w * 0.0750759;
            b[2] = 0.96900 * b[2] + w * 0.1538520;
            b[3] = 0.86650 * b[3] + w * 0.3104856;
            b[4] = 0.55000 * b[4] + w * 0.5329522;
            b[5] = -0.7616 * b[5] - w * 0.0168980;
            out.push(b.iter().sum::<f64>() + b[6] + w * 0.5362);
            b[6] = w * 0.115926;
        }
        let power = mean_square(&out);
        if power > 0.0 {
            let k = power.sqrt().recip();
            out.iter_mut().for_each(|x| *x *= k);
        }
        out
    }
}

fn mean_square(x: &[f64]) -> f64 {
    if x.is_empty() {
        0.0
    } else {
        x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64
    }
}

/// Mean power of the voiced part of `speech`: the 20 ms frames within 30 dB of
/// the loudest frame. 0 for silence.
pub fn speech_power(speech: &[i16]) -> f64 {
    let frames: Vec<f64> = speech
        .chunks(FRAME)
        .map(|f| f.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / f.len() as f64)
        .collect();
    let loudest = frames.iter().copied().fold(0.0, f64::max);
    if loudest <= 0.0 {
        return 0.0;
    }
    let floor = loudest / 1000.0; // −30 dB
    let voiced: Vec<f64> = frames.into_iter().filter(|&p| p >= floor).collect();
    voiced.iter().sum::<f64>() / voiced.len() as f64
}

/// `speech` with pink noise added at `snr_db` (voiced speech power over noise
/// power). Silent input gets no noise (there is no level to relate it to).
pub fn add_noise(speech: &[i16], snr_db: f64, noise: &mut Noise) -> Vec<i16> {
    let p = speech_power(speech);
    if p <= 0.0 {
        return speech.to_vec();
    }
    let amplitude = (p / 10f64.powf(snr_db / 10.0)).sqrt();
    add_pink(speech, amplitude, noise)
}

/// `audio` with pink noise of RMS `amplitude` (in sample units) added.
pub fn add_pink(audio: &[i16], amplitude: f64, noise: &mut Noise) -> Vec<i16> {
    let n = noise.pink(audio.len());
    audio
        .iter()
        .zip(n)
        .map(|(&s, v)| {
            (f64::from(s) + v * amplitude)
                .round()
                .clamp(-32768.0, 32767.0) as i16
        })
        .collect()
}

/// Each 20 ms frame of `audio` lost with probability `loss` (0–1) and played out
/// as silence. Returns the audio and how many frames were lost.
pub fn drop_frames(audio: &[i16], loss: f64, noise: &mut Noise) -> (Vec<i16>, usize) {
    let mut out = audio.to_vec();
    let mut lost = 0;
    for frame in out.chunks_mut(FRAME) {
        if noise.uniform() < loss {
            frame.fill(0);
            lost += 1;
        }
    }
    (out, lost)
}

/// Measured SNR of `noisy` against the `clean` signal it was made from, over the
/// voiced frames of `clean` (as [`add_noise`] defines it), in dB.
pub fn measured_snr_db(clean: &[i16], noisy: &[i16]) -> f64 {
    let diff: Vec<f64> = clean
        .iter()
        .zip(noisy)
        .map(|(&c, &n)| f64::from(n) - f64::from(c))
        .collect();
    10.0 * (speech_power(clean) / mean_square(&diff)).log10()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(ms: usize, amplitude: f64) -> Vec<i16> {
        (0..ms * 8)
            .map(|i| (amplitude * (i as f64 * 0.3).sin()) as i16)
            .collect()
    }

    #[test]
    fn noise_lands_at_the_requested_snr_measured_over_speech_only() {
        // Speech surrounded by long silence: the SNR relates to the speech alone.
        let mut clip = vec![0i16; 8000];
        clip.extend(tone(1000, 8000.0));
        clip.extend(vec![0i16; 8000]);
        for snr in [10.0, 15.0, 20.0] {
            let noisy = add_noise(&clip, snr, &mut Noise::new(7));
            let got = measured_snr_db(&clip, &noisy);
            assert!((got - snr).abs() < 0.5, "asked {snr} dB, got {got:.2}");
        }
    }

    #[test]
    fn same_seed_same_audio_other_seed_other_audio() {
        let clip = tone(500, 5000.0);
        let a = add_noise(&clip, 15.0, &mut Noise::new(1));
        let b = add_noise(&clip, 15.0, &mut Noise::new(1));
        let c = add_noise(&clip, 15.0, &mut Noise::new(2));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn pink_noise_has_more_power_low_than_high() {
        let n = Noise::new(3).pink(80_000);
        // First difference boosts high frequencies: for pink noise its power is far
        // below the signal's own; for white noise it would be about twice it.
        let d: Vec<f64> = n.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(mean_square(&d) < 0.8 * mean_square(&n));
    }

    #[test]
    fn frames_are_lost_at_the_requested_rate_as_silence() {
        let clip = vec![1000i16; FRAME * 10_000];
        let (out, lost) = drop_frames(&clip, 0.05, &mut Noise::new(9));
        assert!((400..=600).contains(&lost), "{lost} of 10000 lost");
        let silent = out
            .chunks(FRAME)
            .filter(|f| f.iter().all(|&s| s == 0))
            .count();
        assert_eq!(silent, lost);
        let (same, none) = drop_frames(&clip, 0.0, &mut Noise::new(9));
        assert_eq!((same, none), (clip, 0));
    }

    #[test]
    fn silence_gets_no_noise() {
        assert_eq!(add_noise(&[0; 800], 10.0, &mut Noise::new(1)), vec![0; 800]);
    }
}

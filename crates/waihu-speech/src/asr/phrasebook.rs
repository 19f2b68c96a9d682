//! A recogniser for a closed set of known recordings: the phrase book.
//!
//! The virtual callee speaks phrases synthesised in advance; recognising
//! them with Whisper would make every conversation test depend on the model
//! and on the CPU. [`PhraseBookAsr`] instead knows the audio of each phrase
//! (synthesised with the same TTS) and recognises an utterance by comparing
//! acoustic fingerprints: the per-20 ms log-energy envelope and the
//! zero-crossing-rate contour of the voiced part, stretched to the same
//! length and correlated, at every phase of the 20 ms analysis frame (the
//! utterance may start anywhere within one). Both survive G.711 coding, the jitter buffer and
//! the end-pointer's cut, are cheap (microseconds per phrase) and
//! deterministic, so thousands of concurrent calls can use it. An utterance
//! that matches no phrase well (a fragment cut at a pause, unknown speech)
//! comes back empty with confidence 0 — exactly what a real recogniser
//! returns for noise.

use super::{Asr, AsrError, Transcript, TranscriptSegment};
use crate::tts::{Lang, Tts, TtsError};
use crate::SAMPLE_RATE;

/// Samples per analysis frame (20 ms at 8 kHz).
const FRAME: usize = 160;
/// Phases (samples) at which an utterance is compared: 2.5 ms apart.
const PHASE_STEP: usize = 20;
/// Frames quieter than this RMS are silence (about −55 dBFS, the VAD's gate).
const SILENCE_RMS: f64 = 60.0;
/// Frames below this fraction of the loudest frame are trimmed at the ends.
const TRIM_RELATIVE: f64 = 0.05;
/// Voiced-length ratio outside which two recordings cannot be the same phrase.
const MAX_LENGTH_RATIO: f64 = 1.25;

/// The fingerprint of the voiced part of a recording.
#[derive(Debug, Clone)]
struct Print {
    /// Log energy per frame, dB.
    energy: Vec<f64>,
    /// Zero crossings per frame (a coarse spectral tilt).
    zcr: Vec<f64>,
}

/// One known phrase.
#[derive(Debug, Clone)]
struct Phrase {
    /// Its text.
    text: String,
    /// Its fingerprint.
    print: Print,
}

/// Recognises utterances of a fixed set of known phrases by their audio.
#[derive(Debug, Clone, Default)]
pub struct PhraseBookAsr {
    /// The phrases, in the order given.
    phrases: Vec<Phrase>,
    /// Lowest similarity (0..1) accepted as a match.
    threshold: f64,
}

impl PhraseBookAsr {
    /// An empty book accepting matches with similarity of at least 0.75.
    pub fn new() -> Self {
        Self {
            phrases: Vec::new(),
            threshold: 0.75,
        }
    }

    /// Changes the lowest similarity accepted as a match (0..1).
    pub fn with_threshold(mut self, threshold: f64) -> Self {
        self.threshold = threshold.clamp(0.0, 1.0);
        self
    }

    /// Adds a phrase: its text and its 8 kHz audio as the callee plays it.
    /// Audio without any voiced frame is ignored (nothing could match it).
    pub fn add(&mut self, text: impl Into<String>, audio: &[i16]) {
        if let Some(print) = fingerprint(audio) {
            self.phrases.push(Phrase {
                text: text.into(),
                print,
            });
        }
    }

    /// Adds phrases spoken by `tts` — the way the virtual callee renders
    /// its replies, so the audio matches what it will play.
    pub fn add_spoken<'a>(
        &mut self,
        tts: &dyn Tts,
        phrases: impl IntoIterator<Item = (&'a str, Lang)>,
    ) -> Result<(), TtsError> {
        for (text, lang) in phrases {
            let audio = tts.synthesize(text, lang)?;
            self.add(text, &audio);
        }
        Ok(())
    }

    /// Number of phrases that can be recognised.
    pub fn len(&self) -> usize {
        self.phrases.len()
    }

    /// Whether the book is empty.
    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    /// The best matching phrase and its similarity (0..1), if any phrase
    /// has a comparable length.
    pub fn best_match(&self, audio: &[i16]) -> Option<(&str, f64)> {
        // An utterance starts anywhere within a 20 ms frame while a known
        // phrase was fingerprinted from its first sample: a short word's
        // envelope differs with that phase enough to be taken for another
        // (六 for 九), so the utterance is compared at every phase.
        let prints: Vec<Print> = (0..FRAME)
            .step_by(PHASE_STEP)
            .filter_map(|skip| fingerprint(audio.get(skip..)?))
            .collect();
        self.phrases
            .iter()
            .filter_map(|p| {
                prints
                    .iter()
                    .filter_map(|print| similarity(&p.print, print))
                    .max_by(f64::total_cmp)
                    .map(|s| (p.text.as_str(), s))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }
}

impl Asr for PhraseBookAsr {
    fn transcribe(&self, audio: &[i16]) -> Result<Transcript, AsrError> {
        let audio_ms = audio.len() as u64 * 1000 / u64::from(SAMPLE_RATE);
        let (text, confidence) = match self.best_match(audio) {
            Some((text, score)) if score >= self.threshold => (text.to_string(), score as f32),
            _ => (String::new(), 0.0),
        };
        let segments = if text.is_empty() {
            Vec::new()
        } else {
            vec![TranscriptSegment {
                text: text.clone(),
                start_ms: 0,
                end_ms: audio_ms,
            }]
        };
        Ok(Transcript {
            no_speech: if text.is_empty() { 1.0 } else { 0.0 },
            text,
            confidence,
            segments,
            audio_ms,
        })
    }
}

/// RMS of a frame.
fn rms(frame: &[i16]) -> f64 {
    if frame.is_empty() {
        return 0.0;
    }
    let sum: f64 = frame.iter().map(|&s| f64::from(s).powi(2)).sum();
    (sum / frame.len() as f64).sqrt()
}

/// Fingerprint of the voiced part of `audio`, or `None` if nothing is voiced.
fn fingerprint(audio: &[i16]) -> Option<Print> {
    let levels: Vec<f64> = audio.chunks(FRAME).map(rms).collect();
    let peak = levels.iter().copied().fold(0.0, f64::max);
    let gate = SILENCE_RMS.max(peak * TRIM_RELATIVE);
    let first = levels.iter().position(|&l| l >= gate)?;
    let last = levels.iter().rposition(|&l| l >= gate)?;
    let energy = levels[first..=last]
        .iter()
        .map(|&l| 20.0 * (l + 1.0).log10())
        .collect();
    let zcr = audio
        .chunks(FRAME)
        .skip(first)
        .take(last + 1 - first)
        .map(crossings)
        .collect();
    Some(Print { energy, zcr })
}

/// Zero crossings of a frame, with hysteresis: the signal must swing past
/// ±5 % of the frame's peak (at least ±16) to count, so low-level noise
/// (G.711 quantisation, line hiss) near the axis adds none.
fn crossings(frame: &[i16]) -> f64 {
    let peak = frame.iter().map(|s| i32::from(*s).abs()).max().unwrap_or(0);
    let threshold = (peak / 20).max(16);
    let mut sign = 0i8;
    let mut count = 0u32;
    for &s in frame {
        let s = i32::from(s);
        let now = if s > threshold {
            1
        } else if s < -threshold {
            -1
        } else {
            continue;
        };
        if sign != 0 && now != sign {
            count += 1;
        }
        sign = now;
    }
    f64::from(count)
}

/// Similarity 0..1 of two fingerprints, or `None` if their lengths differ
/// too much for them to be the same phrase.
fn similarity(known: &Print, heard: &Print) -> Option<f64> {
    let (a, b) = (known.energy.len() as f64, heard.energy.len() as f64);
    if a.max(b) / a.min(b).max(1.0) > MAX_LENGTH_RATIO {
        return None;
    }
    let n = known.energy.len();
    let energy = correlation(&known.energy, &stretch(&heard.energy, n));
    let zcr = correlation(&known.zcr, &stretch(&heard.zcr, n));
    // A length penalty keeps a phrase from matching a slightly longer one.
    let length = a.min(b) / a.max(b);
    Some(((0.6 * energy + 0.4 * zcr) * length.sqrt()).clamp(0.0, 1.0))
}

/// Linear interpolation of `xs` to `n` points.
fn stretch(xs: &[f64], n: usize) -> Vec<f64> {
    if xs.is_empty() || n == 0 {
        return vec![0.0; n];
    }
    if xs.len() == 1 || n == 1 {
        return vec![xs[0]; n];
    }
    let scale = (xs.len() - 1) as f64 / (n - 1) as f64;
    (0..n)
        .map(|i| {
            let x = i as f64 * scale;
            let lo = x.floor() as usize;
            let hi = (lo + 1).min(xs.len() - 1);
            let frac = x - lo as f64;
            xs[lo] * (1.0 - frac) + xs[hi] * frac
        })
        .collect()
}

/// Pearson correlation of two equally long series (0 when either is flat).
fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    if n < 2 {
        return 0.0;
    }
    let mean = |x: &[f64]| x[..n].iter().sum::<f64>() / n as f64;
    let (ma, mb) = (mean(a), mean(b));
    let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (da, db) = (a[i] - ma, b[i] - mb);
        cov += da * db;
        va += da * da;
        vb += db * db;
    }
    if va <= f64::EPSILON || vb <= f64::EPSILON {
        return 0.0;
    }
    cov / (va.sqrt() * vb.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A voice-like buzz whose syllable rhythm and pitch are set by `seed`,
    /// so different seeds give different "phrases".
    fn phrase(seed: u32, ms: u64) -> Vec<i16> {
        let n = (ms * 8) as usize;
        let pitch = 110.0 + (seed % 7) as f32 * 25.0;
        let rate = 2.5 + (seed % 5) as f32 * 1.1;
        (0..n)
            .map(|i| {
                let t = i as f32 / 8000.0;
                let mut v = 0.0;
                for h in 1..=8 {
                    v += (2.0 * std::f32::consts::PI * pitch * h as f32 * t).sin() / h as f32;
                }
                let env = (2.0 * std::f32::consts::PI * rate * t + seed as f32)
                    .sin()
                    .max(0.05);
                (v * env * 7000.0) as i16
            })
            .collect()
    }

    /// What arrives over the line: quieter, some leading and trailing
    /// silence, a little noise.
    fn over_the_line(audio: &[i16], lead_ms: usize) -> Vec<i16> {
        let mut out = vec![0i16; lead_ms * 8];
        out.extend(
            audio
                .iter()
                .enumerate()
                .map(|(i, &s)| (f32::from(s) * 0.7) as i16 + ((i * 7919) % 23) as i16 - 11),
        );
        out.extend(vec![0i16; 1600]);
        out
    }

    fn book() -> PhraseBookAsr {
        let mut b = PhraseBookAsr::new();
        b.add("可以啊", &phrase(1, 1200));
        b.add("不需要", &phrase(2, 1250));
        b.add("多少钱", &phrase(3, 1800));
        b
    }

    #[test]
    fn recognises_each_phrase_over_the_line() {
        let b = book();
        for (seed, ms, text) in [
            (1, 1200, "可以啊"),
            (2, 1250, "不需要"),
            (3, 1800, "多少钱"),
        ] {
            let heard = over_the_line(&phrase(seed, ms), 120);
            let t = b.transcribe(&heard).unwrap();
            assert_eq!(t.text, text, "seed {seed}: {:?}", b.best_match(&heard));
            assert!(t.confidence >= 0.75);
        }
    }

    #[test]
    fn fragments_and_unknown_audio_are_not_recognised() {
        let b = book();
        let half = &phrase(3, 1800)[..7200];
        assert_eq!(b.transcribe(half).unwrap().text, "");
        let other = over_the_line(&phrase(5, 1500), 0);
        let t = b.transcribe(&other).unwrap();
        assert!(
            t.text.is_empty() || t.confidence < 0.9,
            "{t:?} {:?}",
            b.best_match(&other)
        );
        assert_eq!(b.transcribe(&[0; 8000]).unwrap().text, "");
        assert_eq!(b.transcribe(&[]).unwrap().text, "");
    }

    #[test]
    fn silent_phrases_are_ignored() {
        let mut b = PhraseBookAsr::new();
        b.add("nothing", &[0; 800]);
        assert!(b.is_empty());
    }
}

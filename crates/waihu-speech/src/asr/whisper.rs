//! The built-in offline recogniser: whisper.cpp (vendored by `whisper-rs`)
//! with a ggml Whisper model, by default Whisper base from
//! `scripts/fetch-asr-model.sh`; any ggml Whisper model can be dropped in.
//!
//! Decoding is tuned for one short telephone utterance at a time:
//! - the encoder window is shrunk to the utterance (`audio_ctx`) instead of
//!   Whisper's fixed 30 s, which is where most of the time goes;
//! - no conditioning on earlier text (`no_context`), greedy decoding without
//!   temperature fallback, a token budget proportional to the audio length,
//!   and the repeated-output guard, because on phone audio Whisper loops;
//! - output converted to simplified Chinese (Whisper often writes
//!   traditional characters for Mandarin).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use whisper_rs::{
    FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters, WhisperState,
};

use super::guard::collapse_repeats;
use super::{Asr, AsrError, Transcript, TranscriptSegment};
use crate::resample::{i16_to_f32, resample_f32};
use crate::SAMPLE_RATE;

/// Whisper's input rate.
const WHISPER_RATE: u32 = 16_000;
/// Encoder frames per second of audio (one per 20 ms; 1500 for 30 s).
const ENCODER_FRAMES_PER_S: u64 = 50;
/// Whisper's full window, the most one call can recognise.
const MAX_AUDIO_MS: u64 = 30_000;
/// Audio whose loudest 20 ms frame is quieter than this RMS (about −55
/// dBFS, the VAD's `min_rms`) holds no speech.
const SILENCE_RMS: f64 = 60.0;
/// whisper.cpp ignores input shorter than one second; pad up to this.
const MIN_AUDIO_MS: u64 = 1_100;

/// Settings of [`WhisperAsr`].
#[derive(Debug, Clone, PartialEq)]
pub struct WhisperConfig {
    /// A ggml Whisper model file.
    pub model: PathBuf,
    /// Spoken language as a Whisper code (`"zh"`, `"en"`), or `None` to let
    /// Whisper detect it (slower and less reliable on short utterances).
    pub language: Option<String>,
    /// CPU threads per decode (default 1). Calls decode in parallel, each
    /// on its own threads: on a busy 2-core machine 2 threads per decode
    /// were twice as slow as 1 (ggml's threads spin-wait for each other),
    /// so more threads only pay on an otherwise idle machine.
    pub threads: usize,
    /// Extra encoder context beyond the utterance, in encoder frames (20 ms
    /// each). Whisper was trained on 30 s windows; a little trailing
    /// silence keeps short windows accurate.
    pub audio_ctx_margin: u64,
    /// Decode Whisper's timestamp tokens (segment times within the
    /// utterance). They also end decoding cleanly: without them Whisper
    /// tends to repeat itself on shortened windows.
    pub timestamps: bool,
    /// An optional initial prompt (biases vocabulary; can leak into very
    /// short outputs, so off by default).
    pub initial_prompt: Option<String>,
}

impl WhisperConfig {
    /// Mandarin recognition with the model at `model`.
    pub fn new(model: impl Into<PathBuf>) -> Self {
        Self {
            model: model.into(),
            language: Some("zh".to_string()),
            threads: 1,
            audio_ctx_margin: 64,
            timestamps: true,
            initial_prompt: None,
        }
    }
}

/// whisper.cpp speech recognition. Cheap to share: decodes run in parallel,
/// each on a decoder state taken from a pool (creating one allocates tens
/// of MB, so they are reused).
pub struct WhisperAsr {
    /// Settings.
    config: WhisperConfig,
    /// The loaded model.
    context: WhisperContext,
    /// Idle decoder states.
    states: Mutex<Vec<WhisperState>>,
}

impl std::fmt::Debug for WhisperAsr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhisperAsr")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl WhisperAsr {
    /// Loads the model. Fails with [`AsrError::Model`] if the file is
    /// missing or is not a ggml Whisper model.
    pub fn new(config: WhisperConfig) -> Result<Self, AsrError> {
        let model_err = |reason: String| AsrError::Model {
            path: config.model.display().to_string(),
            reason,
        };
        if !config.model.is_file() {
            return Err(model_err(
                "no such file (run scripts/fetch-asr-model.sh)".into(),
            ));
        }
        // Route whisper.cpp's log lines away from stderr (they are many).
        whisper_rs::install_logging_hooks();
        let mut params = WhisperContextParameters::default();
        params.use_gpu(false);
        let context = WhisperContext::new_with_params(&config.model, params)
            .map_err(|e| model_err(format!("not a usable ggml Whisper model: {e}")))?;
        Ok(Self {
            config,
            context,
            states: Mutex::new(Vec::new()),
        })
    }

    /// Path of the loaded model.
    pub fn model_path(&self) -> &Path {
        &self.config.model
    }

    /// Takes an idle decoder state or creates one.
    fn take_state(&self) -> Result<WhisperState, AsrError> {
        let idle = self
            .states
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        match idle {
            Some(state) => Ok(state),
            None => self
                .context
                .create_state()
                .map_err(|e| AsrError::Engine(format!("creating decoder state: {e}"))),
        }
    }

    /// Returns a decoder state to the pool.
    fn put_state(&self, state: WhisperState) {
        self.states
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(state);
    }

    /// The decoding parameters for `audio_ms` of audio.
    fn params(&self, audio_ms: u64) -> FullParams<'_, '_> {
        let mut p = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        p.set_n_threads(self.config.threads.clamp(1, 64) as i32);
        p.set_language(self.config.language.as_deref());
        p.set_translate(false);
        p.set_no_context(true);
        p.set_single_segment(true);
        p.set_no_timestamps(!self.config.timestamps);
        p.set_print_special(false);
        p.set_print_progress(false);
        p.set_print_realtime(false);
        p.set_print_timestamps(false);
        p.set_suppress_blank(true);
        p.set_suppress_nst(true);
        p.set_temperature(0.0);
        // No temperature fallback: re-decoding doubles the latency, and the
        // guard below handles the loops fallback would catch.
        p.set_temperature_inc(0.0);
        // Mandarin is about 4–5 characters per second, one or two tokens
        // each; a budget well above that stops runaway loops early.
        let secs = audio_ms.div_ceil(1000);
        p.set_max_tokens((16 + secs * 12).min(220) as i32);
        let frames = audio_ms * ENCODER_FRAMES_PER_S / 1000 + self.config.audio_ctx_margin;
        p.set_audio_ctx(frames.min(1500) as i32);
        if let Some(prompt) = &self.config.initial_prompt {
            p.set_initial_prompt(prompt);
        }
        p
    }
}

impl Asr for WhisperAsr {
    fn transcribe(&self, audio: &[i16]) -> Result<Transcript, AsrError> {
        let audio_ms = audio.len() as u64 * 1000 / u64::from(SAMPLE_RATE);
        if audio_ms > MAX_AUDIO_MS {
            return Err(AsrError::Audio(format!(
                "{audio_ms} ms is longer than one Whisper window ({MAX_AUDIO_MS} ms); split the utterance"
            )));
        }
        if loudest_frame_rms(audio) < SILENCE_RMS {
            // Whisper invents text for silence ("你不想要我…" in tests, with
            // a no-speech probability of 0); never let it try.
            return Ok(Transcript {
                text: String::new(),
                confidence: 1.0,
                segments: Vec::new(),
                no_speech: 1.0,
                audio_ms,
            });
        }
        let floats: Vec<f32> = audio.iter().map(|&s| i16_to_f32(s)).collect();
        let mut pcm = resample_f32(&floats, SAMPLE_RATE, WHISPER_RATE)
            .map_err(|e| AsrError::Audio(e.to_string()))?;
        let min_len = (MIN_AUDIO_MS * u64::from(WHISPER_RATE) / 1000) as usize;
        if pcm.len() < min_len {
            pcm.resize(min_len, 0.0);
        }
        let window_ms = (pcm.len() as u64 * 1000) / u64::from(WHISPER_RATE);

        let mut state = self.take_state()?;
        let result = state.full(self.params(window_ms), &pcm);
        if let Err(e) = result {
            // A failed state may be inconsistent: drop it rather than reuse.
            return Err(AsrError::Engine(e.to_string()));
        }
        let transcript = collect(&state, &self.context, audio_ms);
        self.put_state(state);
        Ok(transcript)
    }
}

/// RMS of the loudest 20 ms frame.
fn loudest_frame_rms(audio: &[i16]) -> f64 {
    audio
        .chunks(160)
        .map(|f| {
            let sum: f64 = f.iter().map(|&s| f64::from(s).powi(2)).sum();
            (sum / f.len() as f64).sqrt()
        })
        .fold(0.0, f64::max)
}

/// Reads the decoded segments out of `state` into a [`Transcript`].
fn collect(state: &WhisperState, context: &WhisperContext, audio_ms: u64) -> Transcript {
    let eot = context.token_eot();
    let mut segments = Vec::new();
    let mut prob_sum = 0.0f32;
    let mut prob_count = 0usize;
    let mut no_speech = 0.0f32;
    for segment in state.as_iter() {
        no_speech = no_speech.max(segment.no_speech_probability());
        for i in 0..segment.n_tokens() {
            if let Some(token) = segment.get_token(i) {
                if token.token_id() < eot {
                    prob_sum += token.token_probability();
                    prob_count += 1;
                }
            }
        }
        let raw = segment
            .to_str_lossy()
            .map(|s| s.into_owned())
            .unwrap_or_default();
        let text = fast2s::convert(raw.trim());
        if text.is_empty() {
            continue;
        }
        // whisper.cpp timestamps are in 10 ms units.
        let to_ms = |t: i64| (t.max(0) as u64 * 10).min(audio_ms);
        segments.push(TranscriptSegment {
            text,
            start_ms: to_ms(segment.start_timestamp()),
            end_ms: to_ms(segment.end_timestamp()),
        });
    }
    let joined: String = segments.iter().map(|s| s.text.as_str()).collect();
    let (text, cut) = collapse_repeats(joined.trim());
    let text = text.trim().to_string();
    let mut confidence = if prob_count == 0 {
        0.0
    } else {
        prob_sum / prob_count as f32
    };
    if cut {
        confidence *= 0.5;
        // The segments no longer add up to the text; keep one spanning all.
        segments = vec![TranscriptSegment {
            text: text.clone(),
            start_ms: 0,
            end_ms: audio_ms,
        }];
    }
    Transcript {
        text,
        confidence: confidence.clamp(0.0, 1.0),
        segments,
        no_speech,
        audio_ms,
    }
}

//! Voice activity detection and end-pointing at 8 kHz.
//!
//! Each 20 ms frame is classified as voiced or not by the WebRTC VAD (libfvad,
//! Gaussian mixture model, native 8 kHz) and by two level gates (an absolute
//! minimum and a margin over the running noise floor). A small state machine on top turns
//! those per-frame decisions into utterances: speech starts after
//! [`VadConfig::min_speech_ms`] of continuous voice (so clicks and line noise
//! do not open an utterance), and ends after [`VadConfig::end_silence_ms`] of
//! silence (the end-of-utterance pause) or when the utterance reaches
//! [`VadConfig::max_utterance_ms`].

mod classifier;
mod level;

use crate::SAMPLE_RATE;
use classifier::Classifier;
use level::{rms, NoiseFloor};

/// Samples in one 20 ms frame at 8 kHz, the frame size callers normally push.
pub const FRAME_SAMPLES: usize = 160;

/// How readily the frame classifier calls a frame "speech" (libfvad modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggressiveness {
    /// Mode 0: most frames with energy count as speech.
    Quality,
    /// Mode 1.
    LowBitrate,
    /// Mode 2: a good default for telephone lines.
    Aggressive,
    /// Mode 3: rejects the most noise, may clip soft speech.
    VeryAggressive,
}

/// Tuning of the end-pointer. All durations are in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VadConfig {
    /// Frame classifier mode.
    pub aggressiveness: Aggressiveness,
    /// Silence after speech that ends the utterance (the large platforms use
    /// 600–800 ms; shorter answers faster but cuts callees who pause).
    pub end_silence_ms: u64,
    /// Continuous voice needed before speech is reported as started; shorter
    /// bursts (clicks, a cough, line noise) are ignored.
    pub min_speech_ms: u64,
    /// An utterance is forcibly ended when it reaches this length, so a
    /// callee who never pauses (or a noisy line) cannot stall the dialog.
    pub max_utterance_ms: u64,
    /// Frames quieter than this RMS (in `i16` units) are silence whatever the
    /// classifier says. libfvad keeps reporting speech for 60–100 ms after
    /// it ends (its "hangover"); on a quiet line this gate cuts that delay
    /// from end-pointing. The default, 60 (about −55 dBFS), is far below
    /// speech on a telephone line.
    pub min_rms: u16,
    /// Frames must also be this many dB above the line's noise floor (a
    /// running minimum of frame energy). libfvad adapts to steady noise
    /// slowly and keeps calling the noise after an utterance speech for a
    /// while; this gate trims that tail on noisy lines. 0 disables it.
    pub noise_margin_db: u16,
}

impl Default for VadConfig {
    fn default() -> Self {
        Self {
            aggressiveness: Aggressiveness::Aggressive,
            end_silence_ms: 700,
            min_speech_ms: 100,
            max_utterance_ms: 15_000,
            min_rms: 60,
            noise_margin_db: 8,
        }
    }
}

/// What the end-pointer reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VadEvent {
    /// The callee started speaking; `at_ms` is the start of the first voiced
    /// frame of the utterance (reported `min_speech_ms` later).
    SpeechStart {
        /// Start of the utterance.
        at_ms: u64,
    },
    /// The utterance is over: `start_ms` as in `SpeechStart`, `end_ms` the end
    /// of its last voiced frame (or the cut-off time when the maximum length
    /// was reached). Reported `end_silence_ms` after `end_ms`.
    SpeechEnd {
        /// Start of the utterance.
        start_ms: u64,
        /// End of the utterance.
        end_ms: u64,
    },
}

/// Where the end-pointer is.
#[derive(Debug, Clone, Copy)]
enum State {
    /// No speech; `onset` is the start of the current run of voiced frames.
    Silence { onset: Option<u64> },
    /// In an utterance that began at `start`; `last_voice_end` is the end of
    /// the latest voiced frame.
    Speech { start: u64, last_voice_end: u64 },
}

/// A streaming voice activity detector and end-pointer for one audio stream
/// (one call direction). Feed it consecutive frames with [`Vad::push`].
pub struct Vad {
    /// Tuning.
    config: VadConfig,
    /// The per-frame classifier.
    classifier: Classifier,
    /// End-pointing state.
    state: State,
    /// Estimated RMS of the line noise (see [`NoiseFloor`]).
    floor: NoiseFloor,
}

impl std::fmt::Debug for Vad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vad")
            .field("config", &self.config)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl Vad {
    /// A detector with the given tuning, in the silent state.
    pub fn new(config: VadConfig) -> Self {
        Self {
            classifier: Classifier::new(config.aggressiveness),
            config,
            state: State::Silence { onset: None },
            floor: NoiseFloor::default(),
        }
    }

    /// The tuning this detector runs with.
    pub fn config(&self) -> &VadConfig {
        &self.config
    }

    /// Whether an utterance is in progress (between `SpeechStart` and
    /// `SpeechEnd`).
    pub fn is_speaking(&self) -> bool {
        matches!(self.state, State::Speech { .. })
    }

    /// The utterance in progress, if any: its start and the end of its
    /// latest voiced frame (ms on the stream's clock). The call layer uses
    /// it for adaptive end-pointing: after a short pause it may recognise
    /// the audio so far speculatively, before `end_silence_ms` has passed.
    pub fn current_utterance(&self) -> Option<(u64, u64)> {
        match self.state {
            State::Speech {
                start,
                last_voice_end,
            } => Some((start, last_voice_end)),
            State::Silence { .. } => None,
        }
    }

    /// Forgets any utterance in progress (e.g. when the robot starts a new
    /// turn and earlier audio no longer matters).
    pub fn reset(&mut self) {
        self.state = State::Silence { onset: None };
    }

    /// Feeds one frame of 8 kHz mono audio that starts at `t_ms` on the
    /// stream's clock. Frames should be 10, 20 or 30 ms (80, 160 or 240
    /// samples); other lengths are classified in 10 ms pieces (any remainder
    /// under 10 ms is ignored). An empty frame changes nothing. Returns the
    /// event this frame completes, if any.
    pub fn push(&mut self, frame: &[i16], t_ms: u64) -> Option<VadEvent> {
        if frame.is_empty() {
            return None;
        }
        let frame_ms = frame.len() as u64 * 1000 / u64::from(SAMPLE_RATE);
        let level = rms(frame);
        let floor = self.floor.update(level);
        let margin = 10f64.powf(f64::from(self.config.noise_margin_db) / 20.0);
        let loud_enough = level >= f64::from(self.config.min_rms)
            && (self.config.noise_margin_db == 0 || level >= floor * margin);
        // Always run the classifier, even on frames the gates reject: its
        // noise model adapts only on frames it sees (skipping quiet frames
        // delayed end-pointing by up to a second over -55 dBFS noise).
        let voiced = self.classifier.is_voiced(frame) && loud_enough;
        let end = t_ms + frame_ms;
        let cfg = &self.config;
        match self.state {
            State::Silence { onset } => {
                if !voiced {
                    self.state = State::Silence { onset: None };
                    return None;
                }
                let start = onset.unwrap_or(t_ms);
                if end.saturating_sub(start) >= cfg.min_speech_ms {
                    self.state = State::Speech {
                        start,
                        last_voice_end: end,
                    };
                    Some(VadEvent::SpeechStart { at_ms: start })
                } else {
                    self.state = State::Silence { onset: Some(start) };
                    None
                }
            }
            State::Speech {
                start,
                last_voice_end,
            } => {
                if end.saturating_sub(start) >= cfg.max_utterance_ms {
                    self.state = State::Silence { onset: None };
                    let end_ms = if voiced { end } else { last_voice_end };
                    return Some(VadEvent::SpeechEnd {
                        start_ms: start,
                        end_ms,
                    });
                }
                if voiced {
                    self.state = State::Speech {
                        start,
                        last_voice_end: end,
                    };
                    None
                } else if end.saturating_sub(last_voice_end) >= cfg.end_silence_ms {
                    self.state = State::Silence { onset: None };
                    Some(VadEvent::SpeechEnd {
                        start_ms: start,
                        end_ms: last_voice_end,
                    })
                } else {
                    None
                }
            }
        }
    }

    /// Ends the stream: if an utterance is in progress it is ended at its
    /// last voiced frame without waiting for the silence (e.g. the callee hung
    /// up mid-sentence).
    pub fn finish(&mut self) -> Option<VadEvent> {
        let state = std::mem::replace(&mut self.state, State::Silence { onset: None });
        match state {
            State::Speech {
                start,
                last_voice_end,
            } => Some(VadEvent::SpeechEnd {
                start_ms: start,
                end_ms: last_voice_end,
            }),
            State::Silence { .. } => None,
        }
    }
}
/// Splits a whole 8 kHz recording into utterances `(start_ms, end_ms)`, as a
/// streaming [`Vad`] fed 20 ms frames from time 0 would report them.
pub fn segments(samples: &[i16], config: VadConfig) -> Vec<(u64, u64)> {
    let mut vad = Vad::new(config);
    let mut out = Vec::new();
    let frame_ms = (FRAME_SAMPLES as u64 * 1000) / u64::from(SAMPLE_RATE);
    let events = samples
        .chunks(FRAME_SAMPLES)
        .enumerate()
        .filter_map(|(i, frame)| vad.push(frame, i as u64 * frame_ms))
        .collect::<Vec<_>>();
    for event in events.into_iter().chain(vad.finish()) {
        if let VadEvent::SpeechEnd { start_ms, end_ms } = event {
            out.push((start_ms, end_ms));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A voice-like signal: a 150 Hz buzz with harmonics, amplitude-modulated
    /// like syllables, which libfvad classifies as speech.
    fn voice(ms: u64) -> Vec<i16> {
        let n = (ms * 8) as usize;
        (0..n)
            .map(|i| {
                let t = i as f32 / 8000.0;
                let mut v = 0.0;
                for h in 1..=10 {
                    v += (2.0 * std::f32::consts::PI * 150.0 * h as f32 * t).sin() / h as f32;
                }
                let env = 0.6 + 0.4 * (2.0 * std::f32::consts::PI * 4.0 * t).sin();
                (v * env * 6000.0) as i16
            })
            .collect()
    }

    fn silence(ms: u64) -> Vec<i16> {
        vec![0; (ms * 8) as usize]
    }

    fn cfg() -> VadConfig {
        VadConfig::default()
    }

    #[test]
    fn finds_two_utterances() {
        let mut audio = silence(500);
        audio.extend(voice(1000));
        audio.extend(silence(1000));
        audio.extend(voice(600));
        audio.extend(silence(1000));
        let segs = segments(&audio, cfg());
        assert_eq!(segs.len(), 2, "{segs:?}");
        let near = |a: u64, b: u64| a.abs_diff(b) <= 60;
        assert!(near(segs[0].0, 500) && near(segs[0].1, 1500), "{segs:?}");
        assert!(near(segs[1].0, 2500) && near(segs[1].1, 3100), "{segs:?}");
    }

    #[test]
    fn short_pause_does_not_split() {
        let mut audio = voice(800);
        audio.extend(silence(400));
        audio.extend(voice(800));
        audio.extend(silence(1000));
        assert_eq!(segments(&audio, cfg()).len(), 1);
        let short = VadConfig {
            end_silence_ms: 300,
            ..cfg()
        };
        assert_eq!(segments(&audio, short).len(), 2);
    }

    #[test]
    fn events_are_reported_at_the_right_time() {
        let mut audio = silence(200);
        audio.extend(voice(500));
        audio.extend(silence(1000));
        let mut vad = Vad::new(cfg());
        let mut events = Vec::new();
        for (i, f) in audio.chunks(FRAME_SAMPLES).enumerate() {
            let t = i as u64 * 20;
            if let Some(e) = vad.push(f, t) {
                events.push((t, e));
            }
        }
        assert_eq!(events.len(), 2, "{events:?}");
        let (t_start, VadEvent::SpeechStart { at_ms }) = events[0] else {
            panic!("{events:?}")
        };
        assert!(at_ms.abs_diff(200) <= 40 && t_start >= at_ms && t_start < at_ms + 200);
        let (t_end, VadEvent::SpeechEnd { end_ms, .. }) = events[1] else {
            panic!("{events:?}")
        };
        // Reported once end_silence_ms of silence has passed.
        assert!(
            t_end + 20 >= end_ms + 700 && t_end <= end_ms + 740,
            "{events:?}"
        );
    }

    #[test]
    fn clicks_are_ignored_and_max_length_cuts() {
        let mut audio = silence(200);
        audio.extend(voice(40));
        audio.extend(silence(1000));
        assert!(segments(&audio, cfg()).is_empty());

        let long = voice(5000);
        let capped = VadConfig {
            max_utterance_ms: 2000,
            ..cfg()
        };
        let segs = segments(&long, capped);
        assert!(segs.len() >= 2, "{segs:?}");
        assert!(segs[0].1 - segs[0].0 <= 2000, "{segs:?}");
    }

    #[test]
    fn odd_frame_sizes_and_finish() {
        let mut vad = Vad::new(cfg());
        assert_eq!(vad.push(&[], 0), None);
        let audio = voice(400);
        let mut started = false;
        for (i, f) in audio.chunks(100).enumerate() {
            started |= matches!(
                vad.push(f, i as u64 * 12),
                Some(VadEvent::SpeechStart { .. })
            );
        }
        assert!(started && vad.is_speaking());
        assert!(matches!(vad.finish(), Some(VadEvent::SpeechEnd { .. })));
        assert!(!vad.is_speaking());
        assert_eq!(vad.finish(), None);
    }

    #[test]
    fn vad_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<Vad>();
    }
}

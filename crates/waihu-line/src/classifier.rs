//! The streaming line classifier: every detector and the catalogue combined
//! under the rules of the phase.
//!
//! Feed 20 ms frames with [`LineClassifier::push_frame`]; when it reports an
//! utterance [`Span`], recognise that audio and hand the text back with
//! [`LineClassifier::push_transcript`]; pass the SIP final status with
//! [`LineClassifier::push_sip`]. Each returns a decision as soon as the
//! classifier is sure; [`LineClassifier::finish`] gives the phase's default
//! when the caller stops listening.
//!
//! Rules. Any phase: a SIT → announcement (reason from its code); a SIP
//! failure → announcement (reason from status and Q.850 cause); CED, or CNG
//! before any speech → fax; an announcement phrase → announcement. While
//! ringing ([`Phase::Early`]) a ring cadence or music is ringback, which is
//! provisional (announcements often follow a few rings) and never ends the
//! attempt; nothing else is decided, and the default is ringback. After the
//! answer: ring or music before any speech → ringback; a voicemail phrase or
//! a beep after 2 s of speech → voicemail; a short greeting (≤ 2 s) followed by a
//! pause of 1 s → human (once its transcript has been matched, when
//! transcripts are expected); nothing heard for 3 s → silence; the default is
//! human.

use crate::catalogue::Catalogue;
use crate::class::{Decision, LineClass, Phase, Signal};
use crate::detect::activity::Activity;
pub use crate::detect::activity::Span;
use crate::detect::music::MusicDetector;
use crate::detect::sit::SitDetector;
use crate::detect::tones::{BeepDetector, FaxDetector, FaxTone, RingDetector};
use crate::{dsp, FRAME, FRAME_MS};
use std::sync::Arc;

/// Thresholds (defaults set on the dev clips only).
#[derive(Debug, Clone)]
pub struct ClassifierConfig {
    /// Before or after the answer.
    pub phase: Phase,
    /// Whether transcripts will be pushed: a person is then decided only once
    /// the greeting's transcript was matched (it might be a short machine line).
    pub transcripts: bool,
    /// Longest first utterance a person's greeting is taken to be.
    pub max_greeting_ms: u64,
    /// Pause after a short greeting that says a person is waiting.
    pub human_pause_ms: u64,
    /// Dead air after the answer before it is silence.
    pub silence_ms: u64,
    /// Speech needed before a beep means voicemail.
    pub beep_after_speech_ms: u64,
    /// Speech before which ring, music and CNG may still be heard as such.
    pub tone_before_speech_ms: u64,
}

impl ClassifierConfig {
    /// Defaults for a phase.
    pub fn new(phase: Phase) -> Self {
        Self {
            phase,
            transcripts: true,
            max_greeting_ms: 2000,
            human_pause_ms: 1000,
            silence_ms: 3000,
            // Longer than a person's "喂，你好": a call-waiting or network
            // beep heard after a person's greeting must not make them a machine.
            beep_after_speech_ms: 2000,
            tone_before_speech_ms: 500,
        }
    }
}

/// What one frame brought.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    /// A decision made at this frame (final, or provisional ringback while
    /// ringing — see [`LineClassifier::decided`]).
    pub decision: Option<Decision>,
    /// An utterance to recognise (ended, or an interim span of a long one).
    pub utterance: Option<Span>,
}

/// One line being classified.
#[derive(Debug)]
pub struct LineClassifier {
    config: ClassifierConfig,
    catalogue: Arc<Catalogue>,
    frames: u64,
    activity: Activity,
    sit: SitDetector,
    ring: RingDetector,
    fax: FaxDetector,
    beep: BeepDetector,
    music: MusicDetector,
    /// The first utterance, once ended.
    greeting: Option<Span>,
    /// Audio time up to which transcripts have been matched.
    transcribed_to_ms: Option<u64>,
    /// Ringback heard while ringing (provisional).
    ringing: Option<Decision>,
    /// The final decision.
    decided: Option<Decision>,
}

impl LineClassifier {
    /// A classifier with a catalogue (share one `Arc` between calls).
    pub fn new(config: ClassifierConfig, catalogue: Arc<Catalogue>) -> Self {
        Self {
            config,
            catalogue,
            frames: 0,
            activity: Activity::default(),
            sit: SitDetector::default(),
            ring: RingDetector::default(),
            fax: FaxDetector::default(),
            beep: BeepDetector::default(),
            music: MusicDetector::default(),
            greeting: None,
            transcribed_to_ms: None,
            ringing: None,
            decided: None,
        }
    }

    /// Audio time so far, ms.
    pub fn now_ms(&self) -> u64 {
        self.frames * FRAME_MS
    }

    /// The final decision, if made.
    pub fn decided(&self) -> Option<&Decision> {
        self.decided.as_ref()
    }

    /// The utterance going on (not yet ended), if any: the caller may
    /// recognise it when it stops listening.
    pub fn open_utterance(&self) -> Option<Span> {
        self.activity.open_utterance()
    }

    /// Ringback heard while ringing (provisional), if any.
    pub fn ringing(&self) -> Option<&Decision> {
        self.ringing.as_ref()
    }

    /// Feeds one 20 ms frame (160 samples of 8 kHz PCM; a shorter last frame
    /// is fine). After a final decision frames are only counted.
    pub fn push_frame(&mut self, frame: &[i16]) -> Progress {
        debug_assert!(frame.len() <= FRAME);
        self.frames += 1;
        if self.decided.is_some() {
            return Progress::default();
        }
        let now = self.now_ms();
        let f = dsp::features(frame);
        let act = self.activity.push(&f);
        if let Some(span) = act.span.filter(|s| s.done) {
            self.greeting.get_or_insert(span);
        }
        let speech_ms = self.activity.speech_frames * FRAME_MS;
        let early = self.config.phase == Phase::Early;
        let before_speech = speech_ms < self.config.tone_before_speech_ms;
        let mut decision = None;
        let mut decide = |class, reason, signal| {
            decision.get_or_insert(Decision {
                class,
                reason,
                decided_ms: now,
                signal,
            });
        };
        if let Some(pattern) = self.sit.push(&f) {
            decide(LineClass::Announcement, Some(pattern.reason()), Signal::Sit);
        }
        match self.fax.push(&f) {
            Some(FaxTone::Ced) => decide(LineClass::Fax, None, Signal::FaxTone),
            Some(FaxTone::Cng) if before_speech => decide(LineClass::Fax, None, Signal::FaxTone),
            _ => {}
        }
        let ring = self.ring.push(&f);
        let music = self.music.push(&f, act.sound);
        let beep = self.beep.push(&f);
        let mut ringback = None;
        if (ring || music) && (early || before_speech) {
            let signal = if ring {
                Signal::RingTone
            } else {
                Signal::Music
            };
            ringback = Some(signal);
        }
        if !early {
            if let Some(signal) = ringback {
                decide(LineClass::Ringback, None, signal);
            }
            if beep.is_some() && speech_ms >= self.config.beep_after_speech_ms {
                decide(LineClass::Voicemail, None, Signal::Beep);
            }
            if self.activity.sound_frames == 0 && now >= self.config.silence_ms {
                decide(LineClass::Silence, None, Signal::DeadAir);
            }
        }
        if let Some(d) = decision {
            self.decided = Some(d.clone());
            return Progress {
                decision: Some(d),
                utterance: act.span,
            };
        }
        if let Some(signal) = ringback {
            if self.ringing.is_none() {
                let d = Decision {
                    class: LineClass::Ringback,
                    reason: None,
                    decided_ms: now,
                    signal,
                };
                self.ringing = Some(d.clone());
                return Progress {
                    decision: Some(d),
                    utterance: act.span,
                };
            }
        }
        Progress {
            decision: self.check_human(now),
            utterance: act.span,
        }
    }

    /// Matches a transcript of audio up to `covers_to_ms` (the end of the
    /// span it recognised), arriving at `at_ms` on the audio clock.
    pub fn push_transcript(
        &mut self,
        text: &str,
        covers_to_ms: u64,
        at_ms: u64,
    ) -> Option<Decision> {
        if self.decided.is_some() {
            return None;
        }
        self.transcribed_to_ms = Some(self.transcribed_to_ms.unwrap_or(0).max(covers_to_ms));
        if let Some(m) = self.catalogue.find(text) {
            let wanted = match self.config.phase {
                Phase::Early => m.class == LineClass::Announcement,
                Phase::Answered => true,
            };
            if wanted {
                let d = Decision {
                    class: m.class,
                    reason: m.reason,
                    decided_ms: at_ms,
                    signal: Signal::Phrase,
                };
                self.decided = Some(d.clone());
                return Some(d);
            }
        }
        self.check_human(at_ms.max(self.now_ms()))
    }

    /// The SIP final status and the Q.850 cause of its `Reason` header.
    pub fn push_sip(&mut self, status: u16, q850: Option<u16>, at_ms: u64) -> Option<Decision> {
        if self.decided.is_some() {
            return None;
        }
        let (class, reason) = crate::sip::classify_sip(status, q850)?;
        let d = Decision {
            class,
            reason,
            decided_ms: at_ms,
            signal: Signal::Sip,
        };
        self.decided = Some(d.clone());
        Some(d)
    }

    /// A short greeting, then a pause: a person waiting for us.
    fn check_human(&mut self, now: u64) -> Option<Decision> {
        if self.config.phase != Phase::Answered || self.decided.is_some() {
            return None;
        }
        let g = self.greeting?;
        if g.len_ms() > self.config.max_greeting_ms {
            return None;
        }
        // Still silent since the greeting?
        let last_sound = self.activity.last_sound.map(|f| (f + 1) * FRAME_MS)?;
        if last_sound > g.end_ms || self.activity.open_utterance().is_some() {
            return None;
        }
        if now < g.end_ms + self.config.human_pause_ms {
            return None;
        }
        if self.config.transcripts && self.transcribed_to_ms.is_none_or(|t| t < g.end_ms) {
            return None;
        }
        let d = Decision {
            class: LineClass::Human,
            reason: None,
            decided_ms: now,
            signal: Signal::Pause,
        };
        self.decided = Some(d.clone());
        Some(d)
    }

    /// The decision when the caller stops listening: the final one, else the
    /// phase's default — ringback while ringing; after the answer silence if
    /// nothing was ever heard, otherwise a person (when unsure, a person).
    pub fn finish(&mut self) -> Decision {
        if let Some(d) = &self.decided {
            return d.clone();
        }
        let now = self.now_ms();
        let d = match self.config.phase {
            Phase::Early => self.ringing.clone().unwrap_or(Decision {
                class: LineClass::Ringback,
                reason: None,
                decided_ms: now,
                signal: Signal::Default,
            }),
            Phase::Answered => Decision {
                class: if self.activity.sound_frames == 0 {
                    LineClass::Silence
                } else {
                    LineClass::Human
                },
                reason: None,
                decided_ms: now,
                signal: Signal::Default,
            },
        };
        self.decided = Some(d.clone());
        d
    }
}

/// Classifies a whole recording without transcripts (tones, SIT, pauses):
/// a convenience for tests and tools. The reason is `None` unless a SIT gave one.
pub fn classify_audio(samples: &[i16], phase: Phase) -> Decision {
    let mut config = ClassifierConfig::new(phase);
    config.transcripts = false;
    let mut c = LineClassifier::new(config, Arc::new(Catalogue::default()));
    for frame in samples.chunks(FRAME) {
        c.push_frame(frame);
        if c.decided().is_some() {
            break;
        }
    }
    c.finish()
}

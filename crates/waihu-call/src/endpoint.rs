//! Turn-taking on the callee's audio: the VAD end-pointer plus what a live
//! call needs around it.
//!
//! - **Echo guard.** While the robot plays, a frame counts as the callee's
//!   voice only if it is loud enough relative to what the robot is sending
//!   (see [`ConversationConfig::echo_ratio`]); quieter frames are treated
//!   as silence, so the robot's own echo never opens an utterance.
//! - **Barge-in.** Speech over the robot is reported as [`Endpoint::BargeIn`]
//!   once it has lasted [`ConversationConfig::barge_in_min_ms`].
//! - **Adaptive end-pointing.** After a short pause
//!   ([`ConversationConfig::speculative_pause_ms`]) the utterance so far is
//!   reported as [`Endpoint::Pause`] so the caller can recognise it
//!   speculatively; [`Endpointer::commit`] then ends the utterance early.
//! - **Maximum length** per listen.
//! - The audio of the utterance, with a little margin, for the recogniser.

use std::collections::VecDeque;

use waihu_speech::vad::{Vad, VadEvent};

use crate::ConversationConfig;

/// Samples per 20 ms frame.
pub const FRAME: usize = 160;
/// Audio kept before the utterance start (the VAD reports the start late,
/// and the recogniser likes a little lead-in).
const PRE_ROLL_MS: u64 = 400;
/// Audio handed to the recogniser before the utterance start: over the
/// robot, the echo guard may confirm the start a few frames late.
const ASR_LEAD_MS: u64 = 300;
/// Audio kept after the last voiced frame.
const POST_ROLL_MS: u64 = 100;

/// What the end-pointer reports for a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// The callee started speaking at `at_ms`.
    SpeechStart {
        /// Start of the first voiced frame.
        at_ms: u64,
    },
    /// The callee has been speaking over the robot for long enough to stop it.
    BargeIn {
        /// Start of the speech.
        at_ms: u64,
    },
    /// The callee paused: the utterance `start_ms..end_ms` may be complete.
    Pause {
        /// Start of the utterance.
        start_ms: u64,
        /// End of its last voiced frame.
        end_ms: u64,
    },
    /// The utterance is over.
    SpeechEnd {
        /// Start of the utterance.
        start_ms: u64,
        /// End of its last voiced frame (or the cut-off).
        end_ms: u64,
    },
}

/// End-pointer of one call's incoming audio.
#[derive(Debug)]
pub struct Endpointer {
    /// The VAD end-pointer.
    vad: Vad,
    /// Barge-in threshold, ms.
    barge_in_min_ms: u64,
    /// Echo level fraction.
    echo_ratio: f32,
    /// Speculative pause, ms.
    speculative_pause_ms: Option<u64>,
    /// Longest utterance for the current listen, ms.
    max_speech_ms: u64,
    /// Recent frames `(start ms, samples)`: the pre-roll, or the whole
    /// utterance in progress.
    frames: VecDeque<(u64, [i16; FRAME])>,
    /// The utterance in progress was already reported as a barge-in.
    barge_reported: bool,
    /// The pause already reported (end of the last voiced frame).
    pause_reported: Option<u64>,
    /// Frames replaced by silence by the echo guard (statistics).
    echo_gated: u64,
}

impl Endpointer {
    /// An end-pointer tuned by `config`.
    pub fn new(config: &ConversationConfig) -> Self {
        Self {
            vad: Vad::new(config.vad.clone()),
            barge_in_min_ms: config.barge_in_min_ms,
            echo_ratio: config.echo_ratio,
            speculative_pause_ms: config.speculative_pause_ms,
            max_speech_ms: config.vad.max_utterance_ms,
            frames: VecDeque::new(),
            barge_reported: false,
            pause_reported: None,
            echo_gated: 0,
        }
    }

    /// Sets the longest utterance for the next listen (never above the
    /// configured maximum).
    pub fn set_max_speech_ms(&mut self, ms: u64) {
        self.max_speech_ms = ms.clamp(500, self.vad.config().max_utterance_ms);
    }

    /// Whether the callee is speaking.
    pub fn is_speaking(&self) -> bool {
        self.vad.is_speaking()
    }

    /// Frames the echo guard silenced so far.
    pub fn echo_gated(&self) -> u64 {
        self.echo_gated
    }

    /// Feeds one frame starting at `at_ms`. `robot_rms` is the level the
    /// robot is sending around this time (`None` when it is silent).
    pub fn push(
        &mut self,
        samples: &[i16; FRAME],
        at_ms: u64,
        robot_rms: Option<f32>,
    ) -> Option<Endpoint> {
        self.keep(at_ms, samples);
        let gated = robot_rms.is_some_and(|r| rms(samples) < r * self.echo_ratio);
        let event = if gated {
            self.echo_gated += 1;
            self.vad.push(&[0; FRAME], at_ms)
        } else {
            self.vad.push(samples, at_ms)
        };
        let end = at_ms + 20;
        match event {
            Some(VadEvent::SpeechStart { at_ms }) => {
                self.barge_reported = false;
                self.pause_reported = None;
                self.drop_before(at_ms.saturating_sub(PRE_ROLL_MS));
                return Some(Endpoint::SpeechStart { at_ms });
            }
            Some(VadEvent::SpeechEnd { start_ms, end_ms }) => {
                return Some(Endpoint::SpeechEnd { start_ms, end_ms });
            }
            None => {}
        }
        let (start, last_voice) = self.vad.current_utterance()?;
        if end.saturating_sub(start) >= self.max_speech_ms {
            self.vad.reset();
            return Some(Endpoint::SpeechEnd {
                start_ms: start,
                end_ms: end,
            });
        }
        if robot_rms.is_some()
            && !self.barge_reported
            && last_voice.saturating_sub(start) >= self.barge_in_min_ms
        {
            self.barge_reported = true;
            return Some(Endpoint::BargeIn { at_ms: start });
        }
        if let Some(pause) = self.speculative_pause_ms {
            if end.saturating_sub(last_voice) >= pause && self.pause_reported != Some(last_voice) {
                self.pause_reported = Some(last_voice);
                return Some(Endpoint::Pause {
                    start_ms: start,
                    end_ms: last_voice,
                });
            }
        }
        None
    }

    /// Ends the utterance in progress now if its last voiced frame is still
    /// `end_ms` (the callee has not spoken since the pause); returns whether
    /// it did.
    pub fn commit(&mut self, end_ms: u64) -> bool {
        match self.vad.current_utterance() {
            Some((_, last)) if last == end_ms => {
                self.vad.reset();
                true
            }
            _ => false,
        }
    }

    /// Whether the utterance in progress still ends at `end_ms` (no speech
    /// since).
    pub fn still_paused_at(&self, end_ms: u64) -> bool {
        self.vad
            .current_utterance()
            .is_some_and(|(_, last)| last == end_ms)
    }

    /// The audio of `start_ms..end_ms` with a little margin on both sides.
    pub fn audio(&self, start_ms: u64, end_ms: u64) -> Vec<i16> {
        let from = start_ms.saturating_sub(ASR_LEAD_MS);
        let to = end_ms + POST_ROLL_MS;
        self.frames
            .iter()
            .filter(|(t, _)| *t + 20 > from && *t < to)
            .flat_map(|(_, f)| f.iter().copied())
            .collect()
    }

    /// Keeps a frame: all of an utterance in progress, else the pre-roll.
    fn keep(&mut self, at_ms: u64, samples: &[i16; FRAME]) {
        self.frames.push_back((at_ms, *samples));
        let keep_from = match self.vad.current_utterance() {
            Some((start, _)) => start.saturating_sub(PRE_ROLL_MS),
            // Silence: keep a pre-roll plus the time the VAD takes to
            // confirm speech, and the end of the last utterance until it
            // was taken (POST_ROLL + the longest end-of-utterance pause).
            None => at_ms.saturating_sub(PRE_ROLL_MS + 2_000),
        };
        self.drop_before(keep_from);
    }

    fn drop_before(&mut self, t: u64) {
        while self.frames.front().is_some_and(|(at, _)| at + 20 <= t) {
            self.frames.pop_front();
        }
    }
}

/// RMS of a frame.
pub fn rms(samples: &[i16]) -> f32 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples.iter().map(|&s| f64::from(s).powi(2)).sum();
    (sum / samples.len() as f64).sqrt() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A voice-like buzz (see waihu-speech's VAD tests), `gain` scaled.
    fn voice(ms: u64, gain: f32) -> Vec<i16> {
        let n = (ms * 8) as usize;
        (0..n)
            .map(|i| {
                let t = i as f32 / 8000.0;
                let mut v = 0.0;
                for h in 1..=10 {
                    v += (2.0 * std::f32::consts::PI * 150.0 * h as f32 * t).sin() / h as f32;
                }
                let env = 0.6 + 0.4 * (2.0 * std::f32::consts::PI * 4.0 * t).sin();
                (v * env * 6000.0 * gain) as i16
            })
            .collect()
    }

    fn run(
        ep: &mut Endpointer,
        audio: &[i16],
        t0: u64,
        robot: Option<f32>,
    ) -> Vec<(u64, Endpoint)> {
        audio
            .chunks_exact(FRAME)
            .enumerate()
            .filter_map(|(i, f)| {
                let t = t0 + i as u64 * 20;
                let frame: [i16; FRAME] = f.try_into().ok()?;
                ep.push(&frame, t, robot).map(|e| (t, e))
            })
            .collect()
    }

    fn cfg() -> ConversationConfig {
        ConversationConfig::default()
    }

    #[test]
    fn echo_of_the_robot_does_not_open_an_utterance() {
        let mut ep = Endpointer::new(&cfg());
        // The robot plays at the voice's level; its echo returns 12 dB down.
        let robot_level = rms(&voice(1000, 1.0));
        let echo = voice(2000, 0.25);
        let events = run(&mut ep, &echo, 0, Some(robot_level));
        assert!(events.is_empty(), "{events:?}");
        assert!(ep.echo_gated() > 50);
        // Without the guard the same audio is speech.
        let mut plain = Endpointer::new(&cfg());
        assert!(!run(&mut plain, &echo, 0, None).is_empty());
    }

    #[test]
    fn speech_over_the_robot_is_a_barge_in_after_the_minimum() {
        let mut ep = Endpointer::new(&cfg());
        let robot_level = rms(&voice(1000, 1.0));
        let mut audio = vec![0i16; 1600];
        audio.extend(voice(800, 1.0));
        let events = run(&mut ep, &audio, 0, Some(robot_level));
        let kinds: Vec<_> = events.iter().map(|(_, e)| *e).collect();
        assert!(
            matches!(kinds[0], Endpoint::SpeechStart { .. }),
            "{kinds:?}"
        );
        let (t, barge) = events
            .iter()
            .find(|(_, e)| matches!(e, Endpoint::BargeIn { .. }))
            .copied()
            .expect("barge-in");
        let Endpoint::BargeIn { at_ms } = barge else {
            unreachable!()
        };
        assert!(t >= at_ms + cfg().barge_in_min_ms - 20, "{events:?}");
        // A short burst is not a barge-in.
        let mut ep = Endpointer::new(&cfg());
        let mut short = voice(140, 1.0);
        short.extend(vec![0i16; 8000]);
        let events = run(&mut ep, &short, 0, Some(robot_level));
        assert!(
            !events
                .iter()
                .any(|(_, e)| matches!(e, Endpoint::BargeIn { .. })),
            "{events:?}"
        );
    }

    #[test]
    fn pause_then_end_and_commit() {
        let mut ep = Endpointer::new(&cfg());
        let mut audio = voice(600, 1.0);
        audio.extend(vec![0i16; 8 * 1000]);
        let events = run(&mut ep, &audio, 1000, None);
        let kinds: Vec<_> = events.iter().map(|(_, e)| *e).collect();
        assert_eq!(kinds.len(), 3, "{kinds:?}");
        let Endpoint::Pause { start_ms, end_ms } = kinds[1] else {
            panic!("{kinds:?}")
        };
        assert!(
            matches!(kinds[2], Endpoint::SpeechEnd { start_ms: s, end_ms: e } if s == start_ms && e == end_ms)
        );
        let pcm = ep.audio(start_ms, end_ms);
        assert!(
            pcm.len() >= ((end_ms - start_ms) * 8) as usize,
            "{}",
            pcm.len()
        );

        // Committing at the pause ends the utterance early.
        let mut ep = Endpointer::new(&cfg());
        let mut audio = voice(600, 1.0);
        audio.extend(vec![0i16; 8 * 340]);
        let events = run(&mut ep, &audio, 0, None);
        let Some((_, Endpoint::Pause { end_ms, .. })) = events.last().copied() else {
            panic!("{events:?}")
        };
        assert!(ep.still_paused_at(end_ms));
        assert!(ep.commit(end_ms));
        assert!(!ep.is_speaking());
        let rest = run(&mut ep, &vec![0i16; 8000], 940, None);
        assert!(rest.is_empty(), "{rest:?}");
    }

    #[test]
    fn long_speech_is_cut_at_the_listen_maximum() {
        let mut ep = Endpointer::new(&cfg());
        ep.set_max_speech_ms(1000);
        let events = run(&mut ep, &voice(2500, 1.0), 0, None);
        assert!(
            events.iter().any(|(_, e)| matches!(e, Endpoint::SpeechEnd { start_ms, end_ms } if end_ms - start_ms <= 1000)),
            "{events:?}"
        );
    }
}

//! Sound presence, utterances and pauses. A frame is *sound* when it stands
//! 10 dB above the tracked noise floor; it is *speech-like* when it is sound
//! and not one steady tone (tones have their own detectors). Utterances are
//! runs of speech-like frames ending after a pause; while one goes on, an
//! interim span is offered every two seconds so that a recogniser can read
//! long greetings before they end.

use super::single_tone;
use crate::FRAME_MS;

/// A stretch of audio, ms from the first frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Start of the utterance.
    pub start_ms: u64,
    /// End of the utterance (or of the audio so far, for an interim span).
    pub end_ms: u64,
    /// Whether the utterance has ended (false: an interim span, it goes on).
    pub done: bool,
}

impl Span {
    /// Its length.
    pub fn len_ms(&self) -> u64 {
        self.end_ms - self.start_ms
    }
}

/// Above the floor by this much is sound.
const OVER_FLOOR_DB: f32 = 10.0;
/// And never below this (a quiet line is not speech).
const MIN_LEVEL_DB: f32 = -50.0;
/// How fast the floor rises (dB per frame, 0.5 dB/s; it falls at once), so
/// that minutes of music or talk never become the floor.
const FLOOR_RISE_DB: f32 = 0.01;
/// The floor before the first frame: a quiet line.
const INITIAL_FLOOR_DB: f32 = -60.0;
/// Speech-like frames in a row that start an utterance.
const START_FRAMES: u64 = 3;
/// Silence that ends an utterance.
pub const END_PAUSE_MS: u64 = 400;
/// Interim spans every this long, and none after `INTERIM_MAX_MS`.
const INTERIM_EVERY_MS: u64 = 2000;
const INTERIM_MAX_MS: u64 = 8000;

/// Tracks sound, speech and utterances.
#[derive(Debug, Default)]
pub struct Activity {
    /// The noise floor, from the first frame on.
    floor: Option<f32>,
    frame: u64,
    /// Frames that were sound (speech or tones).
    pub sound_frames: u64,
    /// Frames that were speech-like.
    pub speech_frames: u64,
    run: u64,
    /// (start frame, last speech frame, last interim at frame)
    utterance: Option<(u64, u64, u64)>,
    /// Frame index of the last sound.
    pub last_sound: Option<u64>,
}

/// What one frame was.
#[derive(Debug, Clone, Copy, Default)]
pub struct FrameActivity {
    /// Sound above the floor.
    pub sound: bool,
    /// Speech-like sound.
    pub speech: bool,
    /// An utterance ended, or an interim span of one going on.
    pub span: Option<Span>,
}

impl Activity {
    /// Feeds one frame's features.
    pub fn push(&mut self, f: &crate::dsp::Features) -> FrameActivity {
        let i = self.frame;
        self.frame += 1;
        let level = f.level_db;
        let floor = match self.floor {
            Some(floor) if level >= floor => floor + FLOOR_RISE_DB,
            Some(_) => level.max(-90.0),
            None => level.clamp(-90.0, INITIAL_FLOOR_DB),
        };
        self.floor = Some(floor);
        let sound = level >= MIN_LEVEL_DB && level >= floor + OVER_FLOOR_DB;
        let speech = sound && single_tone(f).is_none() && f.band(350.0, 500.0) < 0.75;
        if sound {
            self.sound_frames += 1;
            self.last_sound = Some(i);
        }
        let mut span = None;
        if speech {
            self.speech_frames += 1;
            self.run += 1;
            match &mut self.utterance {
                Some((_, last, _)) => *last = i,
                None if self.run >= START_FRAMES => {
                    let start = i + 1 - START_FRAMES;
                    self.utterance = Some((start, i, start));
                }
                None => {}
            }
        } else {
            self.run = 0;
        }
        if let Some((start, last, interim)) = self.utterance {
            let now = i + 1;
            if (now - last - 1) * FRAME_MS >= END_PAUSE_MS {
                self.utterance = None;
                span = Some(Span {
                    start_ms: start * FRAME_MS,
                    end_ms: (last + 1) * FRAME_MS,
                    done: true,
                });
            } else if (now - interim) * FRAME_MS >= INTERIM_EVERY_MS
                && (now - start) * FRAME_MS <= INTERIM_MAX_MS
            {
                self.utterance = Some((start, last, now));
                span = Some(Span {
                    start_ms: start * FRAME_MS,
                    end_ms: now * FRAME_MS,
                    done: false,
                });
            }
        }
        FrameActivity {
            sound,
            speech,
            span,
        }
    }

    /// The utterance going on, if any: (start ms, end of last speech ms).
    pub fn open_utterance(&self) -> Option<Span> {
        self.utterance.map(|(s, l, _)| Span {
            start_ms: s * FRAME_MS,
            end_ms: (l + 1) * FRAME_MS,
            done: false,
        })
    }
}

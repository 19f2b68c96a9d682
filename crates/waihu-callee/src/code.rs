//! Hearing a one-time code (the `hear_code` step, persona `code-listener`).
//!
//! The robot's verification call reads the code digit by digit, each digit a
//! separate utterance ([`CODE_INTRO`], the digits, then [`CODE_REPEAT`] and the
//! digits again, [`READINGS`] times in all). The callee cuts the robot's audio into utterances by voice activity
//! and recognises each with a [`PhraseBookAsr`] over the same phrases spoken by
//! the same TTS — the speech recognition path of the conversation stack, not a
//! side channel. Digits heard between two non-digit phrases form one code,
//! logged as `code_heard`; like a person who heard it three times, a test (or
//! the demo) types the digits most often heard at each position ([`vote`]).

use std::collections::VecDeque;
use std::sync::Arc;

use waihu_speech::asr::{Asr, PhraseBookAsr};
use waihu_speech::tts::{Lang, Tts, TtsError};

/// What the robot says before the digits.
pub const CODE_INTRO: &str = "您的验证码是";
/// What the robot says before repeating the digits.
pub const CODE_REPEAT: &str = "再说一遍";
/// How many times the robot reads the code: a digit misheard in one reading
/// is outvoted by the other two.
pub const READINGS: usize = 3;
/// Longer utterances are never a single digit (espeak says one in ~400 ms).
const LONGEST_DIGIT_MS: u64 = 700;
/// Stands for a digit-sized utterance that matched no phrase.
pub const MISSED: char = '?';
/// How the robot says each digit, `0`–`9`.
pub const DIGIT_WORDS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
/// Silence the robot leaves between phrases (longer than the callee's 500 ms
/// end-of-utterance pause, so each digit is its own utterance).
pub const GAP_MS: u64 = 800;

/// The phrase book of the code call, spoken by `tts`.
pub fn code_book(tts: &dyn Tts) -> Result<PhraseBookAsr, TtsError> {
    let mut book = PhraseBookAsr::new();
    let phrases = [CODE_INTRO, CODE_REPEAT]
        .into_iter()
        .chain(DIGIT_WORDS)
        .map(|p| (p, Lang::Mandarin));
    book.add_spoken(tts, phrases)?;
    Ok(book)
}

/// The digit a recognised phrase stands for.
pub fn digit_of(text: &str) -> Option<char> {
    DIGIT_WORDS
        .iter()
        .position(|w| *w == text)
        .and_then(|i| char::from_digit(i as u32, 10))
}

/// Audio kept before the voice-activity start: the detector reports speech
/// only after some voiced frames, and the onset consonant is what tells 六
/// (liù) from 九 (jiǔ). The phrase book trims the silence again.
const PRE_ROLL_MS: u64 = 300;
/// Audio kept after the end the detector reports.
const POST_ROLL_MS: u64 = 100;

/// Frames kept for cutting utterances (15 s of 20 ms frames).
const MAX_FRAMES: usize = 750;

/// Listens for a code during one step.
pub(crate) struct CodeListener {
    book: Arc<PhraseBookAsr>,
    frames: VecDeque<(u64, Vec<i16>)>,
    current: String,
}

/// What one robot utterance was.
pub(crate) struct Heard {
    /// The recognised phrase ("" when none matched).
    pub text: String,
    /// A complete code, when this utterance ended one.
    pub code: Option<String>,
}

impl CodeListener {
    pub(crate) fn new(book: Arc<PhraseBookAsr>) -> Self {
        Self {
            book,
            frames: VecDeque::new(),
            current: String::new(),
        }
    }

    /// Keeps a received frame (media clock).
    pub(crate) fn push(&mut self, at_ms: u64, samples: &[i16]) {
        if self.frames.len() >= MAX_FRAMES {
            self.frames.pop_front();
        }
        self.frames.push_back((at_ms, samples.to_vec()));
    }

    /// Recognises the utterance `start_ms..end_ms` (media clock).
    pub(crate) fn utterance(&mut self, start_ms: u64, end_ms: u64) -> Heard {
        let audio: Vec<i16> = self
            .frames
            .iter()
            .filter(|(t, _)| *t + PRE_ROLL_MS > start_ms && *t <= end_ms + POST_ROLL_MS)
            .flat_map(|(_, s)| s.iter().copied())
            .collect();
        self.frames.retain(|(t, _)| *t > end_ms + POST_ROLL_MS);
        let text = self
            .book
            .transcribe(&audio)
            .map(|t| t.text)
            .unwrap_or_default();
        let code = match digit_of(&text) {
            Some(d) => {
                self.current.push(d);
                None
            }
            // An utterance heard but not recognised inside a reading is a digit
            // missed: keep its place so the readings stay aligned for the vote.
            // Unrecognised but as long as a phrase, not a digit: a reading's
            // boundary ("再说一遍") heard badly still ends the reading.
            None if text.is_empty() && end_ms.saturating_sub(start_ms) < LONGEST_DIGIT_MS => {
                if !self.current.is_empty() {
                    self.current.push(MISSED);
                }
                None
            }
            None => self.flush(),
        };
        Heard { text, code }
    }

    /// The digits heard since the last non-digit phrase, if any.
    pub(crate) fn flush(&mut self) -> Option<String> {
        (!self.current.is_empty()).then(|| std::mem::take(&mut self.current))
    }
}

/// The code a listener writes down from several readings: at each position the
/// digit heard most often ([`MISSED`] places do not vote) (ties go to the earliest reading). Only readings of
/// the most common length take part; `None` when nothing was heard.
pub fn vote(readings: &[String]) -> Option<String> {
    let mut lengths: Vec<usize> = readings.iter().map(|r| r.chars().count()).collect();
    lengths.sort_unstable();
    let len = lengths
        .iter()
        .copied()
        .max_by_key(|l| lengths.iter().filter(|x| *x == l).count())?;
    let same: Vec<Vec<char>> = readings
        .iter()
        .map(|r| r.chars().collect::<Vec<_>>())
        .filter(|r| r.len() == len)
        .collect();
    let code = (0..len)
        .map(|i| {
            let column: Vec<char> = same.iter().map(|r| r[i]).filter(|c| *c != MISSED).collect();
            column
                .iter()
                .copied()
                .max_by_key(|c| {
                    let count = column.iter().filter(|x| *x == c).count();
                    let first = column.iter().position(|x| x == c).unwrap_or(0);
                    (count, std::cmp::Reverse(first))
                })
                .unwrap_or(MISSED)
        })
        .collect();
    Some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_majority_digit_wins_at_each_position() {
        let r = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // Each reading misheard one digit, at different places.
        assert_eq!(
            vote(&r(&["506446", "501449", "506449"])).as_deref(),
            Some("506449")
        );
        // A reading of another length (a digit lost) does not vote.
        assert_eq!(
            vote(&r(&["50649", "506449", "506449"])).as_deref(),
            Some("506449")
        );
        assert_eq!(vote(&r(&["123456"])).as_deref(), Some("123456"));
        // Missed digits keep their place and are outvoted.
        assert_eq!(
            vote(&r(&["86?3?5", "864355", "8?4355"])).as_deref(),
            Some("864355")
        );
        assert_eq!(vote(&[]), None);
    }

    #[test]
    fn digits_map_to_their_words() {
        assert_eq!(digit_of("零"), Some('0'));
        assert_eq!(digit_of("九"), Some('9'));
        assert_eq!(digit_of(CODE_INTRO), None);
        assert_eq!(digit_of(""), None);
    }

    /// Every phrase of the code call, spoken by espeak-ng and passed through
    /// G.711, is recognised as itself (and never as another digit).
    #[test]
    fn every_digit_is_recognised_through_g711() {
        let tts = waihu_speech::tts::EspeakTts::new().expect("espeak-ng is required");
        let book = code_book(&tts).unwrap();
        for phrase in [CODE_INTRO, CODE_REPEAT].into_iter().chain(DIGIT_WORDS) {
            let pcm = tts.synthesize(phrase, Lang::Mandarin).unwrap();
            let line: Vec<i16> = pcm
                .iter()
                .map(|s| waihu_sip::g711::alaw_to_linear(waihu_sip::g711::linear_to_alaw(*s)))
                .collect();
            let heard = book.transcribe(&line).unwrap();
            assert_eq!(heard.text, phrase, "{phrase}: {:?}", book.best_match(&line));
        }
    }

    /// In the robot's prompt a digit starts wherever the previous phrase
    /// ended, not on a 20 ms frame boundary: every digit is recognised
    /// whatever its offset within a frame, after the pre-roll silence the
    /// listener keeps.
    #[test]
    fn every_digit_is_recognised_at_any_offset_within_a_frame() {
        let tts = waihu_speech::tts::EspeakTts::new().expect("espeak-ng is required");
        let book = code_book(&tts).unwrap();
        let mut wrong = Vec::new();
        for phrase in DIGIT_WORDS {
            let pcm = tts.synthesize(phrase, Lang::Mandarin).unwrap();
            for offset in (0..160).step_by(20) {
                let mut line = vec![0i16; 2400 + offset];
                line.extend(
                    pcm.iter().map(|s| {
                        waihu_sip::g711::alaw_to_linear(waihu_sip::g711::linear_to_alaw(*s))
                    }),
                );
                line.extend([0i16; 800]);
                let heard = book.transcribe(&line).unwrap();
                if heard.text != phrase {
                    wrong.push(format!("{phrase}+{offset}: {:?}", book.best_match(&line)));
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }
}

//! What a call leaves behind: the telephony report plus, for an answered
//! call, the conversation — transcript of both sides, path, intents,
//! outcome, grade, opt-out, recording state and per-turn timings. Times are
//! milliseconds since the call was answered.

use serde::Serialize;
use waihu_sip::CallReport;

/// The whole record of one call attempt.
#[derive(Debug, Clone)]
pub struct CallRecord {
    /// Telephony: outcome code, SIP status, setup time, RTP counters.
    pub report: CallReport,
    /// The conversation, if the call was answered.
    pub conversation: Option<ConversationRecord>,
}

/// Who spoke a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    /// The robot (text of the prompt it played).
    Robot,
    /// The callee (text as recognised).
    Callee,
}

/// One line of the transcript.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TranscriptLine {
    /// Who spoke.
    pub speaker: Speaker,
    /// What was said; `None` for the callee once recording was refused
    /// (the words are neither kept nor stored).
    pub text: Option<String>,
    /// Start, ms since answer.
    pub start_ms: u64,
    /// End, ms since answer (for the robot: when its playback ended).
    pub end_ms: u64,
    /// Robot: the prompt was cut short by barge-in (or the call ended).
    pub interrupted: bool,
    /// Robot: this is the disclosure.
    pub disclosure: bool,
    /// Callee: recognition confidence 0..1.
    pub confidence: Option<f32>,
    /// Callee: the key pressed, for a DTMF turn.
    pub dtmf: Option<char>,
}

/// Timings of one callee turn, ms. All are measured on the robot's side;
/// the callee-side figure (speech end → first robot audio heard) is what
/// `waihu bench conversation` reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TurnTimings {
    /// End of the callee's speech (last voiced frame), ms since answer.
    pub speech_end_ms: Option<u64>,
    /// End-pointing: speech end → the utterance was declared over.
    pub endpoint_ms: Option<u64>,
    /// Waiting for an ASR worker.
    pub asr_queue_ms: Option<u64>,
    /// Recognition itself.
    pub asr_ms: Option<u64>,
    /// Intent recognition and the interpreter step.
    pub dialog_ms: Option<u64>,
    /// Preparing and queueing the first robot audio (TTS or cache).
    pub playback_ms: Option<u64>,
    /// The answer was given on a speculative recognition (adaptive
    /// end-pointing) before the full end-of-utterance pause.
    pub speculative: bool,
}

/// One callee turn and the robot's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Turn {
    /// What the callee said (`None`: silence, DTMF, or recording refused).
    pub callee: Option<String>,
    /// The key pressed, for a DTMF turn.
    pub dtmf: Option<char>,
    /// The intent label the interpreter recorded for the turn.
    pub intent: String,
    /// The other intents heard in the same words (`complaint` when the turn is
    /// an `opt_out` said with a complaint); omitted when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
    /// What the robot answered (its prompts joined), if anything.
    pub robot: Option<String>,
    /// End of callee speech (or the key, or the timeout) → first robot
    /// audio queued, ms.
    pub latency_ms: Option<u64>,
    /// The parts of the latency.
    pub timings: TurnTimings,
}

/// The conversation of an answered call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConversationRecord {
    /// Both sides, in time order.
    pub transcript: Vec<TranscriptLine>,
    /// Every script node entered, repeats included.
    pub path: Vec<String>,
    /// One intent label per callee turn.
    pub intents: Vec<String>,
    /// The script's end tag (`booked`, `opt_out`, `hangup` if the callee hung up…).
    pub script_outcome: String,
    /// `A`..`F`.
    pub grade: char,
    /// Why that grade.
    pub grade_reason: String,
    /// Tags the script set.
    pub tags: Vec<String>,
    /// The opt-out reason, if the callee opted out.
    pub opt_out: Option<String>,
    /// When the opt-out sink acknowledged, ms since answer.
    pub opt_out_ack_ms: Option<u64>,
    /// The sink's error, if it failed twice (the call still ended).
    pub opt_out_error: Option<String>,
    /// The callee objected to recording: the callee's channel of the
    /// recording is silent and their words are not kept from then on.
    pub recording_stopped: bool,
    /// When recording of the callee stopped, ms since answer.
    pub recording_stopped_ms: Option<u64>,
    /// When the disclosure started playing, ms since answer.
    pub disclosure_at_ms: Option<u64>,
    /// Whether the disclosure played to its end.
    pub disclosure_complete: bool,
    /// Callee turns.
    pub turns: u32,
    /// Per-turn log.
    pub turn_log: Vec<Turn>,
    /// Prompts stopped by barge-in.
    pub barge_ins: u32,
    /// Who ended the call: `robot`, `callee`, `max_duration`, `rtp_timeout`.
    pub ended_by: String,
    /// When the robot sent its BYE, ms since answer (if it hung up).
    pub hangup_ms: Option<u64>,
    /// Problems that did not end the call (TTS or ASR failures).
    pub errors: Vec<String>,
}

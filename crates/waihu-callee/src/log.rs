//! Per-call log of what the callee heard and did, with times in
//! milliseconds since the INVITE arrived. Written as one JSON object per
//! call (JSON Lines) so tests and benchmarks can compute response latency
//! from the callee's side: `robot_speech_start` after a `say_end`.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

/// One logged event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEvent {
    /// Milliseconds since the INVITE arrived.
    pub t_ms: u64,
    /// What happened.
    #[serde(flatten)]
    pub kind: LogKind,
}

/// Kinds of events.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum LogKind {
    /// 180 sent.
    Ringing,
    /// 183 sent; early-media announcement started.
    EarlyMedia,
    /// Final error response sent.
    Rejected {
        /// Status code.
        status: u16,
    },
    /// The caller cancelled while we rang.
    Cancelled,
    /// 200 sent.
    Answered,
    /// The robot started speaking (voice activity on received audio).
    RobotSpeechStart {
        /// Start of the speech on the call clock.
        at_ms: u64,
    },
    /// The robot stopped speaking.
    RobotSpeechEnd {
        /// Start of the utterance.
        start_ms: u64,
        /// End of the utterance.
        end_ms: u64,
    },
    /// A DTMF digit from the robot.
    DtmfHeard {
        /// The digit.
        digit: char,
    },
    /// A robot utterance recognised while hearing a code (`hear_code`):
    /// the phrase, or "" when it matched none.
    RobotSaid {
        /// The recognised phrase.
        text: String,
    },
    /// A complete one-time code heard (the digits between two non-digit phrases).
    CodeHeard {
        /// The digits.
        code: String,
    },
    /// We started speaking a reply.
    SayStart {
        /// Text (or WAV path) of the reply.
        what: String,
        /// Whether this interrupts the robot.
        barge_in: bool,
    },
    /// Our reply finished playing.
    SayEnd,
    /// We pressed keys.
    DtmfSent {
        /// The digits.
        digits: String,
    },
    /// We hung up.
    HangupSent,
    /// The call is over.
    Ended {
        /// Who ended it: local, remote, max_duration, rtp_timeout.
        by: String,
        /// RTP packets the callee sent.
        rtp_sent: u64,
        /// RTP packets the callee received from the robot.
        rtp_received: u64,
        /// Robot packets lost on the way.
        rtp_lost: u64,
    },
}

/// Everything about one call.
#[derive(Debug, Clone, Serialize)]
pub struct CallLog {
    /// SIP Call-ID.
    pub call_id: String,
    /// Caller number.
    pub from: String,
    /// Called number.
    pub to: String,
    /// Events in time order.
    pub events: Vec<LogEvent>,
}

impl CallLog {
    /// Robot response latencies: for each of our replies, the time from its
    /// end to the robot's next speech start (ms).
    pub fn response_latencies_ms(&self) -> Vec<u64> {
        let mut out = Vec::new();
        let mut said_end: Option<u64> = None;
        for e in &self.events {
            match &e.kind {
                LogKind::SayEnd => said_end = Some(e.t_ms),
                LogKind::RobotSpeechStart { at_ms } => {
                    if let Some(end) = said_end.take() {
                        out.push(at_ms.saturating_sub(end));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Whether an event of this kind was logged.
    pub fn has(&self, pred: impl Fn(&LogKind) -> bool) -> bool {
        self.events.iter().any(|e| pred(&e.kind))
    }

    /// The codes heard on this call (`hear_code`), in order.
    pub fn codes_heard(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match &e.kind {
                LogKind::CodeHeard { code } => Some(code.clone()),
                _ => None,
            })
            .collect()
    }

    /// Append this log as one JSON line.
    pub fn append_to(&self, path: &Path) -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        let line = serde_json::to_string(self).map_err(std::io::Error::other)?;
        writeln!(f, "{line}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_pairs_say_end_with_next_robot_start() {
        let ev = |t_ms, kind| LogEvent { t_ms, kind };
        let log = CallLog {
            call_id: "c".into(),
            from: "1".into(),
            to: "2".into(),
            events: vec![
                ev(100, LogKind::RobotSpeechStart { at_ms: 100 }),
                ev(900, LogKind::SayEnd),
                ev(1500, LogKind::RobotSpeechStart { at_ms: 1400 }),
                ev(3000, LogKind::SayEnd),
            ],
        };
        assert_eq!(log.response_latencies_ms(), vec![500]);
        let json = serde_json::to_string(&log.events[0]).unwrap();
        assert_eq!(
            json,
            r#"{"t_ms":100,"event":"robot_speech_start","at_ms":100}"#
        );
    }
}

//! Call outcomes: the stable codes every call attempt ends with, and the
//! report (status, Q.850 reason, timings, RTP figures) that goes with them.
//!
//! The codes are part of waihu's public contract (records, UI, retry
//! policies, `waihu call --json`); see docs/telephony.md. They live in the
//! one catalogue, [`waihu_core::CallOutcome`]; [`Outcome`] is the telephony
//! subset a dial can end with and maps into it here, in one place.

use crate::rtp::RtpStats;
use waihu_core::CallOutcome;

/// How a call attempt ended, from the dialer's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The callee answered (2xx); the call may have ended any way after that.
    Answered,
    /// 486 Busy Here or 600 Busy Everywhere.
    Busy,
    /// Ring timeout (our CANCEL, their 487), or 408 Request Timeout.
    NoAnswer,
    /// 603 Decline or 403 Forbidden.
    Rejected,
    /// 404, 484, 410, 604: the number does not exist.
    InvalidNumber,
    /// 480 Temporarily Unavailable (phone off, out of coverage).
    Unavailable,
    /// No response at all within our timer, or a transport error.
    Unreachable,
    /// Our credentials were refused (challenged again after answering it, or
    /// challenged with no credentials configured).
    AuthFailed,
    /// Any other 4xx–6xx final response.
    Failed,
}

impl Outcome {
    /// All outcomes, in documentation order.
    pub const ALL: [Outcome; 9] = [
        Outcome::Answered,
        Outcome::Busy,
        Outcome::NoAnswer,
        Outcome::Rejected,
        Outcome::InvalidNumber,
        Outcome::Unavailable,
        Outcome::Unreachable,
        Outcome::AuthFailed,
        Outcome::Failed,
    ];

    /// The code in the catalogue every call record uses.
    pub fn call_outcome(self) -> CallOutcome {
        match self {
            Outcome::Answered => CallOutcome::Answered,
            Outcome::Busy => CallOutcome::Busy,
            Outcome::NoAnswer => CallOutcome::NoAnswer,
            Outcome::Rejected => CallOutcome::Rejected,
            Outcome::InvalidNumber => CallOutcome::InvalidNumber,
            Outcome::Unavailable => CallOutcome::Unavailable,
            Outcome::Unreachable => CallOutcome::Unreachable,
            Outcome::AuthFailed => CallOutcome::AuthFailed,
            Outcome::Failed => CallOutcome::Failed,
        }
    }

    /// The stable snake_case code (the catalogue's).
    pub fn code(self) -> &'static str {
        self.call_outcome().as_str()
    }

    /// Parse a code produced by [`Outcome::code`]; `None` for any other text,
    /// including the catalogue's non-telephony codes (`refused`, `interrupted`).
    pub fn from_code(code: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.code() == code)
    }

    /// Classify a final SIP status of an INVITE. `cancelled_by_us` tells a
    /// 487 that answers our own CANCEL (no answer) from any other 487.
    pub fn from_final_status(status: u16, cancelled_by_us: bool) -> Outcome {
        match status {
            200..=299 => Outcome::Answered,
            486 | 600 => Outcome::Busy,
            408 => Outcome::NoAnswer,
            487 if cancelled_by_us => Outcome::NoAnswer,
            603 | 403 => Outcome::Rejected,
            404 | 484 | 410 | 604 => Outcome::InvalidNumber,
            480 => Outcome::Unavailable,
            401 | 407 => Outcome::AuthFailed,
            _ => Outcome::Failed,
        }
    }
}

impl From<Outcome> for CallOutcome {
    fn from(o: Outcome) -> CallOutcome {
        o.call_outcome()
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A Reason header (RFC 3326), typically `Q.850;cause=17;text="User busy"`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reason {
    /// The Q.850 cause value, when the protocol is Q.850.
    pub q850: Option<u16>,
    /// The `text` parameter, without quotes.
    pub text: Option<String>,
}

impl Reason {
    /// Parse a Reason header value. Returns `None` when it carries neither a
    /// Q.850 cause nor a text.
    pub fn parse(value: &str) -> Option<Reason> {
        let mut parts = value.split(';');
        let protocol = parts.next()?.trim();
        let mut reason = Reason::default();
        for part in parts {
            let Some((k, v)) = part.split_once('=') else {
                continue;
            };
            match k.trim().to_ascii_lowercase().as_str() {
                "cause" if protocol.eq_ignore_ascii_case("Q.850") => {
                    reason.q850 = v.trim().parse().ok();
                }
                "text" => reason.text = Some(v.trim().trim_matches('"').to_string()),
                _ => {}
            }
        }
        (reason.q850.is_some() || reason.text.is_some()).then_some(reason)
    }

    /// Find and parse the Reason header in raw header lines (`Name: value`).
    pub fn from_header_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> Option<Reason> {
        lines.into_iter().find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("Reason")
                .then(|| Reason::parse(value.trim()))
                .flatten()
        })
    }
}

/// Everything known about a finished call attempt.
#[derive(Debug, Clone)]
pub struct CallReport {
    /// The stable outcome.
    pub outcome: Outcome,
    /// The final SIP status of the INVITE, `None` when none arrived.
    pub sip_status: Option<u16>,
    /// The Reason header of the final response or of the BYE, if any.
    pub reason: Option<Reason>,
    /// INVITE sent → final response, when one arrived.
    pub setup_ms: Option<u64>,
    /// Answer → end; 0 when not answered.
    pub duration_ms: u64,
    /// RTP counters at the end of the call.
    pub rtp: RtpStats,
    /// DTMF digits received, in order.
    pub dtmf: String,
    /// Who or what ended an answered call.
    pub ended_by: Option<EndedBy>,
}

/// Why an answered call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndedBy {
    /// We sent BYE (script end, prompt finished, operator).
    Local,
    /// The callee sent BYE.
    Remote,
    /// Our maximum call duration passed.
    MaxDuration,
    /// No RTP arrived for the inactivity timeout.
    RtpTimeout,
}

impl EndedBy {
    /// Stable code for logs and JSON.
    pub fn code(self) -> &'static str {
        match self {
            EndedBy::Local => "local",
            EndedBy::Remote => "remote",
            EndedBy::MaxDuration => "max_duration",
            EndedBy::RtpTimeout => "rtp_timeout",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_table() {
        let table = [
            (200, false, Outcome::Answered),
            (486, false, Outcome::Busy),
            (600, false, Outcome::Busy),
            (408, false, Outcome::NoAnswer),
            (487, true, Outcome::NoAnswer),
            (487, false, Outcome::Failed),
            (603, false, Outcome::Rejected),
            (403, false, Outcome::Rejected),
            (404, false, Outcome::InvalidNumber),
            (484, false, Outcome::InvalidNumber),
            (410, false, Outcome::InvalidNumber),
            (604, false, Outcome::InvalidNumber),
            (480, false, Outcome::Unavailable),
            (401, false, Outcome::AuthFailed),
            (500, false, Outcome::Failed),
            (503, false, Outcome::Failed),
        ];
        for (status, cancelled, want) in table {
            assert_eq!(
                Outcome::from_final_status(status, cancelled),
                want,
                "{status}"
            );
        }
    }

    #[test]
    fn codes_roundtrip() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_code(o.code()), Some(o));
        }
        assert_eq!(Outcome::from_code("nope"), None);
        assert_eq!(Outcome::from_code("refused"), None);
    }

    #[test]
    fn telephony_codes_are_the_catalogue_prefix() {
        let mapped: Vec<CallOutcome> = Outcome::ALL.into_iter().map(CallOutcome::from).collect();
        assert_eq!(mapped, CallOutcome::ALL[..Outcome::ALL.len()]);
    }

    #[test]
    fn reason_header() {
        let r = Reason::parse("Q.850;cause=17;text=\"User busy\"").unwrap();
        assert_eq!(r.q850, Some(17));
        assert_eq!(r.text.as_deref(), Some("User busy"));
        let r =
            Reason::from_header_lines(["Via: x", "reason: SIP;cause=200;text=\"Call completed\""])
                .unwrap();
        assert_eq!(r.q850, None);
        assert_eq!(r.text.as_deref(), Some("Call completed"));
        assert_eq!(Reason::parse("Q.850"), None);
    }
}

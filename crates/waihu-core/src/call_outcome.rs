//! The one catalogue of call outcome codes: every code a call record can carry,
//! whether it came from the telephony layer (`waihu_sip::Outcome` maps into it),
//! from the compliance gate (`refused`) or from reconciling a crashed call
//! (`interrupted`).
//!
//! The codes are a public contract (stored call records, retry policies, JSON,
//! CSV, API and CLI output); docs/telephony.md lists them. Never rename one.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How a call record ended.
/// Serialized as its code (serde's snake_case of the variant is the code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
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
    /// Our trunk credentials were refused.
    AuthFailed,
    /// Any other 4xx–6xx final response, or a dial that could not be placed.
    Failed,
    /// The compliance gate refused the call: no dial happened.
    Refused,
    /// The process died while the call was in flight; a restarted worker
    /// closed the record with this code.
    Interrupted,
}

/// What reports show in the outcome column for a call that has no outcome yet:
/// the state of its record (`in_flight`).
pub const IN_FLIGHT: &str = "in_flight";

impl CallOutcome {
    /// Every code, in documentation order (the telephony codes first).
    pub const ALL: [CallOutcome; 11] = [
        CallOutcome::Answered,
        CallOutcome::Busy,
        CallOutcome::NoAnswer,
        CallOutcome::Rejected,
        CallOutcome::InvalidNumber,
        CallOutcome::Unavailable,
        CallOutcome::Unreachable,
        CallOutcome::AuthFailed,
        CallOutcome::Failed,
        CallOutcome::Refused,
        CallOutcome::Interrupted,
    ];

    /// The stable snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::Answered => "answered",
            CallOutcome::Busy => "busy",
            CallOutcome::NoAnswer => "no_answer",
            CallOutcome::Rejected => "rejected",
            CallOutcome::InvalidNumber => "invalid_number",
            CallOutcome::Unavailable => "unavailable",
            CallOutcome::Unreachable => "unreachable",
            CallOutcome::AuthFailed => "auth_failed",
            CallOutcome::Failed => "failed",
            CallOutcome::Refused => "refused",
            CallOutcome::Interrupted => "interrupted",
        }
    }

    /// Whether the callee answered. A record may also count as answered by its
    /// answer time; this is the code's own meaning.
    pub fn is_answered(self) -> bool {
        self == CallOutcome::Answered
    }

    /// Whether a retry policy may name this outcome (and the default policy
    /// retries it): nobody was reached and trying later may reach them. An
    /// answer, a decline, a number that does not exist and a gate refusal
    /// (the gate schedules its own retries) are final.
    pub fn is_retryable(self) -> bool {
        match self {
            CallOutcome::Busy
            | CallOutcome::NoAnswer
            | CallOutcome::Unavailable
            | CallOutcome::Unreachable
            | CallOutcome::AuthFailed
            | CallOutcome::Failed
            | CallOutcome::Interrupted => true,
            CallOutcome::Answered
            | CallOutcome::Rejected
            | CallOutcome::InvalidNumber
            | CallOutcome::Refused => false,
        }
    }

    /// The outcomes a retry policy may name, in documentation order.
    pub fn retryable() -> impl Iterator<Item = CallOutcome> {
        CallOutcome::ALL.into_iter().filter(|o| o.is_retryable())
    }

    /// Whether a record with this (optional) stored code is `self`. Records in
    /// flight have no code.
    pub fn is(self, stored: Option<&str>) -> bool {
        stored == Some(self.as_str())
    }
}

impl fmt::Display for CallOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not a call outcome code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown call outcome {0:?}")]
pub struct UnknownCallOutcome(pub String);

impl FromStr for CallOutcome {
    type Err = UnknownCallOutcome;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CallOutcome::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| UnknownCallOutcome(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_stored_contract() {
        let codes: Vec<&str> = CallOutcome::ALL.iter().map(|o| o.as_str()).collect();
        assert_eq!(
            codes,
            [
                "answered",
                "busy",
                "no_answer",
                "rejected",
                "invalid_number",
                "unavailable",
                "unreachable",
                "auth_failed",
                "failed",
                "refused",
                "interrupted",
            ]
        );
        assert_eq!(IN_FLIGHT, "in_flight");
    }

    #[test]
    fn codes_round_trip_and_unknown_is_typed() {
        for o in CallOutcome::ALL {
            assert_eq!(o.as_str().parse::<CallOutcome>(), Ok(o));
            assert_eq!(o.to_string(), o.as_str());
            let json = serde_json::to_string(&o).unwrap();
            assert_eq!(json, format!("\"{}\"", o.as_str()));
            assert_eq!(serde_json::from_str::<CallOutcome>(&json).unwrap(), o);
        }
        assert_eq!(
            "in_flight".parse::<CallOutcome>(),
            Err(UnknownCallOutcome("in_flight".into()))
        );
        assert_eq!(
            "Busy".parse::<CallOutcome>(),
            Err(UnknownCallOutcome("Busy".into()))
        );
    }

    #[test]
    fn answered_and_retryable() {
        let answered: Vec<_> = CallOutcome::ALL
            .into_iter()
            .filter(|o| o.is_answered())
            .collect();
        assert_eq!(answered, [CallOutcome::Answered]);
        let retryable: Vec<&str> = CallOutcome::retryable().map(CallOutcome::as_str).collect();
        assert_eq!(
            retryable,
            [
                "busy",
                "no_answer",
                "unavailable",
                "unreachable",
                "auth_failed",
                "failed",
                "interrupted",
            ]
        );
    }

    #[test]
    fn matches_a_stored_code() {
        assert!(CallOutcome::Refused.is(Some("refused")));
        assert!(!CallOutcome::Refused.is(Some("answered")));
        assert!(!CallOutcome::Refused.is(None));
    }
}

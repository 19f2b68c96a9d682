//! Retry policy: after which call outcomes a contact is tried again, how long
//! after, and how many attempts at most. Pure: `decide` takes the attempt count
//! and the time.

use crate::delay::Delay;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use waihu_core::CallOutcome;

/// What happens to a contact after an attempt (or a refusal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Try again at this instant; the outcome that led here.
    RetryAt(DateTime<Utc>, String),
    /// No more attempts; why.
    Done(String),
}

/// A task's retry policy. Outcomes are the codes of the call-outcome catalogue
/// ([`CallOutcome`]) that [`CallOutcome::is_retryable`] allows: `busy`,
/// `no_answer`, …, `interrupted` (the process died mid-call). An outcome
/// without an entry is final: `answered`, `rejected` and `invalid_number` are
/// never retried. The keys stay strings so that a stored policy keeps its JSON
/// byte for byte and an unknown code is reported by `validate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// Attempts per contact, the first included (1 = no retries).
    pub max_attempts: u32,
    /// Delay before the next attempt, per outcome.
    pub after: BTreeMap<String, Delay>,
}

/// The outcome codes a retry policy may name, comma-separated (for messages).
fn retryable_list() -> String {
    CallOutcome::retryable()
        .map(CallOutcome::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A retry policy that does not make sense.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidRetry {
    /// Zero attempts.
    #[error("max_attempts must be at least 1")]
    NoAttempts,
    /// Too many attempts (the compliance caps bound them anyway; this catches typos).
    #[error("max_attempts {0} is more than 10")]
    TooMany(u32),
    /// An outcome that is never retried or does not exist.
    #[error("cannot retry after {0:?}: retryable outcomes are {list}", list = retryable_list())]
    Outcome(String),
    /// A zero delay would redial at once.
    #[error("the delay after {0:?} must be at least one minute")]
    TooShort(String),
}

impl Default for RetryPolicy {
    /// Busy → 30 min, no answer → 2 h, unavailable → 1 h, network trouble → 30 min,
    /// a call cut by a crash → 1 h; at most 3 attempts.
    fn default() -> Self {
        let after = CallOutcome::retryable()
            .map(|o| (o.as_str().to_string(), default_delay(o)))
            .collect();
        RetryPolicy {
            max_attempts: 3,
            after,
        }
    }
}

/// The default policy's delay after a retryable outcome.
fn default_delay(outcome: CallOutcome) -> Delay {
    match outcome {
        CallOutcome::NoAnswer => Delay::from_mins(120),
        CallOutcome::Unavailable | CallOutcome::Interrupted => Delay::from_mins(60),
        _ => Delay::from_mins(30),
    }
}

impl RetryPolicy {
    /// Checks the policy; `min_delay` is the shortest delay allowed (one minute
    /// in production, shorter for the demo).
    pub fn validate(&self, min_delay: Delay) -> Result<(), InvalidRetry> {
        if self.max_attempts == 0 {
            return Err(InvalidRetry::NoAttempts);
        }
        if self.max_attempts > 10 {
            return Err(InvalidRetry::TooMany(self.max_attempts));
        }
        for (outcome, delay) in &self.after {
            let retryable = outcome
                .parse::<CallOutcome>()
                .is_ok_and(CallOutcome::is_retryable);
            if !retryable {
                return Err(InvalidRetry::Outcome(outcome.clone()));
            }
            if *delay < min_delay {
                return Err(InvalidRetry::TooShort(outcome.clone()));
            }
        }
        Ok(())
    }

    /// What follows an attempt that ended with `outcome`, the contact having
    /// had `attempts` attempts including this one.
    pub fn decide(&self, outcome: CallOutcome, attempts: u32, now: DateTime<Utc>) -> Next {
        match self.after.get(outcome.as_str()) {
            None => Next::Done(outcome.to_string()),
            Some(_) if attempts >= self.max_attempts => {
                Next::Done(format!("{outcome} (max attempts)"))
            }
            Some(delay) => Next::RetryAt(now + delay.to_chrono(), outcome.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0).unwrap()
    }

    #[test]
    fn default_policy_table() {
        let p = RetryPolicy::default();
        let m = chrono::Duration::minutes;
        let table: [(&str, u32, Next); 8] = [
            ("busy", 1, Next::RetryAt(t0() + m(30), "busy".into())),
            (
                "no_answer",
                1,
                Next::RetryAt(t0() + m(120), "no_answer".into()),
            ),
            (
                "no_answer",
                2,
                Next::RetryAt(t0() + m(120), "no_answer".into()),
            ),
            (
                "no_answer",
                3,
                Next::Done("no_answer (max attempts)".into()),
            ),
            (
                "interrupted",
                1,
                Next::RetryAt(t0() + m(60), "interrupted".into()),
            ),
            ("answered", 1, Next::Done("answered".into())),
            ("rejected", 1, Next::Done("rejected".into())),
            ("invalid_number", 1, Next::Done("invalid_number".into())),
        ];
        for (outcome, attempts, want) in table {
            assert_eq!(
                p.decide(outcome.parse().unwrap(), attempts, t0()),
                want,
                "{outcome} #{attempts}"
            );
        }
    }

    #[test]
    fn default_policy_json_is_unchanged() {
        assert_eq!(
            serde_json::to_string(&RetryPolicy::default()).unwrap(),
            r#"{"max_attempts":3,"after":{"auth_failed":"30m","busy":"30m","failed":"30m","interrupted":"1h","no_answer":"2h","unavailable":"1h","unreachable":"30m"}}"#
        );
        assert_eq!(
            InvalidRetry::Outcome("refused".into()).to_string(),
            "cannot retry after \"refused\": retryable outcomes are busy, no_answer, \
             unavailable, unreachable, auth_failed, failed, interrupted"
        );
    }

    #[test]
    fn json_form_and_validation() {
        let p: RetryPolicy =
            serde_json::from_str(r#"{"max_attempts":2,"after":{"busy":"10m"}}"#).unwrap();
        assert_eq!(p.max_attempts, 2);
        assert!(p.validate(Delay::from_mins(1)).is_ok());
        assert_eq!(
            p.validate(Delay::from_mins(15)),
            Err(InvalidRetry::TooShort("busy".into()))
        );
        let bad: RetryPolicy =
            serde_json::from_str(r#"{"max_attempts":2,"after":{"answered":"10m"}}"#).unwrap();
        assert!(matches!(
            bad.validate(Delay::from_mins(1)),
            Err(InvalidRetry::Outcome(o)) if o == "answered"
        ));
        let zero = RetryPolicy {
            max_attempts: 0,
            after: BTreeMap::new(),
        };
        assert_eq!(
            zero.validate(Delay::from_secs(0)),
            Err(InvalidRetry::NoAttempts)
        );
        assert!(
            serde_json::from_str::<RetryPolicy>(r#"{"max_attempts":2,"after":{"busy":"10"}}"#)
                .unwrap_err()
                .to_string()
                .contains("the number has no unit")
        );
    }
}

//! When to try a failed delivery again, and when to give up and put it on the
//! tenant's dead-letter list. Pure: attempts and now in, the next time out.

use crate::error::{PushError, Retry};
use chrono::{DateTime, Duration, Utc};

/// The retry schedule of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backoff {
    delays: Vec<Duration>,
    max_attempts: u32,
}

/// A schedule that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackoffError {
    /// No delays given.
    #[error("the retry schedule needs at least one delay")]
    NoDelays,
    /// A delay of zero or less.
    #[error("retry delay #{index} must be positive")]
    NonPositiveDelay {
        /// 1-based position in the list.
        index: usize,
    },
    /// `max_attempts` is zero.
    #[error("max attempts must be at least 1")]
    NoAttempts,
}

impl Default for Backoff {
    /// 30 s, 2 min, 10 min, 1 h, 6 h: six attempts over about seven hours, so a
    /// robot down for the night is reached in the morning's first hours without
    /// hammering it (robots allow 20 messages a minute).
    fn default() -> Self {
        Self {
            delays: [30, 120, 600, 3_600, 21_600]
                .into_iter()
                .map(Duration::seconds)
                .collect(),
            max_attempts: 6,
        }
    }
}

impl Backoff {
    /// A schedule: after the n-th failed attempt wait `delays[n-1]` (the last
    /// delay repeats), and stop after `max_attempts` attempts in all.
    pub fn new(delays: Vec<Duration>, max_attempts: u32) -> Result<Self, BackoffError> {
        if delays.is_empty() {
            return Err(BackoffError::NoDelays);
        }
        if let Some(i) = delays.iter().position(|d| *d <= Duration::zero()) {
            return Err(BackoffError::NonPositiveDelay { index: i + 1 });
        }
        if max_attempts == 0 {
            return Err(BackoffError::NoAttempts);
        }
        Ok(Self {
            delays,
            max_attempts,
        })
    }

    /// The same from delays in seconds (for configuration files).
    pub fn from_secs(delays: &[i64], max_attempts: u32) -> Result<Self, BackoffError> {
        Self::new(
            delays.iter().map(|s| Duration::seconds(*s)).collect(),
            max_attempts,
        )
    }

    /// Attempts in all before a delivery is dead.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// When to try again after `attempts` attempts have failed (the one that
    /// just failed included), or `None` when the delivery is dead.
    pub fn next_attempt(&self, attempts: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if attempts == 0 {
            return Some(now);
        }
        if attempts >= self.max_attempts {
            return None;
        }
        let index = (attempts as usize - 1).min(self.delays.len() - 1);
        now.checked_add_signed(self.delays[index])
    }

    /// What to do after attempt number `attempts` failed with `error`: retry at a
    /// time, or dead-letter now (permanent error, or attempts used up).
    pub fn after_failure(
        &self,
        attempts: u32,
        error: &PushError,
        now: DateTime<Utc>,
    ) -> AfterFailure {
        if error.retry() == Retry::Never {
            return AfterFailure::Dead {
                reason: DeadReason::Permanent,
            };
        }
        match self.next_attempt(attempts, now) {
            Some(at) => AfterFailure::RetryAt(at),
            None => AfterFailure::Dead {
                reason: DeadReason::AttemptsExhausted,
            },
        }
    }
}

/// The decision after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Try again at this time.
    RetryAt(DateTime<Utc>),
    /// Stop and put the delivery on the tenant's dead-letter list.
    Dead {
        /// Why it stopped.
        reason: DeadReason,
    },
}

/// Why a delivery went to the dead-letter list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadReason {
    /// The receiver refused in a way retrying cannot fix (4xx, bad signature,
    /// invalid target): the tenant must fix the target, then re-queue.
    Permanent,
    /// Every attempt of the schedule failed with a passing error.
    AttemptsExhausted,
}

impl DeadReason {
    /// Stable name for the database and the dead-letter list.
    pub fn as_str(self) -> &'static str {
        match self {
            DeadReason::Permanent => "permanent",
            DeadReason::AttemptsExhausted => "attempts_exhausted",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::PushKind;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 6, 0, 0).unwrap()
    }

    #[test]
    fn default_schedule_table() {
        let b = Backoff::default();
        let cases = [
            (0, Some(0)),
            (1, Some(30)),
            (2, Some(120)),
            (3, Some(600)),
            (4, Some(3_600)),
            (5, Some(21_600)),
            (6, None),
            (7, None),
            (u32::MAX, None),
        ];
        for (attempts, want) in cases {
            let want = want.map(|s| t0() + Duration::seconds(s));
            assert_eq!(
                b.next_attempt(attempts, t0()),
                want,
                "after {attempts} attempts"
            );
        }
    }

    #[test]
    fn last_delay_repeats_when_attempts_outnumber_delays() {
        let b = Backoff::from_secs(&[10, 60], 5).unwrap();
        let cases = [
            (1, Some(10)),
            (2, Some(60)),
            (3, Some(60)),
            (4, Some(60)),
            (5, None),
        ];
        for (attempts, want) in cases {
            let want = want.map(|s| t0() + Duration::seconds(s));
            assert_eq!(
                b.next_attempt(attempts, t0()),
                want,
                "after {attempts} attempts"
            );
        }
    }

    #[test]
    fn single_attempt_schedule_never_retries() {
        let b = Backoff::from_secs(&[10], 1).unwrap();
        assert_eq!(b.next_attempt(1, t0()), None);
    }

    #[test]
    fn bad_schedules_are_refused() {
        assert_eq!(Backoff::from_secs(&[], 3), Err(BackoffError::NoDelays));
        assert_eq!(
            Backoff::from_secs(&[10, 0], 3),
            Err(BackoffError::NonPositiveDelay { index: 2 })
        );
        assert_eq!(Backoff::from_secs(&[10], 0), Err(BackoffError::NoAttempts));
    }

    #[test]
    fn after_failure_decisions() {
        let b = Backoff::default();
        let busy = PushError::HttpStatus {
            kind: PushKind::WeCom,
            status: 503,
        };
        let refused = PushError::Refused {
            kind: PushKind::DingTalk,
            code: 310000,
            message: "sign not match".into(),
        };
        assert_eq!(
            b.after_failure(1, &busy, t0()),
            AfterFailure::RetryAt(t0() + Duration::seconds(30))
        );
        assert_eq!(
            b.after_failure(6, &busy, t0()),
            AfterFailure::Dead {
                reason: DeadReason::AttemptsExhausted
            }
        );
        assert_eq!(
            b.after_failure(1, &refused, t0()),
            AfterFailure::Dead {
                reason: DeadReason::Permanent
            }
        );
    }
}

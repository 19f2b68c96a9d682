//! The task settings the scheduler owns, validated before a task is stored:
//! calling windows (callee-local), robot lines against the tenant's quota,
//! attempt rate, retry policy and the lead threshold.

use crate::delay::Delay;
use crate::retry::{InvalidRetry, RetryPolicy};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use waihu_compliance::WeeklyWindows;

/// Calls graded at or above this letter become leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeadThreshold(char);

impl LeadThreshold {
    /// Whether a call graded `grade` (`A`..`F`) is a lead.
    pub fn admits(self, grade: &str) -> bool {
        match grade.chars().next() {
            Some(g) if grade.len() == 1 && ('A'..='F').contains(&g) => g <= self.0,
            _ => false,
        }
    }

    /// The letter.
    pub fn letter(self) -> char {
        self.0
    }
}

impl Default for LeadThreshold {
    fn default() -> Self {
        LeadThreshold('B')
    }
}

impl FromStr for LeadThreshold {
    type Err = InvalidSettings;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            g @ ("A" | "B" | "C" | "D" | "E" | "F") => Ok(LeadThreshold(g.as_bytes()[0] as char)),
            _ => Err(InvalidSettings::Grade(s.to_string())),
        }
    }
}

impl fmt::Display for LeadThreshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Settings that are wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InvalidSettings {
    /// Zero lines.
    #[error("a task needs at least one robot line")]
    NoLines,
    /// More lines than the tenant may use.
    #[error(
        "{lines} robot lines is more than the tenant's quota of {quota} (set by the operator)"
    )]
    OverQuota {
        /// Asked.
        lines: u32,
        /// Allowed.
        quota: u32,
    },
    /// A rate that is not positive.
    #[error("the attempt rate must be a positive number of calls per second, not {0}")]
    Rate(f64),
    /// Not a grade letter.
    #[error("{0:?} is not a grade: use A, B, C, D, E or F")]
    Grade(String),
    /// Windows that never open.
    #[error("the calling windows never open")]
    NoWindow,
    /// Retry policy.
    #[error("retry policy: {0}")]
    Retry(#[from] InvalidRetry),
}

/// What a task says about when and how hard to call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskSettings {
    /// Calling windows per weekday in the callee's local time (within the policy's hours).
    pub windows: WeeklyWindows,
    /// Robot lines.
    pub lines: u32,
    /// Attempt rate limit of the task, calls per second.
    pub cps_limit: Option<f64>,
    /// Retry policy.
    pub retry: RetryPolicy,
}

impl TaskSettings {
    /// Checks the settings against the tenant's line quota; `min_retry_delay`
    /// is one minute in production.
    pub fn validate(&self, quota: u32, min_retry_delay: Delay) -> Result<(), InvalidSettings> {
        if self.lines == 0 {
            return Err(InvalidSettings::NoLines);
        }
        if self.lines > quota {
            return Err(InvalidSettings::OverQuota {
                lines: self.lines,
                quota,
            });
        }
        if let Some(r) = self.cps_limit {
            if !(r > 0.0 && r.is_finite()) {
                return Err(InvalidSettings::Rate(r));
            }
        }
        if (0..7).all(|d| {
            self.windows
                .day(chrono::Weekday::try_from(d as u8).unwrap_or(chrono::Weekday::Mon))
                .is_empty()
        }) {
            return Err(InvalidSettings::NoWindow);
        }
        self.retry.validate(min_retry_delay)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> TaskSettings {
        TaskSettings {
            windows: serde_json::from_str(r#"{"mon":["09:00-12:00"],"sat":["10:00-11:00"]}"#)
                .unwrap(),
            lines: 4,
            cps_limit: None,
            retry: RetryPolicy::default(),
        }
    }

    #[test]
    fn validation() {
        let min = Delay::from_mins(1);
        assert_eq!(settings().validate(4, min), Ok(()));
        assert_eq!(
            settings().validate(3, min),
            Err(InvalidSettings::OverQuota { lines: 4, quota: 3 })
        );
        let mut s = settings();
        s.lines = 0;
        assert_eq!(s.validate(10, min), Err(InvalidSettings::NoLines));
        let mut s = settings();
        s.cps_limit = Some(0.0);
        assert_eq!(s.validate(10, min), Err(InvalidSettings::Rate(0.0)));
        let mut s = settings();
        s.windows = serde_json::from_str("{}").unwrap();
        assert_eq!(s.validate(10, min), Err(InvalidSettings::NoWindow));
    }

    #[test]
    fn lead_threshold() {
        let b: LeadThreshold = "b".parse().unwrap();
        assert!(b.admits("A") && b.admits("B"));
        assert!(!b.admits("C") && !b.admits("F") && !b.admits("") && !b.admits("AB"));
        assert!("G".parse::<LeadThreshold>().is_err());
    }
}

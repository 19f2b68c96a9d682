//! Retention (docs/rights.md): per-tenant periods for recordings,
//! transcripts and call results, capped by the platform maximum, and the instant
//! before which each kind is due for deletion. Consent evidence is kept while the
//! contact is callable and five months after. Pure: the caller passes `now`.

use chrono::{DateTime, Duration, Months, Utc};

/// The default period for every kind, in days.
pub const DEFAULT_DAYS: u32 = 90;
/// How long consent evidence outlives the contact's callability, in months.
pub const CONSENT_KEEP_MONTHS: u32 = 5;

/// A tenant's retention periods, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RetentionPeriods {
    /// Call recordings (the WAV files and their paths).
    pub recordings_days: u32,
    /// Transcripts, script paths, recognised intents and turn logs.
    pub transcripts_days: u32,
    /// Call results: the script outcome, the grade and the leads made from the call.
    pub results_days: u32,
}

impl Default for RetentionPeriods {
    fn default() -> Self {
        Self {
            recordings_days: DEFAULT_DAYS,
            transcripts_days: DEFAULT_DAYS,
            results_days: DEFAULT_DAYS,
        }
    }
}

/// Why a tenant's periods are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetentionError {
    /// A period is longer than the platform allows.
    #[error("retention of {kind} for {days} days exceeds the platform maximum of {max} days")]
    OverMaximum {
        /// Which kind (`recordings`, `transcripts`, `results`).
        kind: &'static str,
        /// The period asked for.
        days: u32,
        /// The platform maximum.
        max: u32,
    },
    /// A period of zero days would delete data as it is written.
    #[error("retention of {0} must be at least 1 day")]
    Zero(&'static str),
}

impl RetentionPeriods {
    fn kinds(self) -> [(&'static str, u32); 3] {
        [
            ("recordings", self.recordings_days),
            ("transcripts", self.transcripts_days),
            ("results", self.results_days),
        ]
    }

    /// Checks the periods against the platform maximum (for a tenant setting them).
    pub fn validate(self, max_days: u32) -> Result<Self, RetentionError> {
        for (kind, days) in self.kinds() {
            if days == 0 {
                return Err(RetentionError::Zero(kind));
            }
            if days > max_days {
                return Err(RetentionError::OverMaximum {
                    kind,
                    days,
                    max: max_days,
                });
            }
        }
        Ok(self)
    }

    /// The periods in force: each capped by the platform maximum (a maximum lowered
    /// after a tenant chose longer periods wins).
    pub fn capped(self, max_days: u32) -> Self {
        Self {
            recordings_days: self.recordings_days.min(max_days),
            transcripts_days: self.transcripts_days.min(max_days),
            results_days: self.results_days.min(max_days),
        }
    }

    /// The instants at or before which each kind is due at `now`.
    pub fn cutoffs(self, max_days: u32, now: DateTime<Utc>) -> Cutoffs {
        let p = self.capped(max_days);
        let back = |days: u32| now - Duration::days(i64::from(days));
        Cutoffs {
            recordings: back(p.recordings_days),
            transcripts: back(p.transcripts_days),
            results: back(p.results_days),
            consent: consent_cutoff(now),
        }
    }
}

/// Data created at or before these instants is due for deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    /// Recordings.
    pub recordings: DateTime<Utc>,
    /// Transcripts.
    pub transcripts: DateTime<Utc>,
    /// Results.
    pub results: DateTime<Utc>,
    /// Consent evidence of contacts no longer callable since this instant.
    pub consent: DateTime<Utc>,
}

/// Whether data made at `created_at` is due given its cutoff (its age has reached
/// the period).
pub fn is_due(created_at: DateTime<Utc>, cutoff: DateTime<Utc>) -> bool {
    created_at <= cutoff
}

/// Contacts that stopped being callable at or before this instant may lose their
/// consent evidence.
pub fn consent_cutoff(now: DateTime<Utc>) -> DateTime<Utc> {
    now.checked_sub_months(Months::new(CONSENT_KEEP_MONTHS))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Whether a contact's consent evidence is due: the contact stopped being callable
/// (consent withdrawn or expired) five months or more before `now`. Evidence of a
/// callable contact is never due.
pub fn consent_due(
    withdrawn_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    let ended = match (withdrawn_at, expires_at) {
        (Some(w), Some(e)) => Some(w.min(e)),
        (w, e) => w.or(e),
    };
    ended.is_some_and(|at| at <= consent_cutoff(now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    #[test]
    fn default_is_ninety_days_each() {
        let p = RetentionPeriods::default();
        assert_eq!(
            (p.recordings_days, p.transcripts_days, p.results_days),
            (90, 90, 90)
        );
    }

    #[test]
    fn periods_over_the_maximum_or_zero_are_refused() {
        let p = RetentionPeriods {
            recordings_days: 30,
            transcripts_days: 400,
            results_days: 60,
        };
        assert_eq!(
            p.validate(365),
            Err(RetentionError::OverMaximum {
                kind: "transcripts",
                days: 400,
                max: 365
            })
        );
        assert!(p.validate(400).is_ok());
        let zero = RetentionPeriods {
            results_days: 0,
            ..RetentionPeriods::default()
        };
        assert_eq!(zero.validate(365), Err(RetentionError::Zero("results")));
        let msg = p.validate(365).unwrap_err().to_string();
        assert!(msg.contains("400") && msg.contains("365"), "{msg}");
    }

    #[test]
    fn the_platform_maximum_caps_periods_in_force() {
        let p = RetentionPeriods {
            recordings_days: 30,
            transcripts_days: 200,
            results_days: 90,
        };
        let c = p.capped(60);
        assert_eq!(
            (c.recordings_days, c.transcripts_days, c.results_days),
            (30, 60, 60)
        );
    }

    #[test]
    fn data_is_due_exactly_when_its_age_reaches_the_period() {
        let now = at(2026, 6, 30);
        let p = RetentionPeriods {
            recordings_days: 10,
            transcripts_days: 20,
            results_days: 30,
        };
        let c = p.cutoffs(365, now);
        assert_eq!(c.recordings, now - Duration::days(10));
        assert!(is_due(now - Duration::days(10), c.recordings));
        assert!(!is_due(
            now - Duration::days(10) + Duration::seconds(1),
            c.recordings
        ));
        assert!(is_due(now - Duration::days(15), c.recordings));
        assert!(!is_due(now - Duration::days(15), c.transcripts));
        assert!(!is_due(now - Duration::days(29), c.results));
        // The cap applies to the cutoffs too.
        let capped = p.cutoffs(5, now);
        assert_eq!(capped.results, now - Duration::days(5));
    }

    #[test]
    fn consent_evidence_is_kept_while_callable_and_five_months_after() {
        let now = at(2026, 8, 15);
        assert_eq!(consent_cutoff(now), at(2026, 3, 15));
        // Callable (never withdrawn, no expiry): kept forever.
        assert!(!consent_due(None, None, now));
        // Withdrawn four months ago: kept.
        assert!(!consent_due(Some(at(2026, 4, 15)), None, now));
        // Withdrawn five months ago: due.
        assert!(consent_due(Some(at(2026, 3, 15)), None, now));
        // Expired long ago, withdrawn recently: the earlier end counts.
        assert!(consent_due(Some(at(2026, 8, 1)), Some(at(2026, 1, 1)), now));
        // Expires in the future: callable, kept.
        assert!(!consent_due(None, Some(at(2027, 1, 1)), now));
    }
}

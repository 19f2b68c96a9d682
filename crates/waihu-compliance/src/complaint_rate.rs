//! The complaint rate of a tenant: complaints per 1,000 answered calls, compared
//! with the operator's threshold. Only complaints whose number was verified (the
//! complainant proved control of it) and that name at least one call that exists
//! count, so that nobody can pause a competitor with anonymous complaints. Over the
//! threshold, the tenant's running tasks pause and the operator decides. Pure.

/// What makes one complaint count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComplaintFacts {
    /// The complainant proved control of the number (one-time code).
    pub verified: bool,
    /// How many of the tenant's calls to that number the complaint names.
    pub named_calls: u32,
}

impl ComplaintFacts {
    /// Whether the complaint counts towards the rate.
    pub fn counts(self) -> bool {
        self.verified && self.named_calls > 0
    }
}

/// A tenant's counts over the rate window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct ComplaintCounts {
    /// Complaints that count (verified, naming an existing call).
    pub counted: u64,
    /// Complaints in the window that do not count.
    pub ignored: u64,
    /// Answered calls in the window.
    pub answered_calls: u64,
}

impl ComplaintCounts {
    /// Complaints per 1,000 answered calls; `None` without answered calls.
    pub fn per_1000(self) -> Option<f64> {
        (self.answered_calls > 0).then(|| self.counted as f64 * 1000.0 / self.answered_calls as f64)
    }
}

/// What the rate means for the tenant.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum RateDecision {
    /// At or under the threshold.
    Ok,
    /// Over the threshold: pause the tenant's running tasks; the operator decides.
    OverThreshold {
        /// The rate (infinite when complaints count but no call was answered).
        per_1000: f64,
        /// The threshold it is over.
        threshold: f64,
    },
}

impl RateDecision {
    /// Whether the tenant's tasks must pause.
    pub fn pauses(self) -> bool {
        matches!(self, RateDecision::OverThreshold { .. })
    }
}

/// Compares the counts with the threshold (complaints per 1,000 answered calls).
/// Strictly over pauses; no counted complaint never pauses.
pub fn decide(counts: ComplaintCounts, threshold_per_1000: f64) -> RateDecision {
    if counts.counted == 0 {
        return RateDecision::Ok;
    }
    let per_1000 = counts.per_1000().unwrap_or(f64::INFINITY);
    if per_1000 > threshold_per_1000 {
        RateDecision::OverThreshold {
            per_1000,
            threshold: threshold_per_1000,
        }
    } else {
        RateDecision::Ok
    }
}

/// The reason written on a task paused for the complaint rate.
pub fn pause_reason(per_1000: f64, threshold: f64) -> String {
    if per_1000.is_finite() {
        format!(
            "complaint rate {per_1000:.2} per 1,000 answered calls is over the threshold of {threshold:.2}; the operator decides (投诉率超过阈值，已自动暂停)"
        )
    } else {
        format!(
            "verified complaints with no answered calls, over the threshold of {threshold:.2} per 1,000; the operator decides (投诉率超过阈值，已自动暂停)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_verified_complaints_naming_a_call_count() {
        let c = |verified, named_calls| ComplaintFacts {
            verified,
            named_calls,
        };
        assert!(c(true, 1).counts());
        assert!(!c(false, 3).counts());
        assert!(!c(true, 0).counts());
        assert!(!c(false, 0).counts());
    }

    #[test]
    fn rate_is_per_thousand_answered_calls() {
        let counts = ComplaintCounts {
            counted: 3,
            ignored: 10,
            answered_calls: 1500,
        };
        assert_eq!(counts.per_1000(), Some(2.0));
        assert_eq!(ComplaintCounts::default().per_1000(), None);
    }

    #[test]
    fn strictly_over_the_threshold_pauses() {
        let counts = |counted, answered_calls| ComplaintCounts {
            counted,
            ignored: 0,
            answered_calls,
        };
        assert_eq!(decide(counts(2, 1000), 2.0), RateDecision::Ok);
        assert_eq!(
            decide(counts(3, 1000), 2.0),
            RateDecision::OverThreshold {
                per_1000: 3.0,
                threshold: 2.0
            }
        );
        assert!(decide(counts(1, 0), 2.0).pauses());
        assert_eq!(decide(counts(0, 0), 0.0), RateDecision::Ok);
        // Ignored complaints never pause, however many.
        let ignored = ComplaintCounts {
            counted: 0,
            ignored: 500,
            answered_calls: 10,
        };
        assert_eq!(decide(ignored, 0.5), RateDecision::Ok);
    }

    #[test]
    fn the_pause_reason_says_why() {
        let r = pause_reason(3.0, 2.0);
        assert!(r.contains("3.00") && r.contains("2.00"), "{r}");
        assert!(pause_reason(f64::INFINITY, 2.0).contains("no answered calls"));
    }
}

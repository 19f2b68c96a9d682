//! The hourly rollup rows, their totals, and folding hours into local days.
//! Hours are UTC and stored as `YYYY-MM-DDTHH`; a day in a time zone east or
//! west of UTC is the sum of the (whole) hours that start in it.

use crate::error::{StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Counts of ended calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Dial attempts (refusals excluded).
    pub attempts: i64,
    /// Answered calls.
    pub answered: i64,
    /// Talk time of the answered calls, ms.
    pub talk_ms: i64,
    /// Calls graded `A`..`F` (index 0 = `A`).
    pub grades: [i64; 6],
    /// Leads made.
    pub leads: i64,
    /// Callees who opted out.
    pub opt_outs: i64,
    /// Calls with a complaint.
    pub complaints: i64,
    /// Gate refusals (not dialled).
    pub refused: i64,
    /// Calls a crash interrupted.
    pub interrupted: i64,
}

impl Totals {
    /// Adds another set of counts.
    pub fn add(&mut self, o: &Totals) {
        self.attempts += o.attempts;
        self.answered += o.answered;
        self.talk_ms += o.talk_ms;
        for (a, b) in self.grades.iter_mut().zip(o.grades) {
            *a += b;
        }
        self.leads += o.leads;
        self.opt_outs += o.opt_outs;
        self.complaints += o.complaints;
        self.refused += o.refused;
        self.interrupted += o.interrupted;
    }

    /// Mean talk time of answered calls, ms (none without answered calls).
    pub fn avg_duration_ms(&self) -> Option<i64> {
        (self.answered > 0).then(|| self.talk_ms / self.answered)
    }
}

/// One task's totals for one UTC hour and variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupHour {
    /// The task.
    pub task_id: Uuid,
    /// The hour's start.
    pub hour: DateTime<Utc>,
    /// `A`/`B` on an A/B task, else none.
    pub variant: Option<String>,
    /// The counts.
    pub totals: Totals,
}

/// One task's gate refusals by one rule in one UTC hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusalHour {
    /// The task.
    pub task_id: Uuid,
    /// The hour's start.
    pub hour: DateTime<Utc>,
    /// The refusing rule id.
    pub rule: String,
    /// Refusals (one refusal with several rules counts under each).
    pub refused: i64,
}

/// The totals of one local day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayTotals {
    /// The day.
    pub day: NaiveDate,
    /// All variants together.
    pub totals: Totals,
    /// Refusals per rule.
    pub refusals: BTreeMap<String, i64>,
}

/// Sums hours into the days `day_of` puts them in, oldest first.
pub fn fold_days(
    hours: &[RollupHour],
    refusals: &[RefusalHour],
    day_of: impl Fn(DateTime<Utc>) -> NaiveDate,
) -> Vec<DayTotals> {
    let mut days: BTreeMap<NaiveDate, DayTotals> = BTreeMap::new();
    let entry = |days: &mut BTreeMap<NaiveDate, DayTotals>, day: NaiveDate| {
        days.entry(day)
            .or_insert_with(|| DayTotals {
                day,
                totals: Totals::default(),
                refusals: BTreeMap::new(),
            })
            .day
    };
    for h in hours {
        let d = entry(&mut days, day_of(h.hour));
        if let Some(t) = days.get_mut(&d) {
            t.totals.add(&h.totals);
        }
    }
    for r in refusals {
        let d = entry(&mut days, day_of(r.hour));
        if let Some(t) = days.get_mut(&d) {
            *t.refusals.entry(r.rule.clone()).or_default() += r.refused;
        }
    }
    days.into_values().collect()
}

/// The stored hour key of an instant.
pub(crate) fn hour_key(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H").to_string()
}

/// Parses a stored hour key.
pub(crate) fn parse_hour(key: &str, table: &'static str) -> StoreResult<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(&format!("{key}:00"), "%Y-%m-%dT%H:%M")
        .map(|n| n.and_utc())
        .map_err(|e| StoreError::Corrupt {
            table,
            why: format!("hour {key:?}: {e}"),
        })
}

/// The rule ids of a stored gate decision (`{"reasons":[{"rule":…}]}`), each once;
/// `unknown` when there are none or the JSON cannot be read.
pub(crate) fn gate_rules(gate_json: &str) -> Vec<String> {
    let mut rules: Vec<String> = Vec::new();
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(gate_json) {
        if let Some(reasons) = v.get("reasons").and_then(|r| r.as_array()) {
            for r in reasons {
                if let Some(rule) = r.get("rule").and_then(|x| x.as_str()) {
                    if !rules.iter().any(|x| x == rule) {
                        rules.push(rule.to_string());
                    }
                }
            }
        }
    }
    if rules.is_empty() {
        rules.push("unknown".into());
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn hours_round_trip_and_fold_into_local_days() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 17, 42, 9).unwrap();
        assert_eq!(hour_key(at), "2026-03-02T17");
        let h = parse_hour("2026-03-02T17", "t").unwrap();
        assert_eq!(h, Utc.with_ymd_and_hms(2026, 3, 2, 17, 0, 0).unwrap());
        assert!(parse_hour("2026-03-02 17", "t").is_err());
        let task = Uuid::nil();
        let row = |hour: DateTime<Utc>, attempts| RollupHour {
            task_id: task,
            hour,
            variant: None,
            totals: Totals {
                attempts,
                ..Totals::default()
            },
        };
        let hours = vec![row(h, 2), row(h + chrono::Duration::hours(1), 3)];
        // In UTC+8 17:00 is 01:00 of the 3rd, 18:00 is 02:00: one day.
        let plus8 = |t: DateTime<Utc>| (t + chrono::Duration::hours(8)).date_naive();
        let refusals = vec![RefusalHour {
            task_id: task,
            hour: h,
            rule: "dnc".into(),
            refused: 4,
        }];
        let days = fold_days(&hours, &refusals, plus8);
        assert_eq!(days.len(), 1);
        assert_eq!(days[0].day, NaiveDate::from_ymd_opt(2026, 3, 3).unwrap());
        assert_eq!(days[0].totals.attempts, 5);
        assert_eq!(days[0].refusals["dnc"], 4);
        let utc = fold_days(&hours, &[], |t| t.date_naive());
        assert_eq!(utc[0].day, NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
    }

    #[test]
    fn gate_rules_are_read_leniently() {
        assert_eq!(
            gate_rules(
                r#"{"decision":"deny","reasons":[{"rule":"dnc"},{"rule":"window"},{"rule":"dnc"}]}"#
            ),
            vec!["dnc", "window"]
        );
        assert_eq!(gate_rules("not json"), vec!["unknown"]);
        assert_eq!(gate_rules(r#"{"reasons":[]}"#), vec!["unknown"]);
    }

    #[test]
    fn averages() {
        let t = Totals {
            answered: 4,
            talk_ms: 10_000,
            ..Totals::default()
        };
        assert_eq!(t.avg_duration_ms(), Some(2_500));
        assert_eq!(Totals::default().avg_duration_ms(), None);
    }
}

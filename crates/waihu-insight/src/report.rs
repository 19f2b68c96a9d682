//! The task report: per local day (a fixed UTC offset, the tenant's) —
//! attempts, answered, average talk time, grades, leads, gate refusals by
//! rule, opt-outs, complaints said in calls and complaint tickets — and the
//! totals. Built from call facts here;
//! the web and CLI build the same rows from the store's hourly rollups for
//! large histories ([`ReportRow`] is the shape both share and export).

use crate::facts::CallFact;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use std::collections::BTreeMap;
use waihu_dialog::intent;

/// One day of a report (or the totals, `day: None`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportRow {
    /// The local day; `None` for the totals row.
    pub day: Option<NaiveDate>,
    /// Dial attempts (gate refusals excluded).
    pub attempts: u64,
    /// Answered calls.
    pub answered: u64,
    /// Total talk time of answered calls, ms.
    pub talk_ms: u64,
    /// Grades `A`..`F` (index 0 = `A`).
    pub grades: [u64; 6],
    /// Leads.
    pub leads: u64,
    /// Gate refusals (calls not dialled).
    pub refused: u64,
    /// Refusals per gate rule (a refusal with several rules counts under each).
    pub refusals: BTreeMap<String, u64>,
    /// Opt-outs.
    pub opt_outs: u64,
    /// Calls in which the callee complained (the `complaint` intent).
    pub complaints: u64,
    /// Complaint tickets (public page, operator) naming calls of the day; a
    /// ticket naming several calls counts once, on its earliest call's day.
    pub complaint_tickets: u64,
}

impl ReportRow {
    /// Answered / attempts (0 without attempts).
    pub fn answer_rate(&self) -> f64 {
        if self.attempts == 0 {
            0.0
        } else {
            self.answered as f64 / self.attempts as f64
        }
    }

    /// Mean talk time of answered calls, seconds (`None` without any).
    pub fn avg_duration_secs(&self) -> Option<f64> {
        (self.answered > 0).then(|| self.talk_ms as f64 / self.answered as f64 / 1000.0)
    }

    /// Adds another row's counts (the day is kept).
    pub fn add(&mut self, o: &ReportRow) {
        self.attempts += o.attempts;
        self.answered += o.answered;
        self.talk_ms += o.talk_ms;
        for (a, b) in self.grades.iter_mut().zip(o.grades) {
            *a += b;
        }
        self.leads += o.leads;
        self.refused += o.refused;
        for (rule, n) in &o.refusals {
            *self.refusals.entry(rule.clone()).or_default() += n;
        }
        self.opt_outs += o.opt_outs;
        self.complaints += o.complaints;
        self.complaint_tickets += o.complaint_tickets;
    }
}

/// A report: one row per day with calls, oldest first, and the totals.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// Days.
    pub days: Vec<ReportRow>,
    /// Totals over all days.
    pub total: ReportRow,
}

impl Report {
    /// Builds the totals from day rows (sorted oldest first).
    pub fn from_days(mut days: Vec<ReportRow>) -> Self {
        days.sort_by_key(|d| d.day);
        let mut total = ReportRow::default();
        for d in &days {
            total.add(d);
        }
        Self { days, total }
    }

    /// Counts complaint tickets (the times of the calls they name) on their
    /// local days, adding a day for a ticket on a day without other rows.
    pub fn count_tickets(
        days: &mut Vec<ReportRow>,
        tickets: &[DateTime<Utc>],
        offset: FixedOffset,
    ) {
        for at in tickets {
            let d = local_day(*at, offset);
            match days.iter_mut().find(|r| r.day == Some(d)) {
                Some(row) => row.complaint_tickets += 1,
                None => days.push(ReportRow {
                    day: Some(d),
                    complaint_tickets: 1,
                    ..ReportRow::default()
                }),
            }
        }
    }

    /// Every gate rule that refused a call, sorted.
    pub fn rules(&self) -> Vec<String> {
        self.total.refusals.keys().cloned().collect()
    }
}

/// The local day of an instant at a fixed offset.
pub fn local_day(at: DateTime<Utc>, offset: FixedOffset) -> NaiveDate {
    at.with_timezone(&offset).date_naive()
}

/// The daily report of `facts` at `offset`; `tickets` are the times of the
/// calls complaint tickets name (see [`Report::count_tickets`]).
pub fn daily(facts: &[CallFact], offset: FixedOffset, tickets: &[DateTime<Utc>]) -> Report {
    let mut days: BTreeMap<NaiveDate, ReportRow> = BTreeMap::new();
    for f in facts {
        let d = local_day(f.created_at, offset);
        let r = days.entry(d).or_insert_with(|| ReportRow {
            day: Some(d),
            ..ReportRow::default()
        });
        if f.refused() {
            r.refused += 1;
            for rule in &f.refusal_rules {
                *r.refusals.entry(rule.clone()).or_default() += 1;
            }
            continue;
        }
        if f.outcome.is_none() {
            // Still in flight: not in the report yet.
            continue;
        }
        r.attempts += 1;
        if f.answered {
            r.answered += 1;
            r.talk_ms += f.duration_ms.unwrap_or(0);
        }
        if let Some(g) = f.grade {
            let i = (g as u32).wrapping_sub('A' as u32) as usize;
            if let Some(slot) = r.grades.get_mut(i) {
                *slot += 1;
            }
        }
        r.leads += u64::from(f.lead);
        r.opt_outs += u64::from(f.opt_out);
        if f.turns.iter().any(|t| t.intent == intent::COMPLAINT) {
            r.complaints += 1;
        }
    }
    let mut days: Vec<ReportRow> = days.into_values().collect();
    Report::count_tickets(&mut days, tickets, offset);
    Report::from_days(days)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::facts::{TurnFact, TurnNext};
    use chrono::TimeZone;
    use uuid::Uuid;

    pub(crate) fn beijing() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).unwrap()
    }

    pub(crate) fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap()
    }

    pub(crate) fn sample() -> Vec<CallFact> {
        let mut v = Vec::new();
        let mk = |n: u128, when: DateTime<Utc>| {
            let mut f = CallFact::new(Uuid::from_u128(n), when);
            f.outcome = Some("no_answer".into());
            f
        };
        // Day 1 (Beijing): two answered (A lead 60 s, D 30 s), one no-answer,
        // one refused by two rules.
        let mut a = mk(1, at(1, 2));
        a.answered = true;
        a.outcome = Some("answered".into());
        a.duration_ms = Some(60_000);
        a.grade = Some('A');
        a.lead = true;
        v.push(a);
        let mut d = mk(2, at(1, 3));
        d.answered = true;
        d.outcome = Some("answered".into());
        d.duration_ms = Some(30_000);
        d.grade = Some('D');
        v.push(d);
        v.push(mk(3, at(1, 4)));
        let mut r = mk(4, at(1, 5));
        r.outcome = Some("refused".into());
        r.refusal_rules = vec!["calling-window".into(), "dnc".into()];
        v.push(r);
        // 2026-12-01 20:00 UTC is already 12-02 in Beijing: an opt-out with a complaint.
        let mut o = mk(5, at(1, 20));
        o.answered = true;
        o.outcome = Some("answered".into());
        o.duration_ms = Some(10_000);
        o.grade = Some('F');
        o.opt_out = true;
        o.turns.push(TurnFact {
            node: Some("intro".into()),
            callee_text: Some("我要投诉你们".into()),
            dtmf: None,
            intent: "complaint".into(),
            confidence: Some(0.9),
            next: TurnNext::End("opt_out".into()),
        });
        v.push(o);
        // In flight: ignored.
        let mut i = mk(6, at(1, 6));
        i.outcome = None;
        v.push(i);
        v
    }

    #[test]
    fn days_follow_the_offset_and_count_everything() {
        // Tickets name a call of Beijing's 12-01 and one of 12-03 (a day with
        // no other calls).
        let r = daily(&sample(), beijing(), &[at(1, 2), at(3, 1)]);
        assert_eq!(r.days.len(), 3);
        let d1 = &r.days[0];
        assert_eq!(d1.day, NaiveDate::from_ymd_opt(2026, 12, 1));
        assert_eq!(
            (d1.attempts, d1.answered, d1.leads, d1.refused),
            (3, 2, 1, 1)
        );
        assert_eq!(d1.grades, [1, 0, 0, 1, 0, 0]);
        assert_eq!(d1.avg_duration_secs(), Some(45.0));
        assert_eq!(d1.refusals["dnc"], 1);
        assert!((d1.answer_rate() - 2.0 / 3.0).abs() < 1e-12);
        let d2 = &r.days[1];
        assert_eq!((d2.attempts, d2.opt_outs, d2.complaints), (1, 1, 1));
        assert_eq!((d1.complaint_tickets, d2.complaint_tickets), (1, 0));
        let d3 = &r.days[2];
        assert_eq!(d3.day, NaiveDate::from_ymd_opt(2026, 12, 3));
        assert_eq!((d3.attempts, d3.complaint_tickets), (0, 1));
        assert_eq!(r.total.attempts, 4);
        assert_eq!((r.total.complaints, r.total.complaint_tickets), (1, 2));
        assert_eq!(r.total.day, None);
        assert_eq!(
            r.rules(),
            vec!["calling-window".to_string(), "dnc".to_string()]
        );
    }

    #[test]
    fn an_empty_task_has_an_empty_report() {
        let r = daily(&[], beijing(), &[]);
        assert!(r.days.is_empty());
        assert_eq!(r.total, ReportRow::default());
        assert_eq!(r.total.avg_duration_secs(), None);
        assert_eq!(r.total.answer_rate(), 0.0);
    }
}

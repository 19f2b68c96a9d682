//! The complaint SLA (docs/rights.md): acknowledge within 3 working
//! days, close within 15. Working days come from a calendar: Monday to Friday, minus
//! configured public holidays, plus configured make-up working days (调休, a
//! Saturday or Sunday worked in exchange for a longer holiday). A deadline of N
//! working days ends at midnight (in the calendar's zone) after the N-th working
//! day following the day the complaint was filed. Pure: `now` is an argument.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use std::collections::BTreeSet;

/// Working days to acknowledge a complaint.
pub const ACK_WORKING_DAYS: u32 = 3;
/// Working days to close a complaint.
pub const CLOSE_WORKING_DAYS: u32 = 15;

/// Which days are worked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkCalendar {
    zone: Tz,
    holidays: BTreeSet<NaiveDate>,
    makeup_workdays: BTreeSet<NaiveDate>,
}

/// Why a calendar cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A date is both a holiday and a make-up working day.
    #[error("{0} is listed both as a holiday and as a make-up working day")]
    Both(NaiveDate),
}

impl WorkCalendar {
    /// A calendar in `zone` with these holidays and make-up working days.
    pub fn new(
        zone: Tz,
        holidays: impl IntoIterator<Item = NaiveDate>,
        makeup_workdays: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, CalendarError> {
        let holidays: BTreeSet<_> = holidays.into_iter().collect();
        let makeup_workdays: BTreeSet<_> = makeup_workdays.into_iter().collect();
        if let Some(d) = holidays.intersection(&makeup_workdays).next() {
            return Err(CalendarError::Both(*d));
        }
        Ok(Self {
            zone,
            holidays,
            makeup_workdays,
        })
    }

    /// Monday to Friday in Asia/Shanghai, no holidays.
    pub fn weekdays_shanghai() -> Self {
        Self {
            zone: chrono_tz::Asia::Shanghai,
            holidays: BTreeSet::new(),
            makeup_workdays: BTreeSet::new(),
        }
    }

    /// The calendar's zone.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// Whether `day` is worked.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.makeup_workdays.contains(&day) {
            return true;
        }
        if self.holidays.contains(&day) {
            return false;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The end (next local midnight, as UTC) of the `n`-th working day after the
    /// local day of `from`.
    pub fn deadline(&self, from: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        let mut day = from.with_timezone(&self.zone).date_naive();
        let mut left = n;
        while left > 0 {
            day = day.succ_opt().unwrap_or(day);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        let next = day.succ_opt().unwrap_or(day);
        self.local_midnight(next)
    }

    fn local_midnight(&self, day: NaiveDate) -> DateTime<Utc> {
        let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
        match self.zone.from_local_datetime(&naive) {
            chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
            chrono::LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
            // Midnight skipped by a clock change: the first instant of the day.
            chrono::LocalResult::None => self
                .zone
                .from_local_datetime(&(naive + Duration::hours(1)))
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| naive.and_utc()),
        }
    }
}

/// One deadline of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Deadline {
    /// When it falls due.
    pub due: DateTime<Utc>,
    /// When it was met, if it was.
    pub met_at: Option<DateTime<Utc>>,
    /// Not met and past due at `now`.
    pub overdue: bool,
    /// Met, but after it was due.
    pub late: bool,
}

impl Deadline {
    fn at(due: DateTime<Utc>, met_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        Self {
            due,
            met_at,
            overdue: met_at.is_none() && now >= due,
            late: met_at.is_some_and(|m| m > due),
        }
    }
}

/// The SLA clock of one complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SlaStatus {
    /// Acknowledge within 3 working days.
    pub ack: Deadline,
    /// Close within 15 working days.
    pub close: Deadline,
}

impl SlaStatus {
    /// Either deadline is overdue (the operator's flag).
    pub fn overdue(&self) -> bool {
        self.ack.overdue || self.close.overdue
    }
}

/// The SLA clock of a complaint filed at `created_at`. Closing a ticket also meets
/// the acknowledgement deadline if it was never acknowledged separately.
pub fn sla_status(
    calendar: &WorkCalendar,
    created_at: DateTime<Utc>,
    acked_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> SlaStatus {
    let ack_due = calendar.deadline(created_at, ACK_WORKING_DAYS);
    let close_due = calendar.deadline(created_at, CLOSE_WORKING_DAYS);
    SlaStatus {
        ack: Deadline::at(ack_due, acked_at.or(closed_at), now),
        close: Deadline::at(close_due, closed_at, now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Shanghai local time as UTC.
    fn sh(y: i32, m: u32, day: u32, h: u32) -> DateTime<Utc> {
        chrono_tz::Asia::Shanghai
            .with_ymd_and_hms(y, m, day, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    /// 2026 National Day: 1-7 October off, Sunday 27 September and Saturday 10
    /// October worked (调休).
    fn national_day() -> WorkCalendar {
        WorkCalendar::new(
            chrono_tz::Asia::Shanghai,
            (1..=7).map(|day| d(2026, 10, day)),
            [d(2026, 9, 27), d(2026, 10, 10)],
        )
        .unwrap()
    }

    #[test]
    fn weekends_holidays_and_makeup_days() {
        let c = national_day();
        assert!(c.is_working_day(d(2026, 9, 25))); // Friday
        assert!(!c.is_working_day(d(2026, 9, 26))); // Saturday
        assert!(c.is_working_day(d(2026, 9, 27))); // Sunday, make-up day
        assert!(!c.is_working_day(d(2026, 10, 1))); // Thursday, holiday
        assert!(c.is_working_day(d(2026, 10, 10))); // Saturday, make-up day
        assert!(!c.is_working_day(d(2026, 10, 11))); // Sunday
    }

    #[test]
    fn a_date_cannot_be_both_holiday_and_makeup_day() {
        let both = WorkCalendar::new(chrono_tz::Asia::Shanghai, [d(2026, 1, 1)], [d(2026, 1, 1)]);
        assert_eq!(both, Err(CalendarError::Both(d(2026, 1, 1))));
    }

    #[test]
    fn three_working_days_skip_the_weekend() {
        let c = WorkCalendar::weekdays_shanghai();
        // Filed Friday afternoon: Mon, Tue, Wed → due at Thursday 00:00 Shanghai.
        let filed = sh(2026, 3, 6, 15);
        assert_eq!(c.deadline(filed, 3), sh(2026, 3, 12, 0));
        // Filed on Saturday: same.
        assert_eq!(c.deadline(sh(2026, 3, 7, 9), 3), sh(2026, 3, 12, 0));
        // Filed Monday 23:30 Shanghai (15:30 UTC): Tue, Wed, Thu.
        assert_eq!(
            c.deadline(sh(2026, 3, 9, 23) + Duration::minutes(30), 3),
            sh(2026, 3, 13, 0)
        );
    }

    #[test]
    fn holidays_push_deadlines_and_makeup_days_pull_them() {
        let c = national_day();
        // Filed Wednesday 30 September: 1-7 October off, Thu 8, Fri 9, Sat 10 (make-up).
        assert_eq!(c.deadline(sh(2026, 9, 30, 10), 3), sh(2026, 10, 11, 0));
        // Filed Friday 25 September: Sun 27 (make-up), Mon 28, Tue 29.
        assert_eq!(c.deadline(sh(2026, 9, 25, 10), 3), sh(2026, 9, 30, 0));
        // Without the calendar: Thu 1, Fri 2, Mon 5 October.
        let plain = WorkCalendar::weekdays_shanghai();
        assert_eq!(plain.deadline(sh(2026, 9, 30, 10), 3), sh(2026, 10, 6, 0));
    }

    #[test]
    fn fifteen_working_days_to_close() {
        let c = WorkCalendar::weekdays_shanghai();
        // Monday 2 March: three weeks of working days end on Monday 23 March.
        assert_eq!(c.deadline(sh(2026, 3, 2, 10), 15), sh(2026, 3, 24, 0));
    }

    #[test]
    fn overdue_and_late_flags() {
        let c = WorkCalendar::weekdays_shanghai();
        let filed = sh(2026, 3, 2, 10); // Monday
        let ack_due = sh(2026, 3, 6, 0);
        // Just before the acknowledgement deadline: nothing overdue.
        let s = sla_status(&c, filed, None, None, ack_due - Duration::seconds(1));
        assert!(!s.overdue());
        // At it: acknowledgement overdue.
        let s = sla_status(&c, filed, None, None, ack_due);
        assert!(s.ack.overdue && !s.close.overdue && s.overdue());
        // Acknowledged late: not overdue any more, but late.
        let s = sla_status(
            &c,
            filed,
            Some(ack_due + Duration::hours(1)),
            None,
            ack_due + Duration::days(1),
        );
        assert!(!s.ack.overdue && s.ack.late);
        // Closed in time without a separate acknowledgement meets both.
        let closed = sh(2026, 3, 3, 10);
        let s = sla_status(&c, filed, None, Some(closed), sh(2026, 4, 30, 0));
        assert!(!s.overdue() && !s.ack.late && !s.close.late);
        // Never closed: close overdue after 15 working days.
        let s = sla_status(
            &c,
            filed,
            Some(closed),
            None,
            sh(2026, 3, 24, 0) - Duration::seconds(1),
        );
        assert!(!s.close.overdue);
        let s = sla_status(&c, filed, Some(closed), None, sh(2026, 3, 24, 0));
        assert!(s.close.overdue && !s.ack.overdue);
    }
}

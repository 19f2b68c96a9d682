//! The demo's clock: real time shifted so that "now" is a weekday at 10:00 in
//! Beijing. The demo can be started at any hour and still show calls that the
//! compliance gate allows — the calling hours are never widened.

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};
use waihu_core::Clock;

/// Real time plus a fixed offset.
#[derive(Debug, Clone, Copy)]
pub struct OffsetClock {
    offset: Duration,
}

impl OffsetClock {
    /// A clock whose current time is the next weekday 10:00 Asia/Shanghai
    /// (today's, if it is a weekday before 10:00... or the next one).
    pub fn weekday_morning_in_beijing(now: DateTime<Utc>) -> OffsetClock {
        let tz = chrono_tz::Asia::Shanghai;
        let local = now.with_timezone(&tz);
        let mut day = local.date_naive();
        let ten = NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default();
        if local.time() >= ten {
            day = day.succ_opt().unwrap_or(day);
        }
        while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            day = day.succ_opt().unwrap_or(day);
        }
        let target = tz
            .from_local_datetime(&day.and_time(ten))
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now);
        OffsetClock {
            offset: target - now,
        }
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lands_on_a_weekday_morning() {
        for (y, m, d, h) in [
            (2026, 11, 28, 3),
            (2026, 11, 30, 1),
            (2026, 12, 2, 23),
            (2026, 12, 4, 12),
        ] {
            let now = Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap();
            let c = OffsetClock::weekday_morning_in_beijing(now);
            let t = (now + c.offset).with_timezone(&chrono_tz::Asia::Shanghai);
            assert_eq!(t.time(), NaiveTime::from_hms_opt(10, 0, 0).unwrap());
            assert!(!matches!(t.weekday(), Weekday::Sat | Weekday::Sun), "{t}");
            assert!(c.offset >= Duration::zero());
        }
    }
}

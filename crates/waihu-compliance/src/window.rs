//! Calling windows: per weekday, a list of half-open time ranges `[start, end)` in the
//! callee's local time. 19:59:59 is inside `09:00–20:00`, 20:00:00 is not.

use chrono::{Datelike, Timelike, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

const DAY: u32 = 24 * 3600;

/// One half-open range of the day, in seconds since local midnight; `end` may be 24:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeWindow {
    start: u32,
    end: u32,
}

/// A window text or value is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid calling window {0:?}: expected HH:MM-HH:MM with start before end, within 00:00-24:00"
)]
pub struct InvalidWindow(pub String);

impl TimeWindow {
    /// A window from `start` to `end` (hours and minutes); `end` may be `(24, 0)`.
    pub fn hm(start: (u32, u32), end: (u32, u32)) -> Result<Self, InvalidWindow> {
        Self::from_secs(start.0 * 3600 + start.1 * 60, end.0 * 3600 + end.1 * 60)
            .filter(|_| start.1 < 60 && end.1 < 60)
            .ok_or_else(|| {
                InvalidWindow(format!(
                    "{:02}:{:02}-{:02}:{:02}",
                    start.0, start.1, end.0, end.1
                ))
            })
    }

    fn from_secs(start: u32, end: u32) -> Option<Self> {
        (start < end && end <= DAY).then_some(Self { start, end })
    }

    /// Start, seconds since midnight.
    pub fn start_secs(self) -> u32 {
        self.start
    }

    /// End (exclusive), seconds since midnight.
    pub fn end_secs(self) -> u32 {
        self.end
    }

    /// Whether the second of day `s` lies inside.
    pub fn contains(self, s: u32) -> bool {
        self.start <= s && s < self.end
    }

    fn covers(self, other: TimeWindow) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

fn hhmm(s: u32) -> String {
    format!("{:02}:{:02}", s / 3600, (s % 3600) / 60)
}

impl fmt::Display for TimeWindow {
    /// `09:00–20:00` (en dash, as in the operator messages).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", hhmm(self.start), hhmm(self.end))
    }
}

fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 3600 + m * 60)
}

impl FromStr for TimeWindow {
    type Err = InvalidWindow;
    /// Accepts `09:00-20:00` and `09:00–20:00`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || InvalidWindow(s.to_string());
        let (a, b) = s
            .split_once('-')
            .or_else(|| s.split_once('–'))
            .ok_or_else(err)?;
        let (a, b) = (
            parse_hhmm(a).ok_or_else(err)?,
            parse_hhmm(b).ok_or_else(err)?,
        );
        Self::from_secs(a, b).ok_or_else(err)
    }
}

impl TryFrom<String> for TimeWindow {
    type Error = InvalidWindow;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<TimeWindow> for String {
    fn from(w: TimeWindow) -> String {
        format!("{}-{}", hhmm(w.start), hhmm(w.end))
    }
}

/// Calling windows for each weekday (Monday first). Windows of a day are kept sorted
/// and merged, so containment checks are exact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "WeekRepr", into = "WeekRepr")]
pub struct WeeklyWindows {
    days: [Vec<TimeWindow>; 7],
}

/// Serialised form: `{"mon": ["09:00-20:00"], …}`; a missing day has no window.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct WeekRepr {
    mon: Vec<TimeWindow>,
    tue: Vec<TimeWindow>,
    wed: Vec<TimeWindow>,
    thu: Vec<TimeWindow>,
    fri: Vec<TimeWindow>,
    sat: Vec<TimeWindow>,
    sun: Vec<TimeWindow>,
}

impl From<WeekRepr> for WeeklyWindows {
    fn from(r: WeekRepr) -> Self {
        Self::new([r.mon, r.tue, r.wed, r.thu, r.fri, r.sat, r.sun])
    }
}

impl From<WeeklyWindows> for WeekRepr {
    fn from(w: WeeklyWindows) -> Self {
        let [mon, tue, wed, thu, fri, sat, sun] = w.days;
        WeekRepr {
            mon,
            tue,
            wed,
            thu,
            fri,
            sat,
            sun,
        }
    }
}

fn normalise(mut v: Vec<TimeWindow>) -> Vec<TimeWindow> {
    v.sort_unstable();
    let mut out: Vec<TimeWindow> = Vec::with_capacity(v.len());
    for w in v {
        match out.last_mut() {
            Some(last) if w.start <= last.end => last.end = last.end.max(w.end),
            _ => out.push(w),
        }
    }
    out
}

impl WeeklyWindows {
    /// Windows per weekday, Monday first.
    pub fn new(days: [Vec<TimeWindow>; 7]) -> Self {
        Self {
            days: days.map(normalise),
        }
    }

    /// The same window every day.
    pub fn every_day(w: TimeWindow) -> Self {
        Self::new(std::array::from_fn(|_| vec![w]))
    }

    /// Always open (00:00–24:00 every day); a task without windows of its own.
    pub fn always() -> Self {
        Self::every_day(TimeWindow { start: 0, end: DAY })
    }

    /// Whether every day is open 00:00–24:00 (no restriction at all).
    pub fn is_always(&self) -> bool {
        self.days
            .iter()
            .all(|d| d.as_slice() == [TimeWindow { start: 0, end: DAY }])
    }

    /// Replaces the windows of one weekday.
    pub fn with_day(mut self, day: Weekday, windows: Vec<TimeWindow>) -> Self {
        self.days[day.num_days_from_monday() as usize] = normalise(windows);
        self
    }

    /// The windows of `day`.
    pub fn day(&self, day: Weekday) -> &[TimeWindow] {
        &self.days[day.num_days_from_monday() as usize]
    }

    /// Whether the local date-time `t` lies inside a window of its weekday.
    pub fn contains<T: Datelike + Timelike>(&self, t: &T) -> bool {
        let s = t.num_seconds_from_midnight();
        self.day(t.weekday()).iter().any(|w| w.contains(s))
    }

    /// The first (weekday, window) of `self` that is not inside a window of `base` —
    /// `None` when `self` is at least as strict as `base`.
    pub fn first_outside(&self, base: &WeeklyWindows) -> Option<(Weekday, TimeWindow)> {
        for (i, day) in self.days.iter().enumerate() {
            for w in day {
                if !base.days[i].iter().any(|b| b.covers(*w)) {
                    return Some((weekday(i), *w));
                }
            }
        }
        None
    }

    /// A short human description of the windows of `day`, e.g. `09:00–20:00` when all
    /// days are alike, else `Sat 10:00–12:00` or `Sun: no calling`.
    pub fn describe(&self, day: Weekday) -> String {
        let list = |ws: &[TimeWindow]| {
            ws.iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let ws = self.day(day);
        if self.days.iter().all(|d| d == ws) && !ws.is_empty() {
            list(ws)
        } else if ws.is_empty() {
            format!("{day}: no calling")
        } else {
            format!("{day} {}", list(ws))
        }
    }
}

fn weekday(i: usize) -> Weekday {
    Weekday::try_from(i as u8).unwrap_or(Weekday::Mon)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn w(s: &str) -> TimeWindow {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn half_open_and_parse() {
        let win = w("09:00-20:00");
        assert!(win.contains(9 * 3600));
        assert!(win.contains(20 * 3600 - 1));
        assert!(!win.contains(20 * 3600));
        assert!(!win.contains(9 * 3600 - 1));
        assert_eq!(win.to_string(), "09:00–20:00");
        assert_eq!(w("00:00–24:00").end_secs(), DAY);
        for bad in [
            "20:00-09:00",
            "9-20",
            "09:00-24:01",
            "09:60-10:00",
            "09:00-09:00",
        ] {
            assert!(bad.parse::<TimeWindow>().is_err(), "{bad}");
        }
    }

    #[test]
    fn merge_and_containment() {
        let base = WeeklyWindows::every_day(w("09:00-12:00"))
            .with_day(Weekday::Mon, vec![w("12:00-20:00"), w("09:00-12:00")]);
        assert_eq!(base.day(Weekday::Mon), &[w("09:00-20:00")]);
        let tighter = WeeklyWindows::every_day(w("10:00-11:00"));
        assert_eq!(tighter.first_outside(&base), None);
        let looser = WeeklyWindows::every_day(w("10:00-11:00"))
            .with_day(Weekday::Tue, vec![w("11:00-13:00")]);
        assert_eq!(
            looser.first_outside(&base),
            Some((Weekday::Tue, w("11:00-13:00")))
        );
        let t = NaiveDate::from_ymd_opt(2026, 11, 30).and_then(|d| d.and_hms_opt(19, 59, 59));
        assert!(t.is_some_and(|t| base.contains(&t)), "Monday 19:59:59");
        assert_eq!(base.describe(Weekday::Tue), "Tue 09:00–12:00");
    }

    #[test]
    fn serde_form() {
        let week = WeeklyWindows::every_day(w("09:00-20:00")).with_day(Weekday::Sun, vec![]);
        let json = serde_json::to_string(&week).unwrap_or_default();
        assert!(
            json.contains(r#""sat":["09:00-20:00"]"#) && json.contains(r#""sun":[]"#),
            "{json}"
        );
        let back: Result<WeeklyWindows, _> = serde_json::from_str(&json);
        assert_eq!(back.ok(), Some(week));
        assert!(serde_json::from_str::<WeeklyWindows>(r#"{"mon":["20:00-09:00"]}"#).is_err());
    }
}

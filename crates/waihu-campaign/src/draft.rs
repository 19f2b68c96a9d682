//! A new task as a person types it (the CLI's `waihu task create`, the back
//! office's form, the API's JSON), checked the same way everywhere before it is
//! stored: name, purpose, calling windows, retry policy, lines against the
//! tenant's quota, attempt rate, lead threshold and dates. The look-ups that need
//! the database (script version, lists, caller number, trunk) stay with the
//! caller; [`check_caller_number`] is the rule they apply to the caller number.
//! Every error names the input at fault ([`DraftError::field`]).

use crate::delay::Delay;
use crate::retry::RetryPolicy;
use crate::settings::{InvalidSettings, LeadThreshold, TaskSettings};
use chrono::{DateTime, Utc};
use waihu_compliance::{Purpose, TimeWindow, WeeklyWindows};

/// The default calling window, every day (the policy's calling hours apply on top).
pub const DEFAULT_WINDOW: &str = "09:00-20:00";

/// What a person asked for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskDraft {
    /// A name unique within the tenant, 1–64 printable characters.
    pub name: String,
    /// The purpose of the calls (`marketing`, …).
    pub purpose: String,
    /// Robot lines.
    pub lines: u32,
    /// Attempts per second, if limited.
    pub cps: Option<f64>,
    /// Calling windows: the JSON form `{"mon":["09:00-12:00"],…}`, or windows
    /// like `09:00-12:00, 14:00-18:00` for every day; `None`/empty: [`DEFAULT_WINDOW`].
    pub windows: Option<String>,
    /// Retry policy JSON `{"max_attempts":3,"after":{"busy":"30m"}}`; `None`/empty: the default.
    pub retry: Option<String>,
    /// Calls graded at or above this letter become leads.
    pub lead_grade: String,
    /// No calls before.
    pub starts: Option<DateTime<Utc>>,
    /// The task completes at.
    pub ends: Option<DateTime<Utc>>,
}

/// A draft that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedDraft {
    /// Trimmed name.
    pub name: String,
    /// The purpose.
    pub purpose: Purpose,
    /// Windows, lines, rate, retries.
    pub settings: TaskSettings,
    /// The lead threshold.
    pub lead: LeadThreshold,
    /// No calls before.
    pub starts: Option<DateTime<Utc>>,
    /// The task completes at.
    pub ends: Option<DateTime<Utc>>,
}

impl CheckedDraft {
    /// The windows as stored (JSON).
    pub fn windows_json(&self) -> String {
        serde_json::to_string(&self.settings.windows).unwrap_or_else(|_| "{}".into())
    }

    /// The retry policy as stored (JSON).
    pub fn retry_json(&self) -> String {
        serde_json::to_string(&self.settings.retry).unwrap_or_else(|_| "{}".into())
    }
}

/// An input that is wrong: which one, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct DraftError {
    /// The input at fault: `name`, `purpose`, `windows`, `retry`, `lines`, `cps`,
    /// `lead_grade`, `ends`, `caller_number`.
    pub field: &'static str,
    /// What is wrong with it.
    pub message: String,
}

fn err(field: &'static str, message: impl Into<String>) -> DraftError {
    DraftError {
        field,
        message: message.into(),
    }
}

fn filled(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Parses calling windows: JSON per weekday, or a comma/space separated list of
/// `HH:MM-HH:MM` for every day.
pub fn parse_windows(s: &str) -> Result<WeeklyWindows, DraftError> {
    let s = s.trim();
    if s.starts_with('{') {
        return serde_json::from_str(s).map_err(|e| err("windows", e.to_string()));
    }
    let mut ws = Vec::new();
    for part in s
        .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        let w: TimeWindow = part.parse().map_err(|_| {
            err(
                "windows",
                format!("{part:?} is not a window like 09:00-12:00"),
            )
        })?;
        ws.push(w);
    }
    if ws.is_empty() {
        return Err(err("windows", "no calling window given"));
    }
    Ok(WeeklyWindows::new(std::array::from_fn(|_| ws.clone())))
}

fn settings_field(e: &InvalidSettings) -> &'static str {
    match e {
        InvalidSettings::NoLines | InvalidSettings::OverQuota { .. } => "lines",
        InvalidSettings::Rate(_) => "cps",
        InvalidSettings::Grade(_) => "lead_grade",
        InvalidSettings::NoWindow => "windows",
        InvalidSettings::Retry(_) => "retry",
    }
}

impl TaskDraft {
    /// Checks everything that needs no database: `quota` is the tenant's line
    /// quota, `min_retry` the shortest retry delay allowed (one minute in production).
    pub fn check(&self, quota: u32, min_retry: Delay) -> Result<CheckedDraft, DraftError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
            return Err(err("name", "the name must be 1 to 64 printable characters"));
        }
        let purpose =
            Purpose::parse(self.purpose.trim()).map_err(|e| err("purpose", e.to_string()))?;
        let windows = parse_windows(filled(&self.windows).unwrap_or(DEFAULT_WINDOW))?;
        let retry: RetryPolicy = match filled(&self.retry) {
            Some(j) => serde_json::from_str(j).map_err(|e| err("retry", e.to_string()))?,
            None => RetryPolicy::default(),
        };
        let lead: LeadThreshold = self
            .lead_grade
            .parse()
            .map_err(|e: InvalidSettings| err("lead_grade", e.to_string()))?;
        let settings = TaskSettings {
            windows,
            lines: self.lines,
            cps_limit: self.cps,
            retry,
        };
        settings
            .validate(quota, min_retry)
            .map_err(|e| err(settings_field(&e), e.to_string()))?;
        if let (Some(s), Some(e)) = (self.starts, self.ends) {
            if e <= s {
                return Err(err("ends", "the end must be after the start"));
            }
        }
        Ok(CheckedDraft {
            name: name.to_string(),
            purpose,
            settings,
            lead,
            starts: self.starts,
            ends: self.ends,
        })
    }
}

/// What the platform knows of a caller number, for [`check_caller_number`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallerNumberFacts {
    /// Assigned to the tenant creating the task.
    pub assigned_here: bool,
    /// Verified by the operator.
    pub verified: bool,
}

/// A task may present only a registered number that is assigned to its tenant
/// and verified; `facts` is `None` for an unregistered number.
pub fn check_caller_number(
    number: &str,
    facts: Option<CallerNumberFacts>,
) -> Result<(), DraftError> {
    match facts {
        None => Err(err(
            "caller_number",
            format!("caller number {number} is not registered"),
        )),
        Some(f) if !f.assigned_here => Err(err(
            "caller_number",
            format!("caller number {number} is not assigned to this tenant"),
        )),
        Some(f) if !f.verified => Err(err(
            "caller_number",
            format!("caller number {number} is not verified yet"),
        )),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn draft() -> TaskDraft {
        TaskDraft {
            name: " spring ".into(),
            purpose: "marketing".into(),
            lines: 2,
            lead_grade: "b".into(),
            ..TaskDraft::default()
        }
    }

    fn field(d: &TaskDraft, quota: u32) -> &'static str {
        d.check(quota, Delay::from_mins(1)).unwrap_err().field
    }

    #[test]
    fn a_plain_draft_gets_the_defaults() {
        let c = draft().check(4, Delay::from_mins(1)).unwrap();
        assert_eq!(c.name, "spring");
        assert_eq!(c.lead.letter(), 'B');
        assert_eq!(c.settings.retry, RetryPolicy::default());
        assert_eq!(c.settings.windows.day(chrono::Weekday::Sun).len(), 1);
        assert!(c.windows_json().contains("09:00-20:00"));
    }

    #[test]
    fn each_bad_input_names_its_field() {
        let mut d = draft();
        d.name = "  ".into();
        assert_eq!(field(&d, 4), "name");
        let mut d = draft();
        d.purpose = "Bad Purpose".into();
        assert_eq!(field(&d, 4), "purpose");
        assert_eq!(field(&draft(), 1), "lines");
        let mut d = draft();
        d.lines = 0;
        assert_eq!(field(&d, 4), "lines");
        let mut d = draft();
        d.cps = Some(-1.0);
        assert_eq!(field(&d, 4), "cps");
        let mut d = draft();
        d.lead_grade = "Z".into();
        assert_eq!(field(&d, 4), "lead_grade");
        let mut d = draft();
        d.windows = Some("9 to 5".into());
        assert_eq!(field(&d, 4), "windows");
        let mut d = draft();
        d.windows = Some("{\"mon\":[]}".into());
        assert_eq!(field(&d, 4), "windows");
        let mut d = draft();
        d.retry = Some("{\"max_attempts\":0,\"after\":{}}".into());
        assert_eq!(field(&d, 4), "retry");
        let mut d = draft();
        d.starts = Some(Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap());
        d.ends = Some(Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap());
        assert_eq!(field(&d, 4), "ends");
    }

    #[test]
    fn windows_as_a_list_apply_every_day() {
        let w = parse_windows("09:00-12:00, 14:00-18:00").unwrap();
        assert_eq!(w.day(chrono::Weekday::Wed).len(), 2);
        let w = parse_windows(r#"{"mon":["09:00-12:00"]}"#).unwrap();
        assert!(w.day(chrono::Weekday::Tue).is_empty());
    }

    #[test]
    fn caller_number_rules() {
        let ok = CallerNumberFacts {
            assigned_here: true,
            verified: true,
        };
        assert!(check_caller_number("+861", Some(ok)).is_ok());
        for facts in [
            None,
            Some(CallerNumberFacts {
                assigned_here: false,
                verified: true,
            }),
            Some(CallerNumberFacts {
                assigned_here: true,
                verified: false,
            }),
        ] {
            assert_eq!(
                check_caller_number("+861", facts).unwrap_err().field,
                "caller_number"
            );
        }
    }
}

//! The `[rights]` section: the time zone and holiday calendar of the complaint
//! SLA and how often `waihu serve` runs the retention sweep. The complaint
//! threshold and the retention maximum are platform settings in the database
//! (operator, audited): `waihu complaint settings`.

use crate::{AppError, AppResult};
use chrono::NaiveDate;
use serde::Deserialize;
use waihu_compliance::sla::WorkCalendar;

/// `[rights]` in the configuration.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RightsConfig {
    /// The zone working days are counted in (IANA name).
    pub timezone: String,
    /// Public holidays (`YYYY-MM-DD`): not working days.
    pub holidays: Vec<NaiveDate>,
    /// Make-up working days (调休, `YYYY-MM-DD`): weekend days that are worked.
    pub makeup_workdays: Vec<NaiveDate>,
    /// Seconds between retention sweeps inside `waihu serve`; 0 turns the loop off.
    pub sweep_interval_secs: u64,
}

impl Default for RightsConfig {
    fn default() -> Self {
        Self {
            timezone: "Asia/Shanghai".into(),
            holidays: Vec::new(),
            makeup_workdays: Vec::new(),
            sweep_interval_secs: 3600,
        }
    }
}

impl RightsConfig {
    /// The SLA calendar.
    pub fn calendar(&self) -> AppResult<WorkCalendar> {
        let zone: chrono_tz::Tz = self.timezone.parse().map_err(|_| {
            AppError::Config(format!(
                "rights.timezone {:?} is not an IANA time zone name",
                self.timezone
            ))
        })?;
        WorkCalendar::new(
            zone,
            self.holidays.iter().copied(),
            self.makeup_workdays.iter().copied(),
        )
        .map_err(|e| AppError::Config(format!("rights.holidays / rights.makeup_workdays: {e}")))
    }

    /// The section as TOML (for `waihu config show`).
    pub fn toml(&self) -> String {
        let dates = |d: &[NaiveDate]| {
            d.iter()
                .map(|d| format!("\"{d}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "\n[rights]\ntimezone = {tz:?}\nholidays = [{h}]\nmakeup_workdays = [{m}]\nsweep_interval_secs = {s}\n",
            tz = self.timezone,
            h = dates(&self.holidays),
            m = dates(&self.makeup_workdays),
            s = self.sweep_interval_secs,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calendar_comes_from_the_section() {
        let c: RightsConfig = toml::from_str(
            "timezone = \"Asia/Shanghai\"\nholidays = [\"2026-10-01\"]\nmakeup_workdays = [\"2026-10-10\"]\n",
        )
        .unwrap();
        let cal = c.calendar().unwrap();
        assert!(!cal.is_working_day(NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()));
        assert!(cal.is_working_day(NaiveDate::from_ymd_opt(2026, 10, 10).unwrap()));
        assert_eq!(c.sweep_interval_secs, 3600);
        assert!(c.toml().contains("holidays = [\"2026-10-01\"]"));
    }

    #[test]
    fn bad_zones_and_conflicting_dates_are_refused() {
        let bad = RightsConfig {
            timezone: "Mars/Olympus".into(),
            ..RightsConfig::default()
        };
        assert!(bad
            .calendar()
            .unwrap_err()
            .to_string()
            .contains("Mars/Olympus"));
        let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let both = RightsConfig {
            holidays: vec![d],
            makeup_workdays: vec![d],
            ..RightsConfig::default()
        };
        assert!(format!("{:#}", both.calendar().unwrap_err()).contains("2026-01-01"));
        assert!(toml::from_str::<RightsConfig>("holidays = [\"2026-13-01\"]").is_err());
    }
}

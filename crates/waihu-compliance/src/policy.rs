//! Jurisdiction policies: calling hours and frequency caps per jurisdiction, with the
//! defaults of docs/compliance.md, and the merge that lets a tenant tighten a policy but
//! never loosen it.

use crate::window::{TimeWindow, WeeklyWindows};
use chrono::Weekday;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A jurisdiction whose rules a task's callees fall under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Jurisdiction {
    /// Mainland China.
    CN,
    /// United States.
    US,
    /// United Kingdom.
    UK,
}

impl Jurisdiction {
    /// `CN`, `US` or `UK`.
    pub fn as_str(self) -> &'static str {
        match self {
            Jurisdiction::CN => "CN",
            Jurisdiction::US => "US",
            Jurisdiction::UK => "UK",
        }
    }

    /// The jurisdiction of an E.164 number's country, if waihu has a policy for it:
    /// +86 → CN, +44 → UK, +1 with a US area code → US. Canada, the Caribbean and
    /// every other country have no built-in policy (`None`): the caller must choose.
    pub fn for_number(e164: &str) -> Option<Jurisdiction> {
        let digits = e164.strip_prefix('+')?;
        if digits.starts_with("86") {
            Some(Jurisdiction::CN)
        } else if digits.starts_with("44") {
            Some(Jurisdiction::UK)
        } else if let Some(rest) = digits.strip_prefix('1') {
            let area: u16 = rest.get(..3)?.parse().ok()?;
            crate::nanp::is_us(area).then_some(Jurisdiction::US)
        } else {
            None
        }
    }
}

impl fmt::Display for Jurisdiction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not CN, US or UK.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown jurisdiction {0:?}: expected CN, US or UK")]
pub struct UnknownJurisdiction(pub String);

impl FromStr for Jurisdiction {
    type Err = UnknownJurisdiction;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "CN" => Ok(Jurisdiction::CN),
            "US" => Ok(Jurisdiction::US),
            "UK" | "GB" => Ok(Jurisdiction::UK),
            _ => Err(UnknownJurisdiction(s.to_string())),
        }
    }
}

/// The rules of one jurisdiction as the platform operator set them (or as a tenant
/// tightened them). Operator-editable, hence (de)serialisable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Which jurisdiction this policy is for (named in messages).
    pub jurisdiction: Jurisdiction,
    /// Calling hours in callee-local time.
    pub calling_hours: WeeklyWindows,
    /// Maximum attempts to one number in 24 hours across all tenants.
    pub cap_24h: u32,
    /// Maximum attempts to one number in 30 days across all tenants.
    pub cap_30d: u32,
    /// Maximum verification (one-time code) calls to one number in 24 hours.
    pub verification_cap_24h: u32,
}

/// docs/compliance.md: ≤ 3 per 24 h and ≤ 10 per 30 days (carrier guidance).
const CAP_24H: u32 = 3;
const CAP_30D: u32 = 10;
/// Verification calls capped at 3 per number per 24 h.
const VERIFICATION_CAP_24H: u32 = 3;

fn every_day(start: u32, end: u32) -> WeeklyWindows {
    // The literals below are valid windows; fall back to "never" rather than panic.
    TimeWindow::hm((start, 0), (end, 0))
        .map(WeeklyWindows::every_day)
        .unwrap_or_else(|_| WeeklyWindows::new(Default::default()))
}

impl Policy {
    /// The built-in default of a jurisdiction (docs/compliance.md):
    /// CN 09:00–20:00 (industry practice), US 08:00–21:00 callee-local (47 CFR
    /// 64.1200(c)(1)), UK 08:00–21:00 (industry practice, not statute); every day;
    /// caps 3/24 h and 10/30 d; verification calls 3/24 h.
    pub fn default_for(j: Jurisdiction) -> Policy {
        let calling_hours = match j {
            Jurisdiction::CN => every_day(9, 20),
            Jurisdiction::US | Jurisdiction::UK => every_day(8, 21),
        };
        Policy {
            jurisdiction: j,
            calling_hours,
            cap_24h: CAP_24H,
            cap_30d: CAP_30D,
            verification_cap_24h: VERIFICATION_CAP_24H,
        }
    }

    /// This policy tightened by a tenant's override. Every field of the override must
    /// be at least as strict as the policy's: a tenant may make a rule stricter, never
    /// looser. A loosening override is rejected as a whole.
    pub fn tighten(&self, o: &PolicyOverride) -> Result<Policy, PolicyError> {
        let mut out = self.clone();
        let caps = [
            ("cap_24h", self.cap_24h, o.cap_24h, &mut out.cap_24h),
            ("cap_30d", self.cap_30d, o.cap_30d, &mut out.cap_30d),
            (
                "verification_cap_24h",
                self.verification_cap_24h,
                o.verification_cap_24h,
                &mut out.verification_cap_24h,
            ),
        ];
        for (rule, base, requested, slot) in caps {
            if let Some(requested) = requested {
                if requested > base {
                    return Err(PolicyError::CapLoosened {
                        rule,
                        base,
                        requested,
                    });
                }
                *slot = requested;
            }
        }
        if let Some(hours) = &o.calling_hours {
            if let Some((day, window)) = hours.first_outside(&self.calling_hours) {
                return Err(PolicyError::HoursLoosened {
                    jurisdiction: self.jurisdiction,
                    day,
                    window,
                    base: self.calling_hours.describe(day),
                });
            }
            out.calling_hours = hours.clone();
        }
        Ok(out)
    }
}

/// A tenant's stricter settings for one jurisdiction; `None` keeps the platform's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyOverride {
    /// Narrower calling hours.
    pub calling_hours: Option<WeeklyWindows>,
    /// A lower 24-hour cap.
    pub cap_24h: Option<u32>,
    /// A lower 30-day cap.
    pub cap_30d: Option<u32>,
    /// A lower verification-call cap.
    pub verification_cap_24h: Option<u32>,
}

/// A tenant policy tried to loosen the platform policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A cap above the platform's.
    #[error(
        "a tenant policy may only tighten: {rule} {requested} is looser than the platform's {base}"
    )]
    CapLoosened {
        /// `cap_24h`, `cap_30d` or `verification_cap_24h`.
        rule: &'static str,
        /// The platform's cap.
        base: u32,
        /// The tenant's requested cap.
        requested: u32,
    },
    /// A calling window outside the platform's hours.
    #[error("a tenant policy may only tighten: calling window {day} {window} is outside the {jurisdiction} calling hours ({base})")]
    HoursLoosened {
        /// The policy's jurisdiction.
        jurisdiction: Jurisdiction,
        /// The weekday of the offending window.
        day: Weekday,
        /// The offending window.
        window: TimeWindow,
        /// The platform's hours that day, described.
        base: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_number_jurisdiction() {
        let cn = Policy::default_for(Jurisdiction::CN);
        assert_eq!(cn.calling_hours.describe(Weekday::Sat), "09:00–20:00");
        assert_eq!(
            Policy::default_for(Jurisdiction::US)
                .calling_hours
                .describe(Weekday::Sun),
            "08:00–21:00"
        );
        assert_eq!(
            (cn.cap_24h, cn.cap_30d, cn.verification_cap_24h),
            (3, 10, 3)
        );
        assert_eq!(
            Jurisdiction::for_number("+8613812345678"),
            Some(Jurisdiction::CN)
        );
        assert_eq!(
            Jurisdiction::for_number("+14155550123"),
            Some(Jurisdiction::US)
        );
        assert_eq!(Jurisdiction::for_number("+14165550123"), None, "Toronto");
        assert_eq!(
            Jurisdiction::for_number("+447700900123"),
            Some(Jurisdiction::UK)
        );
        assert_eq!(Jurisdiction::for_number("+33123456789"), None);
        assert_eq!("gb".parse::<Jurisdiction>(), Ok(Jurisdiction::UK));
    }
}

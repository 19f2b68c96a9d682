//! Rule ids, deny reasons and the decision. The rule ids are a fixed, documented set
//! (docs/compliance.md): the CLI, the API, metrics and the audit log all use them.

use std::fmt;
use std::str::FromStr;

/// One rule of the gate, identified by a stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// Consent evidence present, not withdrawn or expired, scope covers tenant and purpose.
    Consent,
    /// Number on the tenant's do-not-call list.
    DncTenant,
    /// Number on the platform's do-not-call list.
    DncPlatform,
    /// Number on an imported national do-not-call registry.
    DncRegistry,
    /// Callee-local time outside the jurisdiction's calling hours.
    CallingHours,
    /// Callee-local time outside the task's calling windows or active period.
    TaskWindow,
    /// Too many attempts to this number in the last 24 hours (all tenants).
    Cap24h,
    /// Too many attempts to this number in the last 30 days (all tenants).
    Cap30d,
    /// Caller number missing, unverified or not owned by the tenant.
    CallerNumber,
    /// Tenant suspended.
    TenantStanding,
    /// Task not running.
    TaskState,
}

impl Rule {
    /// Every rule, in the order the gate evaluates them.
    pub const ALL: [Rule; 11] = [
        Rule::TenantStanding,
        Rule::TaskState,
        Rule::CallerNumber,
        Rule::Consent,
        Rule::DncTenant,
        Rule::DncPlatform,
        Rule::DncRegistry,
        Rule::CallingHours,
        Rule::TaskWindow,
        Rule::Cap24h,
        Rule::Cap30d,
    ];

    /// The stable id, e.g. `calling_hours`.
    pub fn id(self) -> &'static str {
        match self {
            Rule::Consent => "consent",
            Rule::DncTenant => "dnc_tenant",
            Rule::DncPlatform => "dnc_platform",
            Rule::DncRegistry => "dnc_registry",
            Rule::CallingHours => "calling_hours",
            Rule::TaskWindow => "task_window",
            Rule::Cap24h => "cap_24h",
            Rule::Cap30d => "cap_30d",
            Rule::CallerNumber => "caller_number",
            Rule::TenantStanding => "tenant_standing",
            Rule::TaskState => "task_state",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The text is not one of the rule ids.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown gate rule {0:?}")]
pub struct UnknownRule(pub String);

impl FromStr for Rule {
    type Err = UnknownRule;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rule::ALL
            .into_iter()
            .find(|r| r.id() == s)
            .ok_or_else(|| UnknownRule(s.to_string()))
    }
}

/// Why one dial attempt is not allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// Which rule denied it.
    pub rule: Rule,
    /// What an operator reads, e.g. "not dialled: outside calling hours 09:00–20:00
    /// Asia/Shanghai (callee-local Sat 20:00:00)".
    pub message: String,
}

impl Reason {
    pub(crate) fn new(rule: Rule, detail: impl fmt::Display) -> Self {
        Self {
            rule,
            message: format!("not dialled: {detail}"),
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.rule, self.message)
    }
}

/// The gate's answer for one dial attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The number may be dialled now.
    Allow,
    /// The number must not be dialled; every broken rule is listed (never empty).
    Deny(Vec<Reason>),
}

impl Decision {
    /// Whether the decision allows the dial.
    pub fn is_allow(&self) -> bool {
        matches!(self, Decision::Allow)
    }

    /// The reasons of a deny; empty on allow.
    pub fn reasons(&self) -> &[Reason] {
        match self {
            Decision::Allow => &[],
            Decision::Deny(r) => r,
        }
    }

    /// Whether `rule` is among the deny reasons.
    pub fn denied_by(&self, rule: Rule) -> bool {
        self.reasons().iter().any(|r| r.rule == rule)
    }

    /// `"allow"` or `"deny"`, as printed by `waihu gate check --json`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Deny(_) => "deny",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_round_trip_and_are_unique() {
        let mut ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
        for r in Rule::ALL {
            assert_eq!(r.id().parse::<Rule>(), Ok(r));
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 11);
        assert!("amd_24h".parse::<Rule>().is_err());
    }
}

//! What a refusal by the compliance gate means for the contact and the task.
//! Some refusals are final for the contact (no consent, on a do-not-call list),
//! some pass with time (calling hours, frequency caps), and some say the task
//! itself cannot dial (its caller number, the tenant's standing): those pause
//! the task instead of burning through its contacts.

use crate::retry::Next;
use chrono::{DateTime, Duration, Utc};
use waihu_compliance::Rule;
use waihu_core::CallOutcome;

/// The consequence of a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefusalEffect {
    /// The contact is retried later or done; the refusal is recorded.
    Contact(Next),
    /// The task cannot dial anyone: pause it with this reason; the contact is
    /// put back untouched.
    PauseTask(String),
    /// The task is no longer running (paused or stopped meanwhile): put the
    /// contact back untouched, record nothing.
    Release,
}

/// How long to wait after a time-bound refusal before asking the gate again.
fn wait_for(rule: Rule) -> Option<Duration> {
    Some(match rule {
        Rule::CallingHours | Rule::TaskWindow => Duration::minutes(30),
        Rule::Cap24h => Duration::hours(6),
        Rule::Cap30d => Duration::days(1),
        _ => return None,
    })
}

/// The contact's reason: `refused:` and the rule ids, e.g. `refused:cap_24h,calling_hours`.
fn refused_because(rules: impl Iterator<Item = Rule>) -> String {
    let ids: Vec<&str> = rules.map(Rule::id).collect();
    format!("{}:{}", CallOutcome::Refused, ids.join(","))
}

/// The effect of a refusal naming `rules` at `now`.
pub fn after_refusal(rules: &[Rule], now: DateTime<Utc>) -> RefusalEffect {
    if rules.contains(&Rule::TaskState) {
        return RefusalEffect::Release;
    }
    if let Some(r) = rules
        .iter()
        .find(|r| matches!(r, Rule::CallerNumber | Rule::TenantStanding))
    {
        return RefusalEffect::PauseTask(format!("refused by the gate: {r}"));
    }
    let permanent = rules.iter().copied().filter(|r| wait_for(*r).is_none());
    if permanent.clone().next().is_some() {
        return RefusalEffect::Contact(Next::Done(refused_because(permanent)));
    }
    let wait = rules
        .iter()
        .filter_map(|r| wait_for(*r))
        .max()
        .unwrap_or(Duration::minutes(30));
    RefusalEffect::Contact(Next::RetryAt(
        now + wait,
        refused_because(rules.iter().copied()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn v(rules: &[&str]) -> Vec<Rule> {
        rules.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn table() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 21, 0, 0).unwrap();
        let retry =
            |d: Duration, why: &str| RefusalEffect::Contact(Next::RetryAt(now + d, why.into()));
        let done = |why: &str| RefusalEffect::Contact(Next::Done(why.into()));
        let table = [
            (v(&["consent"]), done("refused:consent")),
            (
                v(&["dnc_tenant", "calling_hours"]),
                done("refused:dnc_tenant"),
            ),
            (
                v(&["calling_hours"]),
                retry(Duration::minutes(30), "refused:calling_hours"),
            ),
            (
                v(&["cap_24h", "calling_hours"]),
                retry(Duration::hours(6), "refused:cap_24h,calling_hours"),
            ),
            (v(&["cap_30d"]), retry(Duration::days(1), "refused:cap_30d")),
            (
                v(&["caller_number", "consent"]),
                RefusalEffect::PauseTask("refused by the gate: caller_number".into()),
            ),
            (
                v(&["tenant_standing"]),
                RefusalEffect::PauseTask("refused by the gate: tenant_standing".into()),
            ),
            (v(&["task_state", "consent"]), RefusalEffect::Release),
        ];
        for (rules, want) in table {
            assert_eq!(after_refusal(&rules, now), want, "{rules:?}");
        }
    }
}

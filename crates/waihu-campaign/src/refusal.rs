//! What a refusal by the compliance gate means for the contact and the task.
//! Some refusals are final for the contact (no consent, on a do-not-call list),
//! some pass with time (calling hours, frequency caps), and some say the task
//! itself cannot dial (its caller number, the tenant's standing): those pause
//! the task instead of burning through its contacts.

use crate::retry::Next;
use chrono::{DateTime, Duration, Utc};

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
fn wait_for(rule: &str) -> Option<Duration> {
    Some(match rule {
        "calling_hours" | "task_window" => Duration::minutes(30),
        "cap_24h" => Duration::hours(6),
        "cap_30d" => Duration::days(1),
        _ => return None,
    })
}

/// The effect of a refusal naming `rules` (gate rule ids) at `now`.
pub fn after_refusal(rules: &[String], now: DateTime<Utc>) -> RefusalEffect {
    let has = |r: &str| rules.iter().any(|x| x == r);
    if has("task_state") {
        return RefusalEffect::Release;
    }
    if let Some(r) = rules
        .iter()
        .find(|r| matches!(r.as_str(), "caller_number" | "tenant_standing"))
    {
        return RefusalEffect::PauseTask(format!("refused by the gate: {r}"));
    }
    let permanent: Vec<&str> = rules
        .iter()
        .map(String::as_str)
        .filter(|r| wait_for(r).is_none())
        .collect();
    if !permanent.is_empty() {
        return RefusalEffect::Contact(Next::Done(format!("refused:{}", permanent.join(","))));
    }
    let wait = rules
        .iter()
        .filter_map(|r| wait_for(r))
        .max()
        .unwrap_or(Duration::minutes(30));
    RefusalEffect::Contact(Next::RetryAt(
        now + wait,
        format!("refused:{}", rules.join(",")),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn v(rules: &[&str]) -> Vec<String> {
        rules.iter().map(|s| s.to_string()).collect()
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

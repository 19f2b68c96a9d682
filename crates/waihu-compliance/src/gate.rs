//! The gate itself: one pure function from request, facts and the current instant to a
//! decision. Every rule is evaluated, so a deny lists every reason at once and an
//! operator can answer "why was this number not called?" in one look.

use crate::facts::{CheckScope, DialRequest, Facts, TaskFacts, TenantStatus};
use crate::policy::Policy;
use crate::rule::{Decision, Reason, Rule};
use crate::window::WeeklyWindows;
use crate::zones::{callee_zones, CalleeZones};
use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use waihu_core::TaskState;

/// Decides one dial attempt at `now`. Allocation-free on allow.
pub fn check(req: &DialRequest, facts: &Facts<'_>, now: DateTime<Utc>) -> Decision {
    let mut reasons = Vec::new();
    let verification = req.purpose.is_verification();
    let policy = facts.policy;

    if facts.tenant_status == TenantStatus::Suspended {
        reasons.push(Reason::new(Rule::TenantStanding, "the tenant is suspended"));
    }
    if let Some(task) = facts.task {
        if task.state != TaskState::Running {
            reasons.push(Reason::new(
                Rule::TaskState,
                format_args!("the task is {}", state_word(task.state)),
            ));
        }
    }
    caller_number(req, facts, &mut reasons);
    if !verification {
        consent(req, facts, now, &mut reasons);
        dnc(facts, &mut reasons);
    }

    let zones = callee_zones(&req.number, facts.zone_override);
    if let Some(r) = hours(&zones, &policy.calling_hours, now, |w| {
        format!("outside calling hours {w}")
    }) {
        reasons.push(Reason::new(Rule::CallingHours, r));
    }
    if let Some(task) = facts.task {
        task_window(task, &zones, now, &mut reasons);
    }
    caps(verification, facts, policy, &mut reasons);

    if reasons.is_empty() {
        Decision::Allow
    } else {
        Decision::Deny(reasons)
    }
}

/// The task state as a deny reason words it. Refusals are stored with their
/// reasons, and those of a completed task have always said "finished", so the
/// text stays as it was.
fn state_word(state: TaskState) -> &'static str {
    match state {
        TaskState::Completed => "finished",
        other => other.as_str(),
    }
}

fn caller_number(req: &DialRequest, facts: &Facts<'_>, reasons: &mut Vec<Reason>) {
    match facts.caller_number {
        None if req.scope == CheckScope::Dial => {
            reasons.push(Reason::new(Rule::CallerNumber, "no caller number is set"));
        }
        None => {}
        Some(c) if !c.verified => reasons.push(Reason::new(
            Rule::CallerNumber,
            format_args!("caller number {} is not verified by the operator", c.number),
        )),
        Some(c) if c.owner != Some(req.tenant) => reasons.push(Reason::new(
            Rule::CallerNumber,
            format_args!("caller number {} is not assigned to this tenant", c.number),
        )),
        Some(_) => {}
    }
}

fn consent(req: &DialRequest, facts: &Facts<'_>, now: DateTime<Utc>, reasons: &mut Vec<Reason>) {
    let mut first_problem = None;
    for record in facts.consents {
        match record.problem(req.tenant, &req.purpose, now) {
            None => return,
            Some(p) => {
                first_problem.get_or_insert(p);
            }
        }
    }
    let msg = first_problem.unwrap_or_else(|| "no consent evidence for this number".to_string());
    reasons.push(Reason::new(Rule::Consent, msg));
}

fn dnc(facts: &Facts<'_>, reasons: &mut Vec<Reason>) {
    let d = facts.dnc;
    if d.tenant {
        reasons.push(Reason::new(
            Rule::DncTenant,
            "the number is on the tenant's do-not-call list",
        ));
    }
    if d.platform {
        reasons.push(Reason::new(
            Rule::DncPlatform,
            "the number is on the platform do-not-call list",
        ));
    }
    if d.registry {
        reasons.push(Reason::new(
            Rule::DncRegistry,
            "the number is on a national do-not-call registry",
        ));
    }
}

/// `None` if `now` lies inside `windows` in every zone; else the message (built by
/// `what` from the windows' description) naming the first zone that fails.
fn hours(
    zones: &CalleeZones,
    windows: &WeeklyWindows,
    now: DateTime<Utc>,
    what: impl Fn(&str) -> String,
) -> Option<String> {
    if windows.is_always() {
        return None;
    }
    let list = zones.zones();
    if list.is_empty() {
        return Some(format!(
            "{}: the callee's time zone is unknown; set the contact's time zone",
            what(&windows.describe(now.weekday()))
        ));
    }
    let failing: &Tz = list
        .iter()
        .find(|tz| !windows.contains(&now.with_timezone(*tz)))?;
    let local = now.with_timezone(failing);
    let mut msg = format!(
        "{} {} (callee-local {})",
        what(&windows.describe(local.weekday())),
        failing.name(),
        local.format("%a %H:%M:%S")
    );
    if list.len() > 1 {
        msg.push_str(&format!(
            "; the number spans {} and the window must hold in all",
            zones.names()
        ));
    }
    Some(msg)
}

fn task_window(
    task: &TaskFacts,
    zones: &CalleeZones,
    now: DateTime<Utc>,
    reasons: &mut Vec<Reason>,
) {
    if let Some(start) = task.starts_at.filter(|s| now < *s) {
        reasons.push(Reason::new(
            Rule::TaskWindow,
            format_args!("the task starts at {}", start.to_rfc3339()),
        ));
    }
    if let Some(end) = task.ends_at.filter(|e| now >= *e) {
        reasons.push(Reason::new(
            Rule::TaskWindow,
            format_args!("the task ended at {}", end.to_rfc3339()),
        ));
    }
    if let Some(r) = hours(zones, &task.windows, now, |w| {
        format!("outside the task's calling windows {w}")
    }) {
        reasons.push(Reason::new(Rule::TaskWindow, r));
    }
}

fn caps(verification: bool, facts: &Facts<'_>, policy: &Policy, reasons: &mut Vec<Reason>) {
    let a = facts.attempts;
    if verification {
        if a.verification_last_24h >= policy.verification_cap_24h {
            reasons.push(Reason::new(
                Rule::Cap24h,
                format_args!(
                    "{} verification calls to this number in the last 24 h (cap {})",
                    a.verification_last_24h, policy.verification_cap_24h
                ),
            ));
        }
        return;
    }
    if a.last_24h >= policy.cap_24h {
        reasons.push(Reason::new(
            Rule::Cap24h,
            format_args!(
                "{} attempts to this number in the last 24 h across all tenants (cap {})",
                a.last_24h, policy.cap_24h
            ),
        ));
    }
    if a.last_30d >= policy.cap_30d {
        reasons.push(Reason::new(
            Rule::Cap30d,
            format_args!(
                "{} attempts to this number in the last 30 days across all tenants (cap {})",
                a.last_30d, policy.cap_30d
            ),
        ));
    }
}

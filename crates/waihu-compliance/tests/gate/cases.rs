//! One table of cases: a baseline that is allowed, one change per case, the instant,
//! and the exact set of rules expected to deny.

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use waihu_compliance::{
    check, AttemptCounts, CallerNumberFacts, CheckScope, ConsentEvidence, ConsentRecord, Decision,
    DialRequest, DncFacts, EvidenceRef, Facts, Jurisdiction, Policy, Purpose, Rule, TaskFacts,
    TenantStatus, TimeWindow, WeeklyWindows,
};
use waihu_core::{TaskState, TenantId};

/// Owns everything a `Facts` borrows.
struct World {
    req: DialRequest,
    policy: Policy,
    consents: Vec<ConsentRecord>,
    dnc: DncFacts,
    attempts: AttemptCounts,
    zone_override: Option<Tz>,
    tenant_status: TenantStatus,
    task: Option<TaskFacts>,
    caller: Option<CallerNumberFacts>,
}

fn tenant_a() -> TenantId {
    TenantId(uuid_from(1))
}

fn tenant_b() -> TenantId {
    TenantId(uuid_from(2))
}

fn uuid_from(n: u128) -> uuid::Uuid {
    uuid::Uuid::from_u128(n)
}

fn purpose(s: &str) -> Purpose {
    Purpose::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

fn win(s: &str) -> TimeWindow {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

/// A wall-clock time in `tz` on 2026-12-01 (a Tuesday, no DST anywhere relevant).
fn local(tz: Tz, h: u32, m: u32, s: u32) -> DateTime<Utc> {
    tz.with_ymd_and_hms(2026, 12, 1, h, m, s)
        .single()
        .unwrap_or_else(|| panic!("ambiguous local time"))
        .with_timezone(&Utc)
}

fn sh(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    local(Tz::Asia__Shanghai, h, m, s)
}

/// Baseline: allowed at 10:00 Shanghai.
fn world() -> World {
    let given = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_else(|| panic!("time"));
    World {
        req: DialRequest {
            tenant: tenant_a(),
            number: "+8613812345678".into(),
            purpose: purpose("marketing"),
            scope: CheckScope::Dial,
        },
        policy: Policy::default_for(Jurisdiction::CN),
        consents: vec![ConsentRecord {
            tenant: tenant_a(),
            evidence: ConsentEvidence {
                source: "web_form".into(),
                given_at: given,
                purposes: vec![purpose("marketing")],
                share_leads: false,
                evidence: EvidenceRef::Reference("form-42".into()),
                expires_at: None,
            },
            withdrawn_at: None,
        }],
        dnc: DncFacts::default(),
        attempts: AttemptCounts::default(),
        zone_override: None,
        tenant_status: TenantStatus::Active,
        task: Some(TaskFacts {
            state: TaskState::Running,
            windows: WeeklyWindows::always(),
            starts_at: None,
            ends_at: None,
        }),
        caller: Some(CallerNumberFacts {
            number: "+862100000001".into(),
            verified: true,
            owner: Some(tenant_a()),
        }),
    }
}

impl World {
    fn decide(&self, now: DateTime<Utc>) -> Decision {
        let facts = Facts {
            policy: &self.policy,
            consents: &self.consents,
            dnc: self.dnc,
            attempts: self.attempts,
            zone_override: self.zone_override,
            tenant_status: self.tenant_status,
            task: self.task.as_ref(),
            caller_number: self.caller.as_ref(),
        };
        check(&self.req, &facts, now)
    }

    fn us(mut self, number: &str) -> Self {
        self.req.number = number.into();
        self.policy = Policy::default_for(Jurisdiction::US);
        self
    }
}

struct Case {
    name: &'static str,
    at: DateTime<Utc>,
    setup: Box<dyn Fn(&mut World)>,
    deny: &'static [Rule],
}

fn case(
    name: &'static str,
    at: DateTime<Utc>,
    setup: impl Fn(&mut World) + 'static,
    deny: &'static [Rule],
) -> Case {
    Case {
        name,
        at,
        setup: Box::new(setup),
        deny,
    }
}

fn none(_: &mut World) {}

fn task_mut(w: &mut World) -> &mut TaskFacts {
    w.task
        .as_mut()
        .unwrap_or_else(|| panic!("baseline has a task"))
}

fn consent_mut(w: &mut World) -> &mut ConsentRecord {
    w.consents
        .first_mut()
        .unwrap_or_else(|| panic!("baseline has consent"))
}

fn cases() -> Vec<Case> {
    use Rule::*;
    let ten = sh(10, 0, 0);
    let e = Tz::America__New_York;
    vec![
        case("baseline", ten, none, &[]),
        // calling hours, CN 09:00–20:00 callee-local
        case("19:59:59 Shanghai", sh(19, 59, 59), none, &[]),
        case("20:00:00 Shanghai", sh(20, 0, 0), none, &[CallingHours]),
        case("08:59:59 Shanghai", sh(8, 59, 59), none, &[CallingHours]),
        case("09:00:00 Shanghai", sh(9, 0, 0), none, &[]),
        case(
            "contact zone override moves the window",
            sh(15, 0, 0),
            |w| w.zone_override = Some(Tz::Europe__London),
            &[CallingHours],
        ),
        case(
            "unknown country zone",
            ten,
            |w| w.req.number = "+2995550123".into(),
            &[CallingHours],
        ),
        case(
            "unknown country with override",
            ten,
            |w| {
                w.req.number = "+2995550123".into();
                w.zone_override = Some(Tz::Asia__Shanghai);
            },
            &[],
        ),
        // US multi-zone area code 931 (Eastern and Central), US 08:00–21:00
        case(
            "931 at 20:59:59 Eastern",
            local(e, 20, 59, 59),
            |w| *w = world().us("+19315550123"),
            &[],
        ),
        case(
            "931 at 21:00:00 Eastern",
            local(e, 21, 0, 0),
            |w| *w = world().us("+19315550123"),
            &[CallingHours],
        ),
        case(
            "931 at 08:00 Eastern = 07:00 Central",
            local(e, 8, 0, 0),
            |w| *w = world().us("+19315550123"),
            &[CallingHours],
        ),
        case(
            "931 at 09:00 Eastern = 08:00 Central",
            local(e, 9, 0, 0),
            |w| *w = world().us("+19315550123"),
            &[],
        ),
        case(
            "212 (Eastern only) at 08:00 Eastern",
            local(e, 8, 0, 0),
            |w| *w = world().us("+12125550123"),
            &[],
        ),
        // caps across all tenants
        case("3rd attempt in 24 h", ten, |w| w.attempts.last_24h = 2, &[]),
        case(
            "4th attempt in 24 h",
            ten,
            |w| w.attempts.last_24h = 3,
            &[Cap24h],
        ),
        case(
            "10th attempt in 30 d",
            ten,
            |w| w.attempts.last_30d = 9,
            &[],
        ),
        case(
            "11th attempt in 30 d",
            ten,
            |w| w.attempts.last_30d = 10,
            &[Cap30d],
        ),
        // consent
        case(
            "consent expires in 1 s",
            ten,
            move |w| consent_mut(w).evidence.expires_at = Some(ten + Duration::seconds(1)),
            &[],
        ),
        case(
            "consent expired 1 s ago",
            ten,
            move |w| consent_mut(w).evidence.expires_at = Some(ten - Duration::seconds(1)),
            &[Consent],
        ),
        case(
            "consent expiring exactly now",
            ten,
            move |w| consent_mut(w).evidence.expires_at = Some(ten),
            &[Consent],
        ),
        case(
            "consent withdrawn",
            ten,
            move |w| consent_mut(w).withdrawn_at = Some(ten - Duration::days(1)),
            &[Consent],
        ),
        case("no consent", ten, |w| w.consents.clear(), &[Consent]),
        case(
            "consent of another tenant",
            ten,
            |w| consent_mut(w).tenant = tenant_b(),
            &[Consent],
        ),
        case(
            "consent not covering purpose",
            ten,
            |w| w.req.purpose = purpose("survey"),
            &[Consent],
        ),
        case(
            "consent given in the future",
            ten,
            move |w| consent_mut(w).evidence.given_at = ten + Duration::seconds(1),
            &[Consent],
        ),
        case(
            "second record covers",
            ten,
            |w| {
                let mut other = w.consents[0].clone();
                other.tenant = tenant_b();
                w.consents.insert(0, other);
            },
            &[],
        ),
        // do-not-call
        case(
            "platform DNC, not tenant DNC",
            ten,
            |w| w.dnc.platform = true,
            &[DncPlatform],
        ),
        case("tenant DNC", ten, |w| w.dnc.tenant = true, &[DncTenant]),
        case(
            "registry DNC",
            ten,
            |w| w.dnc.registry = true,
            &[DncRegistry],
        ),
        // caller number
        case(
            "unverified caller number",
            ten,
            |w| {
                if let Some(c) = &mut w.caller {
                    c.verified = false
                }
            },
            &[CallerNumber],
        ),
        case(
            "foreign caller number",
            ten,
            |w| {
                if let Some(c) = &mut w.caller {
                    c.owner = Some(tenant_b())
                }
            },
            &[CallerNumber],
        ),
        case(
            "unassigned caller number",
            ten,
            |w| {
                if let Some(c) = &mut w.caller {
                    c.owner = None
                }
            },
            &[CallerNumber],
        ),
        case(
            "no caller number on a dial",
            ten,
            |w| w.caller = None,
            &[CallerNumber],
        ),
        case(
            "no caller number, contact-level check",
            ten,
            |w| {
                w.caller = None;
                w.task = None;
                w.req.scope = CheckScope::ContactOnly;
            },
            &[],
        ),
        // standing and task
        case(
            "suspended tenant",
            ten,
            |w| w.tenant_status = TenantStatus::Suspended,
            &[TenantStanding],
        ),
        case(
            "paused task",
            ten,
            |w| task_mut(w).state = waihu_core::TaskState::Paused,
            &[TaskState],
        ),
        case(
            "stopped task",
            ten,
            |w| task_mut(w).state = waihu_core::TaskState::Stopped,
            &[TaskState],
        ),
        case(
            "completed task",
            ten,
            |w| task_mut(w).state = waihu_core::TaskState::Completed,
            &[TaskState],
        ),
        case(
            "draft task",
            ten,
            |w| task_mut(w).state = waihu_core::TaskState::Draft,
            &[TaskState],
        ),
        case(
            "task window 11:59:59",
            sh(11, 59, 59),
            |w| task_mut(w).windows = WeeklyWindows::every_day(win("10:00-12:00")),
            &[],
        ),
        case(
            "task window 12:00:00",
            sh(12, 0, 0),
            |w| task_mut(w).windows = WeeklyWindows::every_day(win("10:00-12:00")),
            &[TaskWindow],
        ),
        case(
            "task ends now",
            ten,
            move |w| task_mut(w).ends_at = Some(ten),
            &[TaskWindow],
        ),
        case(
            "task starts in 1 s",
            ten,
            move |w| task_mut(w).starts_at = Some(ten + Duration::seconds(1)),
            &[TaskWindow],
        ),
        // verification purpose: no consent or DNC, own cap
        case(
            "verification without consent, on DNC",
            ten,
            |w| {
                w.req.purpose = Purpose::verification();
                w.consents.clear();
                w.dnc = DncFacts {
                    tenant: true,
                    platform: true,
                    registry: true,
                };
                w.attempts = AttemptCounts {
                    last_24h: 9,
                    last_30d: 99,
                    verification_last_24h: 2,
                };
            },
            &[],
        ),
        case(
            "4th verification call in 24 h",
            ten,
            |w| {
                w.req.purpose = Purpose::verification();
                w.attempts.verification_last_24h = 3;
            },
            &[Cap24h],
        ),
        case(
            "verification still keeps calling hours",
            sh(21, 0, 0),
            |w| w.req.purpose = Purpose::verification(),
            &[CallingHours],
        ),
        // every reason at once
        case(
            "many reasons",
            sh(20, 0, 0),
            |w| {
                w.tenant_status = TenantStatus::Suspended;
                w.dnc.tenant = true;
                w.attempts.last_24h = 3;
                w.consents.clear();
            },
            &[TenantStanding, Consent, DncTenant, CallingHours, Cap24h],
        ),
    ]
}

#[test]
fn gate_table() {
    let mut failures = Vec::new();
    for c in cases() {
        let mut w = world();
        (c.setup)(&mut w);
        let d = w.decide(c.at);
        let got: Vec<Rule> = d.reasons().iter().map(|r| r.rule).collect();
        if got != c.deny || d.is_allow() != c.deny.is_empty() {
            failures.push(format!(
                "{}: want {:?}, got {:?}",
                c.name,
                c.deny,
                d.reasons()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn messages(w: &World, at: DateTime<Utc>) -> Vec<String> {
    w.decide(at)
        .reasons()
        .iter()
        .map(|r| r.message.clone())
        .collect()
}

#[test]
fn messages_say_why() {
    let w = world();
    assert_eq!(
        messages(&w, sh(20, 0, 0)),
        ["not dialled: outside calling hours 09:00–20:00 Asia/Shanghai (callee-local Tue 20:00:00)"]
    );
    let us = world().us("+19315550123");
    assert_eq!(
        messages(&us, local(Tz::America__New_York, 8, 0, 0)),
        ["not dialled: outside calling hours 08:00–21:00 America/Chicago (callee-local Tue 07:00:00); \
          the number spans America/New_York, America/Chicago and the window must hold in all"]
    );
    let mut w = world();
    w.attempts.last_24h = 3;
    w.dnc.platform = true;
    assert_eq!(
        messages(&w, sh(10, 0, 0)),
        [
            "not dialled: the number is on the platform do-not-call list",
            "not dialled: 3 attempts to this number in the last 24 h across all tenants (cap 3)"
        ]
    );
    let mut w = world();
    let at = sh(10, 0, 0);
    w.consents[0].evidence.expires_at = Some(at - Duration::seconds(1));
    assert_eq!(
        messages(&w, at),
        ["not dialled: consent expired at 2026-12-01T01:59:59+00:00"]
    );
    w.consents.clear();
    assert_eq!(
        messages(&w, at),
        ["not dialled: no consent evidence for this number"]
    );
    let mut w = world();
    w.task = None;
    w.caller = Some(CallerNumberFacts {
        number: "+862100000009".into(),
        verified: true,
        owner: Some(tenant_b()),
    });
    assert_eq!(
        messages(&w, at),
        ["not dialled: caller number +862100000009 is not assigned to this tenant"]
    );
    assert_eq!(w.decide(at).reasons()[0].rule.id(), "caller_number");
}

#[test]
fn task_state_messages_keep_their_stored_wording() {
    // Refusals are stored with these messages; a completed task reads "finished".
    for (state, word) in [
        (TaskState::Draft, "draft"),
        (TaskState::Paused, "paused"),
        (TaskState::Completed, "finished"),
        (TaskState::Stopped, "stopped"),
    ] {
        let mut w = world();
        task_mut(&mut w).state = state;
        assert_eq!(
            messages(&w, sh(10, 0, 0)),
            [format!("not dialled: the task is {word}")]
        );
    }
}

#[test]
fn tightened_policy_is_what_the_gate_applies() {
    let mut w = world();
    let o = waihu_compliance::PolicyOverride {
        cap_24h: Some(1),
        ..Default::default()
    };
    w.policy = w.policy.tighten(&o).unwrap_or_else(|e| panic!("{e}"));
    w.attempts.last_24h = 1;
    assert!(w.decide(sh(10, 0, 0)).denied_by(Rule::Cap24h));
    w.attempts.last_24h = 0;
    assert!(w.decide(sh(10, 0, 0)).is_allow());
}

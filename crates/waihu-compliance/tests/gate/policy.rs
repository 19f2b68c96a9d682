//! Tenant policies may only tighten the platform's.

use chrono::Weekday;
use waihu_compliance::{
    Jurisdiction, Policy, PolicyError, PolicyOverride, TimeWindow, WeeklyWindows,
};

fn w(s: &str) -> TimeWindow {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn tightening_is_accepted() {
    let base = Policy::default_for(Jurisdiction::CN);
    let o = PolicyOverride {
        calling_hours: Some(
            WeeklyWindows::every_day(w("10:00-18:00")).with_day(Weekday::Sun, vec![]),
        ),
        cap_24h: Some(2),
        cap_30d: Some(10),
        verification_cap_24h: None,
    };
    let p = base.tighten(&o).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((p.cap_24h, p.cap_30d, p.verification_cap_24h), (2, 10, 3));
    assert_eq!(p.calling_hours.describe(Weekday::Sun), "Sun: no calling");
    assert_eq!(p.calling_hours.describe(Weekday::Mon), "Mon 10:00–18:00");
}

#[test]
fn loosening_is_rejected_with_a_clear_error() {
    let base = Policy::default_for(Jurisdiction::CN);
    let cases: Vec<(PolicyOverride, &str)> = vec![
        (
            PolicyOverride { cap_24h: Some(4), ..Default::default() },
            "a tenant policy may only tighten: cap_24h 4 is looser than the platform's 3",
        ),
        (
            PolicyOverride { cap_30d: Some(11), ..Default::default() },
            "a tenant policy may only tighten: cap_30d 11 is looser than the platform's 10",
        ),
        (
            PolicyOverride { verification_cap_24h: Some(5), ..Default::default() },
            "a tenant policy may only tighten: verification_cap_24h 5 is looser than the platform's 3",
        ),
        (
            PolicyOverride {
                calling_hours: Some(WeeklyWindows::every_day(w("09:00-20:00")).with_day(Weekday::Sat, vec![w("08:30-12:00")])),
                ..Default::default()
            },
            "a tenant policy may only tighten: calling window Sat 08:30–12:00 is outside the CN calling hours (09:00–20:00)",
        ),
        (
            PolicyOverride { calling_hours: Some(WeeklyWindows::every_day(w("19:00-20:01"))), ..Default::default() },
            "a tenant policy may only tighten: calling window Mon 19:00–20:01 is outside the CN calling hours (09:00–20:00)",
        ),
    ];
    for (o, want) in cases {
        let err = base
            .tighten(&o)
            .err()
            .unwrap_or_else(|| panic!("accepted {o:?}"));
        assert_eq!(err.to_string(), want);
    }
    assert!(matches!(
        base.tighten(&PolicyOverride {
            cap_24h: Some(4),
            ..Default::default()
        }),
        Err(PolicyError::CapLoosened {
            rule: "cap_24h",
            base: 3,
            requested: 4
        })
    ));
}

#[test]
fn policy_round_trips_as_operator_config() {
    let p = Policy::default_for(Jurisdiction::US);
    let json = serde_json::to_string(&p).unwrap_or_default();
    let back: Policy = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(back, p);
    let o: PolicyOverride =
        serde_json::from_str(r#"{"cap_24h":2,"calling_hours":{"mon":["10:00-12:00"]}}"#)
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(o.cap_24h, Some(2));
    assert!(
        serde_json::from_str::<PolicyOverride>(r#"{"cap_2h":2}"#).is_err(),
        "unknown fields rejected"
    );
}

//! Timing loop for the gate (no criterion): `cargo bench -p waihu-compliance --bench gate`.
//! Prints p50/p99 per operation; figures go to BENCHMARKS.md, "## Compliance gate".

use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::HashSet;
use std::hint::black_box;
use std::time::Instant;
use waihu_compliance::pii::{NumberCipher, PhoneKey, RowBinding};
use waihu_compliance::*;
use waihu_core::{TaskState, TenantId};

const SAMPLES: usize = 200_000;

fn report(name: &str, mut ns: Vec<u64>) {
    ns.sort_unstable();
    let pct = |p: f64| ns[((ns.len() as f64 - 1.0) * p) as usize];
    let mean = ns.iter().sum::<u64>() as f64 / ns.len() as f64;
    println!(
        "{name:<44} p50 {:>7.2} µs   p99 {:>7.2} µs   mean {:>7.2} µs",
        pct(0.50) as f64 / 1e3,
        pct(0.99) as f64 / 1e3,
        mean / 1e3
    );
}

fn time(name: &str, mut f: impl FnMut(usize)) {
    for i in 0..10_000 {
        f(i); // warm-up
    }
    let mut ns = Vec::with_capacity(SAMPLES);
    for i in 0..SAMPLES {
        let t = Instant::now();
        f(i);
        ns.push(t.elapsed().as_nanos() as u64);
    }
    report(name, ns);
}

fn main() {
    let tenant = TenantId::new();
    let now: DateTime<Utc> = Utc
        .with_ymd_and_hms(2026, 12, 1, 3, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    let policy = Policy::default_for(Jurisdiction::CN);
    let consents = vec![ConsentRecord {
        tenant,
        evidence: ConsentEvidence {
            source: "web_form".into(),
            given_at: now - Duration::days(30),
            purposes: vec![Purpose::parse("marketing").unwrap_or_else(|_| Purpose::verification())],
            share_leads: false,
            evidence: EvidenceRef::Reference("form-1".into()),
            expires_at: Some(now + Duration::days(300)),
        },
        withdrawn_at: None,
    }];
    let task =
        TaskFacts {
            state: TaskState::Running,
            windows: WeeklyWindows::every_day("09:30-19:30".parse().unwrap_or_else(|_| {
                TimeWindow::hm((0, 0), (24, 0)).unwrap_or_else(|e| panic!("{e}"))
            })),
            starts_at: None,
            ends_at: None,
        };
    let caller = CallerNumberFacts {
        number: "+862100000001".into(),
        verified: true,
        owner: Some(tenant),
    };
    let facts = Facts {
        policy: &policy,
        consents: &consents,
        dnc: DncFacts::default(),
        attempts: AttemptCounts {
            last_24h: 1,
            last_30d: 4,
            verification_last_24h: 0,
        },
        zone_override: None,
        tenant_status: TenantStatus::Active,
        task: Some(&task),
        caller_number: Some(&caller),
    };
    let req = DialRequest {
        tenant,
        number: "+8613812345678".into(),
        purpose: Purpose::parse("marketing").unwrap_or_else(|_| Purpose::verification()),
        scope: CheckScope::Dial,
    };
    assert!(
        check(&req, &facts, now).is_allow(),
        "benchmark baseline must allow"
    );
    time("decision, allow (CN mobile, task)", |_| {
        black_box(check(black_box(&req), black_box(&facts), black_box(now)));
    });

    let us_policy = Policy::default_for(Jurisdiction::US);
    let us_facts = Facts {
        policy: &us_policy,
        task: None,
        ..facts
    };
    let us_req = DialRequest {
        number: "+19315550123".into(),
        ..req.clone()
    };
    let us_now = now + Duration::hours(13);
    time("decision, US two-zone area code 931", |_| {
        black_box(check(
            black_box(&us_req),
            black_box(&us_facts),
            black_box(us_now),
        ));
    });

    let deny_facts = Facts {
        dnc: DncFacts {
            tenant: true,
            platform: true,
            registry: false,
        },
        attempts: AttemptCounts {
            last_24h: 3,
            last_30d: 10,
            verification_last_24h: 0,
        },
        ..facts
    };
    let late = now + Duration::hours(10);
    assert_eq!(check(&req, &deny_facts, late).reasons().len(), 6);
    time("decision, deny with 6 reasons (messages)", |_| {
        black_box(check(
            black_box(&req),
            black_box(&deny_facts),
            black_box(late),
        ));
    });

    let key = PhoneKey::from_bytes([7; 32]);
    time("PhoneKey::hash (HMAC-SHA256)", |_| {
        black_box(key.hash(black_box("+8613812345678")));
    });

    // DNC membership as an in-memory set of keyed hashes: 1,000,000 entries.
    let dnc: HashSet<[u8; 32]> = (0..1_000_000u64)
        .map(|i| key.hash(&format!("+86139{i:08}")).0)
        .collect();
    let numbers: Vec<String> = (0..1024u64)
        .map(|i| format!("+86139{:08}", i * 977))
        .collect();
    time("hash + 1M-entry set lookup + decision", |i| {
        let n = &numbers[i % numbers.len()];
        let on = dnc.contains(&key.hash(n).0);
        let f = Facts {
            dnc: DncFacts {
                tenant: on,
                ..facts.dnc
            },
            ..facts
        };
        black_box(check(black_box(&req), &f, now));
    });

    let cipher = NumberCipher::from_bytes([9; 32]);
    let binding = RowBinding::new(
        waihu_core::TenantId(uuid::Uuid::from_u128(1)),
        PhoneKey::from_bytes([8; 32]).hash("+8613812345678"),
    );
    let sealed = cipher.seal("+8613812345678", &binding);
    time("NumberCipher::seal (AES-256-GCM)", |_| {
        black_box(cipher.seal(black_box("+8613812345678"), &binding));
    });
    time("NumberCipher::open", |_| {
        black_box(cipher.open(black_box(&sealed), &binding).ok());
    });
}

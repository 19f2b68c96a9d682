//! The gate's one-query per-number facts agree with the three separate queries on
//! every backend (platform, registry and other tenants' DNC entries, attempts on
//! both sides of the 24 h and 30 day boundaries); the settings-write counter moves
//! on policy and caller-number writes only.

use crate::stores;
use chrono::{Duration, TimeZone, Utc};
use waihu_compliance::pii::PhoneKey;
use waihu_compliance::{ConsentEvidence, EvidenceRef, Purpose};
use waihu_store::{Actor, DncScope, ImportBatch, NewContact, NumberFacts, PolicyScope};

fn evidence() -> ConsentEvidence {
    ConsentEvidence {
        source: "web_form".into(),
        given_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
        purposes: vec![Purpose::parse("marketing").unwrap()],
        share_leads: false,
        evidence: EvidenceRef::Reference("form-1".into()),
        expires_at: None,
    }
}

fn contact(key: &PhoneKey, number: &str, zone: Option<&str>) -> NewContact {
    NewContact {
        number_hash: key.hash(number),
        number_enc: number.as_bytes().to_vec(),
        number_masked: waihu_compliance::pii::mask(number),
        fields: serde_json::json!({}),
        zone_override: zone.map(str::to_string),
        evidence: 0,
    }
}

#[tokio::test]
async fn number_facts_agree_with_the_separate_queries() {
    let key = PhoneKey::from_bytes([9; 32]);
    let twice = "+8613800000001"; // a contact of A in two lists, attempts at the boundaries
    let platform = "+8613800000002"; // on the platform list, a contact of A
    let of_b = "+8613800000003"; // on B's own list only
    let registry = "+8613800000004"; // on the registry list
    let unknown = "+8613800000005"; // nowhere
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    let us = Duration::microseconds(1);
    for (db, store) in stores().await {
        let actor = Actor::cli("test");
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        for (list, numbers) in [
            ("first", vec![(twice, None), (platform, None)]),
            ("second", vec![(twice, Some("Asia/Urumqi"))]),
        ] {
            let list = store.ensure_contact_list(a.id, list, &actor).await.unwrap();
            let batch = ImportBatch {
                evidence: vec![evidence()],
                contacts: numbers
                    .into_iter()
                    .map(|(n, z)| contact(&key, n, z))
                    .collect(),
            };
            store
                .import_contacts(a.id, list.id, batch, &actor)
                .await
                .unwrap();
        }
        store
            .withdraw_consent(a.id, &key.hash(platform), "m", "asked", now, &actor)
            .await
            .unwrap();
        for (scope, n) in [
            (DncScope::Platform, platform),
            (DncScope::Tenant(b.id), of_b),
            (DncScope::Registry, registry),
        ] {
            store
                .add_dnc(scope, &key.hash(n), "m", "test", "test", &actor)
                .await
                .unwrap();
        }
        let day = now - Duration::hours(24);
        let month = now - Duration::days(30);
        for (tenant, at, purpose) in [
            (a.id, day, "marketing"),         // exactly 24 h ago: 30 days only
            (b.id, day + us, "marketing"),    // just inside 24 h
            (a.id, day - us, "marketing"),    // just outside 24 h
            (b.id, month, "marketing"),       // exactly 30 days ago: not counted
            (a.id, month + us, "marketing"),  // just inside 30 days
            (a.id, now, "marketing"),         // now: counted
            (a.id, now + us, "marketing"),    // the future: not counted
            (a.id, day, "verification"),      // exactly 24 h ago: not counted
            (a.id, day + us, "verification"), // just inside 24 h
            (b.id, now - Duration::days(2), "verification"),
        ] {
            store
                .record_attempt(tenant, &key.hash(twice), purpose, at)
                .await
                .unwrap();
        }
        store
            .record_attempt(a.id, &key.hash(of_b), "marketing", now - Duration::hours(1))
            .await
            .unwrap();

        for tenant in [a.id, b.id] {
            for n in [twice, platform, of_b, registry, unknown] {
                let h = key.hash(n);
                let separate = NumberFacts {
                    contacts: store.contacts_by_number(tenant, &h).await.unwrap(),
                    dnc: store.dnc_membership(tenant, &h).await.unwrap(),
                    attempts: store.attempt_history(&h, now).await.unwrap(),
                };
                let one = store.number_facts(tenant, &h, now).await.unwrap();
                assert_eq!(one, separate, "{:?}: {n} for {tenant}", db.kind);
            }
        }

        // The answers themselves, so that the two cannot agree on a wrong one.
        let f = store
            .number_facts(a.id, &key.hash(twice), now)
            .await
            .unwrap();
        assert_eq!(f.contacts.len(), 2, "{:?}", db.kind);
        assert_eq!(f.contacts[1].zone_override.as_deref(), Some("Asia/Urumqi"));
        assert_eq!(
            (
                f.attempts.last_24h,
                f.attempts.last_30d,
                f.attempts.verification_last_24h
            ),
            (2, 5, 1),
            "{:?}",
            db.kind
        );
        let f = store
            .number_facts(a.id, &key.hash(platform), now)
            .await
            .unwrap();
        assert!(f.dnc.platform && !f.dnc.tenant && !f.dnc.registry);
        assert!(f.contacts[0].consent.withdrawn_at.is_some());
        let f = store
            .number_facts(a.id, &key.hash(of_b), now)
            .await
            .unwrap();
        assert!(!f.dnc.tenant && f.contacts.is_empty(), "{:?}", db.kind);
        assert_eq!(f.attempts.last_24h, 1);
        assert!(
            store
                .number_facts(b.id, &key.hash(of_b), now)
                .await
                .unwrap()
                .dnc
                .tenant
        );
        assert!(
            store
                .number_facts(b.id, &key.hash(registry), now)
                .await
                .unwrap()
                .dnc
                .registry
        );
        let f = store
            .number_facts(a.id, &key.hash(unknown), now)
            .await
            .unwrap();
        assert_eq!(
            f,
            NumberFacts {
                contacts: vec![],
                dnc: Default::default(),
                attempts: Default::default()
            }
        );
    }
}

#[tokio::test]
async fn settings_writes_count_policy_and_caller_number_writes_only() {
    let key = PhoneKey::from_bytes([9; 32]);
    for (db, store) in stores().await {
        let actor = Actor::cli("test");
        let a = crate::tenant(&store, "ta").await;
        let start = store.settings_writes();
        store
            .add_dnc(
                DncScope::Platform,
                &key.hash("+8613800000001"),
                "m",
                "r",
                "s",
                &actor,
            )
            .await
            .unwrap();
        assert_eq!(store.settings_writes(), start, "{:?}", db.kind);
        store
            .add_caller_number("+862161234567", &actor)
            .await
            .unwrap();
        store
            .verify_caller_number("+862161234567", &actor)
            .await
            .unwrap();
        store
            .assign_caller_number("+862161234567", a.id, &actor)
            .await
            .unwrap();
        assert_eq!(store.settings_writes(), start + 3, "{:?}", db.kind);
        // A write that fails changes nothing.
        assert!(store.verify_caller_number("+860000", &actor).await.is_err());
        assert_eq!(store.settings_writes(), start + 3);
        store
            .set_policy(
                PolicyScope::Tenant(a.id),
                "CN",
                &serde_json::json!({}),
                &actor,
            )
            .await
            .unwrap();
        assert_eq!(store.settings_writes(), start + 4, "{:?}", db.kind);
        // Clones of the handle share the count.
        assert_eq!(store.clone().settings_writes(), start + 4);
    }
}

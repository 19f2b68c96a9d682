//! Contacts, consent, do-not-call lists, caller numbers and attempt history on
//! every backend: all-or-nothing imports, duplicates, isolation, audit entries
//! without full numbers.

use crate::stores;
use chrono::{Duration, TimeZone, Utc};
use waihu_compliance::pii::PhoneKey;
use waihu_compliance::{ConsentEvidence, EvidenceRef, Purpose};
use waihu_store::{Actor, DncScope, ImportBatch, NewContact, StoreError};

fn evidence() -> ConsentEvidence {
    ConsentEvidence {
        source: "web_form".into(),
        given_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
        purposes: vec![Purpose::parse("marketing").unwrap()],
        share_leads: true,
        evidence: EvidenceRef::Reference("form-77".into()),
        expires_at: None,
    }
}

fn contact(key: &PhoneKey, number: &str) -> NewContact {
    NewContact {
        number_hash: key.hash(number),
        number_enc: number.as_bytes().to_vec(),
        number_masked: waihu_compliance::pii::mask(number),
        fields: serde_json::json!({ "name": "张先生" }),
        zone_override: None,
        evidence: 0,
    }
}

#[tokio::test]
async fn import_skips_numbers_the_list_has_and_isolates_tenants() {
    let key = PhoneKey::from_bytes([7; 32]);
    for (db, store) in stores().await {
        let actor = Actor::cli("test");
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        let list = store
            .ensure_contact_list(a.id, "春季回访", &actor)
            .await
            .unwrap();
        assert_eq!(
            store
                .ensure_contact_list(a.id, "春季回访", &actor)
                .await
                .unwrap()
                .id,
            list.id
        );
        let batch = ImportBatch {
            evidence: vec![evidence()],
            contacts: vec![
                contact(&key, "+8613800000001"),
                contact(&key, "+8613800000002"),
            ],
        };
        let first = store
            .import_contacts(a.id, list.id, batch, &actor)
            .await
            .unwrap();
        assert_eq!((first.imported, first.duplicates), (2, 0), "{:?}", db.kind);
        let again = ImportBatch {
            evidence: vec![evidence()],
            contacts: vec![
                contact(&key, "+8613800000002"),
                contact(&key, "+8613800000003"),
            ],
        };
        let second = store
            .import_contacts(a.id, list.id, again, &actor)
            .await
            .unwrap();
        assert_eq!((second.imported, second.duplicates), (1, 1));
        let all = store.list_contacts(a.id, list.id, 0, 100).await.unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].fields["name"], "张先生");
        assert_eq!(all[0].consent.evidence, evidence());
        assert_eq!(all[0].number_masked, "138****0001");

        // Tenant B sees nothing of A's and cannot import into A's list.
        assert!(store.list_contact_lists(b.id).await.unwrap().is_empty());
        assert!(store
            .list_contacts(b.id, list.id, 0, 100)
            .await
            .unwrap()
            .is_empty());
        assert!(store
            .contacts_by_number(b.id, &key.hash("+8613800000001"))
            .await
            .unwrap()
            .is_empty());
        let sneaky = ImportBatch {
            evidence: vec![evidence()],
            contacts: vec![contact(&key, "+8613800000009")],
        };
        assert!(matches!(
            store.import_contacts(b.id, list.id, sneaky, &actor).await,
            Err(StoreError::NotFound(_))
        ));
        // No full number in the audit log.
        for e in store.list_audit_platform(100).await.unwrap() {
            assert!(
                !e.details.contains("13800000001") && !e.target.contains("13800000001"),
                "{e:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_failed_import_leaves_nothing_behind() {
    let key = PhoneKey::from_bytes([7; 32]);
    for (_db, store) in stores().await {
        let actor = Actor::cli("test");
        let a = crate::tenant(&store, "ta").await;
        let list = store.ensure_contact_list(a.id, "l", &actor).await.unwrap();
        let mut broken = contact(&key, "+8613800000002");
        broken.evidence = 5; // refers to evidence that is not in the batch
        let batch = ImportBatch {
            evidence: vec![evidence()],
            contacts: (0..2500)
                .map(|i| contact(&key, &format!("+86138{i:08}")))
                .chain([broken])
                .collect(),
        };
        assert!(store
            .import_contacts(a.id, list.id, batch, &actor)
            .await
            .is_err());
        assert!(store
            .list_contacts(a.id, list.id, 0, 10)
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn consent_withdrawal_deletion_and_dnc_lists() {
    let key = PhoneKey::from_bytes([7; 32]);
    for (db, store) in stores().await {
        let actor = Actor::cli("test");
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        let list = store.ensure_contact_list(a.id, "l", &actor).await.unwrap();
        let n = "+8613800000001";
        let h = key.hash(n);
        let batch = ImportBatch {
            evidence: vec![evidence()],
            contacts: vec![contact(&key, n)],
        };
        store
            .import_contacts(a.id, list.id, batch, &actor)
            .await
            .unwrap();

        let at = Utc::now();
        assert_eq!(
            store
                .withdraw_consent(a.id, &h, "138****0001", "asked", at, &actor)
                .await
                .unwrap(),
            1
        );
        let c = store.contacts_by_number(a.id, &h).await.unwrap();
        assert!(c[0].consent.withdrawn_at.is_some(), "{:?}", db.kind);

        // DNC: tenant list of A is invisible to B; platform list applies to all.
        assert!(store
            .add_dnc(
                DncScope::Tenant(a.id),
                &h,
                "138****0001",
                "opt-out",
                "call",
                &actor
            )
            .await
            .unwrap());
        assert!(!store
            .add_dnc(
                DncScope::Tenant(a.id),
                &h,
                "138****0001",
                "again",
                "call",
                &actor
            )
            .await
            .unwrap());
        let ma = store.dnc_membership(a.id, &h).await.unwrap();
        let mb = store.dnc_membership(b.id, &h).await.unwrap();
        assert!(ma.tenant && !ma.platform);
        assert!(!mb.tenant && !mb.platform);
        let other = key.hash("+8613800000002");
        assert_eq!(
            store
                .import_dnc(
                    DncScope::Platform,
                    &[other, other, h],
                    "registry.csv",
                    &actor
                )
                .await
                .unwrap(),
            2
        );
        assert!(store.dnc_membership(b.id, &other).await.unwrap().platform);
        assert_eq!(store.dnc_hashes(b.id).await.unwrap().len(), 2);
        assert_eq!(store.dnc_hashes(a.id).await.unwrap().len(), 3);
        assert!(matches!(
            store
                .remove_dnc(DncScope::Platform, &other, "138****0002", " ", &actor)
                .await,
            Err(StoreError::Invalid(_))
        ));
        assert!(store
            .remove_dnc(DncScope::Platform, &other, "138****0002", "mistake", &actor)
            .await
            .unwrap());
        assert!(!store.dnc_membership(b.id, &other).await.unwrap().platform);

        // Deleting the number keeps only the hashed DNC entry.
        assert_eq!(
            store
                .delete_contact_number(a.id, &h, "138****0001", "erase", &actor)
                .await
                .unwrap(),
            1
        );
        assert!(store.contacts_by_number(a.id, &h).await.unwrap().is_empty());
        assert!(store.dnc_membership(a.id, &h).await.unwrap().tenant);
    }
}

#[tokio::test]
async fn caller_numbers_and_attempt_history() {
    let key = PhoneKey::from_bytes([7; 32]);
    for (_db, store) in stores().await {
        let actor = Actor::cli("test");
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        let cn = store
            .add_caller_number("+862161234567", &actor)
            .await
            .unwrap();
        assert!(cn.verified_at.is_none() && cn.tenant_id.is_none());
        assert!(matches!(
            store.add_caller_number("+862161234567", &actor).await,
            Err(StoreError::Conflict(_))
        ));
        store
            .verify_caller_number("+862161234567", &actor)
            .await
            .unwrap();
        let cn = store
            .assign_caller_number("+862161234567", a.id, &actor)
            .await
            .unwrap();
        assert_eq!(cn.tenant_id, Some(a.id));
        assert!(cn.verified_at.is_some());
        assert!(matches!(
            store.verify_caller_number("+860000", &actor).await,
            Err(StoreError::NotFound(_))
        ));

        let h = key.hash("+8613800000001");
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        for (tenant, ago, purpose) in [
            (a.id, Duration::hours(1), "marketing"),
            (b.id, Duration::hours(23), "marketing"),
            (a.id, Duration::hours(25), "marketing"),
            (b.id, Duration::days(29), "marketing"),
            (a.id, Duration::days(31), "marketing"),
            (a.id, Duration::hours(2), "verification"),
        ] {
            let id = store
                .record_attempt(tenant, &h, purpose, now - ago)
                .await
                .unwrap();
            store.set_attempt_outcome(id, "no_answer").await.unwrap();
        }
        let hist = store.attempt_history(&h, now).await.unwrap();
        assert_eq!(
            (hist.last_24h, hist.last_30d, hist.verification_last_24h),
            (2, 4, 1)
        );
        let other = store
            .attempt_history(&key.hash("+8613800000002"), now)
            .await
            .unwrap();
        assert_eq!(other.last_30d, 0);
    }
}

#[tokio::test]
async fn large_imports_span_several_statements_and_skip_what_the_list_has() {
    let key = PhoneKey::from_bytes([7; 32]);
    for (db, store) in stores().await {
        let actor = Actor::cli("test");
        let a = crate::tenant(&store, "ta").await;
        let list = store
            .ensure_contact_list(a.id, "big", &actor)
            .await
            .unwrap();
        let batch = |from: usize, to: usize| ImportBatch {
            evidence: vec![evidence()],
            contacts: (from..to)
                .map(|i| contact(&key, &format!("+86139{i:08}")))
                .collect(),
        };
        let first = store
            .import_contacts(a.id, list.id, batch(0, 12_000), &actor)
            .await
            .unwrap();
        assert_eq!(
            (first.imported, first.duplicates),
            (12_000, 0),
            "{:?}",
            db.kind
        );
        let second = store
            .import_contacts(a.id, list.id, batch(11_000, 13_500), &actor)
            .await
            .unwrap();
        assert_eq!(
            (second.imported, second.duplicates),
            (1_500, 1_000),
            "{:?}",
            db.kind
        );
        let page = store
            .list_contacts(a.id, list.id, 13_000, 1_000)
            .await
            .unwrap();
        assert_eq!(page.len(), 500);
        let one = store
            .contacts_by_number(a.id, &key.hash("+8613900012345"))
            .await
            .unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].number_masked, "139****2345");
    }
}

#[tokio::test]
async fn a_streamed_import_that_fails_leaves_not_even_the_list() {
    let key = PhoneKey::from_bytes([7; 32]);
    for (db, store) in stores().await {
        let actor = Actor::cli("test");
        let a = crate::tenant(&store, "ta").await;
        let (tx, rx) = tokio::sync::mpsc::channel(8);
        tx.send(waihu_store::FeedItem::Evidence(evidence()))
            .await
            .unwrap();
        tx.send(waihu_store::FeedItem::Contacts(vec![contact(
            &key,
            "+8613800000001",
        )]))
        .await
        .unwrap();
        tx.send(waihu_store::FeedItem::Failed(
            "the XLSX file is truncated".into(),
        ))
        .await
        .unwrap();
        drop(tx);
        let r = store.import_contacts_feed(a.id, "新名单", rx, &actor).await;
        assert!(
            matches!(r, Err(StoreError::Aborted(ref m)) if m.contains("truncated")),
            "{:?}: {r:?}",
            db.kind
        );
        assert!(
            store.list_contact_lists(a.id).await.unwrap().is_empty(),
            "{:?}",
            db.kind
        );
        assert!(store
            .contacts_by_number(a.id, &key.hash("+8613800000001"))
            .await
            .unwrap()
            .is_empty());

        // The same feed without the failure creates the list and stores the contact.
        let (tx, rx) = tokio::sync::mpsc::channel(8);
        tx.send(waihu_store::FeedItem::Evidence(evidence()))
            .await
            .unwrap();
        tx.send(waihu_store::FeedItem::Contacts(vec![contact(
            &key,
            "+8613800000001",
        )]))
        .await
        .unwrap();
        drop(tx);
        let (list, stored) = store
            .import_contacts_feed(a.id, "新名单", rx, &actor)
            .await
            .unwrap();
        assert_eq!((list.name.as_str(), stored.imported), ("新名单", 1));
    }
}

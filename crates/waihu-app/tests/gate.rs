//! The dialler's gate on every backend: the number's facts (do-not-call, consent,
//! attempts) are read fresh on every decision, also when another process wrote
//! them; policies and caller numbers are kept by `GateSettings` for its time to
//! live, except that this process's own writes are seen at once.

use chrono::{DateTime, TimeZone, Utc};
use std::time::Duration;
use waihu_app::gate::{GateQuestion, GateSettings, Gatekeeper};
use waihu_app::pii::Pii;
use waihu_compliance::pii::{NumberCipher, PhoneKey};
use waihu_compliance::{CheckScope, ConsentEvidence, EvidenceRef, Purpose};
use waihu_store::testing::fresh_databases;
use waihu_store::{Actor, DncScope, ImportBatch, NewContact, PolicyScope, Store, Tenant};

const CALLEE: &str = "+8613800000001";
const CALLER: &str = "+862150000001";

/// 11:00 in Beijing on a Monday: inside the default calling hours.
fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 3, 0, 0).unwrap()
}

fn pii() -> Pii {
    Pii::new(
        PhoneKey::from_bytes([3; 32]),
        NumberCipher::from_bytes([4; 32]),
    )
}

/// Each backend twice: the dialler's handle and another process's (its own pool,
/// so its writes are not counted by the dialler's handle).
async fn setups() -> Vec<(waihu_store::testing::TestDatabase, Store, Store, Tenant)> {
    let mut out = Vec::new();
    for db in fresh_databases().await.unwrap() {
        let store = db.store().await.unwrap();
        let other = db.store().await.unwrap();
        let actor = Actor::cli("test");
        let tenant = store
            .create_tenant(&waihu_core::TenantName::parse("ta").unwrap(), &actor)
            .await
            .unwrap();
        let list = store
            .ensure_contact_list(tenant.id, "l", &actor)
            .await
            .unwrap();
        let p = pii();
        let batch = ImportBatch {
            evidence: vec![ConsentEvidence {
                source: "web_form".into(),
                given_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
                purposes: vec![Purpose::parse("marketing").unwrap()],
                share_leads: false,
                evidence: EvidenceRef::Reference("f".into()),
                expires_at: None,
            }],
            contacts: vec![NewContact {
                number_hash: p.hash(CALLEE),
                number_enc: vec![],
                number_masked: waihu_compliance::pii::mask(CALLEE),
                fields: serde_json::json!({}),
                zone_override: None,
                evidence: 0,
            }],
        };
        store
            .import_contacts(tenant.id, list.id, batch, &actor)
            .await
            .unwrap();
        store.add_caller_number(CALLER, &actor).await.unwrap();
        store.verify_caller_number(CALLER, &actor).await.unwrap();
        store
            .assign_caller_number(CALLER, tenant.id, &actor)
            .await
            .unwrap();
        out.push((db, store, other, tenant));
    }
    out
}

/// The rules that deny the dial, empty when allowed.
async fn denials(store: &Store, settings: &GateSettings, tenant: &Tenant) -> Vec<&'static str> {
    let p = pii();
    let q = GateQuestion {
        tenant: tenant.clone(),
        number: CALLEE.into(),
        purpose: Purpose::parse("marketing").unwrap(),
        caller_number: Some(CALLER.into()),
        jurisdiction: None,
        scope: CheckScope::Dial,
    };
    let gk = Gatekeeper {
        store,
        pii: &p,
        settings: Some(settings),
    };
    let d = gk.decide_in_task(&q, None, at()).await.unwrap();
    d.reasons().iter().map(|r| r.rule.id()).collect()
}

#[tokio::test]
async fn number_facts_written_by_another_process_count_at_the_next_dial() {
    for (db, store, other, tenant) in setups().await {
        let settings = GateSettings::new(Duration::from_secs(3600));
        assert!(
            denials(&store, &settings, &tenant).await.is_empty(),
            "{:?}",
            db.kind
        );
        let actor = Actor::cli("other");
        let h = pii().hash(CALLEE);
        other
            .add_dnc(DncScope::Platform, &h, "m", "complaint", "test", &actor)
            .await
            .unwrap();
        assert_eq!(denials(&store, &settings, &tenant).await, ["dnc_platform"]);
        other
            .remove_dnc(DncScope::Platform, &h, "m", "mistake", &actor)
            .await
            .unwrap();
        other
            .withdraw_consent(tenant.id, &h, "m", "asked", at(), &actor)
            .await
            .unwrap();
        assert_eq!(denials(&store, &settings, &tenant).await, ["consent"]);
    }
}

#[tokio::test]
async fn this_process_sees_its_own_policy_and_caller_number_writes_at_once() {
    for (db, store, _other, tenant) in setups().await {
        let settings = GateSettings::new(Duration::from_secs(3600));
        assert!(
            denials(&store, &settings, &tenant).await.is_empty(),
            "{:?}",
            db.kind
        );
        store
            .set_policy(
                PolicyScope::Tenant(tenant.id),
                "CN",
                &serde_json::json!({ "cap_24h": 0 }),
                &Actor::cli("test"),
            )
            .await
            .unwrap();
        assert_eq!(denials(&store, &settings, &tenant).await, ["cap_24h"]);
        let b = store
            .create_tenant(
                &waihu_core::TenantName::parse("tb").unwrap(),
                &Actor::cli("test"),
            )
            .await
            .unwrap();
        store
            .assign_caller_number(CALLER, b.id, &Actor::cli("test"))
            .await
            .unwrap();
        assert_eq!(
            denials(&store, &settings, &tenant).await,
            ["caller_number", "cap_24h"],
            "{:?}",
            db.kind
        );
    }
}

#[tokio::test]
async fn another_process_s_settings_are_kept_for_the_time_to_live_only() {
    for (db, store, other, tenant) in setups().await {
        let kept = GateSettings::new(Duration::from_secs(3600));
        let fresh = GateSettings::new(Duration::ZERO);
        assert!(
            denials(&store, &kept, &tenant).await.is_empty(),
            "{:?}",
            db.kind
        );
        other
            .set_policy(
                PolicyScope::Tenant(tenant.id),
                "CN",
                &serde_json::json!({ "cap_24h": 0 }),
                &Actor::cli("other"),
            )
            .await
            .unwrap();
        // Within the time to live the cached policy stands; without one it is read.
        assert!(
            denials(&store, &kept, &tenant).await.is_empty(),
            "{:?}",
            db.kind
        );
        assert_eq!(denials(&store, &fresh, &tenant).await, ["cap_24h"]);
    }
}

/// The dialler reads the tenant fresh before every dial (`StorePort::gate`): a
/// tenant suspended by another process is refused at its next dial, with the rule
/// that pauses the task, and dials again once resumed.
#[tokio::test]
async fn a_tenant_suspended_by_another_process_is_refused_at_the_next_dial() {
    for (db, store, other, tenant) in setups().await {
        let settings = GateSettings::new(Duration::from_secs(3600));
        let tid = tenant.id;
        let fresh = |s: Store| async move { s.get_tenant(tid).await.unwrap().unwrap() };
        assert!(denials(&store, &settings, &fresh(store.clone()).await)
            .await
            .is_empty());
        let actor = Actor::cli("other");
        other
            .set_tenant_status(
                tenant.id,
                waihu_store::TenantStatus::Suspended,
                "complaints",
                &actor,
            )
            .await
            .unwrap();
        assert_eq!(
            denials(&store, &settings, &fresh(store.clone()).await).await,
            ["tenant_standing"],
            "{:?}",
            db.kind
        );
        other
            .set_tenant_status(
                tenant.id,
                waihu_store::TenantStatus::Active,
                "resolved",
                &actor,
            )
            .await
            .unwrap();
        assert!(denials(&store, &settings, &fresh(store.clone()).await)
            .await
            .is_empty());
    }
}

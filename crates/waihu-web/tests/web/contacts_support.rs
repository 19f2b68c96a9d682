//! What the contact-list, do-not-call and import modules share: the numbers,
//! the PII key, the check that no body carries a full number, a seeded contact
//! list and an API token.

use crate::support::{Harness, Resp};
use chrono::TimeZone;
use serde_json::json;
use uuid::Uuid;
use waihu_compliance::pii::{NumberCipher, PhoneKey, RowBinding};
use waihu_compliance::{ConsentEvidence, EvidenceRef, Purpose};
use waihu_store::{Actor, ImportBatch, NewContact};

pub const A1: &str = "+8613812345678";
pub const A2: &str = "+8613912345679";
pub const B1: &str = "+8618612345670";
pub const DNC: &str = "+8615012345678";

pub fn key() -> PhoneKey {
    PhoneKey::from_bytes([7; 32])
}

/// No body may carry a full number, in any common spelling.
pub fn assert_no_full_numbers(what: &str, r: &Resp) {
    for n in [A1, A2, B1, DNC] {
        let national = n.trim_start_matches("+86");
        assert!(
            !r.body.contains(national),
            "{what}: full number {national} in the body: {}",
            r.body
        );
    }
}

pub async fn seed_list(
    h: &Harness,
    tenant: waihu_core::TenantId,
    name: &str,
    numbers: &[&str],
) -> Uuid {
    let actor = Actor::cli("test");
    let list = h
        .store
        .ensure_contact_list(tenant, name, &actor)
        .await
        .unwrap();
    let cipher = NumberCipher::from_bytes([9; 32]);
    let evidence = ConsentEvidence {
        source: "web_form".into(),
        given_at: chrono::Utc.with_ymd_and_hms(2026, 1, 15, 2, 0, 0).unwrap(),
        purposes: vec![Purpose::parse("marketing").unwrap()],
        share_leads: true,
        evidence: EvidenceRef::Reference("FORM-2026-0115".into()),
        expires_at: None,
    };
    let contacts = numbers
        .iter()
        .enumerate()
        .map(|(i, n)| NewContact {
            number_hash: key().hash(n),
            number_enc: cipher.seal(n, &RowBinding::new(tenant, key().hash(n))),
            number_masked: waihu_compliance::pii::mask(n),
            fields: json!({ "name": format!("客户{i}"), "产品": "宽带" }),
            zone_override: None,
            evidence: 0,
        })
        .collect();
    h.store
        .import_contacts(
            tenant,
            list.id,
            ImportBatch {
                evidence: vec![evidence],
                contacts,
            },
            &actor,
        )
        .await
        .unwrap();
    list.id
}

pub async fn token(h: &Harness, tenant: waihu_core::TenantId, name: &str) -> String {
    h.store
        .create_api_token(tenant, name, &Actor::cli("t"))
        .await
        .unwrap()
        .1
}

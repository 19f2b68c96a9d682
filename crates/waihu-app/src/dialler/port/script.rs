//! Which script a contact hears: the task's version or its A/B variant's (the
//! same every time for the same contact), and the contact's fields as the
//! script's variables.

use std::collections::BTreeMap;
use uuid::Uuid;
use waihu_campaign::{Split, Variant};
use waihu_store::Task;

/// The script version a contact of the task gets, and its A/B variant (none
/// unless the task runs two versions): the same every time for the same contact.
pub fn script_for(task: &Task, contact_id: Uuid) -> (Uuid, Option<Variant>) {
    let Some(v) = task.variant else {
        return (task.script_version_id, None);
    };
    match Split::new(i64::from(v.split_percent)) {
        Ok(split) => match split.choose(task.id, contact_id) {
            Variant::A => (task.script_version_id, Some(Variant::A)),
            Variant::B => (v.script_version_id, Some(Variant::B)),
        },
        // The store refuses such splits; never dial a version nobody chose.
        Err(_) => (task.script_version_id, None),
    }
}

/// The contact's fields as script variables (strings; other JSON values as text).
pub(super) fn vars_of(fields: &str) -> BTreeMap<String, String> {
    match serde_json::from_str::<serde_json::Value>(fields) {
        Ok(serde_json::Value::Object(map)) => map
            .into_iter()
            .map(|(k, v)| {
                let s = match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                (k, s)
            })
            .collect(),
        _ => BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn task(variant: Option<waihu_store::TaskVariant>) -> Task {
        let now = Utc::now();
        Task {
            id: Uuid::now_v7(),
            tenant_id: waihu_core::TenantId::new(),
            name: "t".into(),
            purpose: "marketing".into(),
            script_version_id: Uuid::from_u128(1),
            variant,
            caller_number: "+861088886666".into(),
            trunk_id: Uuid::now_v7(),
            list_ids: vec![],
            windows_json: "{}".into(),
            lines: 1,
            cps_limit: None,
            retry_json: "{}".into(),
            priority: 0,
            lead_grade: "B".into(),
            starts_at: None,
            ends_at: None,
            state: waihu_core::TaskState::Running,
            state_reason: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn a_contact_runs_its_variants_version_every_time() {
        let plain = task(None);
        assert_eq!(
            script_for(&plain, Uuid::now_v7()),
            (Uuid::from_u128(1), None)
        );
        let b = Uuid::from_u128(2);
        let ab = task(Some(waihu_store::TaskVariant {
            script_version_id: b,
            split_percent: 50,
        }));
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let contact = Uuid::now_v7();
            let (version, variant) = script_for(&ab, contact);
            assert_eq!(script_for(&ab, contact), (version, variant));
            match variant {
                Some(Variant::A) => assert_eq!(version, Uuid::from_u128(1)),
                Some(Variant::B) => assert_eq!(version, b),
                None => panic!("an A/B task's call has a variant"),
            }
            seen.insert(variant);
        }
        assert_eq!(seen.len(), 2, "both variants are used");
    }
}

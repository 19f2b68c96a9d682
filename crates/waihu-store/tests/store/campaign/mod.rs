//! Campaign storage on every backend: limits, scripts and prompts, trunks, tasks
//! and their queue (claims under concurrency), calls (begin, finish, refusal,
//! reconciliation), leads and push deliveries, and tenant isolation.

use crate::stores;
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::HashSet;
use uuid::Uuid;
use waihu_compliance::pii::{PhoneHash, PhoneKey};
use waihu_compliance::{ConsentEvidence, EvidenceRef, Purpose};
use waihu_core::{Role, TaskState};
use waihu_store::{
    Actor, BeginCall, CallFilter, CallResult, CallState, ImportBatch, LeadFilter, LeadStatus,
    LintSummary, NewContact, NewLead, NewPushTarget, NewTask, NewTrunk, Next, PushKind, Store,
    StoreError, Task, Transport,
};

pub(crate) const WORKER: &str = "worker-1";

pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap()
}

pub(crate) fn key() -> PhoneKey {
    PhoneKey::from_bytes([9; 32])
}

pub(crate) fn evidence() -> ConsentEvidence {
    ConsentEvidence {
        source: "web_form".into(),
        given_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
        purposes: vec![Purpose::parse("marketing").unwrap()],
        share_leads: true,
        evidence: EvidenceRef::Reference("form-1".into()),
        expires_at: None,
    }
}

pub(crate) fn number(i: usize) -> String {
    format!("+86139{i:08}")
}

pub(crate) fn contact(n: &str) -> NewContact {
    NewContact {
        number_hash: key().hash(n),
        number_enc: n.as_bytes().to_vec(),
        number_masked: waihu_compliance::pii::mask(n),
        fields: serde_json::json!({ "name": "李女士" }),
        zone_override: None,
        evidence: 0,
    }
}

pub(crate) fn clean_lint() -> LintSummary {
    LintSummary {
        errors: 0,
        warnings: 1,
        findings_json: "[]".into(),
    }
}

/// A tenant's list holding these numbers.
pub(crate) async fn list_with(
    store: &Store,
    tenant: waihu_core::TenantId,
    name: &str,
    numbers: &[String],
) -> Uuid {
    let actor = Actor::cli("test");
    let list = store
        .ensure_contact_list(tenant, name, &actor)
        .await
        .unwrap();
    let batch = ImportBatch {
        evidence: vec![evidence()],
        contacts: numbers.iter().map(|n| contact(n)).collect(),
    };
    store
        .import_contacts(tenant, list.id, batch, &actor)
        .await
        .unwrap();
    list.id
}

pub(crate) fn new_task(
    name: &str,
    script_version_id: Uuid,
    trunk_id: Uuid,
    list_ids: Vec<Uuid>,
) -> NewTask {
    NewTask {
        name: name.into(),
        purpose: "marketing".into(),
        script_version_id,
        caller_number: "+8601012345678".into(),
        trunk_id,
        list_ids,
        windows_json: r#"[{"days":"mon-fri","from":"09:00","to":"20:00"}]"#.into(),
        lines: 4,
        cps_limit: Some(2.5),
        retry_json: r#"{"max_attempts":3}"#.into(),
        priority: 5,
        lead_grade: "B".into(),
        starts_at: None,
        ends_at: None,
    }
}

pub(crate) fn trunk(name: &str) -> NewTrunk {
    NewTrunk {
        name: name.into(),
        address: "sip.carrier.invalid:5060".into(),
        transport: Transport::Udp,
        username: Some("acct".into()),
        password: Some("trunk-secret-77".into()),
        cps_limit: 10.0,
    }
}

/// A running task of `tenant` over one list with these numbers, queued.
pub(crate) async fn running_task(
    store: &Store,
    tenant: waihu_core::TenantId,
    numbers: &[String],
) -> Task {
    let actor = Actor::cli("test");
    let version = store
        .save_script_version(tenant, "welcome", "steps: []", clean_lint(), &actor)
        .await
        .unwrap();
    let trunk = store
        .add_trunk(trunk(&format!("trunk-{}", tenant)), &actor)
        .await
        .unwrap();
    let list = list_with(store, tenant, "list", numbers).await;
    let task = store
        .create_task(
            tenant,
            new_task("campaign", version.id, trunk.id, vec![list]),
            &actor,
        )
        .await
        .unwrap();
    store
        .set_task_state(
            tenant,
            task.id,
            &[TaskState::Draft],
            TaskState::Running,
            None,
            &actor,
        )
        .await
        .unwrap();
    store
        .enqueue_task_contacts(tenant, task.id, t0())
        .await
        .unwrap();
    task
}

pub(crate) fn begin(
    task: &Task,
    contact_id: Uuid,
    hash: PhoneHash,
    masked: &str,
    at: DateTime<Utc>,
) -> BeginCall {
    BeginCall {
        tenant_id: task.tenant_id,
        task_id: task.id,
        contact_id,
        number_hash: hash,
        number_masked: masked.into(),
        purpose: "marketing".into(),
        gate_json: r#"{"allow":true}"#.into(),
        script_version_id: Some(task.script_version_id),
        variant: None,
        worker: WORKER.into(),
        now: at,
    }
}

pub(crate) fn answered(grade: &str, at: DateTime<Utc>) -> CallResult {
    CallResult {
        answered_at: Some(at + Duration::seconds(5)),
        ended_at: Some(at + Duration::seconds(65)),
        duration_ms: Some(60_000),
        outcome: "answered".into(),
        sip_status: Some(200),
        script_outcome: Some("interested".into()),
        grade: Some(grade.into()),
        grade_reason: Some("asked for a quote".into()),
        transcript_json: Some(r#"[{"who":"callee","text":"好的"}]"#.into()),
        latency_ms: Some(640),
        ..CallResult::default()
    }
}

mod calls;
mod dashboard;
mod leads;
mod queue;
mod setup;

//! Campaign data for the web tests, written through the store as the dialler
//! would: a clean and a broken script, a trunk, a contact list, a draft task, a
//! running task with an answered call (transcript, recording file, lead) and a
//! busy one, and the lead's push given up (a dead letter).

use crate::support::Harness;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::json;
use std::path::Path;
use uuid::Uuid;
use waihu_compliance::pii::PhoneKey;
use waihu_compliance::{ConsentEvidence, EvidenceRef, Purpose};
use waihu_core::{TaskState, TenantId};
use waihu_store::{
    Actor, BeginCall, CallResult, ImportBatch, NewContact, NewLead, NewPushTarget, NewTask,
    NewTrunk, Next, PushKind, Transport,
};

/// A script the linter finds nothing in (the dialog tests' valid script).
pub const CLEAN: &str = include_str!("../../../waihu-dialog/tests/fixtures/welcome.yaml");

/// The clean script with a branch to a node that does not exist.
pub fn broken() -> String {
    CLEAN.replacen("affirm: yes_end", "affirm: nowhere_node", 1)
}

/// The numbers called (never to appear in full in any answer).
pub const NUMBERS: [&str; 2] = ["+8613812345678", "+8613912345679"];

/// What one tenant holds.
pub struct Campaign {
    pub script_id: Uuid,
    pub clean: Uuid,
    pub dirty: Uuid,
    pub draft_task: Uuid,
    pub running_task: Uuid,
    pub answered_call: Uuid,
    pub busy_call: Uuid,
    pub lead: Uuid,
    pub dead_letter: Uuid,
    /// The recording file's bytes.
    pub audio: Vec<u8>,
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

fn key() -> PhoneKey {
    PhoneKey::from_bytes([7; 32])
}

fn lint(yaml: &str) -> waihu_store::LintSummary {
    waihu_web::campaign::scripts::lint(yaml).0
}

/// Seeds `tenant` (names carry `tag`, so two tenants' data can be told apart),
/// writing recordings under `recordings/<tenant>/`.
pub async fn seed(h: &Harness, tenant: TenantId, tag: &str, recordings: &Path) -> Campaign {
    let a = Actor::cli("test");
    let s = &h.store;
    let clean = s
        .save_script_version(tenant, &format!("{tag}-welcome"), CLEAN, lint(CLEAN), &a)
        .await
        .unwrap();
    let dirty = s
        .save_script_version(
            tenant,
            &format!("{tag}-welcome"),
            &broken(),
            lint(&broken()),
            &a,
        )
        .await
        .unwrap();
    assert!(dirty.lint.errors > 0, "the broken script has findings");
    let trunk = s
        .add_trunk(
            NewTrunk {
                name: format!("{tag}-trunk"),
                address: "sip.carrier.invalid:5060".into(),
                transport: Transport::Udp,
                username: None,
                password: None,
                cps_limit: 10.0,
            },
            &a,
        )
        .await
        .unwrap();
    let list = s
        .ensure_contact_list(tenant, &format!("{tag}-list"), &a)
        .await
        .unwrap();
    let evidence = ConsentEvidence {
        source: "web_form".into(),
        given_at: Utc.with_ymd_and_hms(2026, 1, 15, 2, 0, 0).unwrap(),
        purposes: vec![Purpose::parse("marketing").unwrap()],
        share_leads: true,
        evidence: EvidenceRef::Reference("FORM-1".into()),
        expires_at: None,
    };
    let contacts = NUMBERS
        .iter()
        .map(|n| NewContact {
            number_hash: key().hash(n),
            number_enc: vec![1, 2, 3],
            number_masked: waihu_compliance::pii::mask(n),
            fields: json!({ "name": "李女士" }),
            zone_override: None,
            evidence: 0,
        })
        .collect();
    s.import_contacts(
        tenant,
        list.id,
        ImportBatch {
            evidence: vec![evidence],
            contacts,
        },
        &a,
    )
    .await
    .unwrap();
    let new_task = |name: String| NewTask {
        name,
        purpose: "marketing".into(),
        script_version_id: clean.id,
        caller_number: "+8601012345678".into(),
        trunk_id: trunk.id,
        list_ids: vec![list.id],
        windows_json: r#"[{"days":"mon-fri","from":"09:00","to":"20:00"}]"#.into(),
        lines: 2,
        cps_limit: None,
        retry_json: r#"{"max_attempts":3}"#.into(),
        priority: 1,
        lead_grade: "B".into(),
        starts_at: None,
        ends_at: None,
    };
    let draft = s
        .create_task(tenant, new_task(format!("{tag}-draft-task")), &a)
        .await
        .unwrap();
    let running = s
        .create_task(tenant, new_task(format!("{tag}-running-task")), &a)
        .await
        .unwrap();
    s.set_task_state(
        tenant,
        running.id,
        &[TaskState::Draft],
        TaskState::Running,
        None,
        &a,
    )
    .await
    .unwrap();
    s.enqueue_task_contacts(tenant, running.id, t0())
        .await
        .unwrap();
    s.add_push_target(
        tenant,
        NewPushTarget {
            name: format!("{tag}-crm"),
            kind: PushKind::Webhook,
            url: "https://crm.example.invalid/hook".into(),
            secret: None,
            min_grade: "C".into(),
            enabled: true,
        },
        &a,
    )
    .await
    .unwrap();
    let claims = s.claim_due(running.id, t0(), 2, "w1").await.unwrap();
    assert_eq!(claims.len(), 2);
    let mut ids = Vec::new();
    for c in &claims {
        let id = s
            .begin_call(BeginCall {
                tenant_id: tenant,
                task_id: running.id,
                contact_id: c.contact_id,
                number_hash: c.number_hash,
                number_masked: c.number_masked.clone(),
                purpose: "marketing".into(),
                gate_json: r#"{"allow":true,"checks":["consent","dnc","window"]}"#.into(),
                script_version_id: Some(clean.id),
                variant: None,
                worker: "w1".into(),
                now: t0(),
            })
            .await
            .unwrap();
        ids.push(id);
    }
    let dir = recordings.join(tenant.to_string());
    std::fs::create_dir_all(&dir).unwrap();
    let audio = format!("RIFF-{tag}-audio").into_bytes();
    let file = dir.join(format!("{}.wav", ids[0]));
    std::fs::write(&file, &audio).unwrap();
    let lead = s
        .finish_call(
            ids[0],
            CallResult {
                answered_at: Some(t0() + Duration::seconds(5)),
                ended_at: Some(t0() + Duration::seconds(70)),
                duration_ms: Some(65_000),
                outcome: "answered".into(),
                sip_status: Some(200),
                script_outcome: Some("interested".into()),
                grade: Some("A".into()),
                grade_reason: Some(format!("{tag} asked for a quote")),
                recording_path: Some(file.display().to_string()),
                transcript_json: Some(
                    json!([
                        {"speaker": "robot", "text": "您好，我是测试公司的AI助理", "start_ms": 0, "end_ms": 2400, "interrupted": false},
                        {"speaker": "callee", "text": format!("{tag}想了解一下价格"), "start_ms": 2600, "end_ms": 4100}
                    ])
                    .to_string(),
                ),
                path_json: Some(r#"["hello","ask","yes_end"]"#.into()),
                intents_json: Some(r#"["affirm"]"#.into()),
                latency_ms: Some(640),
                ..CallResult::default()
            },
            Next::Done("answered".into()),
            Some(NewLead {
                grade: "A".into(),
                reason: format!("{tag} wants a visit"),
                shareable: true,
            }),
        )
        .await
        .unwrap()
        .unwrap();
    s.finish_call(
        ids[1],
        CallResult {
            ended_at: Some(t0() + Duration::seconds(20)),
            outcome: "busy".into(),
            sip_status: Some(486),
            ..CallResult::default()
        },
        Next::Done("busy".into()),
        None,
    )
    .await
    .unwrap();
    // The lead's push fails for good: a dead letter.
    let due = s
        .due_deliveries(t0() + Duration::hours(1), 50)
        .await
        .unwrap();
    let d = due
        .iter()
        .find(|d| d.delivery.tenant_id == tenant)
        .expect("a delivery for the lead");
    s.mark_failed(d.delivery.id, "HTTP 502", None)
        .await
        .unwrap();
    Campaign {
        script_id: clean.script_id,
        clean: clean.id,
        dirty: dirty.id,
        draft_task: draft.id,
        running_task: running.id,
        answered_call: ids[0],
        busy_call: ids[1],
        lead,
        dead_letter: d.delivery.id,
        audio,
    }
}

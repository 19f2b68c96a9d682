//! Campaign storage on every backend: limits, scripts and prompts, trunks, tasks
//! and their queue (claims under concurrency), calls (begin, finish, refusal,
//! reconciliation), leads and push deliveries, and tenant isolation.

use crate::stores;
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::HashSet;
use uuid::Uuid;
use waihu_compliance::pii::{PhoneHash, PhoneKey};
use waihu_compliance::{ConsentEvidence, EvidenceRef, Purpose};
use waihu_core::Role;
use waihu_store::{
    Actor, BeginCall, CallFilter, CallResult, ImportBatch, LeadFilter, LeadStatus, LintSummary,
    NewContact, NewLead, NewPushTarget, NewTask, NewTrunk, Next, PushKind, Store, StoreError, Task,
    TaskStateName, Transport,
};

const WORKER: &str = "worker-1";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap()
}

fn key() -> PhoneKey {
    PhoneKey::from_bytes([9; 32])
}

fn evidence() -> ConsentEvidence {
    ConsentEvidence {
        source: "web_form".into(),
        given_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
        purposes: vec![Purpose::parse("marketing").unwrap()],
        share_leads: true,
        evidence: EvidenceRef::Reference("form-1".into()),
        expires_at: None,
    }
}

fn number(i: usize) -> String {
    format!("+86139{i:08}")
}

fn contact(n: &str) -> NewContact {
    NewContact {
        number_hash: key().hash(n),
        number_enc: n.as_bytes().to_vec(),
        number_masked: waihu_compliance::pii::mask(n),
        fields: serde_json::json!({ "name": "李女士" }),
        zone_override: None,
        evidence: 0,
    }
}

fn clean_lint() -> LintSummary {
    LintSummary {
        errors: 0,
        warnings: 1,
        findings_json: "[]".into(),
    }
}

/// A tenant's list holding these numbers.
async fn list_with(
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

fn new_task(name: &str, script_version_id: Uuid, trunk_id: Uuid, list_ids: Vec<Uuid>) -> NewTask {
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

fn trunk(name: &str) -> NewTrunk {
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
async fn running_task(store: &Store, tenant: waihu_core::TenantId, numbers: &[String]) -> Task {
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
            &[TaskStateName::Draft],
            TaskStateName::Running,
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

fn begin(
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
        worker: WORKER.into(),
        now: at,
    }
}

fn answered(grade: &str, at: DateTime<Utc>) -> CallResult {
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

#[tokio::test]
async fn tenant_limits_default_to_nothing_and_changes_are_audited() {
    for (db, store) in stores().await {
        let actor = Actor::cli("op");
        let a = crate::tenant(&store, "ta").await;
        let limits = store.get_limits(a.id).await.unwrap();
        assert_eq!(
            (limits.line_quota, limits.full_numbers_in_push),
            (0, false),
            "{:?}",
            db.kind
        );
        store.set_line_quota(a.id, 30, &actor).await.unwrap();
        store
            .set_full_numbers_in_push(a.id, true, &actor)
            .await
            .unwrap();
        store.set_line_quota(a.id, 12, &actor).await.unwrap();
        let limits = store.get_limits(a.id).await.unwrap();
        assert_eq!((limits.line_quota, limits.full_numbers_in_push), (12, true));
        let audit = store.list_audit(a.id, 10).await.unwrap();
        assert_eq!(
            audit.iter().filter(|e| e.action == "tenant.limits").count(),
            3
        );
        assert!(matches!(
            store
                .set_line_quota(waihu_core::TenantId::new(), 1, &actor)
                .await,
            Err(StoreError::NotFound(_))
        ));
    }
}

#[tokio::test]
async fn script_versions_count_up_and_only_clean_versions_publish() {
    for (db, store) in stores().await {
        let actor = Actor::cli("test");
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        let broken = LintSummary {
            errors: 2,
            warnings: 0,
            findings_json: r#"[{"code":"unreachable"}]"#.into(),
        };
        let v1 = store
            .save_script_version(a.id, "回访", "v1", broken, &actor)
            .await
            .unwrap();
        assert_eq!(v1.version, 1);
        let refused = store.publish_script_version(a.id, v1.id, &actor).await;
        match refused {
            Err(StoreError::Conflict(msg)) => assert!(msg.contains("lint error"), "{msg}"),
            other => panic!("{:?}: expected a conflict, got {other:?}", db.kind),
        }
        let v2 = store
            .save_script_version(a.id, "回访", "v2", clean_lint(), &actor)
            .await
            .unwrap();
        assert_eq!((v2.version, v2.script_id), (2, v1.script_id));
        let published = store
            .publish_script_version(a.id, v2.id, &actor)
            .await
            .unwrap();
        assert!(published.published_at.is_some());
        // Publishing twice changes nothing.
        let again = store
            .publish_script_version(a.id, v2.id, &actor)
            .await
            .unwrap();
        assert_eq!(again.published_at, published.published_at);

        let scripts = store.list_scripts(a.id).await.unwrap();
        assert_eq!(scripts.len(), 1);
        assert_eq!(
            (scripts[0].latest_version, scripts[0].published_version),
            (2, Some(2))
        );
        let versions = store
            .list_script_versions(a.id, v1.script_id)
            .await
            .unwrap();
        assert_eq!(
            versions.iter().map(|v| v.version).collect::<Vec<_>>(),
            vec![2, 1]
        );
        assert_eq!(versions[1].lint.errors, 2);
        assert_eq!(
            versions[1].lint.findings_json,
            r#"[{"code":"unreachable"}]"#
        );
        let latest = store
            .find_script_version(a.id, "回访", None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(latest.yaml, "v2");
        let first = store
            .find_script_version(a.id, "回访", Some(1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.id, v1.id);
        assert!(store
            .find_script_version(a.id, "回访", Some(3))
            .await
            .unwrap()
            .is_none());

        // Tenant B sees none of it, even by id.
        assert!(store
            .get_script_version(b.id, v1.id)
            .await
            .unwrap()
            .is_none());
        assert!(store.list_scripts(b.id).await.unwrap().is_empty());
        assert!(store
            .list_script_versions(b.id, v1.script_id)
            .await
            .unwrap()
            .is_empty());
        assert!(store
            .find_script_version(b.id, "回访", None)
            .await
            .unwrap()
            .is_none());
        assert!(matches!(
            store.publish_script_version(b.id, v1.id, &actor).await,
            Err(StoreError::NotFound(_))
        ));
    }
}

#[tokio::test]
async fn prompts_are_named_per_tenant() {
    for (db, store) in stores().await {
        let actor = Actor::cli("test");
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        let p = store
            .add_prompt(a.id, "greeting", "greeting.wav", 2300, "ab12", &actor)
            .await
            .unwrap();
        assert!(matches!(
            store
                .add_prompt(a.id, "greeting", "other.wav", 10, "cd34", &actor)
                .await,
            Err(StoreError::Conflict(_))
        ));
        // Another tenant may use the same name.
        store
            .add_prompt(b.id, "greeting", "g.wav", 10, "ef56", &actor)
            .await
            .unwrap();
        assert_eq!(
            store.find_prompt(a.id, "greeting").await.unwrap().unwrap(),
            p
        );
        assert_eq!(store.list_prompts(a.id).await.unwrap(), vec![p.clone()]);
        assert!(
            store.get_prompt(b.id, p.id).await.unwrap().is_none(),
            "{:?}",
            db.kind
        );
        assert!(matches!(
            store.delete_prompt(b.id, p.id, &actor).await,
            Err(StoreError::NotFound(_))
        ));
        store.delete_prompt(a.id, p.id, &actor).await.unwrap();
        assert!(store.get_prompt(a.id, p.id).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn trunks_have_unique_names_and_hide_their_password() {
    for (db, store) in stores().await {
        let actor = Actor::cli("op");
        let t = store.add_trunk(trunk("carrier-a"), &actor).await.unwrap();
        assert!(matches!(
            store.add_trunk(trunk("carrier-a"), &actor).await,
            Err(StoreError::Conflict(_))
        ));
        let mut bad = trunk("carrier-b");
        bad.cps_limit = 0.0;
        assert!(matches!(
            store.add_trunk(bad, &actor).await,
            Err(StoreError::Invalid(_))
        ));
        let found = store.find_trunk("carrier-a").await.unwrap().unwrap();
        assert_eq!(found, t, "{:?}", db.kind);
        assert_eq!(found.password.as_deref(), Some("trunk-secret-77"));
        assert!(!format!("{found:?}").contains("trunk-secret-77"));
        assert_eq!(
            store.get_trunk(t.id).await.unwrap().unwrap().name,
            "carrier-a"
        );
        assert_eq!(store.list_trunks().await.unwrap().len(), 1);
        for e in store.list_audit_platform(10).await.unwrap() {
            assert!(!e.details.contains("trunk-secret-77"), "{e:?}");
        }
    }
}

#[tokio::test]
async fn tasks_check_ownership_and_change_state_by_compare_and_set() {
    for (db, store) in stores().await {
        let actor = Actor::cli("test");
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        let version = store
            .save_script_version(a.id, "s", "y", clean_lint(), &actor)
            .await
            .unwrap();
        let trunk = store.add_trunk(trunk("carrier"), &actor).await.unwrap();
        let list_a = list_with(&store, a.id, "a-list", &[number(1)]).await;
        let list_b = list_with(&store, b.id, "b-list", &[number(2)]).await;

        // Another tenant's list or script version: not found.
        let theirs = new_task("t", version.id, trunk.id, vec![list_a, list_b]);
        assert!(matches!(
            store.create_task(a.id, theirs, &actor).await,
            Err(StoreError::NotFound(_))
        ));
        let foreign_script = new_task("t", version.id, trunk.id, vec![list_b]);
        assert!(matches!(
            store.create_task(b.id, foreign_script, &actor).await,
            Err(StoreError::NotFound(_))
        ));
        let no_trunk = new_task("t", version.id, Uuid::now_v7(), vec![list_a]);
        assert!(matches!(
            store.create_task(a.id, no_trunk, &actor).await,
            Err(StoreError::NotFound(_))
        ));
        let mut bad_grade = new_task("t", version.id, trunk.id, vec![list_a]);
        bad_grade.lead_grade = "Z".into();
        assert!(matches!(
            store.create_task(a.id, bad_grade, &actor).await,
            Err(StoreError::Invalid(_))
        ));

        let task = store
            .create_task(
                a.id,
                new_task("春季", version.id, trunk.id, vec![list_a]),
                &actor,
            )
            .await
            .unwrap();
        assert_eq!(task.state, TaskStateName::Draft);
        assert!(matches!(
            store
                .create_task(
                    a.id,
                    new_task("春季", version.id, trunk.id, vec![list_a]),
                    &actor
                )
                .await,
            Err(StoreError::Conflict(_))
        ));
        let stored = store.get_task(a.id, task.id).await.unwrap().unwrap();
        assert_eq!(stored, task, "{:?}", db.kind);
        assert_eq!(
            store.find_task(a.id, "春季").await.unwrap().unwrap().id,
            task.id
        );
        assert!(store.list_running_tasks().await.unwrap().is_empty());

        let running = store
            .set_task_state(
                a.id,
                task.id,
                &[TaskStateName::Draft],
                TaskStateName::Running,
                None,
                &actor,
            )
            .await
            .unwrap();
        assert_eq!(running.state, TaskStateName::Running);
        // The same transition again finds it running: a conflict naming the state.
        match store
            .set_task_state(
                a.id,
                task.id,
                &[TaskStateName::Draft],
                TaskStateName::Running,
                None,
                &actor,
            )
            .await
        {
            Err(StoreError::Conflict(msg)) => assert!(msg.contains("running"), "{msg}"),
            other => panic!("expected a conflict, got {other:?}"),
        }
        let paused = store
            .set_task_state(
                a.id,
                task.id,
                &[TaskStateName::Running],
                TaskStateName::Paused,
                Some("outside window"),
                &actor,
            )
            .await
            .unwrap();
        assert_eq!(paused.state_reason.as_deref(), Some("outside window"));
        store
            .set_task_state(
                a.id,
                task.id,
                &[TaskStateName::Paused],
                TaskStateName::Running,
                None,
                &actor,
            )
            .await
            .unwrap();
        let running = store.list_running_tasks().await.unwrap();
        assert_eq!(
            running.iter().map(|t| t.id).collect::<Vec<_>>(),
            vec![task.id]
        );
        assert_eq!(running[0].list_ids, vec![list_a]);

        // Tenant B: nothing, not even by id.
        assert!(store.get_task(b.id, task.id).await.unwrap().is_none());
        assert!(store.list_tasks(b.id).await.unwrap().is_empty());
        assert!(matches!(
            store
                .set_task_state(
                    b.id,
                    task.id,
                    &[TaskStateName::Running],
                    TaskStateName::Stopped,
                    None,
                    &actor
                )
                .await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store.task_counts(b.id, task.id).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store.enqueue_task_contacts(b.id, task.id, t0()).await,
            Err(StoreError::NotFound(_))
        ));
        let states: Vec<String> = store
            .list_audit(a.id, 20)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "task.state")
            .map(|e| e.details)
            .collect();
        assert_eq!(states.len(), 3);
    }
}

#[tokio::test]
async fn enqueue_is_idempotent_and_keeps_one_contact_per_number() {
    for (db, store) in stores().await {
        let actor = Actor::cli("test");
        let a = crate::tenant(&store, "ta").await;
        let version = store
            .save_script_version(a.id, "s", "y", clean_lint(), &actor)
            .await
            .unwrap();
        let trunk = store.add_trunk(trunk("carrier"), &actor).await.unwrap();
        // Number 2 is in both lists; the first list's contact is the older one.
        let first = list_with(&store, a.id, "first", &[number(1), number(2)]).await;
        let second = list_with(&store, a.id, "second", &[number(2), number(3)]).await;
        let task = store
            .create_task(
                a.id,
                new_task("t", version.id, trunk.id, vec![first, second]),
                &actor,
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .enqueue_task_contacts(a.id, task.id, t0())
                .await
                .unwrap(),
            3,
            "{:?}",
            db.kind
        );
        assert_eq!(
            store
                .enqueue_task_contacts(a.id, task.id, t0())
                .await
                .unwrap(),
            0
        );
        assert_eq!(store.task_remaining(task.id).await.unwrap(), 3);

        let claims = store.claim_due(task.id, t0(), 10, WORKER).await.unwrap();
        let numbers: HashSet<PhoneHash> = claims.iter().map(|c| c.number_hash).collect();
        assert_eq!(numbers.len(), 3);
        let dup = claims
            .iter()
            .find(|c| c.number_hash == key().hash(&number(2)))
            .unwrap();
        let first_contacts = store.list_contacts(a.id, first, 0, 10).await.unwrap();
        assert!(
            first_contacts.iter().any(|c| c.id == dup.contact_id),
            "kept the first list's contact"
        );
        assert_eq!(dup.consent, evidence());
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&dup.fields).unwrap()["name"],
            "李女士"
        );

        // A number added later to a list of the task is queued once more, not twice.
        list_with(&store, a.id, "second", &[number(4), number(1)]).await;
        assert_eq!(
            store
                .enqueue_task_contacts(a.id, task.id, t0())
                .await
                .unwrap(),
            1
        );
        let counts = store.task_counts(a.id, task.id).await.unwrap();
        assert_eq!(counts.by_state.get("pending"), Some(&1));
        assert_eq!(counts.by_state.get("in_flight"), Some(&3));
    }
}

#[tokio::test]
async fn concurrent_claimers_never_get_the_same_contact() {
    let numbers: Vec<String> = (0..200).map(number).collect();
    for (db, store) in stores().await {
        let a = crate::tenant(&store, "ta").await;
        let task = running_task(&store, a.id, &numbers).await;
        // A second, independent connection pool on the same database.
        let other = db.store().await.unwrap();
        let claimer = |s: Store, worker: &'static str| async move {
            let mut got = Vec::new();
            loop {
                let batch = s.claim_due(task.id, t0(), 7, worker).await.unwrap();
                if batch.is_empty() {
                    return got;
                }
                got.extend(batch.into_iter().map(|c| c.contact_id));
                tokio::task::yield_now().await;
            }
        };
        let (x, y) = tokio::join!(
            tokio::spawn(claimer(store.clone(), "w1")),
            tokio::spawn(claimer(other.clone(), "w2"))
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        let union: HashSet<Uuid> = x.iter().chain(&y).copied().collect();
        assert_eq!(
            x.len() + y.len(),
            200,
            "{:?}: every row claimed once",
            db.kind
        );
        assert_eq!(union.len(), 200, "{:?}: no row claimed twice", db.kind);
        assert_eq!(store.task_remaining(task.id).await.unwrap(), 200);
        // Nothing is due any more: everything is in flight.
        assert!(store
            .claim_due(task.id, t0(), 10, "w3")
            .await
            .unwrap()
            .is_empty());
        other.close().await;
    }
}

#[tokio::test]
async fn claims_respect_due_time_and_releases_keep_attempts() {
    for (db, store) in stores().await {
        let a = crate::tenant(&store, "ta").await;
        let task = running_task(&store, a.id, &[number(1), number(2)]).await;
        assert!(store
            .claim_due(task.id, t0() - Duration::seconds(1), 10, WORKER)
            .await
            .unwrap()
            .is_empty());
        let claims = store.claim_due(task.id, t0(), 10, WORKER).await.unwrap();
        assert_eq!(claims.len(), 2, "{:?}", db.kind);
        assert_eq!(claims[0].attempts, 0);
        let later = t0() + Duration::minutes(30);
        store
            .release_claim(
                task.id,
                claims[0].contact_id,
                Next::RetryAt(later, "outside_window".into()),
            )
            .await
            .unwrap();
        store
            .release_claim(task.id, claims[1].contact_id, Next::Done("dnc".into()))
            .await
            .unwrap();
        // Releasing what is not claimed is a conflict.
        assert!(matches!(
            store
                .release_claim(task.id, claims[1].contact_id, Next::Done("dnc".into()))
                .await,
            Err(StoreError::Conflict(_))
        ));
        assert!(store
            .claim_due(task.id, later - Duration::seconds(1), 10, WORKER)
            .await
            .unwrap()
            .is_empty());
        let again = store.claim_due(task.id, later, 10, WORKER).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(
            (again[0].contact_id, again[0].attempts),
            (claims[0].contact_id, 0)
        );
        assert_eq!(store.task_remaining(task.id).await.unwrap(), 1);

        // A crash between claim and dial: only that worker's undialled claims return.
        let crash = later + Duration::minutes(1);
        assert_eq!(
            store
                .release_stale_claims("someone-else", crash)
                .await
                .unwrap(),
            0
        );
        assert_eq!(store.release_stale_claims(WORKER, crash).await.unwrap(), 1);
        let back = store.claim_due(task.id, crash, 10, "w2").await.unwrap();
        assert_eq!(
            back.iter().map(|c| c.contact_id).collect::<Vec<_>>(),
            vec![claims[0].contact_id]
        );
        // A claim with a call in flight is not stale.
        store
            .begin_call(begin(
                &task,
                back[0].contact_id,
                back[0].number_hash,
                &back[0].number_masked,
                crash,
            ))
            .await
            .unwrap();
        assert_eq!(store.release_stale_claims("w2", crash).await.unwrap(), 0);
    }
}

#[tokio::test]
async fn calls_are_persisted_before_dialling_and_finished_in_one_go() {
    for (db, store) in stores().await {
        let actor = Actor::cli("test");
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        let task = running_task(&store, a.id, &[number(1), number(2), number(3)]).await;
        let target = |name: &str, min: &str, enabled: bool| NewPushTarget {
            name: name.into(),
            kind: PushKind::Wecom,
            url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc".into(),
            secret: Some("push-secret-9".into()),
            min_grade: min.into(),
            enabled,
        };
        let meets = store
            .add_push_target(a.id, target("sales", "C", true), &actor)
            .await
            .unwrap();
        store
            .add_push_target(a.id, target("vip-only", "A", true), &actor)
            .await
            .unwrap();
        store
            .add_push_target(a.id, target("off", "F", false), &actor)
            .await
            .unwrap();
        store
            .add_push_target(b.id, target("other-tenant", "F", true), &actor)
            .await
            .unwrap();

        let claims = store.claim_due(task.id, t0(), 10, WORKER).await.unwrap();
        let (c1, c2, c3) = (&claims[0], &claims[1], &claims[2]);

        // begin_call: the attempt counts for caps at once.
        let before = store.attempt_history(&c1.number_hash, t0()).await.unwrap();
        let call = store
            .begin_call(begin(
                &task,
                c1.contact_id,
                c1.number_hash,
                &c1.number_masked,
                t0(),
            ))
            .await
            .unwrap();
        let after = store
            .attempt_history(&c1.number_hash, t0() + Duration::seconds(1))
            .await
            .unwrap();
        assert_eq!(after.last_24h, before.last_24h + 1, "{:?}", db.kind);
        let in_flight = store.in_flight_calls(Some(WORKER)).await.unwrap();
        assert_eq!(in_flight[0].attempts, 1);
        assert_eq!(
            in_flight.iter().map(|c| c.call_id).collect::<Vec<_>>(),
            vec![call]
        );
        assert!(store
            .in_flight_calls(Some("elsewhere"))
            .await
            .unwrap()
            .is_empty());

        let lead_id = store
            .finish_call(
                call,
                answered("B", t0()),
                Next::Done("answered".into()),
                Some(NewLead {
                    grade: "B".into(),
                    reason: "asked for a quote".into(),
                    shareable: true,
                }),
            )
            .await
            .unwrap()
            .expect("a lead");
        assert!(matches!(
            store
                .finish_call(
                    call,
                    answered("B", t0()),
                    Next::Done("answered".into()),
                    None
                )
                .await,
            Err(StoreError::Conflict(_))
        ));
        let record = store.get_call(a.id, call).await.unwrap().unwrap();
        assert_eq!(record.state, "done");
        assert_eq!(record.outcome.as_deref(), Some("answered"));
        assert_eq!(record.grade.as_deref(), Some("B"));
        assert_eq!(record.duration_ms, Some(60_000));
        assert!(record.attempt_id.is_some());
        assert_eq!(
            record.transcript_json.as_deref(),
            Some(r#"[{"who":"callee","text":"好的"}]"#)
        );

        // Push: one delivery, to the enabled target whose minimum the lead meets.
        let due = store
            .due_deliveries(t0() + Duration::minutes(5), 10)
            .await
            .unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].target.id, meets.id);
        assert_eq!(due[0].lead.id, lead_id);
        assert_eq!(due[0].target.secret.as_deref(), Some("push-secret-9"));
        assert!(!due[0].full_numbers_in_push && due[0].number_enc.is_none());
        assert!(!format!("{:?}", due[0]).contains("push-secret-9"));

        // A refusal: a done call, no dial attempt.
        let refused_at = t0() + Duration::seconds(2);
        let before = store
            .attempt_history(&c2.number_hash, refused_at)
            .await
            .unwrap();
        let refusal = store
            .record_refusal(
                a.id,
                task.id,
                c2.contact_id,
                &c2.number_hash,
                &c2.number_masked,
                r#"{"deny":["dnc.tenant"]}"#,
                refused_at,
                Next::Done("dnc".into()),
            )
            .await
            .unwrap();
        let refusal = store.get_call(a.id, refusal).await.unwrap().unwrap();
        assert_eq!(
            (refusal.outcome.as_deref(), refusal.attempt_id),
            (Some("refused"), None)
        );
        assert_eq!(
            store
                .attempt_history(&c2.number_hash, refused_at)
                .await
                .unwrap(),
            before
        );

        // A crash: reconciled as interrupted, the attempt still counts, retried later.
        let crashed = store
            .begin_call(begin(
                &task,
                c3.contact_id,
                c3.number_hash,
                &c3.number_masked,
                t0(),
            ))
            .await
            .unwrap();
        let retry_at = t0() + Duration::hours(1);
        store
            .reconcile_call(
                crashed,
                t0() + Duration::minutes(3),
                Next::RetryAt(retry_at, "interrupted".into()),
            )
            .await
            .unwrap();
        let crashed = store.get_call(a.id, crashed).await.unwrap().unwrap();
        assert_eq!(
            (crashed.state.as_str(), crashed.outcome.as_deref()),
            ("done", Some("interrupted"))
        );
        assert!(crashed.attempt_id.is_some());
        assert_eq!(
            store
                .attempt_history(&c3.number_hash, t0() + Duration::minutes(4))
                .await
                .unwrap()
                .last_24h,
            1
        );
        assert!(store.in_flight_calls(None).await.unwrap().is_empty());
        let retried = store
            .claim_due(task.id, retry_at, 10, WORKER)
            .await
            .unwrap();
        assert_eq!(retried.len(), 1);
        assert_eq!(
            (retried[0].contact_id, retried[0].attempts),
            (c3.contact_id, 1)
        );

        // A lead whose consent forbids sharing is kept but pushed nowhere.
        let private = store
            .begin_call(begin(
                &task,
                c3.contact_id,
                c3.number_hash,
                &c3.number_masked,
                retry_at,
            ))
            .await
            .unwrap();
        let private_lead = store
            .finish_call(
                private,
                answered("A", retry_at),
                Next::Done("answered".into()),
                Some(NewLead {
                    grade: "A".into(),
                    reason: "keen".into(),
                    shareable: false,
                }),
            )
            .await
            .unwrap()
            .unwrap();
        assert!(
            !store
                .get_lead(a.id, private_lead)
                .await
                .unwrap()
                .unwrap()
                .shareable
        );
        let due = store
            .due_deliveries(retry_at + Duration::hours(1), 10)
            .await
            .unwrap();
        assert_eq!(
            due.iter().map(|d| d.lead.id).collect::<Vec<_>>(),
            vec![lead_id]
        );

        let counts = store.task_counts(a.id, task.id).await.unwrap();
        assert_eq!(counts.attempts, 3);
        assert_eq!(counts.leads, 2);
        assert_eq!(counts.by_outcome.get("answered"), Some(&2));
        assert_eq!(counts.by_outcome.get("refused"), Some(&1));
        assert_eq!(counts.by_outcome.get("interrupted"), Some(&1));
        assert_eq!(counts.by_state.get("done"), Some(&3));
        assert_eq!(counts.by_state.get("in_flight"), None);
        assert_eq!(store.task_remaining(task.id).await.unwrap(), 0);

        let listed = store.list_calls(a.id, CallFilter::default()).await.unwrap();
        assert_eq!(listed.len(), 4);
        assert!(
            listed
                .windows(2)
                .all(|w| w[0].created_at >= w[1].created_at),
            "newest first"
        );
        let refused_only = CallFilter {
            outcome: Some("refused".into()),
            ..CallFilter::default()
        };
        assert_eq!(store.list_calls(a.id, refused_only).await.unwrap().len(), 1);

        // Tenant B sees no call and no lead of A's.
        assert!(store.get_call(b.id, call).await.unwrap().is_none());
        assert!(store
            .list_calls(b.id, CallFilter::default())
            .await
            .unwrap()
            .is_empty());
        assert!(store.get_lead(b.id, lead_id).await.unwrap().is_none());
        assert!(store
            .list_leads(b.id, LeadFilter::default())
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn leads_are_regraded_and_deliveries_retry_then_die() {
    for (db, store) in stores().await {
        let actor = Actor::cli("test");
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        store
            .set_full_numbers_in_push(a.id, true, &actor)
            .await
            .unwrap();
        let agent = store
            .create_user(
                Some(a.id),
                "agent-wang",
                "agent-pass-123",
                Role::Agent,
                &actor,
            )
            .await
            .unwrap();
        let task = running_task(&store, a.id, &[number(1)]).await;
        let target = store
            .add_push_target(
                a.id,
                NewPushTarget {
                    name: "crm".into(),
                    kind: PushKind::Webhook,
                    url: "https://crm.example.invalid/hook".into(),
                    secret: None,
                    min_grade: "B".into(),
                    enabled: true,
                },
                &actor,
            )
            .await
            .unwrap();
        let claim = store
            .claim_due(task.id, t0(), 1, WORKER)
            .await
            .unwrap()
            .remove(0);
        let call = store
            .begin_call(begin(
                &task,
                claim.contact_id,
                claim.number_hash,
                &claim.number_masked,
                t0(),
            ))
            .await
            .unwrap();
        let lead_id = store
            .finish_call(
                call,
                answered("A", t0()),
                Next::Done("answered".into()),
                Some(NewLead {
                    grade: "A".into(),
                    reason: "wants a visit".into(),
                    shareable: true,
                }),
            )
            .await
            .unwrap()
            .unwrap();

        let lead = store
            .regrade_lead(a.id, lead_id, "C", Some("only browsing"), agent.id, &actor)
            .await
            .unwrap();
        assert_eq!(
            (lead.robot_grade.as_str(), lead.grade()),
            ("A", "C"),
            "{:?}",
            db.kind
        );
        assert_eq!(lead.agent_id, Some(agent.id));
        let lead = store
            .set_lead_status(a.id, lead_id, LeadStatus::Contacted, &actor)
            .await
            .unwrap();
        assert_eq!(lead.status, LeadStatus::Contacted);
        assert!(matches!(
            store
                .regrade_lead(b.id, lead_id, "F", None, agent.id, &actor)
                .await,
            Err(StoreError::NotFound(_))
        ));
        let new_only = LeadFilter {
            status: Some(LeadStatus::New),
            ..LeadFilter::default()
        };
        assert!(store.list_leads(a.id, new_only).await.unwrap().is_empty());
        let by_task = LeadFilter {
            task_id: Some(task.id),
            ..LeadFilter::default()
        };
        assert_eq!(store.list_leads(a.id, by_task).await.unwrap().len(), 1);

        // The tenant allows full numbers: the pusher gets the ciphertext.
        let later = t0() + Duration::minutes(10);
        let due = store.due_deliveries(later, 10).await.unwrap();
        assert_eq!(due.len(), 1);
        assert!(due[0].full_numbers_in_push);
        assert_eq!(due[0].number_enc.as_deref(), Some(number(1).as_bytes()));
        let id = due[0].delivery.id;

        store
            .mark_failed(id, "HTTP 502", Some(later + Duration::minutes(1)))
            .await
            .unwrap();
        assert!(store.due_deliveries(later, 10).await.unwrap().is_empty());
        store.mark_failed(id, "HTTP 502 again", None).await.unwrap();
        assert!(store
            .due_deliveries(later + Duration::hours(1), 10)
            .await
            .unwrap()
            .is_empty());
        let dead = store.dead_letters(a.id).await.unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!((dead[0].attempts, dead[0].target_name.as_str()), (2, "crm"));
        assert_eq!(dead[0].last_error.as_deref(), Some("HTTP 502 again"));
        assert!(store.dead_letters(b.id).await.unwrap().is_empty());
        assert!(matches!(
            store.retry_dead_letter(b.id, id, later, &actor).await,
            Err(StoreError::NotFound(_))
        ));

        store
            .retry_dead_letter(a.id, id, later, &actor)
            .await
            .unwrap();
        assert!(store.dead_letters(a.id).await.unwrap().is_empty());
        store.mark_delivered(id, later).await.unwrap();
        assert!(matches!(
            store.mark_delivered(id, later).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(store
            .due_deliveries(later + Duration::hours(1), 10)
            .await
            .unwrap()
            .is_empty());

        // A disabled target gets no deliveries queued, nor handed out.
        let off = store
            .set_push_target_enabled(a.id, target.id, false, &actor)
            .await
            .unwrap();
        assert!(!off.enabled);
        assert!(matches!(
            store
                .set_push_target_enabled(b.id, target.id, true, &actor)
                .await,
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(store.list_push_targets(a.id).await.unwrap().len(), 1);
        assert!(store.list_push_targets(b.id).await.unwrap().is_empty());
        let actions: Vec<String> = store
            .list_audit(a.id, 50)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        for expected in [
            "lead.regrade",
            "lead.status",
            "push.retry",
            "push_target.enable",
            "push_target.add",
        ] {
            assert!(
                actions.iter().any(|a| a == expected),
                "{expected} in {actions:?}"
            );
        }
    }
}

//! Callee rights on every backend: complaints (DNC at once, calls named, the rate
//! counting only verified complaints naming an existing call, auto-pause over the
//! threshold), complaint tickets and tenant scope, subject export and erasure
//! (nothing about the number left outside the DNC list and the audit log), and the
//! retention sweep (exactly what is due, at an injected instant). Subject
//! requests are in `subject.rs`, the retention sweep in `retention.rs`.

mod retention;
mod subject;

use crate::campaign::{answered, begin, key, number, running_task, t0, WORKER};
use crate::stores;
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;
use waihu_compliance::retention::RetentionPeriods;
use waihu_core::TaskState;
use waihu_store::rights::trace::{find_traces, Needles};
use waihu_store::{
    Actor, CallResult, Claim, ComplaintFilter, ComplaintScope, ComplaintState, NewComplaint,
    NewLead, Next, RightsSettings, Store, StoreError, Task,
};

/// Places and finishes one answered call of `claim` at `at`, with a recording and
/// a lead; returns the call id.
pub(super) async fn answered_call(
    store: &Store,
    task: &Task,
    claim: &Claim,
    at: DateTime<Utc>,
) -> Uuid {
    let call = store
        .begin_call(begin(
            task,
            claim.contact_id,
            claim.number_hash,
            &claim.number_masked,
            at,
        ))
        .await
        .unwrap();
    let result = CallResult {
        recording_path: Some(format!("recordings/{call}.wav")),
        path_json: Some(r#"["greet","offer"]"#.into()),
        intents_json: Some(r#"["yes"]"#.into()),
        turn_log_json: Some("[]".into()),
        ..answered("A", at)
    };
    store
        .finish_call(
            call,
            result,
            Next::Done("answered".into()),
            Some(NewLead {
                grade: "A".into(),
                reason: "keen".into(),
                shareable: true,
            }),
        )
        .await
        .unwrap();
    call
}

pub(super) fn complaint(n: &str, verified: bool, at: DateTime<Utc>) -> NewComplaint {
    NewComplaint {
        tenant_id: None,
        caller_number: None,
        number_hash: key().hash(n),
        number_masked: waihu_compliance::pii::mask(n),
        verified,
        description: "打了三次，还不让挂电话".into(),
        occurred_at: at,
        match_window: waihu_store::rights::DEFAULT_MATCH_WINDOW,
        filed_at: at + Duration::hours(2),
    }
}

pub(super) async fn claims(store: &Store, task: &Task) -> Vec<Claim> {
    store.claim_due(task.id, t0(), 10, WORKER).await.unwrap()
}

pub(super) fn claim_of<'a>(claims: &'a [Claim], n: &str) -> &'a Claim {
    let h = key().hash(n);
    claims.iter().find(|c| c.number_hash == h).expect("claim")
}

#[tokio::test]
async fn only_verified_complaints_naming_a_call_count_and_over_the_threshold_pause() {
    for (db, store) in stores().await {
        let op = Actor::cli("op");
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        let task = running_task(&store, a.id, &[number(1), number(2), number(3)]).await;
        let other = running_task(&store, b.id, &[number(1)]).await;
        let cl = claims(&store, &task).await;
        let call1 = answered_call(&store, &task, claim_of(&cl, &number(1)), t0()).await;
        answered_call(&store, &task, claim_of(&cl, &number(2)), t0()).await;
        let ocl = claims(&store, &other).await;
        // Tenant B called number 1 a day later: not near the complaint's time.
        answered_call(&store, &other, &ocl[0], t0() + Duration::days(1)).await;
        // 1 complaint in 2 answered calls is 500 per 1,000: over a threshold of 100.
        store
            .set_rights_settings(
                RightsSettings {
                    complaint_threshold_per_1000: 100.0,
                    ..RightsSettings::default()
                },
                &op,
            )
            .await
            .unwrap();

        // Unverified: the ticket, the call it names and the DNC entry, but no count.
        let filed = store
            .file_complaint(complaint(&number(1), false, t0()), &Actor::raw("public"))
            .await
            .unwrap();
        assert_eq!(filed.complaint.tenant_id, Some(a.id), "{:?}", db.kind);
        assert_eq!(filed.complaint.call_ids, vec![call1]);
        assert_eq!(filed.complaint.state, ComplaintState::Open);
        assert!(filed.dnc_added);
        let m = store
            .dnc_membership(a.id, &key().hash(&number(1)))
            .await
            .unwrap();
        assert!(m.tenant);
        let m = store
            .dnc_membership(b.id, &key().hash(&number(1)))
            .await
            .unwrap();
        assert!(!m.tenant, "only the tenant complained about");
        let rate = filed.rate.unwrap();
        assert_eq!(
            (
                rate.counts.counted,
                rate.counts.ignored,
                rate.counts.answered_calls
            ),
            (0, 1, 2)
        );
        assert!(filed.paused_tasks.is_empty());

        // Verified, but naming no call (a week before anything was dialled): no count.
        let mut no_call = complaint(&number(2), true, t0() - Duration::days(7));
        no_call.tenant_id = Some(a.id);
        no_call.filed_at = t0() + Duration::hours(3);
        let filed = store
            .file_complaint(no_call, &Actor::raw("public"))
            .await
            .unwrap();
        assert!(filed.complaint.call_ids.is_empty());
        assert!(!filed.complaint.counts());
        assert_eq!(filed.rate.unwrap().counts.counted, 0);
        assert!(filed.paused_tasks.is_empty());
        let t = store.get_task(a.id, task.id).await.unwrap().unwrap();
        assert_eq!(t.state, TaskState::Running);

        // Verified and naming the call: counts, over the threshold, tenant A pauses.
        let filed = store
            .file_complaint(
                complaint(&number(1), true, t0() + Duration::minutes(30)),
                &Actor::raw("public"),
            )
            .await
            .unwrap();
        assert!(!filed.dnc_added, "already on the list");
        let rate = filed.rate.unwrap();
        assert_eq!(rate.counts.counted, 1);
        assert!(rate.decision.pauses());
        assert_eq!(filed.paused_tasks, vec![task.id]);
        let t = store.get_task(a.id, task.id).await.unwrap().unwrap();
        assert_eq!(t.state, TaskState::Paused);
        assert!(t.state_reason.unwrap().contains("complaint rate"));
        // Tenant B's task runs on.
        let o = store.get_task(b.id, other.id).await.unwrap().unwrap();
        assert_eq!(o.state, TaskState::Running);
        let audit = store.list_audit(a.id, 50).await.unwrap();
        assert!(audit.iter().any(|e| e.action == "tenant.auto_pause"));
        assert_eq!(
            audit
                .iter()
                .filter(|e| e.action == "complaint.file")
                .count(),
            3
        );
        assert!(store.verify_audit_chain().await.unwrap().is_ok());

        // The operator sees every tenant's rate.
        let rates = store
            .complaint_rates(t0() + Duration::hours(4))
            .await
            .unwrap();
        assert_eq!(rates.len(), 2);
        assert_eq!(rates[0].tenant_id, a.id);
        assert_eq!(rates[1].counts.counted, 0);
        // Outside the window the complaint no longer counts.
        let later = store
            .complaint_rate(a.id, t0() + Duration::days(40))
            .await
            .unwrap();
        assert_eq!(later.counts.counted, 0);

        // The task report counts both tickets naming the call, on the call's
        // time (not the filing's); the one naming no call is not the task's.
        let tickets = store.task_complaint_tickets(a.id, task.id).await.unwrap();
        let call_at = store
            .get_call(a.id, call1)
            .await
            .unwrap()
            .unwrap()
            .created_at;
        assert_eq!(tickets, vec![call_at, call_at], "{:?}", db.kind);
        assert!(store
            .task_complaint_tickets(b.id, other.id)
            .await
            .unwrap()
            .is_empty());
        assert!(matches!(
            store.task_complaint_tickets(b.id, task.id).await,
            Err(waihu_store::StoreError::NotFound(_))
        ));
    }
}

#[tokio::test]
async fn tickets_are_acknowledged_answered_and_closed_within_their_tenant() {
    for (db, store) in stores().await {
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        let actor = Actor::cli("op");
        let mut c = complaint(&number(5), true, t0());
        c.tenant_id = Some(a.id);
        let id = store.file_complaint(c, &actor).await.unwrap().complaint.id;
        // A complaint that names no tenant, no caller number and no call: operator's.
        let orphan = store
            .file_complaint(complaint(&number(6), true, t0()), &actor)
            .await
            .unwrap();
        assert_eq!(orphan.complaint.tenant_id, None, "{:?}", db.kind);
        assert!(orphan.rate.is_none() && !orphan.dnc_added);

        let mine = ComplaintScope::Tenant(a.id);
        let theirs = ComplaintScope::Tenant(b.id);
        assert!(store.get_complaint(theirs, id).await.unwrap().is_none());
        assert!(store
            .list_complaints(theirs, ComplaintFilter::default())
            .await
            .unwrap()
            .is_empty());
        for refused in [
            store.ack_complaint(theirs, id, t0(), &actor).await,
            store.answer_complaint(theirs, id, "x", t0(), &actor).await,
            store.close_complaint(theirs, id, "x", t0(), &actor).await,
        ] {
            assert!(
                matches!(refused, Err(StoreError::NotFound(_))),
                "{refused:?}"
            );
        }
        assert_eq!(
            store
                .list_complaints(mine, ComplaintFilter::default())
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            store
                .list_complaints(ComplaintScope::Platform, ComplaintFilter::default())
                .await
                .unwrap()
                .len(),
            2
        );

        let acked_at = t0() + Duration::days(1);
        let acked = store
            .ack_complaint(ComplaintScope::Platform, id, acked_at, &actor)
            .await
            .unwrap();
        assert_eq!(
            (acked.state, acked.acked_at),
            (ComplaintState::Acknowledged, Some(acked_at))
        );
        // Acknowledging again changes nothing.
        let again = store
            .ack_complaint(mine, id, acked_at + Duration::days(1), &actor)
            .await
            .unwrap();
        assert_eq!(again.acked_at, Some(acked_at));
        assert!(matches!(
            store.answer_complaint(mine, id, "   ", t0(), &actor).await,
            Err(StoreError::Invalid(_))
        ));
        let answered = store
            .answer_complaint(
                mine,
                id,
                "已道歉并加入免打扰名单",
                t0() + Duration::days(2),
                &actor,
            )
            .await
            .unwrap();
        assert_eq!(
            answered.tenant_answer.as_deref(),
            Some("已道歉并加入免打扰名单")
        );
        let closed = store
            .close_complaint(
                ComplaintScope::Platform,
                id,
                "resolved",
                t0() + Duration::days(3),
                &actor,
            )
            .await
            .unwrap();
        assert_eq!(closed.state, ComplaintState::Closed);
        assert!(matches!(
            store
                .close_complaint(ComplaintScope::Platform, id, "again", t0(), &actor)
                .await,
            Err(StoreError::Conflict(_))
        ));
        let open = ComplaintFilter {
            state: Some(ComplaintState::Open),
            ..ComplaintFilter::default()
        };
        let listed = store
            .list_complaints(ComplaintScope::Platform, open)
            .await
            .unwrap();
        assert_eq!(
            listed.iter().map(|c| c.id).collect::<Vec<_>>(),
            vec![orphan.complaint.id]
        );
        let actions: Vec<String> = store
            .list_audit(a.id, 20)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        for action in ["complaint.ack", "complaint.answer", "complaint.close"] {
            assert_eq!(
                actions.iter().filter(|a| *a == action).count(),
                1,
                "{action}: {actions:?}"
            );
        }
    }
}

//! Callee rights on every backend: complaints (DNC at once, calls named, the rate
//! counting only verified complaints naming an existing call, auto-pause over the
//! threshold), complaint tickets and tenant scope, subject export and erasure
//! (nothing about the number left outside the DNC list and the audit log), and the
//! retention sweep (exactly what is due, at an injected instant).

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
async fn answered_call(store: &Store, task: &Task, claim: &Claim, at: DateTime<Utc>) -> Uuid {
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

fn complaint(n: &str, verified: bool, at: DateTime<Utc>) -> NewComplaint {
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

async fn claims(store: &Store, task: &Task) -> Vec<Claim> {
    store.claim_due(task.id, t0(), 10, WORKER).await.unwrap()
}

fn claim_of<'a>(claims: &'a [Claim], n: &str) -> &'a Claim {
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

#[tokio::test]
async fn export_holds_every_call_of_the_number_and_nothing_of_others() {
    for (db, store) in stores().await {
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        let ta = running_task(&store, a.id, &[number(1), number(2)]).await;
        let tb = running_task(&store, b.id, &[number(1)]).await;
        let ca = claims(&store, &ta).await;
        let mine_a = answered_call(&store, &ta, claim_of(&ca, &number(1)), t0()).await;
        let other = answered_call(&store, &ta, claim_of(&ca, &number(2)), t0()).await;
        let cb = claims(&store, &tb).await;
        let mine_b = answered_call(&store, &tb, &cb[0], t0() + Duration::hours(1)).await;
        store
            .add_dnc(
                waihu_store::DncScope::Platform,
                &key().hash(&number(1)),
                "138****",
                "asked",
                "public",
                &Actor::raw("public"),
            )
            .await
            .unwrap();

        let n1 = number(1);
        let export = store
            .export_subject(
                &key().hash(&n1),
                &waihu_compliance::pii::mask(&n1),
                t0(),
                &Actor::cli("op"),
            )
            .await
            .unwrap();
        let ids: Vec<Uuid> = export.calls.iter().map(|c| c.id).collect();
        assert_eq!(ids, vec![mine_a, mine_b], "{:?}", db.kind);
        assert!(!ids.contains(&other));
        assert_eq!(export.calls[0].tenant_name, "ta");
        assert_eq!(export.calls[1].tenant_name, "tb");
        assert!(export.calls[0]
            .transcript
            .as_deref()
            .unwrap()
            .contains("好的"));
        assert_eq!(
            export.calls[0].recording_path,
            Some(format!("recordings/{mine_a}.wav"))
        );
        assert_eq!(export.contacts.len(), 2);
        assert!(export
            .contacts
            .iter()
            .all(|c| c.consent_source == "web_form"));
        assert_eq!(export.dnc.len(), 1);
        assert_eq!(export.dnc[0].list, "platform");
        let text = serde_json::to_string(&export).unwrap();
        assert!(!text.contains(&waihu_compliance::pii::mask(&number(2))));
        assert!(!text.contains(&other.to_string()));
        let audit = store.list_audit_platform(5).await.unwrap();
        assert_eq!(audit[0].action, "subject.export");
        assert!(!audit[0].details.contains(&n1));
    }
}

#[tokio::test]
async fn erasure_leaves_nothing_about_the_number_but_the_hashed_dnc_entry() {
    for (db, store) in stores().await {
        let actor = Actor::cli("op");
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        let ta = running_task(&store, a.id, &[number(1), number(2)]).await;
        let tb = running_task(&store, b.id, &[number(1), number(3)]).await;
        let ca = claims(&store, &ta).await;
        let erased_call = answered_call(&store, &ta, claim_of(&ca, &number(1)), t0()).await;
        let kept_call = answered_call(&store, &ta, claim_of(&ca, &number(2)), t0()).await;
        // Tenant B is calling number 1 right now; number 3 is never called.
        let cb = claims(&store, &tb).await;
        let in_flight = store
            .begin_call(begin(
                &tb,
                claim_of(&cb, &number(1)).contact_id,
                key().hash(&number(1)),
                "x",
                t0() + Duration::hours(2),
            ))
            .await
            .unwrap();
        store
            .file_complaint(complaint(&number(1), true, t0()), &actor)
            .await
            .unwrap();

        let n1 = number(1);
        let masked = waihu_compliance::pii::mask(&n1);
        let hash = key().hash(&n1);
        let needles = Needles {
            bytes: vec![hash.0.to_vec()],
            texts: vec![
                n1.clone(),
                n1[1..].to_string(),
                masked.clone(),
                hash.to_hex(),
            ],
        };
        // The scan does find the number before the erasure.
        let before = find_traces(&db.url, &needles).await.unwrap();
        for column in [
            "contacts.number_hash",
            "calls.number_masked",
            "complaints.number_hash",
            "dial_attempts.number_hash",
        ] {
            assert!(
                before.iter().any(|c| c == column),
                "{column} not in {before:?}"
            );
        }
        // Not while tenant B's call is under way; once it has ended, yes.
        assert!(matches!(
            store.erase_subject(&hash, &masked, &actor).await,
            Err(StoreError::Conflict(_))
        ));
        store
            .reconcile_call(
                in_flight,
                t0() + Duration::hours(3),
                Next::Done("interrupted".into()),
            )
            .await
            .unwrap();
        let report = store.erase_subject(&hash, &masked, &actor).await.unwrap();
        assert_eq!(report.contacts, 2, "{:?}", db.kind);
        assert_eq!(report.calls, 2);
        assert_eq!(report.leads, 1);
        assert_eq!(report.complaints, 1);
        assert_eq!(
            report.recording_paths,
            vec![format!("recordings/{erased_call}.wav")]
        );
        // Tenant A had it on its list already (complaint); tenant B gets it now.
        assert_eq!(report.dnc_added, vec![b.id]);

        let traces = find_traces(&db.url, &needles).await.unwrap();
        assert!(
            traces.is_empty(),
            "{:?}: traces left in {traces:?}",
            db.kind
        );
        // The hashed DNC entry remains; so does the audit entry of the erasure.
        assert!(store.dnc_membership(a.id, &hash).await.unwrap().tenant);
        assert!(store.dnc_membership(b.id, &hash).await.unwrap().tenant);
        let audit = store.list_audit_platform(1).await.unwrap();
        assert_eq!(audit[0].action, "subject.erase");
        assert!(store.verify_audit_chain().await.unwrap().is_ok());

        // Other numbers are untouched; the erased call stays, anonymous, for statistics.
        let kept = store.get_call(a.id, kept_call).await.unwrap().unwrap();
        assert!(kept.transcript_json.is_some() && kept.recording_path.is_some());
        assert_eq!(
            store
                .contacts_by_number(a.id, &key().hash(&number(2)))
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            store
                .contacts_by_number(b.id, &key().hash(&number(3)))
                .await
                .unwrap()
                .len(),
            1
        );
        let anon = store.get_call(a.id, erased_call).await.unwrap().unwrap();
        assert_eq!(anon.outcome.as_deref(), Some("answered"));
        assert!(
            anon.transcript_json.is_none() && anon.recording_path.is_none() && anon.grade.is_none()
        );
        assert!(store.get_call(b.id, in_flight).await.unwrap().is_some());
        // The anonymous complaint still counts against tenant A.
        let rate = store
            .complaint_rate(a.id, t0() + Duration::hours(3))
            .await
            .unwrap();
        assert_eq!(rate.counts.counted, 1);
        let export = store
            .export_subject(&hash, &masked, t0(), &actor)
            .await
            .unwrap();
        assert!(
            export.calls.is_empty() && export.contacts.is_empty() && export.complaints.is_empty()
        );
        assert_eq!(export.dnc.len(), 2);
    }
}

#[tokio::test]
async fn retention_deletes_exactly_what_is_due() {
    for (db, store) in stores().await {
        let op = Actor::cli("op");
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        assert_eq!(
            store.retention_periods(a.id).await.unwrap(),
            RetentionPeriods::default()
        );
        let periods = RetentionPeriods {
            recordings_days: 10,
            transcripts_days: 20,
            results_days: 30,
        };
        assert!(matches!(
            store
                .set_retention_periods(
                    a.id,
                    RetentionPeriods {
                        results_days: 400,
                        ..periods
                    },
                    &op
                )
                .await,
            Err(StoreError::Invalid(_))
        ));
        store
            .set_retention_periods(a.id, periods, &op)
            .await
            .unwrap();
        let ta = running_task(&store, a.id, &[number(1), number(2), number(3)]).await;
        let tb = running_task(&store, b.id, &[number(1)]).await;
        let ca = claims(&store, &ta).await;
        let old = answered_call(&store, &ta, claim_of(&ca, &number(1)), t0()).await;
        let newer = answered_call(
            &store,
            &ta,
            claim_of(&ca, &number(2)),
            t0() + Duration::days(15),
        )
        .await;
        let cb = claims(&store, &tb).await;
        let b_call = answered_call(&store, &tb, &cb[0], t0()).await;

        // At t0 + 25 days: `old` loses recording and transcript, `newer` its
        // recording only (exactly 10 days old); results are kept; B keeps all (90 days).
        let now = t0() + Duration::days(25);
        let dry = store.retention_sweep(now, true, &op).await.unwrap();
        assert!(dry.dry_run);
        assert_eq!(dry.tenants.len(), 1, "{:?}", db.kind);
        assert!(store
            .get_call(a.id, old)
            .await
            .unwrap()
            .unwrap()
            .recording_path
            .is_some());
        let done = store.retention_sweep(now, false, &op).await.unwrap();
        assert_eq!(done.tenants, dry.tenants);
        let t = &done.tenants[0];
        assert_eq!(t.tenant_id, Some(a.id));
        assert_eq!(t.recordings, vec![old, newer]);
        assert_eq!(
            done.recording_paths().collect::<Vec<_>>(),
            vec![
                format!("recordings/{old}.wav"),
                format!("recordings/{newer}.wav")
            ]
        );
        assert_eq!(t.transcripts, vec![old]);
        assert!(t.results.is_empty() && t.leads == 0 && t.contacts == 0);
        let o = store.get_call(a.id, old).await.unwrap().unwrap();
        assert!(o.recording_path.is_none() && o.transcript_json.is_none() && o.path_json.is_none());
        assert_eq!(o.grade.as_deref(), Some("A"));
        let n = store.get_call(a.id, newer).await.unwrap().unwrap();
        assert!(n.recording_path.is_none() && n.transcript_json.is_some());
        let bc = store.get_call(b.id, b_call).await.unwrap().unwrap();
        assert!(bc.recording_path.is_some() && bc.transcript_json.is_some());
        // Nothing more is due at the same instant.
        assert!(store
            .retention_sweep(now, false, &op)
            .await
            .unwrap()
            .tenants
            .is_empty());

        // At t0 + 30 days the results of `old` go, with its lead.
        let leads_before = store
            .list_leads(a.id, Default::default())
            .await
            .unwrap()
            .len();
        let done = store
            .retention_sweep(t0() + Duration::days(30), false, &op)
            .await
            .unwrap();
        let t = &done.tenants[0];
        assert_eq!(t.results, vec![old]);
        assert_eq!(t.leads, 1);
        assert!(store
            .get_call(a.id, old)
            .await
            .unwrap()
            .unwrap()
            .grade
            .is_none());
        assert_eq!(
            store
                .list_leads(a.id, Default::default())
                .await
                .unwrap()
                .len(),
            leads_before - 1
        );

        // Lowering the platform maximum caps tenant periods in force.
        store
            .set_rights_settings(
                RightsSettings {
                    retention_max_days: 5,
                    ..RightsSettings::default()
                },
                &op,
            )
            .await
            .unwrap();
        let done = store
            .retention_sweep(t0() + Duration::days(30), false, &op)
            .await
            .unwrap();
        let ids: Vec<_> = done.tenants.iter().map(|t| t.tenant_id).collect();
        assert_eq!(ids, vec![Some(a.id), Some(b.id)]);
        assert_eq!(done.tenants[1].recordings, vec![b_call]);

        // Consent evidence: kept while callable and five months after withdrawal.
        let h3 = key().hash(&number(3));
        store
            .withdraw_consent(a.id, &h3, "x", "asked", t0(), &op)
            .await
            .unwrap();
        let four = store
            .retention_sweep(t0() + Duration::days(120), false, &op)
            .await
            .unwrap();
        assert!(four.tenants.iter().all(|t| t.contacts == 0));
        assert_eq!(store.contacts_by_number(a.id, &h3).await.unwrap().len(), 1);
        let five = store
            .retention_sweep(t0() + Duration::days(155), false, &op)
            .await
            .unwrap();
        assert_eq!(five.tenants[0].contacts, 1);
        // The consent record is shared with callable contacts: it stays.
        assert_eq!(five.tenants[0].consent_records, 0);
        assert!(store
            .contacts_by_number(a.id, &h3)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            store
                .contacts_by_number(a.id, &key().hash(&number(2)))
                .await
                .unwrap()
                .len(),
            1
        );
        let audit = store.list_audit(a.id, 50).await.unwrap();
        assert!(audit.iter().any(|e| e.action == "retention.sweep"));
        assert!(audit.iter().any(|e| e.action == "retention.set"));
    }
}

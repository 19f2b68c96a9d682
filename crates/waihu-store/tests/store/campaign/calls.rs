//! Calls: persisted before dialling, finished in one transaction with leads and
//! push deliveries, refusals, reconciliation, counts and tenant isolation.

use super::*;

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
        assert_eq!(record.state, CallState::Done);
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
            (crashed.state, crashed.outcome.as_deref()),
            (CallState::Done, Some("interrupted"))
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

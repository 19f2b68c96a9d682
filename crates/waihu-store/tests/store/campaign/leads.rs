//! Leads (agent re-grades) and push deliveries (retries, dead letters).

use super::*;

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
            .regrade_lead(
                a.id,
                lead_id,
                "C",
                Some("only browsing"),
                Some(agent.id),
                &actor,
            )
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
                .regrade_lead(b.id, lead_id, "F", None, Some(agent.id), &actor)
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

//! The retention sweep on every backend: exactly what is due, at an injected
//! instant.

use super::*;

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

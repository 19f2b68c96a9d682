//! Subject requests on every backend: export holds every call of the number and
//! nothing of others; erasure leaves nothing about the number but the hashed
//! do-not-call entry and the audit log.

use super::*;

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

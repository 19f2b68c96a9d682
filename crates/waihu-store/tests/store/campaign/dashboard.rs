//! Dashboard aggregates: a tenant's calls, answers, grades, refusals by rule and
//! live calls over a range of UTC hours, and the operator's per-tenant rates —
//! never another tenant's calls.

use super::*;

#[tokio::test]
async fn figures_count_the_tenants_own_calls_in_the_range() {
    for (db, store) in stores().await {
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        let task = running_task(&store, a.id, &[number(1), number(2), number(3), number(4)]).await;
        let other = running_task(&store, b.id, &[number(5)]).await;
        let claims = store.claim_due(task.id, t0(), 10, WORKER).await.unwrap();
        assert_eq!(claims.len(), 4);
        // One answered A, one answered C, one refused by the gate, one still in flight.
        for (c, grade) in claims[..2].iter().zip(["A", "C"]) {
            let id = store
                .begin_call(begin(
                    &task,
                    c.contact_id,
                    c.number_hash,
                    &c.number_masked,
                    t0(),
                ))
                .await
                .unwrap();
            store
                .finish_call(
                    id,
                    answered(grade, t0()),
                    Next::Done("answered".into()),
                    None,
                )
                .await
                .unwrap();
        }
        let c = &claims[2];
        store
            .record_refusal(
                a.id,
                task.id,
                c.contact_id,
                &c.number_hash,
                &c.number_masked,
                r#"{"decision":"deny","reasons":[{"rule":"dnc"},{"rule":"window"}]}"#,
                t0(),
                Next::Done("dnc".into()),
            )
            .await
            .unwrap();
        let c = &claims[3];
        store
            .begin_call(begin(
                &task,
                c.contact_id,
                c.number_hash,
                &c.number_masked,
                t0(),
            ))
            .await
            .unwrap();
        // Tenant b's answered call must not show up in a's figures.
        let oc = store.claim_due(other.id, t0(), 10, WORKER).await.unwrap();
        let id = store
            .begin_call(begin(
                &other,
                oc[0].contact_id,
                oc[0].number_hash,
                &oc[0].number_masked,
                t0(),
            ))
            .await
            .unwrap();
        store
            .finish_call(id, answered("B", t0()), Next::Done("answered".into()), None)
            .await
            .unwrap();

        let day = t0() - Duration::hours(10);
        let f = store
            .dashboard_figures(a.id, day, day + Duration::days(1))
            .await
            .unwrap();
        assert_eq!(
            (f.attempts, f.answered, f.live, f.refused),
            (2, 2, 1, 1),
            "{:?}",
            db.kind
        );
        assert_eq!(f.grades["A"], 1, "{:?}", db.kind);
        assert_eq!(f.grades["B"], 0, "{:?}", db.kind);
        assert_eq!(f.grades["C"], 1, "{:?}", db.kind);
        assert_eq!(f.grades.len(), 6, "{:?}", db.kind);
        assert_eq!(f.refusals_by_rule.get("dnc"), Some(&1), "{:?}", db.kind);
        assert_eq!(f.refusals_by_rule.get("window"), Some(&1), "{:?}", db.kind);
        // The next day has nothing ended (the live call is still live).
        let next = store
            .dashboard_figures(a.id, day + Duration::days(1), day + Duration::days(2))
            .await
            .unwrap();
        assert_eq!(
            (next.attempts, next.refused, next.live),
            (0, 0, 1),
            "{:?}",
            db.kind
        );
        assert!(next.refusals_by_rule.is_empty(), "{:?}", db.kind);

        let rates = store
            .tenant_rates(day, day + Duration::days(1))
            .await
            .unwrap();
        let ra = rates.iter().find(|r| r.tenant_id == a.id).unwrap();
        assert_eq!(
            (ra.attempts, ra.answered, ra.refused),
            (2, 2, 1),
            "{:?}",
            db.kind
        );
        let rb = rates.iter().find(|r| r.tenant_id == b.id).unwrap();
        assert_eq!((rb.attempts, rb.refused), (1, 0), "{:?}", db.kind);
    }
}

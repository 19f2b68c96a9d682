//! Storage for reports on every backend: hourly rollups kept by finish, refusal
//! and reconciliation; call facts paged newest first; A/B tasks and the variant
//! on calls; tenant isolation of all of it.

use crate::campaign::{
    answered, begin, clean_lint, list_with, new_task, number, running_task, t0, trunk, WORKER,
};
use crate::stores;
use chrono::Duration;
use waihu_core::TaskState;
use waihu_store::insight::fold_days;
use waihu_store::{Actor, CallResult, FactPage, FactScope, NewLead, Next, StoreError, TaskVariant};

fn page(scope: FactScope, limit: u32) -> FactPage {
    FactPage {
        scope,
        before: None,
        limit,
        only_unknown: false,
    }
}

#[tokio::test]
async fn rollups_follow_finished_refused_and_interrupted_calls() {
    for (db, store) in stores().await {
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        let numbers: Vec<String> = (1..=5).map(number).collect();
        let task = running_task(&store, a.id, &numbers).await;
        let claims = store.claim_due(task.id, t0(), 10, WORKER).await.unwrap();
        assert_eq!(claims.len(), 5);
        let start = |i: usize, at| {
            let c = &claims[i];
            begin(&task, c.contact_id, c.number_hash, &c.number_masked, at)
        };
        // 1: answered, A, a lead.
        let k1 = store.begin_call(start(0, t0())).await.unwrap();
        store
            .finish_call(
                k1,
                answered("A", t0()),
                Next::Done("answered".into()),
                Some(NewLead {
                    grade: "A".into(),
                    reason: "booked".into(),
                    shareable: true,
                }),
            )
            .await
            .unwrap();
        // 2: answered, F, opted out with a complaint, an hour later.
        let later = t0() + Duration::hours(1);
        let k2 = store.begin_call(start(1, later)).await.unwrap();
        let mut r = answered("F", later);
        r.duration_ms = Some(20_000);
        r.opt_out = true;
        r.intents_json = Some(r#"["complaint","opt_out"]"#.into());
        store
            .finish_call(k2, r, Next::Done("answered".into()), None)
            .await
            .unwrap();
        // 3: busy.
        let k3 = store.begin_call(start(2, t0())).await.unwrap();
        let busy = CallResult {
            outcome: "busy".into(),
            ended_at: Some(t0()),
            sip_status: Some(486),
            ..CallResult::default()
        };
        store
            .finish_call(k3, busy, Next::Done("busy".into()), None)
            .await
            .unwrap();
        // 4: refused by two rules.
        let c = &claims[3];
        store
            .record_refusal(
                a.id,
                task.id,
                c.contact_id,
                &c.number_hash,
                &c.number_masked,
                r#"{"decision":"deny","reasons":[{"rule":"dnc","message":"x"},{"rule":"window","message":"y"}]}"#,
                t0(),
                Next::Done("dnc".into()),
            )
            .await
            .unwrap();
        // 5: interrupted by a crash.
        let k5 = store.begin_call(start(4, t0())).await.unwrap();
        store
            .reconcile_call(k5, t0(), Next::Done("interrupted".into()))
            .await
            .unwrap();

        let hours = store.task_rollup(a.id, task.id).await.unwrap();
        assert_eq!(hours.len(), 2, "{:?}: {hours:?}", db.kind);
        assert_eq!(hours[0].hour, t0());
        assert_eq!(hours[0].variant, None);
        let h0 = hours[0].totals;
        assert_eq!(
            (
                h0.attempts,
                h0.answered,
                h0.talk_ms,
                h0.leads,
                h0.refused,
                h0.interrupted
            ),
            (3, 1, 60_000, 1, 1, 1),
            "{:?}",
            db.kind
        );
        assert_eq!(h0.grades, [1, 0, 0, 0, 0, 0]);
        let h1 = hours[1].totals;
        assert_eq!(
            (
                h1.attempts,
                h1.answered,
                h1.opt_outs,
                h1.complaints,
                h1.grades[5]
            ),
            (1, 1, 1, 1, 1)
        );
        let refusals = store.task_refusals(a.id, task.id).await.unwrap();
        let rules: Vec<(&str, i64)> = refusals
            .iter()
            .map(|r| (r.rule.as_str(), r.refused))
            .collect();
        assert_eq!(rules, vec![("dnc", 1), ("window", 1)]);
        let days = fold_days(&hours, &refusals, |t| t.date_naive());
        assert_eq!(days.len(), 1);
        assert_eq!(days[0].totals.attempts, 4);
        assert_eq!(days[0].totals.avg_duration_ms(), Some(40_000));
        assert_eq!(days[0].refusals["dnc"], 1);
        // The rollup agrees with the call rows.
        let counts = store.task_counts(a.id, task.id).await.unwrap();
        assert_eq!(counts.attempts, days[0].totals.attempts);
        assert_eq!(counts.leads, days[0].totals.leads);
        assert_eq!(
            store.tenant_rollup(a.id).await.unwrap().len(),
            2,
            "{:?}",
            db.kind
        );

        // Tenant B sees nothing of it.
        assert!(matches!(
            store.task_rollup(b.id, task.id).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store.task_refusals(b.id, task.id).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(store.tenant_rollup(b.id).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn call_facts_page_newest_first_and_stay_in_the_tenant() {
    for (db, store) in stores().await {
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        let numbers: Vec<String> = (1..=5).map(number).collect();
        let task = running_task(&store, a.id, &numbers).await;
        let mut claims = store.claim_due(task.id, t0(), 10, WORKER).await.unwrap();
        // Two for the end: recognised with low and with good confidence.
        let spare = claims.split_off(3);
        let mut ids = Vec::new();
        for (i, c) in claims.iter().enumerate() {
            let at = t0() + Duration::minutes(i as i64);
            let k = store
                .begin_call(begin(
                    &task,
                    c.contact_id,
                    c.number_hash,
                    &c.number_masked,
                    at,
                ))
                .await
                .unwrap();
            let mut r = answered("B", at);
            r.path_json = Some(r#"["intro","ask"]"#.into());
            r.turn_log_json = Some(if i == 1 {
                r#"[{"callee":"啥子哦","dtmf":null,"intent":"unknown"}]"#.into()
            } else {
                r#"[{"callee":"好的","dtmf":null,"intent":"affirm"}]"#.into()
            });
            let lead = (i == 2).then(|| NewLead {
                grade: "B".into(),
                reason: "r".into(),
                shareable: false,
            });
            store
                .finish_call(k, r, Next::Done("answered".into()), lead)
                .await
                .unwrap();
            ids.push(k);
        }
        let first = store
            .call_facts(a.id, &page(FactScope::Task(task.id), 2))
            .await
            .unwrap();
        assert_eq!(
            first.iter().map(|f| f.id).collect::<Vec<_>>(),
            vec![ids[2], ids[1]],
            "{:?}",
            db.kind
        );
        assert!(first[0].lead && !first[1].lead);
        assert_eq!(first[0].path_json.as_deref(), Some(r#"["intro","ask"]"#));
        assert_eq!(first[0].script_version_id, Some(task.script_version_id));
        assert_eq!(first[0].grade.as_deref(), Some("B"));
        assert!(first[0].answered_at.is_some());
        assert!(!first[0].number_masked.contains("13900000001"));
        let mut next = page(FactScope::Task(task.id), 2);
        next.before = Some(ids[1]);
        let rest = store.call_facts(a.id, &next).await.unwrap();
        assert_eq!(rest.iter().map(|f| f.id).collect::<Vec<_>>(), vec![ids[0]]);

        let mut unknown = page(FactScope::Task(task.id), 100);
        unknown.only_unknown = true;
        let u = store.call_facts(a.id, &unknown).await.unwrap();
        assert_eq!(u.iter().map(|f| f.id).collect::<Vec<_>>(), vec![ids[1]]);

        let by_version = store
            .call_facts(
                a.id,
                &page(FactScope::ScriptVersion(task.script_version_id), 10),
            )
            .await
            .unwrap();
        assert_eq!(by_version.len(), 3);
        assert_eq!(
            store
                .call_facts(a.id, &page(FactScope::Tenant, 10))
                .await
                .unwrap()
                .len(),
            3
        );
        // Another tenant: empty, whatever the scope.
        for scope in [
            FactScope::Task(task.id),
            FactScope::ScriptVersion(task.script_version_id),
            FactScope::Tenant,
        ] {
            assert!(store
                .call_facts(b.id, &page(scope, 10))
                .await
                .unwrap()
                .is_empty());
        }
        for bad in [0, 10_001] {
            assert!(matches!(
                store.call_facts(a.id, &page(FactScope::Tenant, bad)).await,
                Err(StoreError::Invalid(_))
            ));
        }

        // A turn recognised, but from a line heard with low confidence, is an
        // unrecognised utterance too; one heard well is not.
        let mut heard = Vec::new();
        for (c, conf) in spare.iter().zip([0.31, 0.9]) {
            let at = t0() + Duration::minutes(10);
            let k = store
                .begin_call(begin(
                    &task,
                    c.contact_id,
                    c.number_hash,
                    &c.number_masked,
                    at,
                ))
                .await
                .unwrap();
            let mut r = answered("C", at);
            r.turn_log_json = Some(r#"[{"callee":"嗯哼","dtmf":null,"intent":"affirm"}]"#.into());
            r.transcript_json = Some(format!(
                r#"[{{"speaker":"callee","text":"嗯哼","start_ms":1,"end_ms":2,"interrupted":false,"disclosure":false,"confidence":{conf},"dtmf":null}}]"#
            ));
            store
                .finish_call(k, r, Next::Done("answered".into()), None)
                .await
                .unwrap();
            heard.push(k);
        }
        let u = store.call_facts(a.id, &unknown).await.unwrap();
        assert_eq!(
            u.iter().map(|f| f.id).collect::<Vec<_>>(),
            vec![heard[0], ids[1]],
            "{:?}",
            db.kind
        );
    }
}

#[tokio::test]
async fn ab_tasks_keep_their_variant_and_calls_record_theirs() {
    for (db, store) in stores().await {
        let actor = Actor::cli("test");
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        let va = store
            .save_script_version(a.id, "welcome", "steps: []", clean_lint(), &actor)
            .await
            .unwrap();
        let draft_b = store
            .save_script_version(a.id, "welcome", "steps: [b]", clean_lint(), &actor)
            .await
            .unwrap();
        let other = store
            .save_script_version(b.id, "theirs", "steps: []", clean_lint(), &actor)
            .await
            .unwrap();
        store
            .publish_script_version(b.id, other.id, &actor)
            .await
            .unwrap();
        let tr = store.add_trunk(trunk("carrier"), &actor).await.unwrap();
        let list = list_with(&store, a.id, "list", &[number(1), number(2)]).await;
        let make = |name: &str, version, pct| {
            let store = store.clone();
            let nt = new_task(name, va.id, tr.id, vec![list]);
            let actor = actor.clone();
            async move {
                store
                    .create_task_with_variant(
                        a.id,
                        nt,
                        Some(TaskVariant {
                            script_version_id: version,
                            split_percent: pct,
                        }),
                        &actor,
                    )
                    .await
            }
        };
        // Unpublished, another tenant's, bad split: refused, nothing stored.
        assert!(matches!(
            make("t1", draft_b.id, 50).await,
            Err(StoreError::Invalid(m)) if m.contains("not published")
        ));
        assert!(matches!(
            make("t1", other.id, 50).await,
            Err(StoreError::NotFound(_))
        ));
        store
            .publish_script_version(a.id, draft_b.id, &actor)
            .await
            .unwrap();
        for pct in [0, 100] {
            assert!(matches!(
                make("t1", draft_b.id, pct).await,
                Err(StoreError::Invalid(_))
            ));
        }
        assert!(store.list_tasks(a.id).await.unwrap().is_empty());

        let task = make("t1", draft_b.id, 30).await.unwrap();
        let want = Some(TaskVariant {
            script_version_id: draft_b.id,
            split_percent: 30,
        });
        assert_eq!(task.variant, want, "{:?}", db.kind);
        let stored = store.get_task(a.id, task.id).await.unwrap().unwrap();
        assert_eq!(stored.variant, want);
        let audit = store.list_audit(a.id, 20).await.unwrap();
        let created = audit.iter().find(|e| e.action == "task.create").unwrap();
        assert!(
            created.details.contains("\"split_percent\":30"),
            "{}",
            created.details
        );

        store
            .set_task_state(
                a.id,
                task.id,
                &[TaskState::Draft],
                TaskState::Running,
                None,
                &actor,
            )
            .await
            .unwrap();
        store
            .enqueue_task_contacts(a.id, task.id, t0())
            .await
            .unwrap();
        let claims = store.claim_due(task.id, t0(), 10, WORKER).await.unwrap();
        let mut bad = begin(
            &task,
            claims[0].contact_id,
            claims[0].number_hash,
            &claims[0].number_masked,
            t0(),
        );
        bad.variant = Some("C".into());
        assert!(matches!(
            store.begin_call(bad).await,
            Err(StoreError::Invalid(_))
        ));
        for (c, v, version) in [(&claims[0], "A", va.id), (&claims[1], "B", draft_b.id)] {
            let mut call = begin(&task, c.contact_id, c.number_hash, &c.number_masked, t0());
            call.variant = Some(v.into());
            call.script_version_id = Some(version);
            let k = store.begin_call(call).await.unwrap();
            store
                .finish_call(k, answered("C", t0()), Next::Done("answered".into()), None)
                .await
                .unwrap();
            let rec = store.get_call(a.id, k).await.unwrap().unwrap();
            assert_eq!(rec.variant.as_deref(), Some(v));
        }
        let facts = store
            .call_facts(a.id, &page(FactScope::ScriptVersion(draft_b.id), 10))
            .await
            .unwrap();
        assert_eq!(facts.len(), 1);
        assert_eq!(facts[0].variant.as_deref(), Some("B"));
        let hours = store.task_rollup(a.id, task.id).await.unwrap();
        let variants: Vec<(Option<&str>, i64)> = hours
            .iter()
            .map(|h| (h.variant.as_deref(), h.totals.answered))
            .collect();
        assert_eq!(variants, vec![(Some("A"), 1), (Some("B"), 1)]);
    }
}

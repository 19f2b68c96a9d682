//! Tasks, their state changes and their contact queue: enqueueing, claims under
//! concurrency, due times and releases.

use super::*;

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
        assert_eq!(task.state, TaskState::Draft);
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
                &[TaskState::Draft],
                TaskState::Running,
                None,
                &actor,
            )
            .await
            .unwrap();
        assert_eq!(running.state, TaskState::Running);
        // The same transition again finds it running: a conflict naming the state.
        match store
            .set_task_state(
                a.id,
                task.id,
                &[TaskState::Draft],
                TaskState::Running,
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
                &[TaskState::Running],
                TaskState::Paused,
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
                &[TaskState::Paused],
                TaskState::Running,
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
                    &[TaskState::Running],
                    TaskState::Stopped,
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

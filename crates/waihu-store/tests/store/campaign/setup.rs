//! Limits, scripts and their versions, prompts and trunks.

use super::*;

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

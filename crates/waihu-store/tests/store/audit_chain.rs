//! The audit chain on real databases: intact chains verify; a row changed,
//! deleted or reordered directly in the database is detected.

use crate::stores;
use waihu_store::testing::TestDatabase;
use waihu_store::{Actor, AuditSearch, BackendKind, NewAudit, Store};

async fn seed(store: &Store, n: usize) {
    let actor = Actor::cli("test");
    crate::tenant(store, "acme").await;
    for i in 0..n {
        store
            .append_audit(
                NewAudit::new(&actor, None, "test.event", format!("thing:{i}"))
                    .with_details(serde_json::json!({ "i": i })),
            )
            .await
            .unwrap();
    }
}

/// Runs SQL on the database behind the store's back, as an attacker with database
/// access would.
async fn exec(db: &TestDatabase, sql: &str) {
    match db.kind {
        BackendKind::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
            for stmt in sql.split(';') {
                sqlx::query(stmt).execute(&pool).await.unwrap();
            }
        }
        BackendKind::Postgres => {
            let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
            for stmt in sql.split(';') {
                sqlx::query(stmt).execute(&pool).await.unwrap();
            }
        }
    }
}

#[tokio::test]
async fn intact_chain_verifies_and_head_counts_entries() {
    for (_db, store) in stores().await {
        seed(&store, 4).await;
        let head = store.verify_audit_chain().await.unwrap().unwrap();
        assert_eq!(head.count, 5, "tenant.create + 4 events");
        let newest = store.list_audit_platform(1).await.unwrap();
        assert_eq!(newest[0].hash, head.hash);
    }
}

#[tokio::test]
async fn tampering_in_the_database_is_detected() {
    let cases = [
        (
            "update",
            "UPDATE audit_log SET target = 'thing:evil' WHERE seq = 3",
            3,
        ),
        ("delete", "DELETE FROM audit_log WHERE seq = 2", 2),
        (
            "reorder",
            "UPDATE audit_log SET seq = -3 WHERE seq = 3; \
             UPDATE audit_log SET seq = 3 WHERE seq = 4; \
             UPDATE audit_log SET seq = 4 WHERE seq = -3",
            3,
        ),
    ];
    for (what, sql, bad_seq) in cases {
        for (db, store) in stores().await {
            seed(&store, 4).await;
            exec(&db, sql).await;
            let broken = store.verify_audit_chain().await.unwrap().unwrap_err();
            assert_eq!(broken.seq, bad_seq, "{what} on {:?}: {broken}", db.kind);
        }
    }
}

#[tokio::test]
async fn search_filters_pages_and_scopes_over_the_whole_log() {
    for (db, store) in stores().await {
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        let append = |tenant, actor: &str, action: &str| {
            store.append_audit(NewAudit::new(&Actor::raw(actor), tenant, action, "x"))
        };
        append(Some(a.id), "user:old", "auth.login").await.unwrap();
        append(Some(a.id), "user:kim", "a_b.set").await.unwrap();
        append(Some(a.id), "user:kim", "axb.set").await.unwrap();
        for _ in 0..30 {
            append(Some(a.id), "user:kim", "task.start").await.unwrap();
        }
        append(Some(b.id), "user:other", "auth.login")
            .await
            .unwrap();
        let search = |tenant_id, action: &str, actor: &str, offset, limit| AuditSearch {
            tenant_id,
            action_prefix: Some(action.into()),
            actor_contains: Some(actor.into()),
            offset,
            limit,
        };
        // The oldest entry is found by its action and by a part of its actor.
        let (found, total) = store
            .search_audit(&search(Some(a.id), "auth.", "", 0, 10))
            .await
            .unwrap();
        assert_eq!(total, 1, "{:?}", db.kind);
        assert_eq!(found[0].actor, "user:old");
        let (found, _) = store
            .search_audit(&search(Some(a.id), "", "er:ol", 0, 10))
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        // LIKE's wildcards in a filter are literal.
        let (found, total) = store
            .search_audit(&search(Some(a.id), "a_b", "", 0, 10))
            .await
            .unwrap();
        assert_eq!((total, found[0].action.as_str()), (1, "a_b.set"));
        // Pages, newest first, with the total.
        let (page1, total) = store
            .search_audit(&search(Some(a.id), "task.", "kim", 0, 20))
            .await
            .unwrap();
        let (page2, _) = store
            .search_audit(&search(Some(a.id), "task.", "kim", 20, 20))
            .await
            .unwrap();
        assert_eq!((total, page1.len(), page2.len()), (30, 20, 10));
        assert!(page1[0].seq > page1[19].seq && page1[19].seq > page2[0].seq);
        // Scope: the platform sees both tenants' logins, a tenant only its own.
        let (all, total) = store
            .search_audit(&search(None, "auth.", "", 0, 10))
            .await
            .unwrap();
        assert_eq!((total, all.len()), (2, 2));
        let (other, _) = store
            .search_audit(&search(Some(b.id), "", "kim", 0, 10))
            .await
            .unwrap();
        assert!(other.is_empty());
    }
}

//! The audit chain on real databases: intact chains verify; a row changed,
//! deleted or reordered directly in the database is detected.

use crate::stores;
use waihu_store::testing::TestDatabase;
use waihu_store::{Actor, BackendKind, NewAudit, Store};

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

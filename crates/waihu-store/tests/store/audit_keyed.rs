//! The keyed audit chain on real databases: once an audit key is loaded, an attacker
//! who can write to the database but has not got the key cannot rewrite an entry and
//! recompute the hashes after it; the entries before the switch-over stay
//! tamper-evident through the key's anchor; a tenant's verification reports only its
//! own part.

use crate::stores;
use std::sync::Arc;
use waihu_store::audit::{entry_hash, AuditKey};
use waihu_store::testing::TestDatabase;
use waihu_store::{Actor, AuditEntry, BackendKind, NewAudit, Store};

async fn append(store: &Store, tenant: Option<waihu_core::TenantId>, i: usize) {
    store
        .append_audit(
            NewAudit::new(
                &Actor::cli("test"),
                tenant,
                "test.event",
                format!("thing:{i}"),
            )
            .with_details(serde_json::json!({ "i": i })),
        )
        .await
        .unwrap();
}

/// Loads a key anchored at the current head, as the binary does on first start.
async fn switch_over(store: &Store) -> Arc<AuditKey> {
    let key = Arc::new(AuditKey::new([42; 32], store.audit_head().await.unwrap()));
    store.use_audit_key(key.clone());
    key
}

async fn exec(db: &TestDatabase, sql: &str) {
    match db.kind {
        BackendKind::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        BackendKind::Postgres => {
            let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
    }
}

/// What an attacker with database access but without the key does: changes entry
/// `from`'s target and rewrites it and every entry after it with recomputed plain
/// SHA-256 hashes, so the unkeyed chain is consistent again. `keep_key_id` keeps the
/// stored key id (pretending the entries are still keyed).
async fn forge_from(db: &TestDatabase, store: &Store, from: i64, keep_key_id: bool) {
    let mut all: Vec<AuditEntry> = store.list_audit_platform(1000).await.unwrap();
    all.reverse();
    let mut prev = all[(from - 2) as usize].hash.clone();
    for e in all.iter_mut().skip((from - 1) as usize) {
        if e.seq == from {
            e.target = "thing:forged".into();
        }
        e.prev_hash = prev.clone();
        e.hash = entry_hash(
            e.seq,
            e.at,
            &e.actor,
            e.tenant_id,
            &e.action,
            &e.target,
            &e.details,
            &e.prev_hash,
        );
        let key_id = if keep_key_id { "key_id" } else { "NULL" };
        exec(
            db,
            &format!(
                "UPDATE audit_log SET target = '{}', prev_hash = '{}', hash = '{}', key_id = {key_id} \
                 WHERE seq = {}",
                e.target, e.prev_hash, e.hash, e.seq
            ),
        )
        .await;
        prev = e.hash.clone();
    }
}

#[tokio::test]
async fn keyed_entries_rewritten_without_the_key_are_detected() {
    for keep_key_id in [false, true] {
        for (db, store) in stores().await {
            // Two entries from before the switch-over, then keyed ones.
            append(&store, None, 0).await;
            append(&store, None, 1).await;
            let key = switch_over(&store).await;
            for i in 2..7 {
                append(&store, None, i).await;
            }
            let newest = store.list_audit_platform(1).await.unwrap();
            assert_eq!(newest[0].key_id.as_deref(), Some(key.id()));
            assert_eq!(store.verify_audit_chain().await.unwrap().unwrap().count, 7);
            assert_eq!(
                store.audit_first_keyed().await.unwrap(),
                Some((3, key.id().to_string()))
            );

            forge_from(&db, &store, 5, keep_key_id).await;
            let broken = store.verify_audit_chain().await.unwrap().unwrap_err();
            assert_eq!(
                broken.seq, 5,
                "{:?} keep_key_id={keep_key_id}: {broken}",
                db.kind
            );
        }
    }
}

#[tokio::test]
async fn the_whole_keyed_part_rewritten_unkeyed_is_detected() {
    for (db, store) in stores().await {
        append(&store, None, 0).await;
        switch_over(&store).await;
        for i in 1..4 {
            append(&store, None, i).await;
        }
        // From the first keyed entry on, all recomputed unkeyed: looks like an
        // old, never-keyed log, but the anchor says entries after 1 must be keyed.
        forge_from(&db, &store, 2, false).await;
        let broken = store.verify_audit_chain().await.unwrap().unwrap_err();
        assert_eq!(broken.seq, 2, "{:?}: {broken}", db.kind);
        assert!(broken.why.contains("not keyed"), "{}", broken.why);
    }
}

#[tokio::test]
async fn entries_before_the_switch_over_are_anchored() {
    for (db, store) in stores().await {
        for i in 0..3 {
            append(&store, None, i).await;
        }
        switch_over(&store).await;
        append(&store, None, 3).await;
        // Entry 2 (unkeyed) rewritten and the unkeyed hashes up to the anchor
        // recomputed: the hash at the anchor no longer matches the key file's.
        forge_from(&db, &store, 2, false).await;
        let broken = store.verify_audit_chain().await.unwrap().unwrap_err();
        assert_eq!(broken.seq, 3, "{:?}: {broken}", db.kind);
        assert!(broken.why.contains("anchor"), "{}", broken.why);
    }
}

#[tokio::test]
async fn without_the_key_keyed_entries_are_neither_checked_nor_appended() {
    for (db, store) in stores().await {
        append(&store, None, 0).await;
        let key = switch_over(&store).await;
        append(&store, None, 1).await;
        // Another process on the same database without the key.
        let keyless = db.store().await.unwrap();
        let broken = keyless.verify_audit_chain().await.unwrap().unwrap_err();
        assert_eq!(broken.seq, 2);
        assert!(broken.why.contains(key.id()), "{}", broken.why);
        let refused = keyless
            .append_audit(NewAudit::new(&Actor::cli("x"), None, "test.event", "x"))
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("no audit key"), "{refused}");
        assert_eq!(store.verify_audit_chain().await.unwrap().unwrap().count, 2);
    }
}

#[tokio::test]
async fn a_tenant_verifies_and_sees_only_its_own_part() {
    for (db, store) in stores().await {
        switch_over(&store).await;
        let a = crate::tenant(&store, "ta").await;
        let b = crate::tenant(&store, "tb").await;
        for i in 0..3 {
            append(&store, Some(a.id), i).await;
        }
        append(&store, Some(b.id), 9).await;
        // tenant.create entries are the platform's (no tenant) or the tenant's own.
        let a_own = store
            .search_audit(&waihu_store::AuditSearch {
                tenant_id: Some(a.id),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap()
            .1 as i64;
        assert_eq!(
            store.verify_audit_tenant(a.id).await.unwrap().unwrap(),
            a_own
        );
        let platform = store.verify_audit_chain().await.unwrap().unwrap().count;
        assert!(platform > a_own, "{:?}", db.kind);
        // B's entry is changed: A learns the chain is broken, and that the bad
        // entry is not its own.
        let b_seq = store.list_audit(b.id, 1).await.unwrap()[0].seq;
        exec(
            &db,
            &format!("UPDATE audit_log SET target = 'x' WHERE seq = {b_seq}"),
        )
        .await;
        let broken = store.verify_audit_tenant(a.id).await.unwrap().unwrap_err();
        assert_eq!((broken.seq, broken.tenant_id), (b_seq, Some(b.id)));
    }
}

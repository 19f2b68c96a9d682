//! The embedded SQLite backend (the default): one file in the data directory, WAL
//! mode, foreign keys on. Writers are serialised in-process, which is all SQLite
//! allows anyway, so that audit entries chain without retries.

use crate::error::StoreResult;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};
use std::str::FromStr;
use std::sync::atomic::AtomicU64;
use std::time::Duration;
use tokio::sync::{Mutex, MutexGuard};

/// Repositories on SQLite.
pub struct SqliteBackend {
    pub(crate) pool: SqlitePool,
    write_lock: Mutex<()>,
    /// Writes to policies and caller numbers through this backend (see
    /// [`crate::GateFactsRepo::settings_writes`]).
    pub(crate) settings_writes: AtomicU64,
    /// The key new audit entries are keyed with (see [`crate::AuditRepo::use_audit_key`]).
    pub(crate) audit_key: std::sync::RwLock<Option<std::sync::Arc<crate::AuditKey>>>,
}

/// A write transaction holding the writer lock.
pub(crate) struct Write<'a> {
    pub tx: crate::sql::WriteTx<Sqlite>,
    _guard: MutexGuard<'a, ()>,
}

impl SqliteBackend {
    /// Opens (creating if missing) the database at `url` (`sqlite://PATH`).
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 64 MiB of page cache per connection (the default is 2 MiB): imports
            // insert into indexes keyed by number hashes, which are random.
            .pragma("cache_size", "-262144")
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections.max(1))
            .connect_with(options)
            .await?;
        Ok(Self {
            pool,
            write_lock: Mutex::new(()),
            settings_writes: AtomicU64::new(0),
            audit_key: std::sync::RwLock::new(None),
        })
    }

    /// Applies the SQLite migrations.
    pub async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations/sqlite")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The connection pool, for backend-specific maintenance and tests.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The audit key loaded into this backend, if any.
    pub(crate) fn loaded_audit_key(&self) -> Option<std::sync::Arc<crate::AuditKey>> {
        // A poisoned lock only means a writer panicked; the key in it is still whole.
        self.audit_key
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) async fn begin_write(&self) -> StoreResult<Write<'_>> {
        let guard = self.write_lock.lock().await;
        let tx = crate::sql::WriteTx::new(self.pool.begin().await?, self.loaded_audit_key());
        Ok(Write { tx, _guard: guard })
    }
}

crate::sql::impl_all!(crate::sqlite::SqliteBackend, sqlx::Sqlite);

/// Appends `s` as a JSON string literal.
fn push_json_str(out: &mut String, s: &str) {
    // serde_json's escaping never fails on a &str into a Vec.
    let quoted = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    out.push_str(&quoted);
}

impl SqliteBackend {
    /// Inserts one chunk of contacts, skipping numbers the list has. The rows travel
    /// as one JSON text unpacked by `json_each`: binding ten values per row costs
    /// more than SQLite's own work.
    pub(crate) async fn insert_contacts(
        tx: &mut crate::sql::WriteTx<Sqlite>,
        tenant: waihu_core::TenantId,
        list: uuid::Uuid,
        now: chrono::DateTime<chrono::Utc>,
        chunk: &[crate::contacts::NewContact],
        evidence_ids: &[uuid::Uuid],
    ) -> StoreResult<u64> {
        // Written by hand into one buffer: a JSON tree per row costs more than the insert.
        let mut json = String::with_capacity(chunk.len() * 256);
        json.push('[');
        for (i, c) in chunk.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            json.push_str("[\"");
            json.push_str(&hex::encode(uuid::Uuid::now_v7().as_bytes()));
            json.push_str("\",\"");
            json.push_str(&hex::encode(c.number_hash.0));
            json.push_str("\",\"");
            json.push_str(&hex::encode(&c.number_enc));
            json.push_str("\",");
            push_json_str(&mut json, &c.number_masked);
            json.push(',');
            push_json_str(&mut json, &c.fields.to_string());
            json.push(',');
            match &c.zone_override {
                Some(z) => push_json_str(&mut json, z),
                None => json.push_str("null"),
            }
            json.push_str(",\"");
            json.push_str(&hex::encode(evidence_ids[c.evidence].as_bytes()));
            json.push_str("\"]");
        }
        json.push(']');
        // Foreign keys are still checked, at commit: an immediate check would make
        // SQLite keep a statement journal, copying every page the insert touches.
        sqlx::query("PRAGMA defer_foreign_keys = ON")
            .execute(&mut **tx)
            .await?;
        let done = sqlx::query(
            // OR FAIL: the caller removed numbers the list has; a duplicate would be a
            // bug and fails the whole import (no statement journal needed).
            "INSERT OR FAIL INTO contacts (id, tenant_id, list_id, number_hash, number_enc, number_masked, \
             fields, zone_override, consent_id, created_at) \
             SELECT unhex(value ->> 0), $1, $2, unhex(value ->> 1), unhex(value ->> 2), value ->> 3, \
             value ->> 4, value ->> 5, unhex(value ->> 6), $3 FROM json_each($4)",
        )
        .bind(tenant.0)
        .bind(list)
        .bind(now)
        .bind(json)
        .execute(&mut **tx)
        .await?;
        Ok(done.rows_affected())
    }
}

impl SqliteBackend {
    /// The locking clause of a claim's row selection: none, since SQLite has one
    /// writer at a time and the claim is a single UPDATE statement.
    pub(crate) const CLAIM_LOCK: &'static str = "";

    /// A write transaction for the scheduler's unaudited bookkeeping: the same
    /// writer lock as [`Self::begin_write`], since SQLite has one writer anyway.
    pub(crate) async fn begin_bookkeeping(&self) -> StoreResult<Write<'_>> {
        self.begin_write().await
    }
}

//! The embedded SQLite backend (the default): one file in the data directory, WAL
//! mode, foreign keys on. Writers are serialised in-process, which is all SQLite
//! allows anyway, so that audit entries chain without retries.

use crate::error::StoreResult;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
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
}

/// A write transaction holding the writer lock.
pub(crate) struct Write<'a> {
    pub tx: Transaction<'static, Sqlite>,
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

    pub(crate) async fn begin_write(&self) -> StoreResult<Write<'_>> {
        let guard = self.write_lock.lock().await;
        let tx = self.pool.begin().await?;
        Ok(Write { tx, _guard: guard })
    }
}

crate::sql::impl_all!(crate::sqlite::SqliteBackend, sqlx::Sqlite);

/// Rows per INSERT statement: seven binds a row stays under SQLite's 32,766 bind
/// parameters, and one statement text per size keeps the prepared statement cached.
const ROWS_PER_INSERT: usize = 1000;

/// `INSERT … SELECT` of `rows` contacts: tenant, list and time bound once in a CTE,
/// then seven binds per row. Anonymous `?` parameters only: with numbered or named
/// ones SQLite looks every parameter's name up in a list, once per bind, which makes
/// binding a large statement quadratic.
fn insert_contacts_sql(rows: usize) -> String {
    let mut sql = String::with_capacity(400 + rows * 16);
    // OR FAIL: the caller removed numbers the list has; a duplicate would be a bug
    // and fails the whole import (no statement journal needed).
    sql.push_str(
        "WITH k(tenant_id, list_id, created_at) AS (SELECT ?, ?, ?) \
         INSERT OR FAIL INTO contacts (tenant_id, list_id, created_at, id, number_hash, \
         number_enc, number_masked, fields, zone_override, consent_id) \
         SELECT k.tenant_id, k.list_id, k.created_at, v.* FROM k, (VALUES ",
    );
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push_str("(?,?,?,?,?,?,?)");
    }
    sql.push_str(") AS v");
    sql
}

impl SqliteBackend {
    /// Inserts one chunk of contacts (numbers the list has were removed by the
    /// caller) with prepared multi-row INSERTs, every value bound as it is: no text
    /// to build and for SQLite to parse again per row.
    pub(crate) async fn insert_contacts(
        tx: &mut Transaction<'static, Sqlite>,
        tenant: waihu_core::TenantId,
        list: uuid::Uuid,
        now: chrono::DateTime<chrono::Utc>,
        chunk: &[crate::contacts::NewContact],
        evidence_ids: &[uuid::Uuid],
    ) -> StoreResult<u64> {
        // Foreign keys are still checked, at commit: an immediate check would make
        // SQLite keep a statement journal, copying every page the insert touches.
        sqlx::query("PRAGMA defer_foreign_keys = ON")
            .execute(&mut **tx)
            .await?;
        let mut inserted = 0;
        for rows in chunk.chunks(ROWS_PER_INSERT) {
            let sql = insert_contacts_sql(rows.len());
            let mut q = sqlx::query(&sql).bind(tenant.0).bind(list).bind(now);
            for c in rows {
                q = q
                    .bind(uuid::Uuid::now_v7())
                    .bind(&c.number_hash.0[..])
                    .bind(c.number_enc.as_slice())
                    .bind(c.number_masked.as_str())
                    .bind(c.fields.to_string())
                    .bind(c.zone_override.as_deref())
                    .bind(evidence_ids[c.evidence]);
            }
            inserted += q.execute(&mut **tx).await?.rows_affected();
        }
        Ok(inserted)
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

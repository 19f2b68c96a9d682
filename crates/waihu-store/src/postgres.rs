//! The PostgreSQL backend, for installations where several waihu processes share
//! one database. Writers that append to the audit log take a transaction-scoped
//! advisory lock, so the chain stays linear across processes.

use crate::error::StoreResult;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres};
use std::str::FromStr;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

/// The advisory-lock key that serialises audit-chain writers ("waihu" in ASCII).
const AUDIT_LOCK_KEY: i64 = 0x0077_6169_6875;

/// Repositories on PostgreSQL.
pub struct PgBackend {
    pub(crate) pool: PgPool,
    /// Writes to policies and caller numbers through this backend (see
    /// [`crate::GateFactsRepo::settings_writes`]).
    pub(crate) settings_writes: AtomicU64,
    /// The key new audit entries are keyed with (see [`crate::AuditRepo::use_audit_key`]).
    pub(crate) audit_key: std::sync::RwLock<Option<std::sync::Arc<crate::AuditKey>>>,
}

/// A write transaction holding the audit-chain lock.
pub(crate) struct Write {
    pub tx: crate::sql::WriteTx<Postgres>,
}

impl PgBackend {
    /// Connects to the database at `url` (`postgres://…`).
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Self {
            pool,
            settings_writes: AtomicU64::new(0),
            audit_key: std::sync::RwLock::new(None),
        })
    }

    /// Applies the PostgreSQL migrations.
    pub async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations/postgres")
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
    pub fn pool(&self) -> &PgPool {
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

    pub(crate) async fn begin_write(&self) -> StoreResult<Write> {
        let mut tx = crate::sql::WriteTx::new(self.pool.begin().await?, self.loaded_audit_key());
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(AUDIT_LOCK_KEY)
            .execute(&mut *tx)
            .await?;
        Ok(Write { tx })
    }
}

crate::sql::impl_all!(crate::postgres::PgBackend, sqlx::Postgres);

impl PgBackend {
    /// Inserts one chunk of contacts, skipping numbers the list has.
    pub(crate) async fn insert_contacts(
        tx: &mut crate::sql::WriteTx<Postgres>,
        tenant: waihu_core::TenantId,
        list: uuid::Uuid,
        now: chrono::DateTime<chrono::Utc>,
        chunk: &[crate::contacts::NewContact],
        evidence_ids: &[uuid::Uuid],
    ) -> StoreResult<u64> {
        // Column arrays unnested server-side: ten binds per chunk, not per row.
        let mut ids = Vec::with_capacity(chunk.len());
        let mut hashes = Vec::with_capacity(chunk.len());
        let mut encs = Vec::with_capacity(chunk.len());
        let mut masked = Vec::with_capacity(chunk.len());
        let mut fields = Vec::with_capacity(chunk.len());
        let mut zones: Vec<Option<String>> = Vec::with_capacity(chunk.len());
        let mut consents = Vec::with_capacity(chunk.len());
        for c in chunk {
            ids.push(uuid::Uuid::now_v7());
            hashes.push(c.number_hash.0.to_vec());
            encs.push(c.number_enc.clone());
            masked.push(c.number_masked.clone());
            fields.push(c.fields.to_string());
            zones.push(c.zone_override.clone());
            consents.push(evidence_ids[c.evidence]);
        }
        let done = sqlx::query(
            "INSERT INTO contacts (id, tenant_id, list_id, number_hash, number_enc, number_masked, \
             fields, zone_override, consent_id, created_at) \
             SELECT u.id, $1, $2, u.h, u.e, u.m, u.f, u.z, u.c, $3 \
             FROM UNNEST($4::uuid[], $5::bytea[], $6::bytea[], $7::text[], $8::text[], $9::text[], $10::uuid[]) \
               AS u(id, h, e, m, f, z, c) \
             ON CONFLICT (number_hash, list_id) DO NOTHING",
        )
        .bind(tenant.0)
        .bind(list)
        .bind(now)
        .bind(ids)
        .bind(hashes)
        .bind(encs)
        .bind(masked)
        .bind(fields)
        .bind(zones)
        .bind(consents)
        .execute(&mut **tx)
        .await?;
        Ok(done.rows_affected())
    }
}

impl PgBackend {
    /// The locking clause of a claim's row selection: rows another transaction is
    /// claiming are skipped, so concurrent claimers never get the same row.
    pub(crate) const CLAIM_LOCK: &'static str = "FOR UPDATE OF tc SKIP LOCKED";

    /// A write transaction for the scheduler's unaudited bookkeeping (claims, calls):
    /// without the audit-chain lock, so that dialling processes do not queue on it.
    pub(crate) async fn begin_bookkeeping(&self) -> StoreResult<Write> {
        Ok(Write {
            tx: crate::sql::WriteTx::new(self.pool.begin().await?, self.loaded_audit_key()),
        })
    }
}

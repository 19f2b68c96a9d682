//! The PostgreSQL backend, for installations where several waihu processes share
//! one database. Writers that append to the audit log take a transaction-scoped
//! advisory lock, so the chain stays linear across processes.

use crate::error::StoreResult;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
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
}

/// A write transaction holding the audit-chain lock.
pub(crate) struct Write {
    pub tx: Transaction<'static, Postgres>,
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

    pub(crate) async fn begin_write(&self) -> StoreResult<Write> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(AUDIT_LOCK_KEY)
            .execute(&mut *tx)
            .await?;
        Ok(Write { tx })
    }
}

crate::sql::impl_all!(crate::postgres::PgBackend, sqlx::Postgres);

/// Appends `s` as a COPY text-format field: backslash, tab, newline and carriage
/// return escaped.
fn push_copy_text(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// Appends bytes as a COPY text-format `bytea` field (`\\x` + hex; the backslash
/// itself escaped for COPY).
fn push_copy_bytea(out: &mut String, b: &[u8]) {
    out.push_str("\\\\x");
    out.push_str(&hex::encode(b));
}

/// The rows of one chunk in COPY text format, columns as in [`COPY_CONTACTS`].
pub(crate) fn copy_rows(
    chunk: &[crate::contacts::NewContact],
    evidence_ids: &[uuid::Uuid],
    prefix: &str,
) -> String {
    let mut out = String::with_capacity(chunk.len() * 320);
    for c in chunk {
        out.push_str(&uuid::Uuid::now_v7().hyphenated().to_string());
        out.push('\t');
        out.push_str(prefix);
        push_copy_bytea(&mut out, &c.number_hash.0);
        out.push('\t');
        push_copy_bytea(&mut out, &c.number_enc);
        out.push('\t');
        push_copy_text(&mut out, &c.number_masked);
        out.push('\t');
        push_copy_text(&mut out, &c.fields.to_string());
        out.push('\t');
        match &c.zone_override {
            Some(z) => push_copy_text(&mut out, z),
            None => out.push_str("\\N"),
        }
        out.push('\t');
        out.push_str(&evidence_ids[c.evidence].hyphenated().to_string());
        out.push('\n');
    }
    out
}

/// Columns of the COPY: the id, then tenant, list and time (the same on every row,
/// written once into a prefix), then the contact's own values.
const COPY_CONTACTS: &str = "COPY contacts (id, tenant_id, list_id, created_at, number_hash, \
     number_enc, number_masked, fields, zone_override, consent_id) FROM STDIN";

impl PgBackend {
    /// Inserts one chunk of contacts with COPY (numbers the list has were removed by
    /// the caller, under the write lock every contact writer takes, so none can
    /// arrive in between; a conflict would fail the whole import).
    pub(crate) async fn insert_contacts(
        tx: &mut Transaction<'static, Postgres>,
        tenant: waihu_core::TenantId,
        list: uuid::Uuid,
        now: chrono::DateTime<chrono::Utc>,
        chunk: &[crate::contacts::NewContact],
        evidence_ids: &[uuid::Uuid],
    ) -> StoreResult<u64> {
        if chunk.is_empty() {
            return Ok(0);
        }
        let prefix = format!(
            "{}\t{}\t{}\t",
            tenant.0.hyphenated(),
            list.hyphenated(),
            now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        );
        let rows = copy_rows(chunk, evidence_ids, &prefix);
        let mut copy = tx.copy_in_raw(COPY_CONTACTS).await?;
        if let Err(e) = copy.send(rows.into_bytes()).await {
            // Leave the connection usable for the rollback.
            let _ = copy.abort(e.to_string()).await;
            return Err(e.into());
        }
        Ok(copy.finish().await?)
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
            tx: self.pool.begin().await?,
        })
    }
}

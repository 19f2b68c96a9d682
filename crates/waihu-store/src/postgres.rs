//! The PostgreSQL backend, for installations where several waihu processes share
//! one database. Writers that append to the audit log take a transaction-scoped
//! advisory lock, so the chain stays linear across processes.

use crate::error::StoreResult;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// The advisory-lock key that serialises audit-chain writers ("waihu" in ASCII).
const AUDIT_LOCK_KEY: i64 = 0x0077_6169_6875;

/// Repositories on PostgreSQL.
pub struct PgBackend {
    pub(crate) pool: PgPool,
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
        Ok(Self { pool })
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

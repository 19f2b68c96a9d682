//! The embedded SQLite backend (the default): one file in the data directory, WAL
//! mode, foreign keys on. Writers are serialised in-process, which is all SQLite
//! allows anyway, so that audit entries chain without retries.

use crate::error::StoreResult;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;
use tokio::sync::{Mutex, MutexGuard};

/// Repositories on SQLite.
pub struct SqliteBackend {
    pub(crate) pool: SqlitePool,
    write_lock: Mutex<()>,
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
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections.max(1))
            .connect_with(options)
            .await?;
        Ok(Self {
            pool,
            write_lock: Mutex::new(()),
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

//! Fresh, isolated databases for tests (this crate's and the binary's): an SQLite
//! file in a temporary directory always, and a fresh PostgreSQL schema when
//! `WAIHU_TEST_POSTGRES_URL` is set. Not for production use.

use crate::error::StoreResult;
use crate::{BackendKind, Store};
use sqlx::Connection;

/// One fresh database. Keep it alive as long as the test uses the database.
pub struct TestDatabase {
    /// Which backend.
    pub kind: BackendKind,
    /// A URL that `waihu --database-url` and [`Store::connect`] accept.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// A database the caller created and manages.
    pub fn external(kind: BackendKind, url: String) -> Self {
        Self {
            kind,
            url,
            _dir: None,
        }
    }

    /// Connects and migrates.
    pub async fn store(&self) -> StoreResult<Store> {
        let store = Store::connect(&self.url, 4).await?;
        store.migrate().await?;
        Ok(store)
    }
}

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_ENV: &str = "WAIHU_TEST_POSTGRES_URL";

/// A fresh SQLite database in a new temporary directory.
pub fn fresh_sqlite() -> std::io::Result<TestDatabase> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("waihu.db").display());
    Ok(TestDatabase {
        kind: BackendKind::Sqlite,
        url,
        _dir: Some(dir),
    })
}

/// A fresh schema on the test PostgreSQL server, if one is configured.
pub async fn fresh_postgres() -> StoreResult<Option<TestDatabase>> {
    let Ok(base) = std::env::var(POSTGRES_ENV) else {
        return Ok(None);
    };
    let schema = format!("waihu_t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&base).await?;
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    Ok(Some(TestDatabase {
        kind: BackendKind::Postgres,
        url,
        _dir: None,
    }))
}

/// Every backend the environment offers: SQLite always, PostgreSQL when set.
pub async fn fresh_databases() -> StoreResult<Vec<TestDatabase>> {
    let mut dbs = vec![fresh_sqlite().map_err(|e| crate::StoreError::Invalid(e.to_string()))?];
    if let Some(pg) = fresh_postgres().await? {
        dbs.push(pg);
    }
    Ok(dbs)
}

//! A write transaction that carries the process's audit key, so that
//! `append_in(&mut w.tx, …)` keys the entry it appends without every caller passing
//! the key. It dereferences to the backend's connection (`&mut *w.tx` runs queries,
//! as on a plain transaction) and commits or rolls back like one.

use crate::audit::AuditKey;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// A transaction plus the audit key its audit entries are keyed with.
pub(crate) struct WriteTx<DB: sqlx::Database> {
    tx: sqlx::Transaction<'static, DB>,
    /// The key new audit entries are keyed with; `None` only where none was loaded
    /// (library tests): then entries are unkeyed, and refused once the log is keyed.
    pub(crate) audit_key: Option<Arc<AuditKey>>,
}

impl<DB: sqlx::Database> WriteTx<DB> {
    /// Wraps an open transaction.
    pub(crate) fn new(
        tx: sqlx::Transaction<'static, DB>,
        audit_key: Option<Arc<AuditKey>>,
    ) -> Self {
        Self { tx, audit_key }
    }

    /// Commits.
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    /// Rolls back.
    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl<DB: sqlx::Database> Deref for WriteTx<DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl<DB: sqlx::Database> DerefMut for WriteTx<DB> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

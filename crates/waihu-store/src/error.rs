//! The storage error type, shared by both backends.

/// What can go wrong in a repository call.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL's scheme is not sqlite:// or postgres://.
    #[error("unsupported database URL scheme {0:?} (expected sqlite:// or postgres://)")]
    UnsupportedUrl(String),
    /// A unique name or key is already taken.
    #[error("{0}")]
    Conflict(String),
    /// The row does not exist (or belongs to another tenant, which looks the same).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A streamed import was abandoned by its producer; nothing was stored.
    #[error("import abandoned: {0}")]
    Aborted(String),
    /// The input breaks a rule the store enforces.
    #[error("{0}")]
    Invalid(String),
    /// A value read back from the database could not be understood.
    #[error("corrupt row in {table}: {why}")]
    Corrupt {
        /// The table the row came from.
        table: &'static str,
        /// What was wrong.
        why: String,
    },
    /// Applying migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database reported an error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Password hashing failed.
    #[error("password hashing failed: {0}")]
    Password(String),
}

impl StoreError {
    pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
        matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
    }
}

/// Shorthand for repository results.
pub type StoreResult<T> = Result<T, StoreError>;

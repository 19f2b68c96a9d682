//! The error of the application services: what went wrong, with its source, and
//! whether trying again later can help ([`AppError::is_retryable`]) — a dropped
//! database connection or a busy SIP port may heal, a bad key file or an
//! unreadable stored policy will not.

use std::path::PathBuf;
use waihu_store::StoreError;

/// What a service call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The database refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A setting is missing or wrong; fix the configuration.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The input (a number, a file, a name) is wrong; nothing was changed.
    #[error("{0}")]
    Invalid(String),
    /// A file or directory could not be read, written or created.
    #[error("{what} {}: {source}", path.display())]
    Io {
        /// What was being done (`cannot create`, `cannot read key file` …).
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A stored document (policy, retry policy, script) cannot be read back.
    #[error("stored {what} is unreadable: {why}")]
    Corrupt {
        /// What was read.
        what: String,
        /// Why it failed.
        why: String,
    },
    /// An engine or peer this process needs (SIP user agent, speech engine,
    /// worker thread) failed or is not there.
    #[error("{what}: {why}")]
    Unavailable {
        /// What could not be had.
        what: String,
        /// Why.
        why: String,
    },
}

/// Results of the application services.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// Whether the same call may succeed later without anything being fixed.
    pub fn is_retryable(&self) -> bool {
        match self {
            AppError::Store(e) => matches!(e, StoreError::Database(_)),
            AppError::Unavailable { .. } => true,
            AppError::Io { source, .. } => matches!(
                source.kind(),
                std::io::ErrorKind::Interrupted
                    | std::io::ErrorKind::WouldBlock
                    | std::io::ErrorKind::TimedOut
            ),
            AppError::Config(_) | AppError::Invalid(_) | AppError::Corrupt { .. } => false,
        }
    }

    /// An [`AppError::Io`] for `path`.
    pub fn io(what: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        AppError::Io {
            what,
            path: path.into(),
            source,
        }
    }

    /// An [`AppError::Unavailable`].
    pub fn unavailable(what: impl Into<String>, why: impl std::fmt::Display) -> Self {
        AppError::Unavailable {
            what: what.into(),
            why: why.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_passing_failures_are_retryable() {
        let down = AppError::Store(StoreError::Database(sqlx_pool_closed()));
        assert!(down.is_retryable());
        assert!(!AppError::Store(StoreError::NotFound("task")).is_retryable());
        assert!(!AppError::Config("pii.hash_key is not 64 hex characters".into()).is_retryable());
        assert!(AppError::unavailable("SIP user agent", "port in use").is_retryable());
        let missing = AppError::io(
            "cannot read key file",
            "/nonexistent/pii.key",
            std::io::Error::from(std::io::ErrorKind::NotFound),
        );
        assert!(!missing.is_retryable());
        assert_eq!(
            missing.to_string(),
            "cannot read key file /nonexistent/pii.key: entity not found"
        );
    }

    fn sqlx_pool_closed() -> sqlx::Error {
        sqlx::Error::PoolClosed
    }
}

//! Storage for waihu: one set of repository traits ([`repo`]) with two backends,
//! SQLite (embedded, the default) and PostgreSQL, chosen by the URL scheme.
//! Migrations per backend are applied by [`Store::migrate`]. Tenant-owned queries
//! always take the tenant id; every change writes its audit entry in the same
//! transaction.

pub mod audit;
pub mod audit_key;
pub mod campaign;
pub mod contacts;
pub mod error;
pub mod gate_facts;
pub mod insight;
pub mod keys;
pub mod login_throttle;
pub mod model;
pub mod password;
pub mod postgres;
pub mod repo;
pub mod rights;
mod rows;
pub mod sessions;
mod sql;
pub mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

pub use audit::{Actor, AuditEntry, AuditKey, AuditSearch, ChainBreak, ChainHead, NewAudit};
pub use campaign::{check_grade, DashboardFigures, DashboardRepo, TenantRates};
pub use campaign::{
    BeginCall, CallFilter, CallId, CallRecord, CallRepo, CallResult, CallState, Claim, Delivery,
    DeliveryState, DueDelivery, InFlight, Lead, LeadFilter, LeadRepo, LeadStatus, LimitsRepo,
    LintSummary, NewLead, NewPushTarget, NewTask, NewTrunk, Next, Prompt, PromptRepo, PushKind,
    PushRepo, PushTarget, ScriptRepo, ScriptSummary, ScriptVersion, Task, TaskCounts, TaskRepo,
    TaskVariant, TenantLimits, Transport, Trunk, TrunkRepo,
};
pub use contacts::{
    AttemptHistory, AttemptRepo, CallerNumber, CallerNumberRepo, ContactList, ContactRepo,
    DncMembership, DncRepo, DncScope, FeedItem, ImportBatch, ImportFeed, NewContact, PolicyRepo,
    PolicyScope, StoredContact, StoredImport,
};
pub use error::{StoreError, StoreResult};
pub use gate_facts::{GateFactsRepo, NumberFacts};
pub use insight::{CallFactRow, FactPage, FactScope, InsightRepo};
pub use keys::{KeyRepo, Reseal, SealedNumber};
pub use login_throttle::{FailureKey, LoginCounter, LoginThrottleRepo};
pub use model::{ApiToken, Tenant, TenantStatus, User};
pub use repo::{ApiTokenRepo, AuditRepo, TenantRepo, UserRepo};
pub use rights::{
    Complaint, ComplaintFilter, ComplaintRate, ComplaintScope, ComplaintState, ErasureReport,
    FiledComplaint, NewComplaint, RetentionReport, RightsRepo, RightsSettings, SubjectExport,
    TenantSweep,
};
pub use sessions::{NewSession, SessionRepo, WebSession};

use async_trait::async_trait;
use std::sync::Arc;

/// Which database is behind a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Everything a backend offers: all repositories plus maintenance.
#[async_trait]
pub trait Repositories:
    TenantRepo
    + UserRepo
    + ApiTokenRepo
    + AuditRepo
    + ContactRepo
    + DncRepo
    + CallerNumberRepo
    + AttemptRepo
    + GateFactsRepo
    + PolicyRepo
    + SessionRepo
    + LimitsRepo
    + ScriptRepo
    + PromptRepo
    + TrunkRepo
    + TaskRepo
    + CallRepo
    + LeadRepo
    + PushRepo
    + RightsRepo
    + insight::InsightRepo
    + campaign::DashboardRepo
    + LoginThrottleRepo
    + keys::KeyRepo
    + Send
    + Sync
{
    /// Which backend this is.
    fn kind(&self) -> BackendKind;
    /// Applies pending migrations.
    async fn migrate(&self) -> StoreResult<()>;
    /// Checks that the database answers (readiness).
    async fn ping(&self) -> StoreResult<()>;
    /// Closes the pool (graceful shutdown).
    async fn close(&self);
}

macro_rules! impl_repositories_for {
    ($backend:ty, $kind:expr) => {
        #[async_trait]
        impl Repositories for $backend {
            fn kind(&self) -> BackendKind {
                $kind
            }
            async fn migrate(&self) -> StoreResult<()> {
                <$backend>::migrate(self).await
            }
            async fn ping(&self) -> StoreResult<()> {
                <$backend>::ping(self).await
            }
            async fn close(&self) {
                self.pool.close().await
            }
        }
    };
}
impl_repositories_for!(sqlite::SqliteBackend, BackendKind::Sqlite);
impl_repositories_for!(postgres::PgBackend, BackendKind::Postgres);

/// A cheap, clonable handle on the database.
#[derive(Clone)]
pub struct Store {
    inner: Arc<dyn Repositories>,
}

impl Store {
    /// Connects to `sqlite://PATH` or `postgres://…` (the scheme picks the backend).
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let scheme = url.split_once("://").map(|(s, _)| s).unwrap_or("");
        let inner: Arc<dyn Repositories> = match scheme {
            "sqlite" => Arc::new(sqlite::SqliteBackend::connect(url, max_connections).await?),
            "postgres" | "postgresql" => {
                Arc::new(postgres::PgBackend::connect(url, max_connections).await?)
            }
            other => return Err(StoreError::UnsupportedUrl(other.to_string())),
        };
        Ok(Self { inner })
    }

    /// Wraps an already-opened backend.
    pub fn from_backend(backend: Arc<dyn Repositories>) -> Self {
        Self { inner: backend }
    }
}

impl std::ops::Deref for Store {
    type Target = dyn Repositories;
    fn deref(&self) -> &Self::Target {
        &*self.inner
    }
}

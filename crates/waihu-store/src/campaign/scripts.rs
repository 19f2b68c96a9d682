//! Call scripts (versioned YAML with the linter's verdict) and recorded prompts.
//! Versions are append-only: a saved version's YAML never changes, and only
//! linter-clean versions can be published.

use crate::error::StoreResult;
use crate::Actor;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;
use waihu_core::TenantId;

/// The linter's verdict on a version, stored with it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LintSummary {
    /// Number of errors (a version with errors cannot be published).
    pub errors: u32,
    /// Number of warnings.
    pub warnings: u32,
    /// The findings as JSON (owned by the dialog crate).
    pub findings_json: String,
}

/// One saved version of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptVersion {
    /// Stable id (tasks refer to a version, never to a script).
    pub id: Uuid,
    /// The owning tenant.
    pub tenant_id: TenantId,
    /// The script it belongs to.
    pub script_id: Uuid,
    /// The script's name.
    pub name: String,
    /// 1, 2, 3… per script.
    pub version: i32,
    /// The script source.
    pub yaml: String,
    /// The linter's verdict.
    pub lint: LintSummary,
    /// When it was published, if it was.
    pub published_at: Option<DateTime<Utc>>,
    /// When it was saved.
    pub created_at: DateTime<Utc>,
}

/// A script with its newest and newest published versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptSummary {
    /// Stable id.
    pub id: Uuid,
    /// Unique within the tenant.
    pub name: String,
    /// The newest version number.
    pub latest_version: i32,
    /// The newest published version number, if any.
    pub published_version: Option<i32>,
    /// When the newest version was saved.
    pub updated_at: DateTime<Utc>,
}

/// Scripts and their versions (tenant-scoped).
#[async_trait]
pub trait ScriptRepo {
    /// Saves a new version of the tenant's script `name` (created on first save);
    /// its number is the previous newest plus one.
    async fn save_script_version(
        &self,
        tenant_id: TenantId,
        name: &str,
        yaml: &str,
        lint: LintSummary,
        actor: &Actor,
    ) -> StoreResult<ScriptVersion>;
    /// The tenant's scripts, by name.
    async fn list_scripts(&self, tenant_id: TenantId) -> StoreResult<Vec<ScriptSummary>>;
    /// The versions of one script, newest first.
    async fn list_script_versions(
        &self,
        tenant_id: TenantId,
        script_id: Uuid,
    ) -> StoreResult<Vec<ScriptVersion>>;
    /// One version by id.
    async fn get_script_version(
        &self,
        tenant_id: TenantId,
        version_id: Uuid,
    ) -> StoreResult<Option<ScriptVersion>>;
    /// A version of the script `name`: that number, or the newest when `None`.
    async fn find_script_version(
        &self,
        tenant_id: TenantId,
        name: &str,
        version: Option<i32>,
    ) -> StoreResult<Option<ScriptVersion>>;
    /// Publishes a version; refused with `Conflict` when it has lint errors.
    /// Publishing a published version changes nothing.
    async fn publish_script_version(
        &self,
        tenant_id: TenantId,
        version_id: Uuid,
        actor: &Actor,
    ) -> StoreResult<ScriptVersion>;
}

/// A recorded prompt (the audio file is kept by the caller under the data dir).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// Stable id.
    pub id: Uuid,
    /// The owning tenant.
    pub tenant_id: TenantId,
    /// Unique within the tenant; scripts refer to prompts by name.
    pub name: String,
    /// The file's name under the tenant's prompt directory.
    pub file_name: String,
    /// Length of the audio.
    pub duration_ms: i64,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

/// Recorded prompts (tenant-scoped).
#[async_trait]
pub trait PromptRepo {
    /// Adds a prompt; the name must be free within the tenant.
    async fn add_prompt(
        &self,
        tenant_id: TenantId,
        name: &str,
        file_name: &str,
        duration_ms: i64,
        sha256: &str,
        actor: &Actor,
    ) -> StoreResult<Prompt>;
    /// The tenant's prompts, by name.
    async fn list_prompts(&self, tenant_id: TenantId) -> StoreResult<Vec<Prompt>>;
    /// One prompt by id.
    async fn get_prompt(&self, tenant_id: TenantId, id: Uuid) -> StoreResult<Option<Prompt>>;
    /// One prompt by name.
    async fn find_prompt(&self, tenant_id: TenantId, name: &str) -> StoreResult<Option<Prompt>>;
    /// Deletes a prompt (the caller removes the file).
    async fn delete_prompt(&self, tenant_id: TenantId, id: Uuid, actor: &Actor) -> StoreResult<()>;
}

//! Script versions: append-only, numbered per script, published only when the
//! linter found no errors.

use crate::campaign::{LintSummary, ScriptVersion};
use crate::error::StoreResult;
use crate::sql::limits::count_column;
use chrono::{DateTime, Utc};
use uuid::Uuid;
use waihu_core::TenantId;

pub(crate) const VERSION_SELECT: &str =
    "SELECT v.id, v.tenant_id, v.script_id, s.name, v.version, \
     v.yaml, v.lint_errors, v.lint_warnings, v.findings, v.published_at, v.created_at \
     FROM script_versions v JOIN scripts s ON s.id = v.script_id";

#[derive(sqlx::FromRow)]
pub(crate) struct VersionRow {
    id: Uuid,
    tenant_id: Uuid,
    script_id: Uuid,
    name: String,
    version: i32,
    yaml: String,
    lint_errors: i32,
    lint_warnings: i32,
    findings: String,
    published_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl TryFrom<VersionRow> for ScriptVersion {
    type Error = crate::StoreError;
    fn try_from(r: VersionRow) -> StoreResult<Self> {
        Ok(ScriptVersion {
            id: r.id,
            tenant_id: TenantId(r.tenant_id),
            script_id: r.script_id,
            name: r.name,
            version: r.version,
            yaml: r.yaml,
            lint: LintSummary {
                errors: count_column(r.lint_errors, "script_versions", "lint error count")?,
                warnings: count_column(r.lint_warnings, "script_versions", "lint warning count")?,
                findings_json: r.findings,
            },
            published_at: r.published_at,
            created_at: r.created_at,
        })
    }
}

macro_rules! impl_scripts {
    ($backend:ty, $db:ty) => {
        mod scripts {
            #[allow(unused_imports)]
            use super::prelude::*;
            use $crate::campaign::{LintSummary, ScriptRepo, ScriptSummary, ScriptVersion};
            use $crate::campaign::grade::check_name;
            use $crate::sql::limits::int_column;
            use $crate::sql::scripts::{VersionRow, VERSION_SELECT};
            use chrono::DateTime;
            use uuid::Uuid;

            #[async_trait]
            impl ScriptRepo for $backend {
                async fn save_script_version(
                    &self,
                    tenant_id: TenantId,
                    name: &str,
                    yaml: &str,
                    lint: LintSummary,
                    actor: &Actor,
                ) -> StoreResult<ScriptVersion> {
                    let name = check_name(name, "script")?;
                    let errors = int_column(lint.errors, "lint error count")?;
                    let warnings = int_column(lint.warnings, "lint warning count")?;
                    let now = storage_time(Utc::now());
                    let mut w = self.begin_write().await?;
                    let script: Option<(Uuid,)> =
                        sqlx::query_as("SELECT id FROM scripts WHERE tenant_id = $1 AND name = $2")
                            .bind(tenant_id.0)
                            .bind(&name)
                            .fetch_optional(&mut *w.tx)
                            .await?;
                    let script_id = match script {
                        Some((id,)) => id,
                        None => {
                            let id = Uuid::now_v7();
                            sqlx::query(
                                "INSERT INTO scripts (id, tenant_id, name, created_at) VALUES ($1, $2, $3, $4)",
                            )
                            .bind(id)
                            .bind(tenant_id.0)
                            .bind(&name)
                            .bind(now)
                            .execute(&mut *w.tx)
                            .await?;
                            id
                        }
                    };
                    let (max,): (Option<i32>,) =
                        sqlx::query_as("SELECT MAX(version) FROM script_versions WHERE script_id = $1")
                            .bind(script_id)
                            .fetch_one(&mut *w.tx)
                            .await?;
                    let version = ScriptVersion {
                        id: Uuid::now_v7(),
                        tenant_id,
                        script_id,
                        name,
                        version: max.unwrap_or(0) + 1,
                        yaml: yaml.to_string(),
                        lint,
                        published_at: None,
                        created_at: now,
                    };
                    sqlx::query(
                        "INSERT INTO script_versions (id, tenant_id, script_id, version, yaml, lint_errors, \
                         lint_warnings, findings, published_at, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9)",
                    )
                    .bind(version.id)
                    .bind(tenant_id.0)
                    .bind(script_id)
                    .bind(version.version)
                    .bind(&version.yaml)
                    .bind(errors)
                    .bind(warnings)
                    .bind(&version.lint.findings_json)
                    .bind(now)
                    .execute(&mut *w.tx)
                    .await?;
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, Some(tenant_id), "script.save", format!("script_version:{}", version.id))
                            .with_details(serde_json::json!({
                                "script": version.name,
                                "version": version.version,
                                "lint_errors": version.lint.errors,
                                "lint_warnings": version.lint.warnings,
                            })),
                    )
                    .await?;
                    w.tx.commit().await?;
                    Ok(version)
                }

                async fn list_scripts(&self, tenant_id: TenantId) -> StoreResult<Vec<ScriptSummary>> {
                    let rows: Vec<(Uuid, String, Option<i32>, Option<i32>, Option<DateTime<Utc>>)> = sqlx::query_as(
                        "SELECT s.id, s.name, MAX(v.version), \
                         MAX(CASE WHEN v.published_at IS NOT NULL THEN v.version END), MAX(v.created_at) \
                         FROM scripts s JOIN script_versions v ON v.script_id = s.id \
                         WHERE s.tenant_id = $1 GROUP BY s.id, s.name ORDER BY s.name",
                    )
                    .bind(tenant_id.0)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.into_iter()
                        .map(|(id, name, latest, published, updated)| {
                            let corrupt = || StoreError::Corrupt {
                                table: "scripts",
                                why: format!("script {name:?} has no versions"),
                            };
                            Ok(ScriptSummary {
                                id,
                                latest_version: latest.ok_or_else(corrupt)?,
                                published_version: published,
                                updated_at: updated.ok_or_else(corrupt)?,
                                name,
                            })
                        })
                        .collect()
                }

                async fn list_script_versions(
                    &self,
                    tenant_id: TenantId,
                    script_id: Uuid,
                ) -> StoreResult<Vec<ScriptVersion>> {
                    let rows: Vec<VersionRow> = sqlx::query_as(&format!(
                        "{VERSION_SELECT} WHERE v.tenant_id = $1 AND v.script_id = $2 ORDER BY v.version DESC"
                    ))
                    .bind(tenant_id.0)
                    .bind(script_id)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.into_iter().map(ScriptVersion::try_from).collect()
                }

                async fn get_script_version(
                    &self,
                    tenant_id: TenantId,
                    version_id: Uuid,
                ) -> StoreResult<Option<ScriptVersion>> {
                    let row: Option<VersionRow> =
                        sqlx::query_as(&format!("{VERSION_SELECT} WHERE v.tenant_id = $1 AND v.id = $2"))
                            .bind(tenant_id.0)
                            .bind(version_id)
                            .fetch_optional(&self.pool)
                            .await?;
                    row.map(ScriptVersion::try_from).transpose()
                }

                async fn find_script_version(
                    &self,
                    tenant_id: TenantId,
                    name: &str,
                    version: Option<i32>,
                ) -> StoreResult<Option<ScriptVersion>> {
                    let row: Option<VersionRow> = match version {
                        Some(n) => sqlx::query_as(&format!(
                            "{VERSION_SELECT} WHERE s.tenant_id = $1 AND s.name = $2 AND v.version = $3"
                        ))
                        .bind(tenant_id.0)
                        .bind(name.trim())
                        .bind(n)
                        .fetch_optional(&self.pool)
                        .await?,
                        None => sqlx::query_as(&format!(
                            "{VERSION_SELECT} WHERE s.tenant_id = $1 AND s.name = $2 \
                             ORDER BY v.version DESC LIMIT 1"
                        ))
                        .bind(tenant_id.0)
                        .bind(name.trim())
                        .fetch_optional(&self.pool)
                        .await?,
                    };
                    row.map(ScriptVersion::try_from).transpose()
                }

                async fn publish_script_version(
                    &self,
                    tenant_id: TenantId,
                    version_id: Uuid,
                    actor: &Actor,
                ) -> StoreResult<ScriptVersion> {
                    let mut w = self.begin_write().await?;
                    let row: Option<VersionRow> =
                        sqlx::query_as(&format!("{VERSION_SELECT} WHERE v.tenant_id = $1 AND v.id = $2"))
                            .bind(tenant_id.0)
                            .bind(version_id)
                            .fetch_optional(&mut *w.tx)
                            .await?;
                    let mut version = row
                        .map(ScriptVersion::try_from)
                        .transpose()?
                        .ok_or(StoreError::NotFound("script version"))?;
                    if version.published_at.is_some() {
                        return Ok(version);
                    }
                    if version.lint.errors > 0 {
                        return Err(StoreError::Conflict(format!(
                            "script {:?} version {} has {} lint error(s); only linter-clean versions can be published",
                            version.name, version.version, version.lint.errors
                        )));
                    }
                    let now = storage_time(Utc::now());
                    sqlx::query("UPDATE script_versions SET published_at = $1 WHERE id = $2")
                        .bind(now)
                        .bind(version_id)
                        .execute(&mut *w.tx)
                        .await?;
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, Some(tenant_id), "script.publish", format!("script_version:{version_id}"))
                            .with_details(serde_json::json!({
                                "script": version.name,
                                "version": version.version,
                            })),
                    )
                    .await?;
                    w.tx.commit().await?;
                    version.published_at = Some(now);
                    Ok(version)
                }
            }
        }
    };
}
pub(crate) use impl_scripts;

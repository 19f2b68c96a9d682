//! Recorded prompts: metadata rows; the audio files live under the data dir.

use crate::campaign::Prompt;
use chrono::{DateTime, Utc};
use uuid::Uuid;
use waihu_core::TenantId;

pub(crate) const PROMPT_COLS: &str =
    "id, tenant_id, name, file_name, duration_ms, sha256, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct PromptRow {
    id: Uuid,
    tenant_id: Uuid,
    name: String,
    file_name: String,
    duration_ms: i64,
    sha256: String,
    created_at: DateTime<Utc>,
}

impl From<PromptRow> for Prompt {
    fn from(r: PromptRow) -> Self {
        Prompt {
            id: r.id,
            tenant_id: TenantId(r.tenant_id),
            name: r.name,
            file_name: r.file_name,
            duration_ms: r.duration_ms,
            sha256: r.sha256,
            created_at: r.created_at,
        }
    }
}

macro_rules! impl_prompts {
    ($backend:ty, $db:ty) => {
        mod prompts {
            #[allow(unused_imports)]
            use super::prelude::*;
            use $crate::campaign::grade::check_name;
            use $crate::campaign::{Prompt, PromptRepo};
            use $crate::sql::prompts::{PromptRow, PROMPT_COLS};
            use uuid::Uuid;

            #[async_trait]
            impl PromptRepo for $backend {
                async fn add_prompt(
                    &self,
                    tenant_id: TenantId,
                    name: &str,
                    file_name: &str,
                    duration_ms: i64,
                    sha256: &str,
                    actor: &Actor,
                ) -> StoreResult<Prompt> {
                    let name = check_name(name, "prompt")?;
                    if duration_ms < 0 {
                        return Err(StoreError::Invalid(format!(
                            "prompt {name:?}: negative duration {duration_ms} ms"
                        )));
                    }
                    let prompt = Prompt {
                        id: Uuid::now_v7(),
                        tenant_id,
                        name,
                        file_name: file_name.to_string(),
                        duration_ms,
                        sha256: sha256.to_string(),
                        created_at: storage_time(Utc::now()),
                    };
                    let mut w = self.begin_write().await?;
                    sqlx::query(&format!(
                        "INSERT INTO prompts ({PROMPT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                    ))
                    .bind(prompt.id)
                    .bind(tenant_id.0)
                    .bind(&prompt.name)
                    .bind(&prompt.file_name)
                    .bind(prompt.duration_ms)
                    .bind(&prompt.sha256)
                    .bind(prompt.created_at)
                    .execute(&mut *w.tx)
                    .await
                    .map_err(|e| unique_or(e, || format!("prompt {:?} already exists", prompt.name)))?;
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, Some(tenant_id), "prompt.add", format!("prompt:{}", prompt.id))
                            .with_details(serde_json::json!({
                                "name": prompt.name,
                                "file_name": prompt.file_name,
                                "sha256": prompt.sha256,
                            })),
                    )
                    .await?;
                    w.tx.commit().await?;
                    Ok(prompt)
                }

                async fn list_prompts(&self, tenant_id: TenantId) -> StoreResult<Vec<Prompt>> {
                    let rows: Vec<PromptRow> = sqlx::query_as(&format!(
                        "SELECT {PROMPT_COLS} FROM prompts WHERE tenant_id = $1 ORDER BY name"
                    ))
                    .bind(tenant_id.0)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(Prompt::from).collect())
                }

                async fn get_prompt(&self, tenant_id: TenantId, id: Uuid) -> StoreResult<Option<Prompt>> {
                    let row: Option<PromptRow> = sqlx::query_as(&format!(
                        "SELECT {PROMPT_COLS} FROM prompts WHERE tenant_id = $1 AND id = $2"
                    ))
                    .bind(tenant_id.0)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                    Ok(row.map(Prompt::from))
                }

                async fn find_prompt(&self, tenant_id: TenantId, name: &str) -> StoreResult<Option<Prompt>> {
                    let row: Option<PromptRow> = sqlx::query_as(&format!(
                        "SELECT {PROMPT_COLS} FROM prompts WHERE tenant_id = $1 AND name = $2"
                    ))
                    .bind(tenant_id.0)
                    .bind(name.trim())
                    .fetch_optional(&self.pool)
                    .await?;
                    Ok(row.map(Prompt::from))
                }

                async fn delete_prompt(&self, tenant_id: TenantId, id: Uuid, actor: &Actor) -> StoreResult<()> {
                    let mut w = self.begin_write().await?;
                    let row: Option<PromptRow> = sqlx::query_as(&format!(
                        "SELECT {PROMPT_COLS} FROM prompts WHERE tenant_id = $1 AND id = $2"
                    ))
                    .bind(tenant_id.0)
                    .bind(id)
                    .fetch_optional(&mut *w.tx)
                    .await?;
                    let prompt = row.map(Prompt::from).ok_or(StoreError::NotFound("prompt"))?;
                    sqlx::query("DELETE FROM prompts WHERE id = $1")
                        .bind(id)
                        .execute(&mut *w.tx)
                        .await?;
                    append_in(
                        &mut w.tx,
                        NewAudit::new(actor, Some(tenant_id), "prompt.delete", format!("prompt:{id}"))
                            .with_details(serde_json::json!({ "name": prompt.name })),
                    )
                    .await?;
                    w.tx.commit().await?;
                    Ok(())
                }
            }
        }
    };
}
pub(crate) use impl_prompts;

//! Recorded prompts: list (admins, agents, auditors, tokens), upload (admins,
//! tokens: the raw WAV/MP3 as the body, `Content-Type: audio/wav` or
//! `audio/mpeg`, the name in the query) and the converted audio of one prompt.

use super::{page, parse_id, PageQuery};
use crate::auth::principal::{CAMPAIGN_READERS, TENANT_ADMINS};
use crate::auth::Principal;
use crate::campaign::prompts;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use waihu_store::Prompt;

/// A recorded prompt.
#[derive(Debug, Serialize, ToSchema)]
pub struct PromptDto {
    /// Stable id.
    pub id: Uuid,
    /// The name scripts use (`prompt: <name>`).
    pub name: String,
    /// Length of the converted audio.
    pub duration_ms: i64,
    /// SHA-256 of the upload.
    pub sha256: String,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

impl From<Prompt> for PromptDto {
    fn from(p: Prompt) -> Self {
        Self {
            id: p.id,
            name: p.name,
            duration_ms: p.duration_ms,
            sha256: p.sha256,
            created_at: p.created_at,
        }
    }
}

/// The upload's name.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The name scripts will use.
    pub name: Option<String>,
}

/// The tenant's prompts, by name.
#[utoipa::path(get, path = "/api/v1/prompts", tag = "prompts", params(PageQuery),
    responses((status = 200, body = super::dto::Page<PromptDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<super::dto::Page<PromptDto>>> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    Ok(Json(page(
        state.store.list_prompts(t).await?,
        &q,
        PromptDto::from,
    )?))
}

/// Uploads a prompt: the raw WAV or MP3 file as the body (at most 20 MiB),
/// decoded and converted to 8 kHz → 201. A bad file is `422 invalid` with
/// `field` `file`; a taken name `409`.
#[utoipa::path(post, path = "/api/v1/prompts", tag = "prompts", params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "audio/wav", description = "the WAV or MP3 file (audio/wav, audio/mpeg)"),
    responses((status = 201, body = PromptDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    who: Principal,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> AppResult<(StatusCode, Json<PromptDto>)> {
    let t = who.tenant_for(TENANT_ADMINS)?;
    let body = body.map_err(|_| too_large())?;
    let ct = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let name = q.name.unwrap_or_default();
    let p = prompts::upload(&state, t, &name, ct, &body, &who.actor).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

/// The converted audio of one prompt (`audio/wav`).
#[utoipa::path(get, path = "/api/v1/prompts/{id}/audio", tag = "prompts", params(("id" = Uuid, Path, description = "prompt id")),
    responses((status = 200, content_type = "audio/wav", body = Vec<u8>), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn audio(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    let id: Uuid = parse_id(&id, "prompt")?;
    Ok(prompts::wav_response(prompts::wav(&state, t, id).await?))
}

/// A body over the route's limit (or unreadable).
fn too_large() -> AppError {
    crate::body_limit::too_large(prompts::MAX_UPLOAD).with_field("file")
}

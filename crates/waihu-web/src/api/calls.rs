//! Call records: the filtered list (newest first), one call with its gate
//! decision, path, intents and transcript, and its recording (admins, agents,
//! auditors, tokens). Numbers only masked; the stored file path never leaves.

use super::campaign_dto::{CallDetailDto, CallDto, CallPage};
use super::{parse_id, PageQuery};
use crate::auth::principal::CAMPAIGN_READERS;
use crate::auth::Principal;
use crate::campaign::calls::{self, CallQuery};
use crate::campaign::recordings;
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Json;
use uuid::Uuid;

/// The tenant's calls, newest first, filtered by task, outcome and grade.
#[utoipa::path(get, path = "/api/v1/calls", tag = "calls", params(CallQuery, PageQuery),
    responses((status = 200, body = CallPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
    Query(f): Query<CallQuery>,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<CallPage>> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    let (limit, offset) = q.checked()?;
    let w = calls::list(&state, t, &f, limit, offset).await?;
    let items: Vec<CallDto> = w
        .rows
        .iter()
        .map(|c| {
            CallDto::new(
                c,
                recordings::available(&state, t, c.recording_path.as_deref()),
            )
        })
        .collect();
    let next_offset = w.more.then_some(offset + items.len());
    Ok(Json(CallPage {
        items,
        limit,
        offset,
        next_offset,
    }))
}

/// One call with its details.
#[utoipa::path(get, path = "/api/v1/calls/{id}", tag = "calls", params(("id" = Uuid, Path, description = "call id")),
    responses((status = 200, body = CallDetailDto), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn get(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<CallDetailDto>> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    let id: Uuid = parse_id(&id, "call")?;
    let c = calls::find(&state, t, id).await?;
    let has = recordings::available(&state, t, c.recording_path.as_deref());
    Ok(Json(CallDetailDto::new(&c, has)))
}

/// The call's recording (audio); 404 when there is none on file.
#[utoipa::path(get, path = "/api/v1/calls/{id}/recording", tag = "calls", params(("id" = Uuid, Path, description = "call id")),
    responses((status = 200, content_type = "audio/wav", description = "the recording"), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn recording(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> AppResult<Response> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    let id: Uuid = parse_id(&id, "call")?;
    recordings::serve(&state, t, id, &headers).await
}

//! Tasks: list (with progress), one task, its counts (admins, agents, auditors,
//! tokens); create, start, pause, resume, stop (admins, tokens). A change the task's
//! state does not allow is `409 conflict`.

use super::campaign_dto::{TaskActionReq, TaskCountsDto, TaskDto};
use super::dto::Page;
use super::{page, parse_id, ApiJson, PageQuery};
use crate::auth::principal::{CAMPAIGN_READERS, TENANT_ADMINS};
use crate::auth::Principal;
use crate::campaign::task_create::{self, CreateTaskReq};
use crate::campaign::tasks;
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use uuid::Uuid;
use waihu_campaign::TaskCommand;

/// The tenant's tasks, newest first, each with its counts.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", params(PageQuery),
    responses((status = 200, body = Page<TaskDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<Page<TaskDto>>> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    let mut p = page(state.store.list_tasks(t).await?, &q, |t| t)?;
    let mut items = Vec::with_capacity(p.items.len());
    for task in std::mem::take(&mut p.items) {
        let counts = state.store.task_counts(t, task.id).await?;
        items.push(TaskDto::new(task, Some(counts)));
    }
    Ok(Json(Page {
        items,
        total: p.total,
        limit: p.limit,
        offset: p.offset,
        next_offset: p.next_offset,
    }))
}

/// Creates a task (state `draft`) with the same rules as `waihu task create`:
/// a published script version, the tenant's lists, a caller number assigned to
/// the tenant and verified, a trunk, lines within the quota. A broken rule is
/// `422 invalid` naming the `field`; a taken name `409 conflict`.
#[utoipa::path(post, path = "/api/v1/tasks", tag = "tasks", request_body = CreateTaskReq,
    responses((status = 201, body = TaskDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(req): ApiJson<CreateTaskReq>,
) -> AppResult<(StatusCode, Json<TaskDto>)> {
    let t = who.tenant_for(TENANT_ADMINS)?;
    let task = task_create::create(&state, t, req, &who.actor).await?;
    let counts = state.store.task_counts(t, task.id).await?;
    Ok((StatusCode::CREATED, Json(TaskDto::new(task, Some(counts)))))
}

/// One task with its counts.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = Uuid, Path, description = "task id")),
    responses((status = 200, body = TaskDto), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn get(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<TaskDto>> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    let id: Uuid = parse_id(&id, "task")?;
    let task = tasks::find_task(&state, t, id).await?;
    let counts = state.store.task_counts(t, id).await?;
    Ok(Json(TaskDto::new(task, Some(counts))))
}

/// A task's progress: contacts by state, calls by outcome, attempts, leads.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/counts", tag = "tasks", params(("id" = Uuid, Path, description = "task id")),
    responses((status = 200, body = TaskCountsDto), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn counts(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<TaskCountsDto>> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    let id: Uuid = parse_id(&id, "task")?;
    tasks::find_task(&state, t, id).await?;
    Ok(Json(state.store.task_counts(t, id).await?.into()))
}

/// The optional body `{"reason"}`; an empty body is no reason.
fn reason(body: &Bytes) -> AppResult<Option<String>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice::<TaskActionReq>(body)
        .map(|r| r.reason)
        .map_err(|e| {
            crate::error::AppError::new(crate::error::ErrorCode::BadRequest, e.to_string())
        })
}

async fn act(
    state: AppState,
    who: Principal,
    id: String,
    body: Bytes,
    command: TaskCommand,
) -> AppResult<Json<TaskDto>> {
    let t = who.tenant_for(TENANT_ADMINS)?;
    let id: Uuid = parse_id(&id, "task")?;
    let reason = reason(&body)?;
    let task = tasks::apply(&state, t, id, command, reason.as_deref(), &who.actor).await?;
    let counts = state.store.task_counts(t, id).await?;
    Ok(Json(TaskDto::new(task, Some(counts))))
}

/// Starts a draft task: queues its contacts, then `running`.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/start", tag = "tasks", params(("id" = Uuid, Path, description = "task id")),
    request_body(content = Option<TaskActionReq>, description = "optional reason"),
    responses((status = 200, body = TaskDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn start(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Json<TaskDto>> {
    act(state, who, id, body, TaskCommand::Start).await
}

/// Pauses a running task.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/pause", tag = "tasks", params(("id" = Uuid, Path, description = "task id")),
    request_body(content = Option<TaskActionReq>, description = "optional reason"),
    responses((status = 200, body = TaskDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn pause(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Json<TaskDto>> {
    act(state, who, id, body, TaskCommand::Pause).await
}

/// Resumes a paused task (queues contacts added to its lists meanwhile).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/resume", tag = "tasks", params(("id" = Uuid, Path, description = "task id")),
    request_body(content = Option<TaskActionReq>, description = "optional reason"),
    responses((status = 200, body = TaskDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn resume(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Json<TaskDto>> {
    act(state, who, id, body, TaskCommand::Resume).await
}

/// Stops a draft, running or paused task for good.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/stop", tag = "tasks", params(("id" = Uuid, Path, description = "task id")),
    request_body(content = Option<TaskActionReq>, description = "optional reason"),
    responses((status = 200, body = TaskDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn stop(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Json<TaskDto>> {
    act(state, who, id, body, TaskCommand::Stop).await
}

//! Scripts: list, versions, one version with its findings (admins, agents,
//! auditors, tokens); upload a version (linted on the way in) and publish a clean
//! one (admins, tokens). Publishing a version with findings is `409 conflict`.

use super::campaign_dto::{ScriptDto, ScriptVersionDto, UploadScriptReq};
use super::dto::Page;
use super::{page, parse_id, ApiJson, PageQuery};
use crate::auth::principal::{CAMPAIGN_READERS, TENANT_ADMINS};
use crate::auth::Principal;
use crate::campaign::scripts;
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use uuid::Uuid;

/// The tenant's scripts, by name.
#[utoipa::path(get, path = "/api/v1/scripts", tag = "scripts", params(PageQuery),
    responses((status = 200, body = Page<ScriptDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<Page<ScriptDto>>> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    Ok(Json(page(
        state.store.list_scripts(t).await?,
        &q,
        ScriptDto::from,
    )?))
}

/// A script's versions, newest first.
#[utoipa::path(get, path = "/api/v1/scripts/{id}/versions", tag = "scripts",
    params(("id" = Uuid, Path, description = "script id")),
    responses((status = 200, body = Vec<ScriptVersionDto>), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn versions(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<ScriptVersionDto>>> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    let id: Uuid = parse_id(&id, "script")?;
    let v = scripts::versions_of(&state, t, id).await?;
    Ok(Json(v.into_iter().map(ScriptVersionDto::from).collect()))
}

/// One script version with its YAML and findings.
#[utoipa::path(get, path = "/api/v1/script-versions/{id}", tag = "scripts",
    params(("id" = Uuid, Path, description = "version id")),
    responses((status = 200, body = ScriptVersionDto), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn version(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<ScriptVersionDto>> {
    let t = who.tenant_for(CAMPAIGN_READERS)?;
    let id: Uuid = parse_id(&id, "script version")?;
    Ok(Json(scripts::find_version(&state, t, id).await?.into()))
}

/// Saves a new version (the script is created on first upload) → 201 with the
/// linter's findings; a version with findings is saved but cannot be published.
#[utoipa::path(post, path = "/api/v1/scripts", tag = "scripts", request_body = UploadScriptReq,
    responses((status = 201, body = ScriptVersionDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(req): ApiJson<UploadScriptReq>,
) -> AppResult<(StatusCode, Json<ScriptVersionDto>)> {
    let t = who.tenant_for(TENANT_ADMINS)?;
    let v = scripts::upload(&state, t, &req.name, &req.yaml, &who.actor).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

/// Publishes a version; `409 conflict` while it has linter findings.
#[utoipa::path(post, path = "/api/v1/script-versions/{id}/publish", tag = "scripts",
    params(("id" = Uuid, Path, description = "version id")),
    responses((status = 200, body = ScriptVersionDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the version has linter findings")),
    security(("bearer" = []), ("session" = [])))]
pub async fn publish(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<ScriptVersionDto>> {
    let t = who.tenant_for(TENANT_ADMINS)?;
    let id: Uuid = parse_id(&id, "script version")?;
    Ok(Json(
        scripts::publish(&state, t, id, &who.actor).await?.into(),
    ))
}

//! SIP trunks (operator, session only): list and add. Passwords are never answered.

use super::{page, ApiJson, PageQuery};
use crate::auth::Principal;
use crate::campaign::operator::{self as op, NewTrunkReq, TrunkView};
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use waihu_core::Role;

/// All trunks, by name.
#[utoipa::path(get, path = "/api/v1/trunks", tag = "platform", params(PageQuery),
    responses((status = 200, body = super::dto::Page<TrunkView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<super::dto::Page<TrunkView>>> {
    who.require(&[Role::Operator])?;
    Ok(Json(page(
        state.store.list_trunks().await?,
        &q,
        TrunkView::from,
    )?))
}

/// Registers a trunk → 201.
#[utoipa::path(post, path = "/api/v1/trunks", tag = "platform", request_body = NewTrunkReq,
    responses((status = 201, body = TrunkView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn add(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(req): ApiJson<NewTrunkReq>,
) -> AppResult<(StatusCode, Json<TrunkView>)> {
    who.require(&[Role::Operator])?;
    Ok((
        StatusCode::CREATED,
        Json(op::add_trunk(&state, req, &who.actor).await?),
    ))
}

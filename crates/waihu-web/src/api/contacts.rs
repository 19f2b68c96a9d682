//! The tenant's contact lists and their contacts (read-only: admins, auditors,
//! tokens). Numbers appear only masked; another tenant's list is 404.

use super::dto::{ContactDto, ContactListDto, ContactPage, Page};
use super::{page, parse_id, PageQuery};
use crate::auth::principal::TENANT_READERS;
use crate::auth::Principal;
use crate::error::{AppResult, ErrorBody};
use crate::pages::contacts::{contacts_page, find_list};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use uuid::Uuid;

/// The tenant's contact lists, by name.
#[utoipa::path(get, path = "/api/v1/contact-lists", tag = "contacts", params(PageQuery),
    responses((status = 200, body = Page<ContactListDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<Page<ContactListDto>>> {
    let t = who.tenant_for(TENANT_READERS)?;
    Ok(Json(page(
        state.store.list_contact_lists(t).await?,
        &q,
        ContactListDto::from,
    )?))
}

/// One of the tenant's contact lists.
#[utoipa::path(get, path = "/api/v1/contact-lists/{id}", tag = "contacts", params(("id" = Uuid, Path, description = "list id")),
    responses((status = 200, body = ContactListDto), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn get(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<ContactListDto>> {
    let t = who.tenant_for(TENANT_READERS)?;
    let id: Uuid = parse_id(&id, "contact list")?;
    Ok(Json(find_list(&state, t, id).await?.into()))
}

/// A list's contacts, oldest first, paged (numbers masked; no total).
#[utoipa::path(get, path = "/api/v1/contact-lists/{id}/contacts", tag = "contacts",
    params(("id" = Uuid, Path, description = "list id"), PageQuery),
    responses((status = 200, body = ContactPage), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn contacts(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<ContactPage>> {
    let t = who.tenant_for(TENANT_READERS)?;
    let id: Uuid = parse_id(&id, "contact list")?;
    let (limit, offset) = q.checked()?;
    let list = find_list(&state, t, id).await?;
    let (rows, more) = contacts_page(&state, t, list.id, offset, limit).await?;
    let items: Vec<ContactDto> = rows.into_iter().map(ContactDto::from).collect();
    let next_offset = more.then_some(offset + items.len());
    Ok(Json(ContactPage {
        items,
        limit,
        offset,
        next_offset,
    }))
}

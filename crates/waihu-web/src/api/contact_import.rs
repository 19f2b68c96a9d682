//! `POST /api/v1/contact-lists/import` (admins, tokens): a CSV or XLSX file as
//! `multipart/form-data`, with the same fields as the back office's form,
//! answered with the import's summary and per-row errors. A whole-file
//! rejection or a bad field is `422 invalid` with the field at fault.

use crate::auth::principal::TENANT_ADMINS;
use crate::auth::Principal;
use crate::contacts::import::{self as contact_import, ImportSummaryDto};
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use utoipa::ToSchema;

/// The multipart form of an import (documentation only: parsed by hand).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ImportContactsForm {
    /// The contact list (created if missing), at most 100 characters.
    pub list: String,
    /// The CSV (UTF-8 or GB18030) or XLSX file, at most 32 MiB.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// `auto` (default), `utf-8` or `gb18030`.
    pub encoding: Option<String>,
    /// Header of the number column (default: recognised from the headers).
    pub number_column: Option<String>,
    /// Header of the name column (default: recognised).
    pub name_column: Option<String>,
    /// Consent evidence for rows without their own: where it was collected.
    pub consent_source: Option<String>,
    /// When consent was given: RFC 3339, or `2026-03-01 09:30` (China time).
    pub consent_time: Option<String>,
    /// `PURPOSE[,PURPOSE…][,share_leads]`.
    pub consent_scope: Option<String>,
    /// A reference to the evidence (give this or `consent_wording`).
    pub consent_ref: Option<String>,
    /// The wording the callee agreed to.
    pub consent_wording: Option<String>,
    /// When consent lapses (same formats as `consent_time`).
    pub consent_expiry: Option<String>,
}

/// Imports a contact file into a list (created if missing), in one
/// transaction. Rows with errors are skipped and reported; a file that cannot
/// be imported at all (empty, damaged, no number column, bad consent fields)
/// is `422 invalid` and writes nothing. `409` when the server cannot import.
#[utoipa::path(post, path = "/api/v1/contact-lists/import", tag = "contacts",
    request_body(content = ImportContactsForm, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportSummaryDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn import(
    State(state): State<AppState>,
    who: Principal,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<ImportSummaryDto>> {
    let t = who.tenant_for(TENANT_ADMINS)?;
    let body = body.map_err(|_| contact_import::too_large())?;
    let form = crate::multipart::read(&headers, body).await?;
    let req = contact_import::check_form(&form, state.clock.now())?;
    Ok(Json(
        contact_import::import(&state, t, req, &who.actor).await?,
    ))
}

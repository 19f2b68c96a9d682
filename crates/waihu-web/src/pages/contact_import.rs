//! Importing a contact list in the back office: the upload form shown on
//! `/contacts` to admins, and `POST /contacts/import`, which answers with the
//! result page — the counts and the table of skipped rows (row, column, reason,
//! detail) with a link to the list. The form is a plain `multipart/form-data`
//! post carrying the session's `_csrf` field (no script needed); a refused file
//! or field shows the form again with the message. The import itself is
//! `waihu-app`'s, behind [`ContactImporter`](crate::contacts::import::ContactImporter).

use super::{csrf_field, layout, PageCtx};
use crate::auth::principal::TENANT_ADMINS;
use crate::contacts::import::{self as contact_import, ImportSummaryDto, MAX_FILE};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::Msg;
use crate::multipart::Form;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};

/// The encodings offered, with their labels (`None`: translated "detect").
const ENCODINGS: [(&str, Option<&str>); 3] = [
    ("auto", None),
    ("utf-8", Some("UTF-8")),
    ("gb18030", Some("GB18030")),
];

/// The upload form (admins), or a notice when the server cannot import;
/// `typed` refills the text fields after a refused submission.
pub fn form(ctx: &PageCtx, state: &AppState, typed: Option<&Form>) -> Markup {
    let val = |k: &str| typed.and_then(|f| f.text(k)).unwrap_or_default();
    let enc = typed
        .and_then(|f| f.text("encoding"))
        .unwrap_or_else(|| "auto".into());
    html! {
        div.card #contacts-import {
            h2 { (ctx.t(Msg::ImportContacts)) }
            @if state.contact_importer.is_none() {
                div.notice.warn #contacts-import-off { (ctx.t(Msg::ImportOff)) }
            } @else {
                p.hint { (ctx.t(Msg::ImportContactsHint)) " (≤ " (MAX_FILE >> 20) " MiB)" }
                form.stack method="post" action="/contacts/import" enctype="multipart/form-data" {
                    (csrf_field(ctx))
                    label { (ctx.t(Msg::ListName)) input type="text" name="list" required maxlength="100" value=(val("list")); }
                    label { (ctx.t(Msg::ContactFile))
                        input type="file" name="file" required accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"; }
                    label { (ctx.t(Msg::FileEncoding))
                        select name="encoding" {
                            @for (v, label) in ENCODINGS {
                                option value=(v) selected[enc == v] { (label.unwrap_or(ctx.t(Msg::EncodingAuto))) }
                            }
                        }
                    }
                    label { (ctx.t(Msg::NumberColumn)) input type="text" name="number_column" placeholder=(ctx.t(Msg::AutoDetect)) value=(val("number_column")); }
                    label { (ctx.t(Msg::NameColumn)) input type="text" name="name_column" placeholder=(ctx.t(Msg::AutoDetect)) value=(val("name_column")); }
                    fieldset {
                        legend { (ctx.t(Msg::ImportConsent)) }
                        p.hint { (ctx.t(Msg::ImportConsentHint)) }
                        label { (ctx.t(Msg::ConsentSource)) input type="text" name="consent_source" placeholder="web_form" value=(val("consent_source")); }
                        label { (ctx.t(Msg::ConsentTime)) input type="text" name="consent_time" placeholder="2026-03-01 09:30" value=(val("consent_time")); }
                        label { (ctx.t(Msg::ConsentScope)) input type="text" name="consent_scope" placeholder="marketing" value=(val("consent_scope")); }
                        label { (ctx.t(Msg::ConsentRef)) input type="text" name="consent_ref" placeholder="FORM-2026-001" value=(val("consent_ref")); }
                    }
                    button type="submit" { (ctx.t(Msg::ImportButton)) }
                }
            }
        }
    }
}

fn result_page(ctx: &PageCtx, state: &AppState, s: &ImportSummaryDto) -> Markup {
    let stat = |label: Msg, value: u64, id: &str| {
        html! { div.stat id=(id) { div.label { (ctx.t(label)) } div.value { (value) } } }
    };
    html! {
        div.notice.ok #import-done { (ctx.t(Msg::ImportResultTitle)) ": " strong { (s.list_name) } }
        div.grid {
            (stat(Msg::ImportedCount, s.imported, "import-imported"))
            (stat(Msg::DuplicatesCount, s.duplicates, "import-duplicates"))
            (stat(Msg::RejectedCount, s.rejected, "import-rejected"))
            (stat(Msg::OnDncCount, s.on_dnc, "import-on-dnc"))
        }
        div.card {
            h2 { (ctx.t(Msg::RowErrors)) }
            @if (s.errors.len() as u64) < s.errors_total {
                p.hint { (ctx.t(Msg::RowErrorsShown)) " " (s.errors_total) }
            }
            table #import-errors {
                thead { tr {
                    th { (ctx.t(Msg::RowNo)) } th { (ctx.t(Msg::ColumnName)) }
                    th { (ctx.t(Msg::Reason)) } th { (ctx.t(Msg::ErrorDetail)) }
                } }
                tbody {
                    @for e in &s.errors {
                        tr {
                            td.mono { (e.row) }
                            td { (e.column) }
                            td {
                                @if let Some(m) = reason_msg(&e.reason) { span.reason { (ctx.t(m)) } " " }
                                code { (e.reason) }
                            }
                            td { (e.detail) }
                        }
                    }
                    @if s.errors.is_empty() { tr { td.empty colspan="4" { (ctx.t(Msg::NoRows)) } } }
                }
            }
        }
        p.actions {
            a.btn #view-list href={ "/contacts/" (s.list_id) } { (ctx.t(Msg::ViewList)) }
            a.btn.secondary href="/contacts" { (ctx.t(Msg::Back)) }
        }
        details {
            summary { (ctx.t(Msg::ImportAnother)) }
            (form(ctx, state, None))
        }
    }
}

/// `POST /contacts/import` (admins): imports the file and shows the result.
pub async fn submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Response> {
    let t = ctx.who.tenant_for(TENANT_ADMINS)?;
    let body = body.map_err(|_| contact_import::too_large())?;
    let typed = crate::multipart::read(&headers, body).await?;
    let outcome = match contact_import::check_form(&typed, state.clock.now()) {
        Ok(req) => contact_import::import(&state, t, req, &ctx.who.actor).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(summary) => {
            let body = result_page(&ctx, &state, &summary);
            Ok(layout::page(&ctx, ctx.t(Msg::ImportResultTitle), body).into_response())
        }
        Err(e) if e.code == ErrorCode::Invalid => Ok(refused(&ctx, &state, &typed, &e)),
        Err(e) => Err(e),
    }
}

/// `GET /contacts/import` (a reload of the result page): back to the lists.
pub async fn back() -> Redirect {
    Redirect::to("/contacts")
}

/// The form again with why the file or a field was refused (422).
fn refused(ctx: &PageCtx, state: &AppState, typed: &Form, e: &AppError) -> Response {
    let body = html! {
        div.notice.bad #import-error data-field=[e.field.as_deref()] {
            strong { (ctx.t(Msg::ImportFailed)) } br;
            @if let Some(f) = &e.field { code { (f) } ": " }
            (e.message)
        }
        (form(ctx, state, Some(typed)))
        p { a.btn.secondary href="/contacts" { (ctx.t(Msg::Back)) } }
    };
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        layout::page(ctx, ctx.t(Msg::ImportContacts), body),
    )
        .into_response()
}

/// The words for a row error's stable reason code (the code stays shown too).
fn reason_msg(reason: &str) -> Option<Msg> {
    Some(match reason {
        "missing_number" => Msg::RowMissingNumber,
        "invalid_number" => Msg::RowInvalidNumber,
        "duplicate" => Msg::RowDuplicate,
        "no_consent" => Msg::RowNoConsent,
        "invalid_consent" => Msg::RowInvalidConsent,
        "consent_expired" => Msg::RowConsentExpired,
        "invalid_timezone" => Msg::RowInvalidTimezone,
        _ => return None,
    })
}

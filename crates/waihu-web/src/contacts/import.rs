//! Importing a contact list from the back office or the API, shared by both: the
//! multipart form (list name, CSV/XLSX file, encoding, column mapping,
//! import-wide consent evidence) is checked here, then handed to a
//! [`ContactImporter`]: `waihu-app`'s `WebImport` in the server (validation,
//! hashing, encryption, one store transaction — exactly the code `waihu import
//! contacts` runs), a recording fake in handler tests.

use crate::error::{AppError, AppResult, ErrorCode};
use crate::multipart::Form;
use crate::state::AppState;
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use waihu_contacts::{ColumnMapping, ConsentInput, Encoding, ImportOptions};
use waihu_core::TenantId;
use waihu_store::Actor;

/// Largest file accepted (bytes).
pub const MAX_FILE: usize = waihu_contacts::MAX_FILE_BYTES;
/// Largest request body: the file plus the form's other fields.
pub const MAX_BODY: usize = MAX_FILE + (64 << 10);
/// Longest list name (characters).
pub const MAX_LIST_NAME: usize = 100;

pub use waihu_app::contact_import::{
    ContactImporter, ImportRejected, ImportSummaryDto, RowErrorView,
};

/// A checked import request.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// The list name.
    pub list: String,
    /// The file's content.
    pub bytes: Vec<u8>,
    /// How to read it.
    pub opts: ImportOptions,
}

/// The importer, or a clear 409 when the server has none.
fn importer(state: &AppState) -> AppResult<&dyn ContactImporter> {
    state.contact_importer.as_deref().ok_or_else(|| {
        AppError::new(
            ErrorCode::Conflict,
            "importing contacts is not set up on this server",
        )
    })
}

/// `2026-03-01 09:30` (or with seconds, or a `T`) in China Standard Time.
fn china_time(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    let naive = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())?;
    FixedOffset::east_opt(8 * 3600)?
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// A consent time: RFC 3339, or `2026-03-01 09:30` (China Standard Time).
fn parse_time(raw: &str, field: &str) -> AppResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| china_time(raw))
        .ok_or_else(|| {
            AppError::invalid(
                field,
                format!("{raw:?} is not a time: use 2026-03-01T09:30:00+08:00 or 2026-03-01 09:30 (China time)"),
            )
        })
}

/// Checks the form's fields and file. Field names: `list`, `file`, `encoding`,
/// `number_column`, `name_column`, `consent_source`, `consent_time`,
/// `consent_scope`, `consent_ref`, `consent_wording`, `consent_expiry`.
pub fn check_form(form: &Form, now: DateTime<Utc>) -> AppResult<ImportRequest> {
    let list = form
        .text("list")
        .ok_or_else(|| AppError::invalid("list", "give the contact list a name"))?;
    if list.chars().count() > MAX_LIST_NAME || list.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "list",
            format!(
                "a list name is at most {MAX_LIST_NAME} characters, without control characters"
            ),
        ));
    }
    let file = form
        .part("file")
        .filter(|p| !p.data.is_empty())
        .ok_or_else(|| AppError::invalid("file", "choose a CSV or XLSX file"))?;
    if file.data.len() > MAX_FILE {
        return Err(too_large());
    }
    let mut opts = ImportOptions::new(now);
    if let Some(e) = form.text("encoding") {
        opts.encoding = e
            .parse::<Encoding>()
            .map_err(|e| AppError::invalid("encoding", e.to_string()))?;
    }
    opts.mapping = ColumnMapping {
        number: form.text("number_column"),
        name: form.text("name_column"),
        ..ColumnMapping::default()
    };
    let time = |f: &str| form.text(f).map(|v| parse_time(&v, f)).transpose();
    let input = ConsentInput {
        source: form.text("consent_source"),
        given_at: time("consent_time")?,
        scope: form.text("consent_scope"),
        reference: form.text("consent_ref"),
        wording: form.text("consent_wording"),
        expires_at: time("consent_expiry")?,
    };
    opts.consent = input.evidence().map_err(|e| {
        let field = match e.field() {
            "reference" => "consent_ref".to_string(),
            f => format!("consent_{f}"),
        };
        AppError::invalid(&field, e.to_string())
    })?;
    Ok(ImportRequest {
        list,
        bytes: file.data.to_vec(),
        opts,
    })
}

/// The answer to a body over [`MAX_BODY`] (or unreadable): `413`.
pub fn too_large() -> AppError {
    crate::body_limit::too_large(MAX_FILE).with_field("file")
}

/// Imports a checked request; a whole-file rejection is `422 invalid` on `file`.
pub async fn import(
    state: &AppState,
    tenant: TenantId,
    req: ImportRequest,
    actor: &Actor,
) -> AppResult<ImportSummaryDto> {
    let imp = importer(state)?;
    imp.import(tenant, &req.list, req.bytes, req.opts, actor)
        .await
        .map_err(|e| match e {
            ImportRejected::File(_) => AppError::invalid("file", e.to_string()),
            ImportRejected::Internal(m) => AppError::internal(m),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::multipart::Part;
    use axum::body::Bytes;

    fn form(fields: &[(&str, &str)]) -> Form {
        Form {
            parts: fields
                .iter()
                .map(|(k, v)| Part {
                    name: k.to_string(),
                    file_name: (*k == "file").then(|| "a.csv".to_string()),
                    content_type: None,
                    data: Bytes::from(v.to_string()),
                })
                .collect(),
        }
    }

    #[test]
    fn fields_map_to_options() {
        let f = form(&[
            ("list", "vip"),
            ("file", "phone\n13800138000\n"),
            ("encoding", "gb18030"),
            ("number_column", "手机"),
            ("consent_source", "web_form"),
            ("consent_time", "2026-03-01 09:30"),
            ("consent_scope", "marketing"),
            ("consent_ref", "F-1"),
        ]);
        let r = check_form(&f, Utc::now()).unwrap();
        assert_eq!(r.list, "vip");
        assert_eq!(r.opts.encoding, Encoding::Gb18030);
        assert_eq!(r.opts.mapping.number.as_deref(), Some("手机"));
        assert!(r.opts.mapping.name.is_none());
        let c = r.opts.consent.unwrap();
        assert_eq!(c.given_at.to_rfc3339(), "2026-03-01T01:30:00+00:00");
    }

    #[test]
    fn bad_fields_name_the_field() {
        let field = |fields: &[(&str, &str)]| {
            check_form(&form(fields), Utc::now())
                .unwrap_err()
                .field
                .unwrap_or_default()
        };
        assert_eq!(field(&[("file", "x")]), "list");
        assert_eq!(field(&[("list", "a")]), "file");
        let base = [("list", "a"), ("file", "x")];
        assert_eq!(
            field(&[base[0], base[1], ("encoding", "latin1")]),
            "encoding"
        );
        assert_eq!(
            field(&[base[0], base[1], ("consent_source", "web_form")]),
            "consent_time"
        );
        assert_eq!(
            field(&[base[0], base[1], ("consent_time", "yesterday")]),
            "consent_time"
        );
    }
}

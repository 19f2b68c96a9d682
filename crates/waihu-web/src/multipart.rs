//! `multipart/form-data` bodies, read whole (the route's body limit bounds them)
//! and split into their parts. Used by the file-upload forms of the back office
//! and the API, and by the anti-CSRF guard to find the `_csrf` field of such a
//! form. Any malformed body is a `400 bad_request`, never a panic or a 500.

use crate::error::{AppError, AppResult, ErrorCode};
use axum::body::Bytes;
use axum::http::HeaderMap;
use std::convert::Infallible;

/// One part of a form.
#[derive(Debug, Clone)]
pub struct Part {
    /// The field name.
    pub name: String,
    /// The file name, for a file field.
    pub file_name: Option<String>,
    /// The part's own `Content-Type`, if given.
    pub content_type: Option<String>,
    /// The content.
    pub data: Bytes,
}

impl Part {
    /// The content as text (lossy), trimmed.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).trim().to_string()
    }
}

/// A parsed form: its parts in order.
#[derive(Debug, Clone, Default)]
pub struct Form {
    /// The parts, as sent.
    pub parts: Vec<Part>,
}

impl Form {
    /// The first part named `name`.
    pub fn part(&self, name: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.name == name)
    }

    /// The text of field `name`; `None` when absent or blank.
    pub fn text(&self, name: &str) -> Option<String> {
        self.part(name).map(Part::text).filter(|s| !s.is_empty())
    }
}

/// The boundary of a `multipart/form-data` request, if it is one.
pub fn boundary(headers: &HeaderMap) -> Option<String> {
    let ct = headers
        .get(axum::http::header::CONTENT_TYPE)?
        .to_str()
        .ok()?;
    multer::parse_boundary(ct).ok()
}

fn bad(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::BadRequest, message)
}

/// Splits `body`, sent with `boundary`, into its parts.
pub async fn parse(boundary: &str, body: Bytes) -> AppResult<Form> {
    let stream = futures_util::stream::once(async move { Ok::<Bytes, Infallible>(body) });
    let mut mp = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(bad(format!("malformed multipart form: {e}"))),
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let content_type = field.content_type().map(|m| m.to_string());
        let data = field
            .bytes()
            .await
            .map_err(|e| bad(format!("malformed multipart form: {e}")))?;
        parts.push(Part {
            name,
            file_name,
            content_type,
            data,
        });
    }
    Ok(Form { parts })
}

/// Reads a multipart request's form; a request of another type is `400`.
pub async fn read(headers: &HeaderMap, body: Bytes) -> AppResult<Form> {
    let b = boundary(headers).ok_or_else(|| {
        bad("send the form as multipart/form-data (Content-Type with a boundary)")
    })?;
    parse(&b, body).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn parts_are_split_and_garbage_is_refused() {
        let body = "--XX\r\nContent-Disposition: form-data; name=\"list\"\r\n\r\n vip \r\n\
            --XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\nphone\n1\r\n--XX--\r\n";
        let form = parse("XX", Bytes::from(body)).await.unwrap();
        assert_eq!(form.text("list").as_deref(), Some("vip"));
        let f = form.part("file").unwrap();
        assert_eq!(f.file_name.as_deref(), Some("a.csv"));
        assert_eq!(&f.data[..], b"phone\n1");
        assert!(form.text("missing").is_none());
        let err = parse("XX", Bytes::from_static(b"garbage"))
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::BadRequest);
    }
}

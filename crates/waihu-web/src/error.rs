//! One error type for every handler. API routes render it as
//! `{"error":{"code","message","field"}}` with a stable code; page routes turn the
//! same value into a localised HTML page (see `pages::error_pages`). Internal
//! details are logged, never sent to the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use waihu_store::StoreError;

/// The stable error codes, with their HTTP status. Clients match on the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// Not logged in, or the credentials are wrong.
    Unauthorized,
    /// Logged in, but the role does not allow this.
    Forbidden,
    /// The anti-CSRF token is missing or wrong.
    CsrfFailed,
    /// No such resource (or it belongs to another tenant).
    NotFound,
    /// A unique name is taken, or the state does not allow the change.
    Conflict,
    /// The input breaks a rule; `field` names it when known.
    Invalid,
    /// The request body could not be read.
    BadRequest,
    /// The route exists but not with this method.
    MethodNotAllowed,
    /// Too many failed logins: temporarily locked.
    LockedOut,
    /// The caller's tenant is suspended: it may sign in, read and export only.
    TenantSuspended,
    /// The request body is larger than the route accepts (docs/api.md).
    PayloadTooLarge,
    /// Something failed on our side.
    Internal,
}

impl ErrorCode {
    /// The code as clients see it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::CsrfFailed => "csrf_failed",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Invalid => "invalid",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::LockedOut => "locked_out",
            ErrorCode::TenantSuspended => "tenant_suspended",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::Internal => "internal",
        }
    }

    /// The HTTP status that goes with the code.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden | ErrorCode::CsrfFailed | ErrorCode::TenantSuspended => {
                StatusCode::FORBIDDEN
            }
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::LockedOut => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A failed request.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}: {message}", code.as_str())]
pub struct AppError {
    /// The stable code.
    pub code: ErrorCode,
    /// A human-readable explanation (English; pages add a localised title).
    pub message: String,
    /// The input field at fault, when known.
    pub field: Option<String>,
    /// The message in the page's language, for pages that show it (the public
    /// pages); the JSON body keeps the English `message`.
    pub local: Option<crate::i18n::Msg>,
}

impl AppError {
    /// An error with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            local: None,
        }
    }
    /// Not logged in.
    pub fn unauthorized() -> Self {
        Self::new(ErrorCode::Unauthorized, "authentication required")
    }
    /// The role does not allow this.
    pub fn forbidden() -> Self {
        Self::new(ErrorCode::Forbidden, "your role does not allow this")
    }
    /// A resource that does not exist for this caller.
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }
    /// Invalid input in `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::Invalid,
            message: message.into(),
            field: Some(field.into()),
            local: None,
        }
    }
    /// Adds the message in the page's language.
    pub fn localised(mut self, msg: crate::i18n::Msg) -> Self {
        self.local = Some(msg);
        self
    }
    /// Adds the field at fault.
    pub fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.into());
        self
    }
    /// An internal failure; the cause is logged here and not sent to the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        Self::new(ErrorCode::Internal, "internal error")
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => AppError::not_found(what),
            StoreError::Conflict(m) => AppError::new(ErrorCode::Conflict, m),
            StoreError::Invalid(m) => AppError::new(ErrorCode::Invalid, m),
            other => AppError::internal(other),
        }
    }
}

/// The JSON body of an error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable code: unauthorized, forbidden, csrf_failed, not_found, conflict,
    /// invalid, bad_request, method_not_allowed, locked_out, tenant_suspended,
    /// internal.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// The input field at fault, if known.
    pub field: Option<String>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.as_str().into(),
                message: self.message.clone(),
                field: self.field.clone(),
            },
        };
        let mut resp = (self.code.status(), Json(body)).into_response();
        // Page routes re-render this as HTML (see `pages::error_pages`).
        resp.extensions_mut().insert(self);
        resp
    }
}

/// Shorthand for handler results.
pub type AppResult<T> = Result<T, AppError>;

/// Parses an id from the path; an unparsable id is simply not found (the same
/// answer as another tenant's id, so ids reveal nothing).
pub fn parse_id<T: std::str::FromStr>(raw: &str, what: &str) -> AppResult<T> {
    raw.parse().map_err(|_| AppError::not_found(what))
}

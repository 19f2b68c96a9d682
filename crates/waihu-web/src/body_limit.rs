//! Request body limits, one per kind of route: JSON API bodies and back-office
//! forms are small; file uploads (contact lists, prompt audio) have their own
//! larger limits on their routes. A body over its route's limit is refused with
//! `413 payload_too_large` before more of it is read, so no request can make
//! the server hold more than its route's limit in memory.

use crate::error::{AppError, ErrorCode};

/// Largest JSON body of the API, and the default of every route without its own
/// limit (a script's YAML travels in JSON; the largest shipped is ~20 KiB).
pub const JSON_MAX: usize = 1 << 20;
/// Largest `application/x-www-form-urlencoded` body of the back office.
pub const FORM_MAX: usize = 1 << 20;

/// The `413` answer for a body over `limit` bytes.
pub fn too_large(limit: usize) -> AppError {
    let shown = if limit >= 1 << 20 {
        format!("{} MiB", limit >> 20)
    } else {
        format!("{} KiB", limit >> 10)
    };
    AppError::new(
        ErrorCode::PayloadTooLarge,
        format!("the request body is larger than {shown}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_is_413_and_names_the_limit() {
        let e = too_large(32 << 20);
        assert_eq!(e.code.status().as_u16(), 413);
        assert_eq!(e.code.as_str(), "payload_too_large");
        assert!(e.message.contains("32 MiB"), "{}", e.message);
        assert!(too_large(16 << 10).message.contains("16 KiB"));
    }
}

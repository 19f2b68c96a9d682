//! Phone numbers typed into the back office or sent to the API: normalised to
//! E.164 (default region CN), then only ever kept as the keyed hash and the
//! masked form. The full number is never stored, logged or sent back.

use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;
use waihu_compliance::pii::{mask, PhoneHash};
use waihu_contacts::phone::Normaliser;

/// A typed number, reduced to what the store needs.
#[derive(Debug, Clone)]
pub struct TypedNumber {
    /// Keyed hash of the E.164 form.
    pub hash: PhoneHash,
    /// Masked form for display and audit (138****5678).
    pub masked: String,
}

/// The error when the server was started without the PII keys.
pub fn keys_missing() -> AppError {
    AppError::new(
        ErrorCode::Conflict,
        "phone-number keys are not configured on this server",
    )
}

/// Parses `raw` (field `field`) and hashes it with the server's key.
pub fn parse(state: &AppState, raw: &str, field: &str) -> AppResult<TypedNumber> {
    let key = state.phone_key.as_ref().ok_or_else(keys_missing)?;
    let e164 = Normaliser::new(phonenumber::country::Id::CN)
        .normalise(raw)
        .map_err(|_| AppError::invalid(field, "not a valid phone number"))?;
    Ok(TypedNumber {
        hash: key.hash(&e164),
        masked: mask(&e164),
    })
}

/// A required reason: trimmed, non-empty, at most 200 characters.
pub fn reason(raw: Option<&str>) -> AppResult<String> {
    let r = raw.map(str::trim).unwrap_or("");
    if r.is_empty() {
        return Err(AppError::invalid("reason", "a reason is required"));
    }
    if r.chars().count() > 200 {
        return Err(AppError::invalid(
            "reason",
            "the reason is longer than 200 characters",
        ));
    }
    Ok(r.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_required_and_bounded() {
        assert_eq!(reason(Some("  complaint ")).unwrap(), "complaint");
        for bad in [None, Some(""), Some("   ")] {
            assert_eq!(reason(bad).unwrap_err().field.as_deref(), Some("reason"));
        }
        assert!(reason(Some(&"x".repeat(201))).is_err());
    }
}

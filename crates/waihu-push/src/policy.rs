//! What may leave the platform with a lead: the consent gate (PIPL §23 — personal
//! data goes to a third party only when the contact's consent scope says so) and
//! the phone-number rule (masked unless the tenant enabled full numbers).

use crate::lead::PresentedNumber;

/// Whether a lead may be pushed at all: only when the contact's consent scope
/// includes passing data on (`share_leads`). Callers get the flag from
/// `ConsentRecord::allows_lead_sharing`, which also checks withdrawal and expiry.
pub fn may_push(consent_share_leads: bool) -> bool {
    consent_share_leads
}

/// The number to put in a lead. The full number is used only when the tenant
/// enabled full numbers *and* it is at hand; otherwise the masked form, so a
/// missing decryption never widens what leaves the platform.
pub fn present_number(
    masked: &str,
    full: Option<&str>,
    tenant_allows_full: bool,
) -> PresentedNumber {
    match full {
        Some(full) if tenant_allows_full && !full.trim().is_empty() => PresentedNumber {
            text: full.to_string(),
            is_full: true,
        },
        _ => PresentedNumber {
            text: masked.to_string(),
            is_full: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_is_masked_unless_tenant_allows_and_full_is_known() {
        let cases = [
            (Some("+8613812345678"), true, "+8613812345678", true),
            (Some("+8613812345678"), false, "138****5678", false),
            (None, true, "138****5678", false),
            (Some("  "), true, "138****5678", false),
            (None, false, "138****5678", false),
        ];
        for (full, allows, text, is_full) in cases {
            let n = present_number("138****5678", full, allows);
            assert_eq!(n.text, text, "full={full:?} allows={allows}");
            assert_eq!(n.is_full, is_full, "full={full:?} allows={allows}");
        }
    }

    #[test]
    fn only_share_leads_consent_pushes() {
        assert!(may_push(true));
        assert!(!may_push(false));
    }
}

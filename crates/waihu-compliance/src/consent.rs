//! Consent evidence: where and when the callee agreed, to what (scope), in which words
//! or under which reference, until when. A contact without valid evidence is never
//! dialled (docs/compliance.md).

use crate::purpose::{InvalidPurpose, Purpose};
use chrono::{DateTime, Utc};
use waihu_core::TenantId;

/// The words the callee agreed to, or a reference to where they are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvidenceRef {
    /// A reference to the evidence (form id, contract number, document URL …).
    Reference(String),
    /// The wording the callee agreed to.
    Wording(String),
}

/// Consent evidence as given at import time, before it is tied to a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentEvidence {
    /// Where consent was collected, e.g. `web_form`, `in_store`, `customer_agreement`.
    pub source: String,
    /// When consent was given.
    pub given_at: DateTime<Utc>,
    /// The purposes it covers (never empty once parsed).
    pub purposes: Vec<Purpose>,
    /// Whether leads may be passed to other systems (PIPL §23).
    pub share_leads: bool,
    /// The wording or a reference to it.
    pub evidence: EvidenceRef,
    /// When consent lapses, if it does.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A consent scope text is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidScope {
    /// No purpose named.
    #[error("consent scope names no purpose (expected PURPOSE[,PURPOSE…][,share_leads])")]
    NoPurpose,
    /// A part is not a purpose name.
    #[error(transparent)]
    Purpose(#[from] InvalidPurpose),
    /// `verification` cannot be consented to: it needs no consent.
    #[error("the purpose 'verification' needs no consent and cannot be part of a consent scope")]
    Verification,
}

impl ConsentEvidence {
    /// Parses a scope text `PURPOSE[,PURPOSE…][,share_leads]` into (purposes, share_leads).
    /// Parts are trimmed; `；`/`;` and `，` separate like `,` because spreadsheets mix them.
    pub fn parse_scope(text: &str) -> Result<(Vec<Purpose>, bool), InvalidScope> {
        let mut purposes = Vec::new();
        let mut share = false;
        for part in text
            .split([',', ';', '，', '；'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            if part == "share_leads" {
                share = true;
                continue;
            }
            let p = Purpose::parse(part)?;
            if p.is_verification() {
                return Err(InvalidScope::Verification);
            }
            if !purposes.contains(&p) {
                purposes.push(p);
            }
        }
        if purposes.is_empty() {
            return Err(InvalidScope::NoPurpose);
        }
        Ok((purposes, share))
    }

    /// Whether the scope names `purpose`.
    pub fn covers(&self, purpose: &Purpose) -> bool {
        self.purposes.iter().any(|p| p == purpose)
    }
}

/// Consent evidence held for one contact of one tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    /// The tenant the consent was given to (scope: which tenant).
    pub tenant: TenantId,
    /// The evidence.
    pub evidence: ConsentEvidence,
    /// When the callee withdrew consent, if they did.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

impl ConsentRecord {
    /// Why this record does not allow `tenant` to call for `purpose` at `now`, or
    /// `None` when it does. Half-open: consent expiring at `now` is already expired.
    pub fn problem(
        &self,
        tenant: TenantId,
        purpose: &Purpose,
        now: DateTime<Utc>,
    ) -> Option<String> {
        let e = &self.evidence;
        if let Some(at) = self.withdrawn_at {
            return Some(format!("consent withdrawn at {}", at.to_rfc3339()));
        }
        if let Some(exp) = e.expires_at {
            if exp <= now {
                return Some(format!("consent expired at {}", exp.to_rfc3339()));
            }
        }
        if e.given_at > now {
            return Some(format!(
                "consent time {} is in the future",
                e.given_at.to_rfc3339()
            ));
        }
        if self.tenant != tenant {
            return Some("consent scope does not cover this tenant".to_string());
        }
        if !e.covers(purpose) {
            return Some(format!(
                "consent scope does not cover the purpose '{purpose}'"
            ));
        }
        None
    }

    /// Whether a lead of this contact may be pushed to an outside system at `now`.
    pub fn allows_lead_sharing(&self, tenant: TenantId, now: DateTime<Utc>) -> bool {
        self.tenant == tenant
            && self.withdrawn_at.is_none()
            && self.evidence.share_leads
            && self.evidence.given_at <= now
            && self.evidence.expires_at.is_none_or(|x| x > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_parsing() {
        let (p, share) = ConsentEvidence::parse_scope("marketing, share_leads").unwrap_or_default();
        assert_eq!(p.len(), 1);
        assert!(share);
        let (p, share) = ConsentEvidence::parse_scope("marketing；survey").unwrap_or_default();
        assert_eq!(
            p.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
            ["marketing", "survey"]
        );
        assert!(!share);
        assert_eq!(
            ConsentEvidence::parse_scope("share_leads"),
            Err(InvalidScope::NoPurpose)
        );
        assert_eq!(
            ConsentEvidence::parse_scope(" "),
            Err(InvalidScope::NoPurpose)
        );
        assert_eq!(
            ConsentEvidence::parse_scope("verification"),
            Err(InvalidScope::Verification)
        );
        assert!(matches!(
            ConsentEvidence::parse_scope("Sales!"),
            Err(InvalidScope::Purpose(_))
        ));
    }
}

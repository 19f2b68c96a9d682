//! Import-wide consent evidence as typed by a person (CLI flags, a web form, API
//! query parameters), validated into one [`ConsentEvidence`]: all of source, time and
//! scope, and exactly one of reference or wording — or nothing at all.

use chrono::{DateTime, Utc};
use waihu_compliance::{ConsentEvidence, EvidenceRef, InvalidScope};

/// The consent fields of one import, each optional as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsentInput {
    /// Where consent was collected (`web_form`, `in_store`, …).
    pub source: Option<String>,
    /// When consent was given.
    pub given_at: Option<DateTime<Utc>>,
    /// `PURPOSE[,PURPOSE…][,share_leads]`.
    pub scope: Option<String>,
    /// A reference to the evidence (form id, contract number, …).
    pub reference: Option<String>,
    /// The wording the callee agreed to.
    pub wording: Option<String>,
    /// When consent lapses.
    pub expires_at: Option<DateTime<Utc>>,
}

/// The consent fields do not make one evidence record; `field()` names the culprit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsentInputError {
    /// Some fields were given, but not source, time and scope together.
    #[error("consent evidence needs source, time and scope together (missing: {0})")]
    Missing(&'static str),
    /// Neither or both of reference and wording.
    #[error("consent evidence needs exactly one of reference or wording")]
    EvidenceRef,
    /// The scope does not parse.
    #[error("consent scope {text:?}: {source}")]
    Scope {
        /// The scope as given.
        text: String,
        /// Why it does not parse.
        source: InvalidScope,
    },
}

impl ConsentInputError {
    /// The input field at fault: `source`, `time`, `scope` or `reference`.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Missing(f) => f,
            Self::EvidenceRef => "reference",
            Self::Scope { .. } => "scope",
        }
    }
}

impl ConsentInput {
    /// The import-wide evidence; `None` if no field was given.
    pub fn evidence(&self) -> Result<Option<ConsentEvidence>, ConsentInputError> {
        let any = self.source.is_some()
            || self.given_at.is_some()
            || self.scope.is_some()
            || self.reference.is_some()
            || self.wording.is_some();
        if !any {
            return Ok(None);
        }
        let source = self
            .source
            .clone()
            .ok_or(ConsentInputError::Missing("source"))?;
        let given_at = self.given_at.ok_or(ConsentInputError::Missing("time"))?;
        let scope = self
            .scope
            .as_deref()
            .ok_or(ConsentInputError::Missing("scope"))?;
        let evidence = match (&self.reference, &self.wording) {
            (Some(r), None) => EvidenceRef::Reference(r.clone()),
            (None, Some(w)) => EvidenceRef::Wording(w.clone()),
            _ => return Err(ConsentInputError::EvidenceRef),
        };
        let (purposes, share_leads) =
            ConsentEvidence::parse_scope(scope).map_err(|source| ConsentInputError::Scope {
                text: scope.to_string(),
                source,
            })?;
        Ok(Some(ConsentEvidence {
            source,
            given_at,
            purposes,
            share_leads,
            evidence,
            expires_at: self.expires_at,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> ConsentInput {
        ConsentInput {
            source: Some("web_form".into()),
            given_at: Some(Utc::now()),
            scope: Some("marketing".into()),
            reference: Some("F-1".into()),
            ..Default::default()
        }
    }

    #[test]
    fn nothing_given_is_no_evidence() {
        assert_eq!(ConsentInput::default().evidence(), Ok(None));
    }

    #[test]
    fn partial_input_names_the_missing_field() {
        let input = ConsentInput {
            given_at: None,
            ..full()
        };
        let err = input.evidence().unwrap_err();
        assert_eq!(err.field(), "time");
    }

    #[test]
    fn reference_and_wording_together_are_refused() {
        let input = ConsentInput {
            wording: Some("yes".into()),
            ..full()
        };
        assert_eq!(input.evidence(), Err(ConsentInputError::EvidenceRef));
    }
}

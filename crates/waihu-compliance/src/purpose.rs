//! Call purposes. A consent scope lists the purposes it covers; the dial request names
//! one. The purpose `verification` is special: a one-time-code call the callee asked
//! for — consent and do-not-call do not apply, but it has its own cap.

use std::fmt;
use std::str::FromStr;

/// A validated purpose name: `^[a-z][a-z0-9_-]{0,31}$`, e.g. `marketing`, `survey`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Purpose(String);

/// Why a text is not a purpose name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid purpose {0:?}: expected 1-32 characters, a lowercase letter then lowercase letters, digits, '_' or '-'")]
pub struct InvalidPurpose(pub String);

impl Purpose {
    /// The name of the verification purpose.
    pub const VERIFICATION: &'static str = "verification";

    /// Parses a purpose name.
    pub fn parse(s: &str) -> Result<Self, InvalidPurpose> {
        let mut chars = s.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let rest_ok =
            chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if first_ok && rest_ok && s.len() <= 32 {
            Ok(Self(s.to_string()))
        } else {
            Err(InvalidPurpose(s.to_string()))
        }
    }

    /// The verification purpose (one-time code read out to a callee who asked for it).
    pub fn verification() -> Self {
        Self(Self::VERIFICATION.to_string())
    }

    /// Whether this is the verification purpose.
    pub fn is_verification(&self) -> bool {
        self.0 == Self::VERIFICATION
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Purpose {
    type Err = InvalidPurpose;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_rejects_others() {
        assert_eq!(
            Purpose::parse("marketing").map(|p| p.to_string()),
            Ok("marketing".into())
        );
        assert!(Purpose::parse("verification").is_ok_and(|p| p.is_verification()));
        assert!(!Purpose::parse("survey-2").is_ok_and(|p| p.is_verification()));
        for bad in ["", "Marketing", "1st", "a b", &"x".repeat(33)] {
            assert!(Purpose::parse(bad).is_err(), "{bad:?}");
        }
    }
}

//! Tenant short names: `^[a-z][a-z0-9-]{1,31}$`, parsed once at the edge.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A validated tenant short name, e.g. `acme-shop`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantName(String);

/// Why a text is not a tenant name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid tenant name {name:?}: {why} (expected 2-32 characters: a lowercase letter, then lowercase letters, digits or '-')")]
pub struct InvalidTenantName {
    /// The rejected text.
    pub name: String,
    /// What is wrong with it.
    pub why: &'static str,
}

impl TenantName {
    /// Parses and validates a tenant name.
    pub fn parse(s: &str) -> Result<Self, InvalidTenantName> {
        let err = |why| InvalidTenantName {
            name: s.to_string(),
            why,
        };
        let mut chars = s.chars();
        match chars.next() {
            None => return Err(err("it is empty")),
            Some(c) if !c.is_ascii_lowercase() => {
                return Err(err("it must start with a lowercase letter"))
            }
            Some(_) => {}
        }
        if s.len() < 2 {
            return Err(err("it is too short"));
        }
        if s.len() > 32 {
            return Err(err("it is too long"));
        }
        if !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            return Err(err("it contains a character other than a-z, 0-9 or '-'"));
        }
        Ok(Self(s.to_string()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for TenantName {
    type Err = InvalidTenantName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for TenantName {
    type Error = InvalidTenantName;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<TenantName> for String {
    fn from(n: TenantName) -> String {
        n.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_rejects_by_the_documented_pattern() {
        for ok in [
            "ab",
            "acme",
            "acme-shop-2",
            "a1234567890123456789012345678901",
        ] {
            assert!(TenantName::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "a",
            "1acme",
            "-acme",
            "Acme",
            "acme_shop",
            "商户",
            "a12345678901234567890123456789012",
        ] {
            assert!(TenantName::parse(bad).is_err(), "{bad}");
        }
    }
}

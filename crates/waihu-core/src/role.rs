//! Back-office roles. The operator runs the platform; admin, agent and auditor
//! belong to one tenant.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Runs the installation: tenants, quotas, trunks, caller numbers.
    Operator,
    /// A tenant's administrator.
    Admin,
    /// A tenant's sales agent: receives and re-grades leads.
    Agent,
    /// Read-only access to audit log, consent evidence and complaints.
    Auditor,
}

impl Role {
    /// The stable lowercase name used in the database, the CLI and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Admin => "admin",
            Role::Agent => "agent",
            Role::Auditor => "auditor",
        }
    }

    /// Whether users of this role belong to a tenant.
    pub fn is_tenant_role(self) -> bool {
        !matches!(self, Role::Operator)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not one of the four role names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected operator, admin, agent or auditor")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "operator" => Ok(Role::Operator),
            "admin" => Ok(Role::Admin),
            "agent" => Ok(Role::Agent),
            "auditor" => Ok(Role::Auditor),
            other => Err(UnknownRole(other.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_reject_unknown() {
        for r in [Role::Operator, Role::Admin, Role::Agent, Role::Auditor] {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!("root".parse::<Role>().is_err());
        assert!(!Role::Operator.is_tenant_role());
        assert!(Role::Agent.is_tenant_role());
    }
}

//! SIP trunks: platform-level carrier connections the operator registers. The
//! password never appears in `Debug` output.

use crate::error::{StoreError, StoreResult};
use crate::Actor;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::fmt;
use uuid::Uuid;

/// The SIP transport of a trunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// SIP over UDP.
    Udp,
    /// SIP over TCP.
    Tcp,
}

impl Transport {
    /// As stored: `udp` or `tcp`.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
        }
    }
    /// Parses `udp` or `tcp`.
    pub fn parse(s: &str) -> StoreResult<Self> {
        match s {
            "udp" => Ok(Transport::Udp),
            "tcp" => Ok(Transport::Tcp),
            other => Err(StoreError::Invalid(format!(
                "trunk transport must be udp or tcp, not {other:?}"
            ))),
        }
    }
}

/// A trunk to register.
#[derive(Clone, PartialEq)]
pub struct NewTrunk {
    /// Unique name.
    pub name: String,
    /// A SIP URI or `host:port`.
    pub address: String,
    /// Transport.
    pub transport: Transport,
    /// Digest user name, if the carrier authenticates.
    pub username: Option<String>,
    /// Digest password (never printed).
    pub password: Option<String>,
    /// Call attempts per second the carrier allows.
    pub cps_limit: f64,
}

/// A registered trunk.
#[derive(Clone, PartialEq)]
pub struct Trunk {
    /// Stable id.
    pub id: Uuid,
    /// Unique name.
    pub name: String,
    /// A SIP URI or `host:port`.
    pub address: String,
    /// Transport.
    pub transport: Transport,
    /// Digest user name.
    pub username: Option<String>,
    /// Digest password (never printed).
    pub password: Option<String>,
    /// Call attempts per second the carrier allows.
    pub cps_limit: f64,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
}

fn redacted(p: &Option<String>) -> &'static str {
    if p.is_some() {
        "Some(<redacted>)"
    } else {
        "None"
    }
}

impl fmt::Debug for NewTrunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewTrunk")
            .field("name", &self.name)
            .field("address", &self.address)
            .field("transport", &self.transport)
            .field("username", &self.username)
            .field("password", &redacted(&self.password))
            .field("cps_limit", &self.cps_limit)
            .finish()
    }
}

impl fmt::Debug for Trunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trunk")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("address", &self.address)
            .field("transport", &self.transport)
            .field("username", &self.username)
            .field("password", &redacted(&self.password))
            .field("cps_limit", &self.cps_limit)
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// Trunks (platform-level, operator).
#[async_trait]
pub trait TrunkRepo {
    /// Registers a trunk; the name must be free and the CPS limit positive.
    async fn add_trunk(&self, trunk: NewTrunk, actor: &Actor) -> StoreResult<Trunk>;
    /// All trunks, by name.
    async fn list_trunks(&self) -> StoreResult<Vec<Trunk>>;
    /// One trunk by id.
    async fn get_trunk(&self, id: Uuid) -> StoreResult<Option<Trunk>>;
    /// One trunk by name.
    async fn find_trunk(&self, name: &str) -> StoreResult<Option<Trunk>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_password() {
        let t = NewTrunk {
            name: "carrier".into(),
            address: "sip.example.invalid:5060".into(),
            transport: Transport::Udp,
            username: Some("acct".into()),
            password: Some("hunter2-secret".into()),
            cps_limit: 5.0,
        };
        let out = format!("{t:?}");
        assert!(!out.contains("hunter2-secret"), "{out}");
        assert!(out.contains("acct"), "{out}");
    }

    #[test]
    fn transports_round_trip() {
        for t in [Transport::Udp, Transport::Tcp] {
            assert_eq!(Transport::parse(t.as_str()).unwrap(), t);
        }
        assert!(Transport::parse("tls").is_err());
    }
}

//! The audit key: a secret kept outside the database (a file next to the PII key)
//! with which every new audit entry's hash is keyed (HMAC-SHA256). Someone who can
//! write to the database but has not got the key can no longer rewrite an entry and
//! recompute the hashes after it: a recomputed entry is either unkeyed (refused after
//! the switch-over) or keyed with the wrong secret.
//!
//! The key also carries its **anchor**: the chain head (`COUNT:HASH`) when the key
//! was created. Entries up to the anchor were written before the switch-over and keep
//! their unkeyed SHA-256 hashes; the anchor, recorded outside the database, makes
//! them tamper-evident too (rewriting any of them changes the hash at the anchor),
//! and every entry after it must be keyed.

use crate::audit::ChainHead;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::fmt;

/// An HMAC-SHA256 key for audit entries, with its id and the chain's anchor.
/// `Debug` never shows the key.
#[derive(Clone)]
pub struct AuditKey {
    id: String,
    mac: Hmac<Sha256>,
    anchor: ChainHead,
}

impl AuditKey {
    /// A key from its 32 bytes and the anchor recorded when it was created.
    pub fn new(key: [u8; 32], anchor: ChainHead) -> Self {
        Self {
            id: key_id(&key),
            // HMAC accepts keys of any length; 32 bytes can never be rejected.
            mac: <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap_or_else(|_| unreachable!()),
            anchor,
        }
    }

    /// The key's id: 8 hex digits derived from the key (stored with each entry, so a
    /// verifier names the key an entry needs without revealing it).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The chain head when the key was created: entries up to it are unkeyed.
    pub fn anchor(&self) -> &ChainHead {
        &self.anchor
    }

    /// A fresh keyed MAC state.
    pub(crate) fn mac(&self) -> Hmac<Sha256> {
        self.mac.clone()
    }
}

/// The id of a key: the first 4 bytes of a domain-separated SHA-256 of it, in hex.
fn key_id(key: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(b"waihu-audit-key-id\0");
    h.update(key);
    hex::encode(&h.finalize()[..4])
}

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "AuditKey({}, anchor {}, <redacted>)",
            self.id, self.anchor
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::GENESIS_HASH;

    #[test]
    fn id_is_stable_distinct_and_debug_redacts() {
        let anchor = ChainHead {
            count: 0,
            hash: GENESIS_HASH.into(),
        };
        let a = AuditKey::new([1; 32], anchor.clone());
        let b = AuditKey::new([2; 32], anchor.clone());
        assert_eq!(a.id(), AuditKey::new([1; 32], anchor).id());
        assert_ne!(a.id(), b.id());
        assert_eq!(a.id().len(), 8);
        let shown = format!("{a:?}");
        assert!(!shown.contains(&hex::encode([1u8; 32])), "{shown}");
        assert!(shown.contains("redacted"));
    }
}

//! The keyed hash of a phone number: HMAC-SHA256 under one platform-wide key, over the
//! E.164 text. The same hash is used everywhere a number must be found without being
//! stored in clear (contacts, do-not-call lists, attempt history, erasure).

use super::{key_from_hex, random_key, InvalidKey};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

/// The platform-wide HMAC key. `Debug` never shows it.
#[derive(Clone)]
pub struct PhoneKey {
    // Keyed state prepared once: hashing then only copies it (no key schedule per call).
    mac: Hmac<Sha256>,
}

/// The 32-byte keyed hash of one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneHash(pub [u8; 32]);

impl PhoneHash {
    /// Lowercase hex, 64 characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl PhoneKey {
    /// A key from 32 bytes.
    pub fn from_bytes(key: [u8; 32]) -> Self {
        // HMAC accepts keys of any length; 32 bytes can never be rejected.
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap_or_else(|_| unreachable!());
        Self { mac }
    }

    /// A key from 64 hex characters (a key file or configuration value).
    pub fn from_hex(text: &str) -> Result<Self, InvalidKey> {
        key_from_hex(text).map(Self::from_bytes)
    }

    /// A new random key and its bytes (to be written to the key file once).
    pub fn generate() -> (Self, [u8; 32]) {
        let k = random_key();
        (Self::from_bytes(k), k)
    }

    /// The keyed hash of an E.164 number.
    pub fn hash(&self, e164: &str) -> PhoneHash {
        let mut mac = self.mac.clone();
        mac.update(e164.as_bytes());
        PhoneHash(mac.finalize().into_bytes().into())
    }
}

impl fmt::Debug for PhoneKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PhoneKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_stable_and_redacted() {
        let k1 = PhoneKey::from_bytes([7; 32]);
        let k2 = PhoneKey::from_bytes([8; 32]);
        let n = "+8613812345678";
        assert_eq!(k1.hash(n), k1.hash(n));
        assert_ne!(k1.hash(n), k2.hash(n), "different keys, different hashes");
        assert_ne!(k1.hash(n), k1.hash("+8613812345679"));
        // RFC 4231-style check against an independently keyed HMAC.
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&[7; 32]).unwrap_or_else(|_| unreachable!());
        mac.update(n.as_bytes());
        assert_eq!(
            k1.hash(n).0.as_slice(),
            mac.finalize().into_bytes().as_slice()
        );
        assert_eq!(k1.hash(n).to_hex().len(), 64);
        assert_eq!(format!("{k1:?}"), "PhoneKey(<redacted>)");
        assert!(PhoneKey::from_hex(&"ab".repeat(32)).is_ok());
        assert!(PhoneKey::from_hex("abcd").is_err());
    }
}

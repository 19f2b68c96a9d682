//! Encryption of phone numbers at rest: AES-256-GCM with a random 96-bit nonce per
//! number. Sealed form: `nonce (12 bytes) || ciphertext || tag (16 bytes)`.

use super::{key_from_hex, random_key, InvalidKey};
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use std::fmt;

const NONCE_LEN: usize = 12;

/// Encrypts and decrypts numbers under one 32-byte key. `Debug` never shows the key.
#[derive(Clone)]
pub struct NumberCipher {
    aead: Aes256Gcm,
}

/// Sealed bytes could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// Shorter than nonce plus tag.
    #[error("sealed number is too short ({0} bytes)")]
    TooShort(usize),
    /// Wrong key or tampered data.
    #[error("sealed number does not authenticate (wrong key or tampered data)")]
    Authentication,
    /// Decrypted to bytes that are not UTF-8 (cannot happen for data this type sealed).
    #[error("sealed number is not text")]
    NotText,
}

impl NumberCipher {
    /// A cipher from a 32-byte key.
    pub fn from_bytes(key: [u8; 32]) -> Self {
        Self {
            aead: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)),
        }
    }

    /// A cipher from 64 hex characters.
    pub fn from_hex(text: &str) -> Result<Self, InvalidKey> {
        key_from_hex(text).map(Self::from_bytes)
    }

    /// A new random key and its bytes (to be written to the key file once, mode 0600).
    pub fn generate() -> (Self, [u8; 32]) {
        let k = random_key();
        (Self::from_bytes(k), k)
    }

    /// Encrypts a number with a fresh random nonce.
    pub fn seal(&self, number: &str) -> Vec<u8> {
        let nonce = {
            use rand::RngCore;
            let mut n = [0u8; NONCE_LEN];
            rand::rngs::OsRng.fill_bytes(&mut n);
            n
        };
        // AES-GCM encryption fails only for plaintexts over 64 GiB; a phone number never is.
        let ct = self
            .aead
            .encrypt(Nonce::from_slice(&nonce), number.as_bytes())
            .unwrap_or_default();
        let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    /// Decrypts what [`seal`](Self::seal) produced.
    pub fn open(&self, sealed: &[u8]) -> Result<String, OpenError> {
        if sealed.len() < NONCE_LEN + 16 {
            return Err(OpenError::TooShort(sealed.len()));
        }
        let (nonce, ct) = sealed.split_at(NONCE_LEN);
        let pt = self
            .aead
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| OpenError::Authentication)?;
        String::from_utf8(pt).map_err(|_| OpenError::NotText)
    }
}

impl fmt::Debug for NumberCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NumberCipher(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_random_nonce_and_tamper() {
        let c = NumberCipher::from_bytes([1; 32]);
        let a = c.seal("+8613812345678");
        let b = c.seal("+8613812345678");
        assert_ne!(a, b, "fresh nonce each time");
        assert_eq!(c.open(&a).as_deref(), Ok("+8613812345678"));
        assert_eq!(a.len(), 12 + 14 + 16);
        let mut t = a.clone();
        t[20] ^= 1;
        assert_eq!(c.open(&t), Err(OpenError::Authentication));
        assert_eq!(
            NumberCipher::from_bytes([2; 32]).open(&a),
            Err(OpenError::Authentication)
        );
        assert_eq!(c.open(&a[..10]), Err(OpenError::TooShort(10)));
        assert_eq!(format!("{c:?}"), "NumberCipher(<redacted>)");
        let (g, key) = NumberCipher::generate();
        assert_eq!(
            NumberCipher::from_bytes(key).open(&g.seal("x")).as_deref(),
            Ok("x")
        );
    }
}

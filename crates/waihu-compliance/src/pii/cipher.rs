//! Encryption of phone numbers at rest: AES-256-GCM with a random 96-bit nonce per
//! number, bound to its row and naming its key.
//!
//! Sealed form (v2): `0x02 || key id (4 bytes) || nonce (12) || ciphertext || tag (16)`,
//! with associated data `"waihu-number-v2" || tenant id (16 bytes) || keyed number
//! hash (32)`. The associated data binds a ciphertext to its tenant and to the
//! contact's number hash — the identity every lookup (do-not-call, dedupe, the gate)
//! already uses, known before the row is inserted and stable for the row's life —
//! so a ciphertext copied to another row (another number) or another tenant no
//! longer opens. Two rows sharing tenant and hash hold the same number, so moving
//! a ciphertext between them reveals nothing.
//!
//! The key id (derived from the key) lets several keys be live during a rotation:
//! a cipher seals with its current key and opens with any key it holds.
//!
//! Legacy form (v1, written before binding): `nonce (12) || ciphertext || tag` with no
//! associated data and no key id. It still opens (with any held key) until `waihu
//! keys rotate` re-seals every row and the old key is retired.

use super::{key_from_hex, random_key, InvalidKey, PhoneHash};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use sha2::{Digest, Sha256};
use std::fmt;
use waihu_core::TenantId;

const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// The first byte of a v2 sealed number.
pub const SEALED_V2: u8 = 2;
/// Version byte plus key id.
const HEADER_LEN: usize = 1 + 4;

/// A key's id: 4 bytes derived from the key, stored in front of every ciphertext.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId(pub [u8; 4]);

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl KeyId {
    /// The id of a number key.
    pub fn of(key: &[u8; 32]) -> Self {
        let mut h = Sha256::new();
        h.update(b"waihu-number-key-id\0");
        h.update(key);
        let d = h.finalize();
        Self([d[0], d[1], d[2], d[3]])
    }

    /// The v2 header (`0x02 || id`) a ciphertext sealed with this key starts with.
    pub fn header(&self) -> [u8; HEADER_LEN] {
        let [a, b, c, d] = self.0;
        [SEALED_V2, a, b, c, d]
    }
}

/// What a sealed number is bound to: the tenant owning the row and the number's
/// keyed hash (the row's identity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowBinding {
    tenant: TenantId,
    hash: PhoneHash,
}

impl RowBinding {
    /// The binding of a number stored for `tenant` under `hash`.
    pub fn new(tenant: TenantId, hash: PhoneHash) -> Self {
        Self { tenant, hash }
    }

    fn aad(&self) -> [u8; 15 + 16 + 32] {
        let mut out = [0u8; 15 + 16 + 32];
        out[..15].copy_from_slice(b"waihu-number-v2");
        out[15..31].copy_from_slice(self.tenant.0.as_bytes());
        out[31..].copy_from_slice(&self.hash.0);
        out
    }
}

#[derive(Clone)]
struct NumberKey {
    id: KeyId,
    aead: Aes256Gcm,
}

impl NumberKey {
    fn new(key: [u8; 32]) -> Self {
        Self {
            id: KeyId::of(&key),
            aead: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)),
        }
    }
}

/// Encrypts numbers under its current key and decrypts under any key it holds.
/// `Debug` never shows a key.
#[derive(Clone)]
pub struct NumberCipher {
    current: NumberKey,
    older: Vec<NumberKey>,
}

/// Sealed bytes could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// Shorter than nonce plus tag.
    #[error("sealed number is too short ({0} bytes)")]
    TooShort(usize),
    /// Sealed with a key this process does not hold.
    #[error("sealed number names key {0}, which is not in the key file (retired too early, or another installation's)")]
    UnknownKey(KeyId),
    /// Wrong key, tampered data, or a ciphertext that belongs to another row or tenant.
    #[error("sealed number does not authenticate for this tenant and number (moved from another row or tenant, tampered, or a wrong key)")]
    Authentication,
    /// Decrypted to bytes that are not UTF-8 (cannot happen for data this type sealed).
    #[error("sealed number is not text")]
    NotText,
}

impl NumberCipher {
    /// A cipher with one 32-byte key.
    pub fn from_bytes(key: [u8; 32]) -> Self {
        Self {
            current: NumberKey::new(key),
            older: Vec::new(),
        }
    }

    /// A cipher from 64 hex characters.
    pub fn from_hex(text: &str) -> Result<Self, InvalidKey> {
        key_from_hex(text).map(Self::from_bytes)
    }

    /// Also opens numbers sealed with `key` (an older key during a rotation).
    pub fn with_older(mut self, key: [u8; 32]) -> Self {
        let k = NumberKey::new(key);
        if k.id != self.current.id && self.older.iter().all(|o| o.id != k.id) {
            self.older.push(k);
        }
        self
    }

    /// A new random key and its bytes (to be written to the key file once, mode 0600).
    pub fn generate() -> (Self, [u8; 32]) {
        let k = random_key();
        (Self::from_bytes(k), k)
    }

    /// The id of the key new numbers are sealed with.
    pub fn current_id(&self) -> KeyId {
        self.current.id
    }

    /// The ids of every key held (current first).
    pub fn key_ids(&self) -> Vec<KeyId> {
        std::iter::once(self.current.id)
            .chain(self.older.iter().map(|k| k.id))
            .collect()
    }

    /// Encrypts a number for the row `binding` names, with a fresh random nonce.
    pub fn seal(&self, number: &str, binding: &RowBinding) -> Vec<u8> {
        let nonce = {
            use rand::RngCore;
            let mut n = [0u8; NONCE_LEN];
            rand::rngs::OsRng.fill_bytes(&mut n);
            n
        };
        let aad = binding.aad();
        // AES-GCM encryption fails only for plaintexts over 64 GiB; a phone number never is.
        let ct = self
            .current
            .aead
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: number.as_bytes(),
                    aad: &aad,
                },
            )
            .unwrap_or_default();
        let mut out = Vec::with_capacity(HEADER_LEN + NONCE_LEN + ct.len());
        out.extend_from_slice(&self.current.id.header());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    /// Whether `sealed` is in the v2 form under the current key (nothing to re-seal).
    pub fn is_current(&self, sealed: &[u8]) -> bool {
        sealed.len() >= HEADER_LEN + NONCE_LEN + TAG_LEN
            && sealed[..HEADER_LEN] == self.current.id.header()
    }

    /// Decrypts what [`seal`](Self::seal) produced for the same binding, or a
    /// legacy (v1) sealed number.
    pub fn open(&self, sealed: &[u8], binding: &RowBinding) -> Result<String, OpenError> {
        if sealed.len() < NONCE_LEN + TAG_LEN {
            return Err(OpenError::TooShort(sealed.len()));
        }
        let v2 = self.open_v2(sealed, binding);
        match v2 {
            Ok(pt) => return String::from_utf8(pt).map_err(|_| OpenError::NotText),
            // Not v2, or v2 that fails: a legacy ciphertext may start with the same
            // five bytes by chance (one in 2^40), so try it as legacy before failing.
            Err(_) => {
                if let Some(pt) = self.open_legacy(sealed) {
                    return String::from_utf8(pt).map_err(|_| OpenError::NotText);
                }
            }
        }
        match v2 {
            Err(Some(e)) => Err(e),
            _ => Err(OpenError::Authentication),
        }
    }

    /// `Err(None)`: not in the v2 form.
    fn open_v2(&self, sealed: &[u8], binding: &RowBinding) -> Result<Vec<u8>, Option<OpenError>> {
        if sealed.len() < HEADER_LEN + NONCE_LEN + TAG_LEN || sealed[0] != SEALED_V2 {
            return Err(None);
        }
        let id = KeyId([sealed[1], sealed[2], sealed[3], sealed[4]]);
        let key = std::iter::once(&self.current)
            .chain(self.older.iter())
            .find(|k| k.id == id)
            .ok_or(Some(OpenError::UnknownKey(id)))?;
        let (nonce, ct) = sealed[HEADER_LEN..].split_at(NONCE_LEN);
        key.aead
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: &binding.aad(),
                },
            )
            .map_err(|_| Some(OpenError::Authentication))
    }

    fn open_legacy(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        let (nonce, ct) = sealed.split_at(NONCE_LEN);
        std::iter::once(&self.current)
            .chain(self.older.iter())
            .find_map(|k| k.aead.decrypt(Nonce::from_slice(nonce), ct).ok())
    }

    /// Seals in the legacy (v1) form: unbound and without key id. Only for tests
    /// of the migration from stores written before binding.
    pub fn seal_legacy(&self, number: &str) -> Vec<u8> {
        let nonce = {
            use rand::RngCore;
            let mut n = [0u8; NONCE_LEN];
            rand::rngs::OsRng.fill_bytes(&mut n);
            n
        };
        let ct = self
            .current
            .aead
            .encrypt(Nonce::from_slice(&nonce), number.as_bytes())
            .unwrap_or_default();
        [nonce.as_slice(), &ct].concat()
    }
}

impl fmt::Debug for NumberCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NumberCipher(current {}, <redacted>)", self.current.id)
    }
}

#[cfg(test)]
mod tests {
    use super::super::PhoneKey;
    use super::*;

    fn binding(tenant: u128, number: &str) -> RowBinding {
        RowBinding::new(
            TenantId(uuid::Uuid::from_u128(tenant)),
            PhoneKey::from_bytes([3; 32]).hash(number),
        )
    }

    #[test]
    fn round_trip_random_nonce_and_tamper() {
        let c = NumberCipher::from_bytes([1; 32]);
        let b = binding(1, "+8613812345678");
        let x = c.seal("+8613812345678", &b);
        let y = c.seal("+8613812345678", &b);
        assert_ne!(x, y, "fresh nonce each time");
        assert_eq!(c.open(&x, &b).as_deref(), Ok("+8613812345678"));
        assert_eq!(x.len(), 5 + 12 + 14 + 16);
        assert!(c.is_current(&x));
        let mut t = x.clone();
        t[25] ^= 1;
        assert_eq!(c.open(&t, &b), Err(OpenError::Authentication));
        assert_eq!(c.open(&x[..10], &b), Err(OpenError::TooShort(10)));
        assert!(!format!("{c:?}").contains(&hex::encode([1u8; 32])));
        let (g, key) = NumberCipher::generate();
        assert_eq!(
            NumberCipher::from_bytes(key)
                .open(&g.seal("x", &b), &b)
                .as_deref(),
            Ok("x")
        );
    }

    #[test]
    fn a_ciphertext_moved_to_another_row_or_tenant_does_not_open() {
        let c = NumberCipher::from_bytes([1; 32]);
        let own = binding(1, "+8613812345678");
        let sealed = c.seal("+8613812345678", &own);
        let other_row = binding(1, "+8613900000000");
        let other_tenant = binding(2, "+8613812345678");
        assert_eq!(c.open(&sealed, &other_row), Err(OpenError::Authentication));
        assert_eq!(
            c.open(&sealed, &other_tenant),
            Err(OpenError::Authentication)
        );
        assert!(OpenError::Authentication
            .to_string()
            .contains("another row or tenant"));
    }

    #[test]
    fn several_keys_live_during_rotation_and_legacy_until_retired() {
        let old = NumberCipher::from_bytes([1; 32]);
        let b = binding(1, "+8613812345678");
        let sealed_old = old.seal("+8613812345678", &b);
        let legacy = old.seal_legacy("+8613812345678");
        assert_eq!(old.open(&legacy, &b).as_deref(), Ok("+8613812345678"));
        let rotating = NumberCipher::from_bytes([2; 32]).with_older([1; 32]);
        assert_eq!(rotating.key_ids().len(), 2);
        assert!(!rotating.is_current(&sealed_old));
        assert_eq!(
            rotating.open(&sealed_old, &b).as_deref(),
            Ok("+8613812345678")
        );
        assert_eq!(rotating.open(&legacy, &b).as_deref(), Ok("+8613812345678"));
        let resealed = rotating.seal("+8613812345678", &b);
        assert!(rotating.is_current(&resealed));
        // The old key retired: what it sealed no longer opens, what was resealed does.
        let retired = NumberCipher::from_bytes([2; 32]);
        assert_eq!(
            retired.open(&sealed_old, &b),
            Err(OpenError::UnknownKey(KeyId::of(&[1; 32])))
        );
        assert_eq!(retired.open(&legacy, &b), Err(OpenError::Authentication));
        assert_eq!(retired.open(&resealed, &b).as_deref(), Ok("+8613812345678"));
    }
}

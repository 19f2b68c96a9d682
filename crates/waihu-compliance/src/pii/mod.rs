//! Phone numbers as personal data: the keyed hash used to find a number without
//! storing it in clear ([`PhoneKey`]), masking for display ([`mask`]), and encryption
//! at rest ([`NumberCipher`]). Keys never appear in `Debug` output.

mod cipher;
mod hash;
mod mask;

pub use cipher::{KeyId, NumberCipher, OpenError, RowBinding};
pub use hash::{PhoneHash, PhoneKey};
pub use mask::mask;

/// A key text is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid key: expected 32 bytes as 64 hexadecimal characters")]
pub struct InvalidKey;

/// Parses a 32-byte key from 64 hex characters (surrounding whitespace ignored).
pub(crate) fn key_from_hex(text: &str) -> Result<[u8; 32], InvalidKey> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut out).map_err(|_| InvalidKey)?;
    Ok(out)
}

/// 32 random bytes from the operating system, for a new key.
pub(crate) fn random_key() -> [u8; 32] {
    use rand::RngCore;
    let mut k = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut k);
    k
}

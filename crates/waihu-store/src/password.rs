//! Passwords: the policy a new password must meet (NIST SP 800-63B style), argon2id
//! hashing with explicit parameters (PHC strings), and API-token secrets.
//!
//! The policy applies when a password is set or changed, never at sign-in: an
//! account whose older password predates it keeps signing in.

use crate::error::{StoreError, StoreResult};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::Rng;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::OnceLock;

/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_LEN: usize = 12;
/// The longest password accepted, in characters (long enough for passphrases,
/// short enough that hashing one cannot be used to load the server).
pub const MAX_PASSWORD_LEN: usize = 128;
/// argon2id memory cost in KiB (19 MiB).
pub const ARGON2_M_KIB: u32 = 19_456;
/// argon2id passes over memory.
pub const ARGON2_T: u32 = 2;
/// argon2id lanes.
pub const ARGON2_P: u32 = 1;
/// Context words shorter than this are not searched for in a password (a
/// two-letter tenant name would forbid too much).
const MIN_CONTEXT_LEN: usize = 3;

/// The 10,000 most common passwords (data/README.md says where they come from).
const COMMON: &str = include_str!("../data/common-passwords.txt");

/// Why a new password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    /// Fewer than [`MIN_PASSWORD_LEN`] characters.
    #[error("password too short: at least {MIN_PASSWORD_LEN} characters")]
    TooShort,
    /// More than [`MAX_PASSWORD_LEN`] characters.
    #[error("password too long: at most {MAX_PASSWORD_LEN} characters")]
    TooLong,
    /// Nothing but whitespace.
    #[error("password is only whitespace")]
    Blank,
    /// On the list of common passwords (or one with digits or symbols around it).
    #[error("password is too common: it is on the list of the most used passwords")]
    Common,
    /// Contains the username or the tenant's name.
    #[error("password contains the username or the tenant's name")]
    ContainsName,
}

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON.lines().filter(|l| !l.is_empty()).collect())
}

/// Checks a new password against the policy: 12–128 characters, not only
/// whitespace, not a common password (case-insensitive, also once leading and
/// trailing digits and punctuation are removed: `Password1234!`), and not
/// containing any of `context` (the username and its parts around `@`, the
/// tenant's name; case-insensitive, words of 3 characters or more).
pub fn check_password(password: &str, context: &[&str]) -> Result<(), WeakPassword> {
    let len = password.chars().count();
    if password.trim().is_empty() && len > 0 {
        return Err(WeakPassword::Blank);
    }
    if len < MIN_PASSWORD_LEN {
        return Err(WeakPassword::TooShort);
    }
    if len > MAX_PASSWORD_LEN {
        return Err(WeakPassword::TooLong);
    }
    let lower = password.to_lowercase();
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    if common().contains(lower.as_str()) || common().contains(core) {
        return Err(WeakPassword::Common);
    }
    let words = context
        .iter()
        .flat_map(|c| std::iter::once(*c).chain(c.split('@')))
        .map(|w| w.trim().to_lowercase())
        .filter(|w| w.chars().count() >= MIN_CONTEXT_LEN);
    for w in words {
        if lower.contains(&w) {
            return Err(WeakPassword::ContainsName);
        }
    }
    Ok(())
}

/// [`check_password`] as a store error (what the back office and CLI show).
pub fn require_strong(password: &str, context: &[&str]) -> StoreResult<()> {
    check_password(password, context).map_err(|e| StoreError::Invalid(e.to_string()))
}

/// The argon2id hasher with the parameters above.
fn argon2() -> StoreResult<Argon2<'static>> {
    let params = Params::new(ARGON2_M_KIB, ARGON2_T, ARGON2_P, None)
        .map_err(|e| StoreError::Password(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password with argon2id (m, t, p above) and a random salt. The policy
/// is the caller's ([`check_password`]); this only hashes.
pub fn hash_password(password: &str) -> StoreResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Password(e.to_string()))
}

/// Checks a password against a stored PHC string, with the parameters recorded
/// in it (older hashes keep verifying); a malformed hash never matches.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A new random secret of `len` characters from an unambiguous alphabet.
pub fn random_secret(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The stored form of an API token: hex SHA-256. Tokens carry 190+ bits of
/// entropy, so a fast hash is enough (unlike passwords).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_differ_by_salt_and_carry_the_parameters() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert!(verify_password("correct horse battery", &a));
        assert!(!verify_password("wrong horse battery", &a));
        assert!(!verify_password("x", "not a phc string"));
    }

    #[test]
    fn each_class_of_weak_password_is_refused() {
        let ctx = ["carl@acme", "acme"];
        let cases: &[(&str, WeakPassword)] = &[
            ("aaaaaaaaaa", WeakPassword::TooShort),
            ("1234567890", WeakPassword::TooShort),
            ("password12", WeakPassword::TooShort),
            ("           ", WeakPassword::Blank),
            ("            ", WeakPassword::Blank),
            ("\t\t\t\t\t\t\t\t\t\t\t\t", WeakPassword::Blank),
            ("qwerty123456", WeakPassword::Common),
            ("1qaz2wsx3edc", WeakPassword::Common),
            ("Password1234!", WeakPassword::Common),
            ("2024sunshine!!", WeakPassword::Common),
            ("my-carl-secret-9", WeakPassword::ContainsName),
            ("ACME-rocks-forever", WeakPassword::ContainsName),
        ];
        for (pw, why) in cases {
            assert_eq!(check_password(pw, &ctx), Err(*why), "{pw:?}");
        }
        let long = "x".repeat(MAX_PASSWORD_LEN + 1);
        assert_eq!(check_password(&long, &ctx), Err(WeakPassword::TooLong));
        let long_100k = "Zq9!".repeat(25_000);
        assert_eq!(check_password(&long_100k, &ctx), Err(WeakPassword::TooLong));
        assert_eq!(check_password(&"x".repeat(MAX_PASSWORD_LEN), &[]), Ok(()));
        for ok in [
            "correct-horse-1",
            "violet tram 42 lantern",
            "宁静的湖面倒映着远山和白云",
        ] {
            assert_eq!(check_password(ok, &ctx), Ok(()), "{ok:?}");
        }
        // Two-letter names are not searched for.
        assert_eq!(check_password("metadata-river-7", &["ta"]), Ok(()));
    }

    #[test]
    fn the_common_list_is_shipped_whole() {
        assert_eq!(common().len(), 10_000);
        assert!(common().contains("123456") && common().contains("password"));
    }
}

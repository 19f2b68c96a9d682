//! The keys that protect phone numbers at rest, loaded once per process: from the
//! configuration (`pii.hash_key`, `pii.number_key`) or from the key file, which is
//! created with mode 0600 on first use. Keys never appear in logs or the database.

use crate::config::PiiSettings;
use crate::{AppError, AppResult};
use secrecy::ExposeSecret;
use std::io::Write;
use std::path::Path;
use waihu_compliance::pii::{mask, NumberCipher, PhoneHash, PhoneKey};

/// Hashing, encryption and masking of phone numbers.
#[derive(Clone)]
pub struct Pii {
    /// HMAC-SHA256 for lookups.
    pub phone_key: PhoneKey,
    /// AES-256-GCM for storage.
    pub cipher: NumberCipher,
}

impl Pii {
    /// Loads the keys as configured (`[pii]`; the key file defaults to
    /// `<data_dir>/pii.key`), creating the key file if needed.
    pub fn load(settings: &PiiSettings, data_dir: &Path) -> AppResult<Self> {
        let path = settings.key_file_path(data_dir);
        let (mut hash_hex, mut number_hex) = (None, None);
        if settings.hash_key.is_none() || settings.number_key.is_none() {
            let (h, n) = read_or_create(&path)?;
            hash_hex = Some(h);
            number_hex = Some(n);
        }
        if let Some(k) = &settings.hash_key {
            hash_hex = Some(k.expose_secret().to_string());
        }
        if let Some(k) = &settings.number_key {
            number_hex = Some(k.expose_secret().to_string());
        }
        let phone_key = PhoneKey::from_hex(hash_hex.as_deref().unwrap_or(""))
            .map_err(|_| AppError::Config("pii.hash_key is not 64 hex characters".into()))?;
        let cipher = NumberCipher::from_hex(number_hex.as_deref().unwrap_or(""))
            .map_err(|_| AppError::Config("pii.number_key is not 64 hex characters".into()))?;
        Ok(Self { phone_key, cipher })
    }

    /// The keyed hash of an E.164 number.
    pub fn hash(&self, e164: &str) -> PhoneHash {
        self.phone_key.hash(e164)
    }

    /// The masked form (138****5678).
    pub fn mask(&self, e164: &str) -> String {
        mask(e164)
    }
}

/// Reads `hash_key=<hex>` and `number_key=<hex>` lines, creating the file with
/// fresh random keys (mode 0600) when it does not exist.
fn read_or_create(path: &Path) -> AppResult<(String, String)> {
    if !path.exists() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| AppError::io("cannot create", dir, e))?;
        }
        let (_, h) = PhoneKey::generate();
        let (_, n) = NumberCipher::generate();
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        match opts.open(path) {
            Ok(mut f) => {
                let written = writeln!(
                    f,
                    "# waihu PII keys: keep secret, back up; losing them loses every stored number"
                )
                .and_then(|()| writeln!(f, "hash_key={}", hex::encode(h)))
                .and_then(|()| writeln!(f, "number_key={}", hex::encode(n)))
                .and_then(|()| f.sync_all());
                written.map_err(|e| AppError::io("cannot write key file", path, e))?;
            }
            // Another process created it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(AppError::io("cannot create key file", path, e)),
        }
    }
    let text =
        std::fs::read_to_string(path).map_err(|e| AppError::io("cannot read key file", path, e))?;
    let (mut h, mut n) = (None, None);
    for line in text.lines().map(str::trim) {
        if let Some(v) = line.strip_prefix("hash_key=") {
            h = Some(v.to_string());
        } else if let Some(v) = line.strip_prefix("number_key=") {
            n = Some(v.to_string());
        }
    }
    match (h, n) {
        (Some(h), Some(n)) => Ok((h, n)),
        _ => Err(AppError::Config(format!(
            "key file {} lacks hash_key= or number_key=",
            path.display()
        ))),
    }
}

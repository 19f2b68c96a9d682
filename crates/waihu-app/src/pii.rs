//! The keys that protect phone numbers at rest, loaded once per process: from the
//! configuration (`pii.hash_key`, `pii.number_key`) or from the key file, which is
//! created with mode 0600 on first use and refused when group or others can read it.
//! Keys never appear in logs or the database.
//!
//! The key file holds `hash_key=` (the keyed number hash), `number_key=` (the key
//! new numbers are sealed with) and, during a rotation, `number_key_old=` lines
//! (older keys still opened). Every ciphertext names its key and is bound to its
//! tenant and number hash (`waihu_compliance::pii::RowBinding`). When a number names
//! a key this process does not hold (`waihu keys rotate` ran in another process),
//! the key file is read again, so running calls keep working during a rotation.

use crate::config::PiiSettings;
use crate::keyfile;
use crate::{AppError, AppResult};
use secrecy::ExposeSecret;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use waihu_compliance::pii::{mask, NumberCipher, OpenError, PhoneHash, PhoneKey, RowBinding};
use waihu_core::TenantId;

/// Hashing, encryption and masking of phone numbers.
#[derive(Clone)]
pub struct Pii {
    /// HMAC-SHA256 for lookups.
    pub phone_key: PhoneKey,
    /// AES-256-GCM for storage; replaced when the key file is read again.
    cipher: Arc<RwLock<NumberCipher>>,
    /// The key file the number keys came from (`None` when configured directly).
    key_file: Option<PathBuf>,
}

/// The keys of a key file.
pub struct KeyFile {
    /// `hash_key=`.
    pub hash_key: String,
    /// `number_key=`: the current number key.
    pub number_key: String,
    /// `number_key_old=` lines: older number keys still opened.
    pub number_key_old: Vec<String>,
}

impl KeyFile {
    /// The file's text.
    pub fn to_text(&self) -> String {
        let mut text = format!(
            "# waihu PII keys: keep secret, back up; losing them loses every stored number\n\
             hash_key={}\nnumber_key={}\n",
            self.hash_key, self.number_key
        );
        for old in &self.number_key_old {
            text.push_str(&format!("number_key_old={old}\n"));
        }
        text
    }

    /// The number cipher these keys make.
    pub fn cipher(&self, path: &Path) -> AppResult<NumberCipher> {
        let bad = |what: &str| {
            AppError::Config(format!(
                "key file {}: {what} is not 64 hex characters",
                path.display()
            ))
        };
        let mut cipher = NumberCipher::from_hex(&self.number_key).map_err(|_| bad("number_key"))?;
        for old in &self.number_key_old {
            let mut k = [0u8; 32];
            hex::decode_to_slice(old.trim(), &mut k).map_err(|_| bad("number_key_old"))?;
            cipher = cipher.with_older(k);
        }
        Ok(cipher)
    }
}

impl Pii {
    /// Keys given directly (tests, benchmarks).
    pub fn new(phone_key: PhoneKey, cipher: NumberCipher) -> Self {
        Self {
            phone_key,
            cipher: Arc::new(RwLock::new(cipher)),
            key_file: None,
        }
    }

    /// Loads the keys as configured (`[pii]`; the key file defaults to
    /// `<data_dir>/pii.key`), creating the key file if needed.
    pub fn load(settings: &PiiSettings, data_dir: &Path) -> AppResult<Self> {
        let path = settings.key_file_path(data_dir);
        let file = if settings.hash_key.is_none() || settings.number_key.is_none() {
            Some(read_or_create(&path)?)
        } else {
            None
        };
        let hash_hex = match (&settings.hash_key, &file) {
            (Some(k), _) => k.expose_secret().to_string(),
            (None, Some(f)) => f.hash_key.clone(),
            (None, None) => String::new(),
        };
        let phone_key = PhoneKey::from_hex(&hash_hex)
            .map_err(|_| AppError::Config("pii.hash_key is not 64 hex characters".into()))?;
        let (cipher, key_file) = match (&settings.number_key, &file) {
            (Some(k), _) => (
                NumberCipher::from_hex(k.expose_secret()).map_err(|_| {
                    AppError::Config("pii.number_key is not 64 hex characters".into())
                })?,
                None,
            ),
            (None, Some(f)) => (f.cipher(&path)?, Some(path.clone())),
            (None, None) => return Err(AppError::Config("no number key".into())),
        };
        Ok(Self {
            phone_key,
            cipher: Arc::new(RwLock::new(cipher)),
            key_file,
        })
    }

    /// The keyed hash of an E.164 number.
    pub fn hash(&self, e164: &str) -> PhoneHash {
        self.phone_key.hash(e164)
    }

    /// The masked form (138****5678).
    pub fn mask(&self, e164: &str) -> String {
        mask(e164)
    }

    /// The number cipher as now loaded.
    pub fn cipher(&self) -> NumberCipher {
        self.cipher
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Seals a number stored for `tenant` under `hash` with the current key.
    pub fn seal(&self, e164: &str, tenant: TenantId, hash: PhoneHash) -> Vec<u8> {
        self.cipher().seal(e164, &RowBinding::new(tenant, hash))
    }

    /// Opens a number stored for `tenant` under `hash`. A number sealed with a key
    /// this process does not hold has the key file read again first (a rotation
    /// in another process).
    pub fn open(
        &self,
        sealed: &[u8],
        tenant: TenantId,
        hash: PhoneHash,
    ) -> Result<String, OpenError> {
        let binding = RowBinding::new(tenant, hash);
        match self.cipher().open(sealed, &binding) {
            Err(OpenError::UnknownKey(id)) if self.reload() => {
                self.cipher().open(sealed, &binding).map_err(|e| match e {
                    OpenError::UnknownKey(_) => OpenError::UnknownKey(id),
                    other => other,
                })
            }
            other => other,
        }
    }

    /// Reads the key file again; true if the number keys could be replaced.
    pub fn reload(&self) -> bool {
        let Some(path) = &self.key_file else {
            return false;
        };
        match read_key_file(path).and_then(|f| f.cipher(path)) {
            Ok(c) => {
                *self.cipher.write().unwrap_or_else(|p| p.into_inner()) = c;
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the PII key file again");
                false
            }
        }
    }
}

/// Reads the key file, creating it with fresh random keys (mode 0600) when it does
/// not exist. A file group or others can read is refused.
fn read_or_create(path: &Path) -> AppResult<KeyFile> {
    if !path.exists() {
        let (_, h) = PhoneKey::generate();
        let (_, n) = NumberCipher::generate();
        let file = KeyFile {
            hash_key: hex::encode(h),
            number_key: hex::encode(n),
            number_key_old: Vec::new(),
        };
        // Another process may have created it first: then its keys are read below.
        keyfile::create_private(path, &file.to_text())?;
    }
    read_key_file(path)
}

/// Reads and parses the key file (permissions checked).
pub fn read_key_file(path: &Path) -> AppResult<KeyFile> {
    let text = keyfile::read_private(path)?;
    match (
        keyfile::value(&text, "hash_key"),
        keyfile::value(&text, "number_key"),
    ) {
        (Some(h), Some(n)) => Ok(KeyFile {
            hash_key: h.to_string(),
            number_key: n.to_string(),
            number_key_old: text
                .lines()
                .filter_map(|l| l.trim().strip_prefix("number_key_old="))
                .map(|v| v.trim().to_string())
                .collect(),
        }),
        _ => Err(AppError::Config(format!(
            "key file {} lacks hash_key= or number_key=",
            path.display()
        ))),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_new_key_file_is_0600_and_a_0644_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let settings = PiiSettings::default();
        Pii::load(&settings, dir.path()).unwrap();
        let path = dir.path().join("pii.key");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Pii::load(&settings, dir.path()).err().unwrap().to_string();
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains("chmod 600"), "{err}");
    }
}

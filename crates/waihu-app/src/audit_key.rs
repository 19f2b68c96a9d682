//! The audit key file (`audit.key`, next to the PII key file): the HMAC key every
//! audit entry is keyed with and the anchor, the chain head when the key was made.
//! It is created on first start (mode 0600) by reading the chain's head, so entries
//! written before it keep their plain hashes up to the anchor and every later entry
//! is keyed (see `waihu_store::audit_key`). Losing the file means the keyed part of
//! the log can no longer be verified, so a missing file is never silently replaced
//! when keyed entries exist.

use crate::keyfile;
use crate::{AppError, AppResult};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use waihu_store::{AuditKey, ChainHead, Store};

/// The audit key file: `audit.key` in the directory of the PII key file.
pub fn audit_key_path(pii_key_file: &Path) -> PathBuf {
    pii_key_file
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join("audit.key")
}

/// Loads the audit key from `path`, creating it (anchored at the chain's current
/// head) if it does not exist and no entry is keyed yet, and has `store` key every
/// new entry with it.
pub async fn load_audit_key(store: &Store, path: &Path) -> AppResult<Arc<AuditKey>> {
    if !path.exists() {
        if let Some((seq, id)) = store.audit_first_keyed().await? {
            return Err(AppError::Config(format!(
                "the audit log is keyed with audit key {id} from entry {seq} on, but the audit key file {} \
                 does not exist: restore it from the backup (a new key cannot verify the existing entries)",
                path.display()
            )));
        }
        let head = store.audit_head().await?;
        let key = {
            use rand::RngCore;
            let mut k = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut k);
            k
        };
        let text = format!(
            "# waihu audit key: keep secret and back up with the database; without it the audit log\n\
             # cannot be verified. The anchor is the log's head when this key was made.\n\
             audit_key={}\naudit_anchor={head}\n",
            hex::encode(key)
        );
        // Another process may have created it first: then its key is read below.
        keyfile::create_private(path, &text)?;
    }
    let key = Arc::new(read(path)?);
    store.use_audit_key(key.clone());
    Ok(key)
}

/// Parses the audit key file.
fn read(path: &Path) -> AppResult<AuditKey> {
    let text = keyfile::read_private(path)?;
    let bad = |what: &str| AppError::Config(format!("audit key file {}: {what}", path.display()));
    let mut key = [0u8; 32];
    let hex_key = keyfile::value(&text, "audit_key").ok_or_else(|| bad("no audit_key= line"))?;
    hex::decode_to_slice(hex_key, &mut key)
        .map_err(|_| bad("audit_key is not 64 hex characters"))?;
    let anchor: ChainHead = keyfile::value(&text, "audit_anchor")
        .ok_or_else(|| bad("no audit_anchor= line"))?
        .parse()
        .map_err(|e: String| bad(&format!("audit_anchor: {e}")))?;
    Ok(AuditKey::new(key, anchor))
}

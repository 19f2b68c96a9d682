//! The back office's prompt uploads and playback: the [`PromptAudio`] seam the
//! web calls, and [`WebPrompts`] over `waihu-speech`'s prompt library: one library per tenant under `<data.dir>/prompts/<tenant id>/`,
//! exactly where `waihu prompt add` puts them and the dialler reads them.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use waihu_core::TenantId;
use waihu_speech::prompts::PromptLibrary;

/// A prompt the library stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedPrompt {
    /// The uploaded file's name (display only).
    pub file_name: String,
    /// Length of the converted audio.
    pub duration_ms: u64,
    /// SHA-256 of the upload, lower-case hex.
    pub sha256: String,
}

/// Why the library refused an upload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PromptRejected {
    /// The upload is at fault (bad audio, bad name) rather than the server.
    pub bad_input: bool,
    /// What is wrong.
    pub message: String,
}

/// The audio side of the prompt library the back office calls ([`WebPrompts`]).
pub trait PromptAudio: Send + Sync {
    /// Validates, converts and stores `bytes` as prompt `name` of `tenant`.
    fn import(
        &self,
        tenant: TenantId,
        name: &str,
        bytes: &[u8],
        file_name: &str,
    ) -> Result<ImportedPrompt, PromptRejected>;
    /// The converted telephone audio (a WAV file) of the upload with this hash.
    fn wav_file(&self, tenant: TenantId, sha256: &str) -> Option<PathBuf>;
}

/// The tenants' libraries under one `prompts` folder, opened on first use.
pub struct WebPrompts {
    root: PathBuf,
    open: Mutex<HashMap<TenantId, Arc<PromptLibrary>>>,
}

impl WebPrompts {
    /// Libraries under `root` (the data dir's `prompts` folder).
    pub fn new(root: PathBuf) -> Self {
        Self {
            root,
            open: Mutex::new(HashMap::new()),
        }
    }

    fn library(&self, tenant: TenantId) -> Result<Arc<PromptLibrary>, PromptRejected> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(lib) = open.get(&tenant) {
            return Ok(lib.clone());
        }
        let lib = PromptLibrary::open(self.root.join(tenant.to_string()))
            .map(Arc::new)
            .map_err(|e| PromptRejected {
                bad_input: false,
                message: format!("prompt library: {e}"),
            })?;
        open.insert(tenant, lib.clone());
        Ok(lib)
    }
}

impl PromptAudio for WebPrompts {
    fn import(
        &self,
        tenant: TenantId,
        name: &str,
        bytes: &[u8],
        file_name: &str,
    ) -> Result<ImportedPrompt, PromptRejected> {
        let info = self
            .library(tenant)?
            .import(name, bytes, file_name)
            .map_err(|e| PromptRejected {
                bad_input: e.is_bad_input(),
                message: e.to_string(),
            })?;
        Ok(ImportedPrompt {
            file_name: info.file_name,
            duration_ms: info.duration_ms,
            sha256: info.sha256,
        })
    }

    fn wav_file(&self, tenant: TenantId, sha256: &str) -> Option<PathBuf> {
        self.library(tenant).ok()?.stored_file(sha256)
    }
}

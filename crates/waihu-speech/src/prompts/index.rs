//! The library's index, `index.json`: prompt name → converted file and
//! metadata. Written whole to a temporary file, synced and renamed over the
//! old one, so a crash leaves either the old or the new index, never half of
//! one. The on-disk record is its own type, so that changing [`PromptInfo`]
//! cannot silently change the file format.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::{PromptError, PromptInfo, SourceFormat};

/// Version of the index file format.
const INDEX_VERSION: u32 = 1;

/// The file as stored.
#[derive(Debug, Serialize, Deserialize)]
struct IndexFile {
    /// Format version ([`INDEX_VERSION`]).
    version: u32,
    /// One record per prompt, sorted by name.
    prompts: Vec<IndexRecord>,
}

/// One prompt as stored.
#[derive(Debug, Serialize, Deserialize)]
struct IndexRecord {
    name: String,
    sha256: String,
    duration_ms: u64,
    file_name: String,
    format: SourceFormat,
}

/// Reads the index at `path`; a missing file is an empty library.
pub(crate) fn read_index(path: &Path) -> Result<BTreeMap<String, PromptInfo>, PromptError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(PromptError::io(path)(e)),
    };
    let corrupt = |reason: String| PromptError::Index {
        path: path.to_path_buf(),
        reason,
    };
    let file: IndexFile = serde_json::from_str(&text).map_err(|e| corrupt(e.to_string()))?;
    if file.version != INDEX_VERSION {
        return Err(corrupt(format!(
            "version {} (this build reads version {INDEX_VERSION})",
            file.version
        )));
    }
    let mut prompts = BTreeMap::new();
    for r in file.prompts {
        if !is_sha256_hex(&r.sha256) {
            return Err(corrupt(format!("prompt {:?} has a bad sha256", r.name)));
        }
        let info = PromptInfo {
            name: r.name,
            duration_ms: r.duration_ms,
            sha256: r.sha256,
            file_name: r.file_name,
            format: r.format,
        };
        prompts.insert(info.name.clone(), info);
    }
    Ok(prompts)
}

/// Replaces the index at `path` with `prompts`.
pub(crate) fn write_index(
    path: &Path,
    prompts: &BTreeMap<String, PromptInfo>,
) -> Result<(), PromptError> {
    let file = IndexFile {
        version: INDEX_VERSION,
        prompts: prompts
            .values()
            .map(|p| IndexRecord {
                name: p.name.clone(),
                sha256: p.sha256.clone(),
                duration_ms: p.duration_ms,
                file_name: p.file_name.clone(),
                format: p.format,
            })
            .collect(),
    };
    let json = serde_json::to_vec_pretty(&file).map_err(|e| PromptError::Index {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    write_atomically(path, &json)
}

/// Whether `s` is 64 lower-case hex digits (and so safe as a file name).
pub(crate) fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Writes `bytes` to a temporary file beside `path`, syncs it and renames it
/// over `path`.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), PromptError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(
        ".tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let tmp: PathBuf = path.with_file_name(tmp_name);
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        // Best effort: do not leave the partial file behind.
        let _ = std::fs::remove_file(&tmp);
        return Err(PromptError::io(path)(e));
    }
    Ok(())
}

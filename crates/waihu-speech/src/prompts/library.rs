//! [`PromptLibrary`]: a directory of converted prompts. An upload is
//! validated and converted once to 8 kHz mono 16-bit WAV, stored as
//! `<dir>/<sha256-of-source>.wav` (so the same file uploaded twice is stored
//! once), and listed by name in `<dir>/index.json`. Loading reads the
//! converted file (no decoding or resampling) and keeps it in memory.
//!
//! One process owns a library directory: the index is guarded by a mutex,
//! not by a file lock.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use super::cache::{AudioCache, DEFAULT_CACHE_SAMPLES};
use super::decode::{decode_prompt, PromptLimits};
use super::index::{read_index, write_atomically, write_index};
use super::name::{clean_file_name, validate_name};
use super::{PromptError, SourceFormat};
use crate::wav::{encode_wav_8k, WavError};
use crate::SAMPLE_RATE;

/// Name of the index file inside the library directory.
const INDEX_FILE: &str = "index.json";

/// A prompt in the library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptInfo {
    /// The name scripts use (`prompt: <name>`).
    pub name: String,
    /// Length of the converted audio.
    pub duration_ms: u64,
    /// SHA-256 of the uploaded bytes, lower-case hex; names the stored file.
    pub sha256: String,
    /// The uploaded file's name, for display only (last path component).
    pub file_name: String,
    /// The format found in the upload's content.
    pub format: SourceFormat,
}

/// Size and modification time of a prompt file referenced by path, with the
/// hash of its content when last read.
#[derive(Debug, Clone, PartialEq)]
struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
    sha256: String,
}

/// A directory of prompts converted to telephone audio, with an in-memory
/// cache. Cheap to share behind an `Arc`; all methods take `&self`.
#[derive(Debug)]
pub struct PromptLibrary {
    /// The library directory.
    dir: PathBuf,
    /// What uploads may be.
    limits: PromptLimits,
    /// Prompts by name, as in `index.json`.
    index: Mutex<BTreeMap<String, PromptInfo>>,
    /// Converted audio by source hash.
    cache: AudioCache,
    /// Files referenced by path, by canonical path.
    files: Mutex<HashMap<PathBuf, FileStamp>>,
}

impl PromptLibrary {
    /// Opens (creating if needed) the library in `dir` with default limits.
    /// Fails if the directory cannot be created or its index is corrupt.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, PromptError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(PromptError::io(&dir))?;
        let index = read_index(&dir.join(INDEX_FILE))?;
        Ok(Self {
            dir,
            limits: PromptLimits::default(),
            index: Mutex::new(index),
            cache: AudioCache::new(DEFAULT_CACHE_SAMPLES),
            files: Mutex::new(HashMap::new()),
        })
    }

    /// Replaces the upload limits.
    pub fn with_limits(mut self, limits: PromptLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The upload limits in force.
    pub fn limits(&self) -> PromptLimits {
        self.limits
    }

    /// The library directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Validates `bytes` (a WAV or MP3 upload; `file_name_hint` is only
    /// recorded for display, the format comes from the content), converts it
    /// to 8 kHz mono and stores it under `name`, replacing any prompt of that
    /// name. Nothing is stored when the upload is refused.
    pub fn import(
        &self,
        name: &str,
        bytes: &[u8],
        file_name_hint: &str,
    ) -> Result<PromptInfo, PromptError> {
        validate_name(name)?;
        let decoded = decode_prompt(bytes, &self.limits)?;
        let sha256 = sha256_hex(bytes);
        let audio: Arc<[i16]> = decoded.samples.into();
        let stored = self.stored_path(&sha256);
        let created = !stored.is_file();
        if created {
            let wav = encode_wav_8k(&[&audio]).map_err(|e| PromptError::Stored {
                path: stored.clone(),
                source: e,
            })?;
            write_atomically(&stored, &wav)?;
        }
        let info = PromptInfo {
            name: name.to_string(),
            duration_ms: audio.len() as u64 * 1000 / u64::from(SAMPLE_RATE),
            sha256: sha256.clone(),
            file_name: clean_file_name(file_name_hint),
            format: decoded.format,
        };
        let mut index = self.lock_index();
        let previous = index.insert(name.to_string(), info.clone());
        if let Err(e) = write_index(&self.dir.join(INDEX_FILE), &index) {
            // Undo, so memory matches the index on disk.
            match previous {
                Some(p) => index.insert(name.to_string(), p),
                None => index.remove(name),
            };
            if created && !is_referenced(&index, &sha256) {
                let _ = std::fs::remove_file(&stored);
            }
            return Err(e);
        }
        if let Some(p) = previous {
            self.forget_if_unreferenced(&index, &p.sha256);
        }
        drop(index);
        self.cache.insert(&sha256, audio);
        Ok(info)
    }

    /// The audio of prompt `name`: 8 kHz mono PCM, shared.
    pub fn load(&self, name: &str) -> Result<Arc<[i16]>, PromptError> {
        let sha256 = self
            .get(name)
            .ok_or_else(|| PromptError::NotFound(name.to_string()))?
            .sha256;
        if let Some(hit) = self.cache.get(&sha256) {
            return Ok(hit);
        }
        let audio = self.read_stored(&sha256)?;
        self.cache.insert(&sha256, audio.clone());
        Ok(audio)
    }

    /// The audio of a prompt file referenced by a path relative to
    /// `base_dir` (a script's `audio:`), converted once and then served from
    /// the library's store and cache. Absolute paths, `..` and symbolic
    /// links leading out of `base_dir` are refused. A changed file (size or
    /// modification time) is converted again.
    pub fn load_file(&self, base_dir: &Path, relative: &str) -> Result<Arc<[i16]>, PromptError> {
        let bad = |reason| PromptError::BadPath {
            path: relative.to_string(),
            reason,
        };
        let rel = Path::new(relative);
        if relative.is_empty() {
            return Err(bad("it is empty"));
        }
        if rel
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(bad("only paths below the script's directory are allowed"));
        }
        let base = base_dir.canonicalize().map_err(PromptError::io(base_dir))?;
        let full = base_dir.join(rel);
        let path = full.canonicalize().map_err(PromptError::io(&full))?;
        if !path.starts_with(&base) {
            return Err(bad("it leads out of the script's directory"));
        }
        let meta = std::fs::metadata(&path).map_err(PromptError::io(&path))?;
        if !meta.is_file() {
            return Err(bad("it is not a regular file"));
        }
        if meta.len() > self.limits.max_bytes as u64 {
            return Err(PromptError::TooLarge {
                bytes: usize::try_from(meta.len()).unwrap_or(usize::MAX),
                limit: self.limits.max_bytes,
            });
        }
        let (len, modified) = (meta.len(), meta.modified().ok());
        let known = self.lock_files().get(&path).cloned();
        if let Some(stamp) = known.filter(|s| s.len == len && s.modified == modified) {
            if let Some(hit) = self.cache.get(&stamp.sha256) {
                return Ok(hit);
            }
        }
        let bytes = std::fs::read(&path).map_err(PromptError::io(&path))?;
        let sha256 = sha256_hex(&bytes);
        let audio = match self.read_stored(&sha256) {
            Ok(audio) => audio,
            Err(_) => {
                let audio: Arc<[i16]> = decode_prompt(&bytes, &self.limits)?.samples.into();
                let stored = self.stored_path(&sha256);
                let wav = encode_wav_8k(&[&audio]).map_err(|e| PromptError::Stored {
                    path: stored.clone(),
                    source: e,
                })?;
                write_atomically(&stored, &wav)?;
                audio
            }
        };
        self.cache.insert(&sha256, audio.clone());
        self.lock_files().insert(
            path,
            FileStamp {
                len,
                modified,
                sha256,
            },
        );
        Ok(audio)
    }

    /// The prompt called `name`, if any.
    pub fn get(&self, name: &str) -> Option<PromptInfo> {
        self.lock_index().get(name).cloned()
    }

    /// All prompts, sorted by name.
    pub fn list(&self) -> Vec<PromptInfo> {
        self.lock_index().values().cloned().collect()
    }

    /// Removes prompt `name` (and its converted file when no other name uses
    /// it). Returns what was removed, `None` if there was no such prompt.
    pub fn remove(&self, name: &str) -> Result<Option<PromptInfo>, PromptError> {
        let mut index = self.lock_index();
        let Some(removed) = index.remove(name) else {
            return Ok(None);
        };
        if let Err(e) = write_index(&self.dir.join(INDEX_FILE), &index) {
            index.insert(name.to_string(), removed);
            return Err(e);
        }
        self.forget_if_unreferenced(&index, &removed.sha256);
        Ok(Some(removed))
    }

    /// Path of the converted file for a source hash.
    /// The converted telephone audio (8 kHz mono WAV) of the upload with this
    /// hash, when it is in the library; `None` for anything that is not a
    /// 64-digit hex hash (never a path outside the library).
    pub fn stored_file(&self, sha256: &str) -> Option<PathBuf> {
        let hex = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
        let path = self.stored_path(sha256);
        (hex && path.is_file()).then_some(path)
    }

    fn stored_path(&self, sha256: &str) -> PathBuf {
        self.dir.join(format!("{sha256}.wav"))
    }

    /// Reads a converted file: our own 8 kHz mono 16-bit WAV, so the samples
    /// are taken as they are, without decoding or resampling.
    fn read_stored(&self, sha256: &str) -> Result<Arc<[i16]>, PromptError> {
        let path = self.stored_path(sha256);
        let damaged = |source: WavError| PromptError::Stored {
            path: path.clone(),
            source,
        };
        let hound_err = |e: hound::Error| match e {
            hound::Error::IoError(io) => WavError::Io(io),
            other => WavError::Malformed(other.to_string()),
        };
        let file = std::fs::File::open(&path).map_err(|e| damaged(WavError::Io(e)))?;
        let mut reader = hound::WavReader::new(std::io::BufReader::new(file))
            .map_err(|e| damaged(hound_err(e)))?;
        let spec = reader.spec();
        let expected = (SAMPLE_RATE, 1, 16, hound::SampleFormat::Int);
        if (
            spec.sample_rate,
            spec.channels,
            spec.bits_per_sample,
            spec.sample_format,
        ) != expected
        {
            return Err(damaged(WavError::Unsupported(format!(
                "{spec:?} is not 8 kHz mono 16-bit"
            ))));
        }
        reader
            .samples::<i16>()
            .collect::<Result<Vec<i16>, _>>()
            .map(Arc::from)
            .map_err(|e| damaged(hound_err(e)))
    }

    /// Deletes the converted file and cached audio of `sha256` unless
    /// another prompt still uses it.
    fn forget_if_unreferenced(&self, index: &BTreeMap<String, PromptInfo>, sha256: &str) {
        if is_referenced(index, sha256) {
            return;
        }
        // A failed delete only leaves an orphan file; the index is already right.
        let _ = std::fs::remove_file(self.stored_path(sha256));
        self.cache.remove(sha256);
    }

    fn lock_index(&self) -> MutexGuard<'_, BTreeMap<String, PromptInfo>> {
        // The map is replaced entry by entry, never left half-updated.
        self.index.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_files(&self) -> MutexGuard<'_, HashMap<PathBuf, FileStamp>> {
        self.files.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Whether any prompt in `index` uses the source `sha256`.
fn is_referenced(index: &BTreeMap<String, PromptInfo>, sha256: &str) -> bool {
    index.values().any(|p| p.sha256 == sha256)
}

/// Lower-case hex SHA-256 of `bytes`.
fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

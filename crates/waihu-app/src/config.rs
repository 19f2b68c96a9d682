//! The configuration sections of the application services (`[pii]`, `[llm]`,
//! `[speech]`, `[dialler]`, `[verification]`; `[rights]` is
//! [`crate::rights::RightsConfig`]). The binary layers them from defaults, file,
//! environment and flags; the services take them as typed values.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The verification calls that read one-time codes to callees (public pages).
/// Off while `caller_number` is empty.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VerificationSettings {
    /// The platform's own tenant (name) the calls are placed and counted for; it
    /// must own `caller_number`.
    pub tenant: String,
    /// The trunk (name, as `waihu trunk add`) the calls go out on.
    pub trunk: String,
    /// The caller number shown (E.164), verified and assigned to `tenant`. An
    /// environment variable `+8610…` arrives as a number; it is read back as E.164.
    #[serde(deserialize_with = "number_text")]
    pub caller_number: String,
    /// Give up on a ringing verification call after this many seconds.
    pub ring_timeout_secs: u64,
}

/// A phone number given as text, or as a bare number (environment variables
/// holding `+86…` are parsed as integers).
fn number_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Int(u64),
        Signed(i64),
    }
    Ok(match Raw::deserialize(d)? {
        Raw::Text(s) => s,
        Raw::Int(n) => format!("+{n}"),
        Raw::Signed(n) => format!("+{}", n.unsigned_abs()),
    })
}

impl Default for VerificationSettings {
    fn default() -> Self {
        Self {
            tenant: "platform".into(),
            trunk: String::new(),
            caller_number: String::new(),
            ring_timeout_secs: 45,
        }
    }
}

/// Which recogniser live calls use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AsrEngineSetting {
    /// The built-in whisper.cpp engine with the ggml model at `speech.model`.
    Whisper,
    /// An OpenAI-compatible `/v1/audio/transcriptions` server at `speech.url`.
    Openai,
    /// Recognises only the virtual callee's phrases (from the behaviour file at
    /// `speech.phrasebook`): for tests and benchmarks that must not depend on a model.
    Phrasebook,
}

/// Speech recognition for live calls.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpeechSettings {
    /// The engine.
    pub asr: AsrEngineSetting,
    /// The ggml Whisper model; default `<data.dir>/models/ggml-base.bin`.
    pub model: Option<PathBuf>,
    /// Recognition worker threads; 0 = one per core.
    pub workers: usize,
    /// Base URL of the transcription server (`openai`), e.g. `http://gpu-box:8000/v1`.
    pub url: String,
    /// The model name the transcription server expects.
    pub url_model: String,
    /// The virtual callee's behaviour file (`phrasebook`).
    pub phrasebook: Option<PathBuf>,
}

impl Default for SpeechSettings {
    fn default() -> Self {
        Self {
            asr: AsrEngineSetting::Whisper,
            model: None,
            workers: 0,
            url: String::new(),
            url_model: "whisper-1".into(),
            phrasebook: None,
        }
    }
}

/// The task scheduler and its SIP user agent.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiallerSettings {
    /// Whether `waihu serve` runs the scheduler (dials running tasks).
    pub enabled: bool,
    /// This process's name in claims (reconciliation after a crash is per worker).
    pub worker: String,
    /// Where the SIP user agent listens (UDP and TCP).
    pub sip_listen: SocketAddr,
    /// Milliseconds between scheduler passes.
    pub tick_ms: u64,
    /// Hang up any call after this many seconds.
    pub max_call_secs: u64,
    /// Keep two-channel recordings under `<data.dir>/recordings`.
    pub record: bool,
    /// Give up on a ringing call after this many seconds (`no_answer`).
    pub ring_timeout_secs: u64,
}

impl Default for DiallerSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            worker: "main".into(),
            sip_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            tick_ms: 500,
            max_call_secs: 600,
            record: true,
            ring_timeout_secs: 30,
        }
    }
}

/// The optional LLM intent classifier (OpenAI-compatible chat completions), asked
/// only when the rules find no intent. Off while `base_url` is empty.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LlmSettings {
    /// e.g. `http://127.0.0.1:8000/v1`; empty = off.
    pub base_url: String,
    /// The model name the server expects.
    pub model: String,
    /// Give up after this many milliseconds (the rules' answer stands).
    pub timeout_ms: u64,
    /// Bearer token, if the server needs one.
    pub api_key: Option<SecretString>,
}

impl Default for LlmSettings {
    fn default() -> Self {
        Self {
            base_url: String::new(),
            model: "gpt-4o-mini".into(),
            timeout_ms: 800,
            api_key: None,
        }
    }
}

/// Keys protecting phone numbers at rest: an AEAD key (encryption) and a
/// platform-wide HMAC key (lookups). Given as 64 hex characters each, or kept in a
/// key file that is created (mode 0600) on first use.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PiiSettings {
    /// The key file; default `<data.dir>/pii.key`.
    pub key_file: Option<PathBuf>,
    /// HMAC-SHA256 key for number lookups (hex); overrides the key file.
    pub hash_key: Option<SecretString>,
    /// AES-256-GCM key for number encryption (hex); overrides the key file.
    pub number_key: Option<SecretString>,
}

/// The default Whisper model's file name (what `scripts/fetch-asr-model.sh` makes).
pub const DEFAULT_MODEL: &str = "ggml-base.bin";

impl SpeechSettings {
    /// The Whisper model file: `speech.model` when set; otherwise
    /// `<data dir>/models/ggml-base.bin` if it is there, else the one
    /// `scripts/fetch-asr-model.sh` put in its cache (`$WAIHU_CACHE`, default
    /// `~/.cache/waihu`, then `models/`) if that is there, else the data-dir path
    /// (which the engine then reports missing, saying how to get it).
    pub fn model_path(&self, data_dir: &Path) -> PathBuf {
        resolve_model(
            self.model.as_deref(),
            data_dir,
            fetch_cache_dir().as_deref(),
        )
    }
}

/// The cache directory of `scripts/fetch-asr-model.sh`: `$WAIHU_CACHE`, or
/// `$HOME/.cache/waihu`.
pub fn fetch_cache_dir() -> Option<PathBuf> {
    match std::env::var_os("WAIHU_CACHE") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(|h| PathBuf::from(h).join(".cache").join("waihu")),
    }
}

/// Where the model is, given the configured path, the data directory and the
/// fetch script's cache directory (see [`SpeechSettings::model_path`]).
pub fn resolve_model(configured: Option<&Path>, data_dir: &Path, cache: Option<&Path>) -> PathBuf {
    if let Some(path) = configured {
        return path.to_path_buf();
    }
    let in_data = data_dir.join("models").join(DEFAULT_MODEL);
    if in_data.is_file() {
        return in_data;
    }
    match cache.map(|c| c.join("models").join(DEFAULT_MODEL)) {
        Some(cached) if cached.is_file() => cached,
        _ => in_data,
    }
}

impl PiiSettings {
    /// The key file: `pii.key_file`, or `<data dir>/pii.key`.
    pub fn key_file_path(&self, data_dir: &Path) -> PathBuf {
        self.key_file
            .clone()
            .unwrap_or_else(|| data_dir.join("pii.key"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_is_found_in_the_fetch_cache_when_the_data_dir_has_none() {
        let data = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let in_data = data.path().join("models").join(DEFAULT_MODEL);
        let cached = cache.path().join("models").join(DEFAULT_MODEL);
        // Neither exists: the data-dir path, which the engine reports missing.
        assert_eq!(
            resolve_model(None, data.path(), Some(cache.path())),
            in_data
        );
        std::fs::create_dir_all(cached.parent().unwrap()).unwrap();
        std::fs::write(&cached, b"ggml").unwrap();
        assert_eq!(resolve_model(None, data.path(), Some(cache.path())), cached);
        // A model in the data directory wins over the cache.
        std::fs::create_dir_all(in_data.parent().unwrap()).unwrap();
        std::fs::write(&in_data, b"ggml").unwrap();
        assert_eq!(
            resolve_model(None, data.path(), Some(cache.path())),
            in_data
        );
        // A configured path always wins, present or not.
        let configured = Path::new("/elsewhere/model.bin");
        assert_eq!(
            resolve_model(Some(configured), data.path(), Some(cache.path())),
            configured
        );
    }
}

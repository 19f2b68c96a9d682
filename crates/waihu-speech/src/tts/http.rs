//! An adapter for the OpenAI-compatible `POST /v1/audio/speech` API, served
//! by OpenAI and by self-hosted engines (Kokoro-FastAPI, openedai-speech,
//! CosyVoice and others behind compatible servers): for natural voices
//! where espeak-ng's robotic one will not do. The request is JSON
//! `{"model", "input", "voice", "response_format": "wav"}` (plus `speed`
//! when set); the WAV answer is decoded at any rate and format — streamed
//! headers with unfilled sizes included — and resampled to 8 kHz. A server
//! that ignores `response_format` and sends MP3 works too.
//! Plain HTTP is always available; HTTPS needs the crate feature `https`.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use super::{Lang, Tts, TtsError};
use crate::prompts::{decode_audio, PromptError, PromptLimits, Strictness};

/// Most bytes of response accepted (about 5 minutes of 48 kHz 16-bit mono).
const MAX_RESPONSE: usize = 32 << 20;
/// Longest synthesised audio accepted.
const MAX_AUDIO_MS: u64 = 10 * 60 * 1000;

/// Settings of [`HttpTts`].
#[derive(Debug, Clone)]
pub struct HttpTtsConfig {
    /// Base URL, e.g. `http://tts-box:8880` (the path `/v1/audio/speech` is
    /// appended).
    pub base_url: String,
    /// Bearer token, if the server wants one (redacted in `Debug`).
    pub api_key: Option<SecretString>,
    /// Model name sent in the `model` field (e.g. `tts-1`, `kokoro`).
    pub model: String,
    /// Voice for Mandarin text.
    pub voice_mandarin: String,
    /// Voice for English text.
    pub voice_english: String,
    /// Speaking speed sent in the `speed` field (OpenAI: 0.25–4.0), or
    /// `None` to leave it to the server.
    pub speed: Option<f32>,
    /// Whole-request timeout.
    pub timeout: Duration,
}

impl HttpTtsConfig {
    /// Model `tts-1`, voice `alloy` for both languages, no key, server's
    /// speed, a 30 s timeout (long sentences take seconds on a CPU server).
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            api_key: None,
            model: "tts-1".to_string(),
            voice_mandarin: "alloy".to_string(),
            voice_english: "alloy".to_string(),
            speed: None,
            timeout: Duration::from_secs(30),
        }
    }
}

/// The JSON request body.
#[derive(Debug, Serialize)]
struct SpeechRequest<'a> {
    model: &'a str,
    input: &'a str,
    voice: &'a str,
    response_format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    speed: Option<f32>,
}

/// Text-to-speech by an OpenAI-compatible HTTP server. Uncached: wrap it
/// in [`super::CachedTts`] so each script sentence is fetched once.
#[derive(Debug)]
pub struct HttpTts {
    /// Settings.
    config: HttpTtsConfig,
    /// The endpoint URL.
    url: String,
    /// HTTP client with a connection pool.
    agent: ureq::Agent,
}

impl HttpTts {
    /// A client for the server in `config` (no request is made yet).
    pub fn new(config: HttpTtsConfig) -> Self {
        let url = format!("{}/v1/audio/speech", config.base_url.trim_end_matches('/'));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .http_status_as_error(false)
            .build()
            .into();
        Self { config, url, agent }
    }

    /// The endpoint requests go to.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Tts for HttpTts {
    fn synthesize(&self, text: &str, lang: Lang) -> Result<Vec<i16>, TtsError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let voice = match lang {
            Lang::Mandarin => &self.config.voice_mandarin,
            Lang::English => &self.config.voice_english,
        };
        let body = serde_json::to_vec(&SpeechRequest {
            model: &self.config.model,
            input: text,
            voice,
            response_format: "wav",
            speed: self.config.speed,
        })
        .map_err(|e| TtsError::Failed(format!("encoding the request: {e}")))?;
        let mut request = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json");
        if let Some(key) = &self.config.api_key {
            let bearer = format!("Bearer {}", key.expose_secret());
            request = request.header("Authorization", bearer);
        }
        let failed = |what: &str, e: ureq::Error| TtsError::Failed(format!("{what}: {e}"));
        let mut response = request
            .send(&body[..])
            .map_err(|e| failed(&format!("POST {}", self.url), e))?;
        let status = response.status();
        let bytes = response
            .body_mut()
            .with_config()
            // One byte over the limit, so an over-long answer is reported as such.
            .limit(MAX_RESPONSE as u64 + 1)
            .read_to_vec()
            .map_err(|e| failed(&format!("reading the answer of {}", self.url), e))?;
        if !status.is_success() {
            let excerpt: String = String::from_utf8_lossy(&bytes).chars().take(200).collect();
            return Err(TtsError::Failed(format!(
                "{} answered {status}: {}",
                self.url,
                excerpt.trim()
            )));
        }
        let limits = PromptLimits {
            max_bytes: MAX_RESPONSE,
            max_duration_ms: MAX_AUDIO_MS,
        };
        match decode_audio(&bytes, &limits, Strictness::Lenient) {
            Ok(decoded) => Ok(decoded.samples),
            Err(e @ PromptError::NoAudio(_)) => Err(TtsError::BadOutput(format!(
                "{} returned no audio for {} characters of text ({e})",
                self.url,
                text.chars().count()
            ))),
            Err(e) => Err(TtsError::BadOutput(format!("{}: {e}", self.url))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_key_is_not_printed() {
        let mut c = HttpTtsConfig::new("http://127.0.0.1:1");
        c.api_key = Some("sk-secret".into());
        assert!(!format!("{c:?}").contains("sk-secret"));
    }

    #[test]
    fn request_body_has_the_documented_fields() {
        let json = serde_json::to_value(SpeechRequest {
            model: "tts-1",
            input: "您好",
            voice: "alloy",
            response_format: "wav",
            speed: None,
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"model":"tts-1","input":"您好","voice":"alloy","response_format":"wav"})
        );
    }

    #[test]
    fn url_joins_base_and_path() {
        let tts = HttpTts::new(HttpTtsConfig::new("http://h:1/"));
        assert_eq!(tts.url(), "http://h:1/v1/audio/speech");
    }
}

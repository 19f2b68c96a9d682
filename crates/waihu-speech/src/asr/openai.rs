//! An adapter for the OpenAI-compatible `POST /v1/audio/transcriptions` API,
//! served by whisper.cpp's server, faster-whisper servers, vLLM and cloud
//! services: for users with a GPU box. The utterance is sent as a 16 kHz
//! 16-bit WAV (whisper.cpp's server accepts nothing else) in a
//! `multipart/form-data` body with `model`, `language`, `temperature=0` and
//! `response_format=verbose_json`; a plain `{"text": ...}` answer is
//! accepted too. The text goes through the same simplified-Chinese
//! conversion and repeated-output guard as the built-in engine.
//! Plain HTTP is always available; HTTPS needs the crate feature `https`.

use std::io::Cursor;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::guard::collapse_repeats;
use super::{Asr, AsrError, Transcript, TranscriptSegment};
use crate::resample::resample_i16;
use crate::SAMPLE_RATE;

/// The rate sent to the server.
const UPLOAD_RATE: u32 = 16_000;
/// Most bytes of response accepted.
const MAX_RESPONSE: u64 = 1 << 20;

/// Settings of [`OpenAiAsr`].
#[derive(Debug, Clone)]
pub struct OpenAiConfig {
    /// Base URL, e.g. `http://gpu-box:8080` (the path
    /// `/v1/audio/transcriptions` is appended).
    pub base_url: String,
    /// Bearer token, if the server wants one (redacted in `Debug`).
    pub api_key: Option<SecretString>,
    /// Model name sent in the `model` field (e.g. `whisper-1`).
    pub model: String,
    /// Language code sent in the `language` field, or `None` to omit it.
    pub language: Option<String>,
    /// Whole-request timeout.
    pub timeout: Duration,
}

impl OpenAiConfig {
    /// Mandarin recognition at `base_url` with model `whisper-1`, no key,
    /// a 10 s timeout.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            api_key: None,
            model: "whisper-1".to_string(),
            language: Some("zh".to_string()),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Speech recognition by an OpenAI-compatible HTTP server.
#[derive(Debug)]
pub struct OpenAiAsr {
    /// Settings.
    config: OpenAiConfig,
    /// The endpoint URL.
    url: String,
    /// HTTP client with a connection pool.
    agent: ureq::Agent,
}

impl OpenAiAsr {
    /// A client for the server in `config` (no request is made yet).
    pub fn new(config: OpenAiConfig) -> Self {
        let url = format!(
            "{}/v1/audio/transcriptions",
            config.base_url.trim_end_matches('/')
        );
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .http_status_as_error(false)
            .build()
            .into();
        Self { config, url, agent }
    }

    /// Builds the multipart body and returns it with its boundary.
    fn body(&self, wav: &[u8]) -> (String, Vec<u8>) {
        // The WAV is binary; a boundary it happens to contain would corrupt
        // the body, so pick one that does not occur in it.
        let mut n: u64 = 0;
        let boundary = loop {
            let b = format!("waihu-boundary-{n:016x}");
            if !contains(wav, b.as_bytes()) {
                break b;
            }
            n += 1;
        };
        let mut body = Vec::with_capacity(wav.len() + 1024);
        let mut field = |name: &str, value: &str| {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        };
        field("model", &self.config.model);
        field("response_format", "verbose_json");
        field("temperature", "0");
        if let Some(lang) = &self.config.language {
            field("language", lang);
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"utterance.wav\"\r\nContent-Type: audio/wav\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(wav);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        (boundary, body)
    }
}

/// Whether `needle` occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The parts of a (verbose) JSON transcription response we use.
#[derive(Debug, Deserialize)]
struct Response {
    /// The whole text.
    text: String,
    /// Timed segments (verbose_json only).
    #[serde(default)]
    segments: Vec<ResponseSegment>,
}

/// One segment of a verbose_json response.
#[derive(Debug, Deserialize)]
struct ResponseSegment {
    /// Start in seconds.
    #[serde(default)]
    start: f64,
    /// End in seconds.
    #[serde(default)]
    end: f64,
    /// Text of the segment.
    #[serde(default)]
    text: String,
    /// Mean log probability of its tokens.
    avg_logprob: Option<f64>,
    /// Probability that the segment holds no speech.
    no_speech_prob: Option<f64>,
}

impl Asr for OpenAiAsr {
    fn transcribe(&self, audio: &[i16]) -> Result<Transcript, AsrError> {
        let audio_ms = audio.len() as u64 * 1000 / u64::from(SAMPLE_RATE);
        let pcm = resample_i16(audio, SAMPLE_RATE, UPLOAD_RATE)
            .map_err(|e| AsrError::Audio(e.to_string()))?;
        let wav = encode_wav_16k(&pcm)?;
        let (boundary, body) = self.body(&wav);
        let mut request = self.agent.post(&self.url).header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        );
        if let Some(key) = &self.config.api_key {
            let bearer = format!("Bearer {}", key.expose_secret());
            request = request.header("Authorization", bearer);
        }
        let engine = |what: &str, e: ureq::Error| AsrError::Engine(format!("{what}: {e}"));
        let mut response = request
            .send(&body[..])
            .map_err(|e| engine(&format!("POST {}", self.url), e))?;
        let status = response.status();
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_string()
            .map_err(|e| engine("reading the response", e))?;
        if !status.is_success() {
            let excerpt: String = text.chars().take(200).collect();
            return Err(AsrError::Engine(format!(
                "server answered {status}: {excerpt}"
            )));
        }
        let parsed: Response = serde_json::from_str(&text)
            .map_err(|e| AsrError::Engine(format!("unexpected response: {e}")))?;
        Ok(to_transcript(parsed, audio_ms))
    }
}

/// Converts a server response into our transcript.
fn to_transcript(response: Response, audio_ms: u64) -> Transcript {
    let to_ms = |s: f64| ((s.max(0.0) * 1000.0) as u64).min(audio_ms);
    let mut segments: Vec<TranscriptSegment> = response
        .segments
        .iter()
        .map(|s| TranscriptSegment {
            text: fast2s::convert(s.text.trim()),
            start_ms: to_ms(s.start),
            end_ms: to_ms(s.end),
        })
        .filter(|s| !s.text.is_empty())
        .collect();
    let (text, cut) = collapse_repeats(fast2s::convert(response.text.trim()).trim());
    let text = text.trim().to_string();
    let logprobs: Vec<f64> = response
        .segments
        .iter()
        .filter_map(|s| s.avg_logprob)
        .collect();
    // Servers that report nothing get full confidence: the text is all
    // there is to go on.
    let mut confidence = if logprobs.is_empty() {
        1.0
    } else {
        (logprobs.iter().sum::<f64>() / logprobs.len() as f64).exp() as f32
    };
    if cut {
        confidence *= 0.5;
        segments = vec![TranscriptSegment {
            text: text.clone(),
            start_ms: 0,
            end_ms: audio_ms,
        }];
    }
    let no_speech = response
        .segments
        .iter()
        .filter_map(|s| s.no_speech_prob)
        .fold(0.0f64, f64::max) as f32;
    Transcript {
        text,
        confidence: confidence.clamp(0.0, 1.0),
        segments,
        no_speech: no_speech.clamp(0.0, 1.0),
        audio_ms,
    }
}

/// Encodes 16 kHz mono 16-bit PCM as WAV bytes.
fn encode_wav_16k(pcm: &[i16]) -> Result<Vec<u8>, AsrError> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: UPLOAD_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let err = |e: hound::Error| AsrError::Audio(format!("encoding WAV: {e}"));
    let mut out = Cursor::new(Vec::with_capacity(44 + pcm.len() * 2));
    let mut writer = hound::WavWriter::new(&mut out, spec).map_err(err)?;
    for &s in pcm {
        writer.write_sample(s).map_err(err)?;
    }
    writer.finalize().map_err(err)?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_verbose_json() {
        let r: Response = serde_json::from_str(
            r#"{"text":" 不需要，謝謝 ","segments":[{"start":0.0,"end":1.5,"text":"不需要，謝謝","avg_logprob":-0.2,"no_speech_prob":0.01}]}"#,
        )
        .unwrap();
        let t = to_transcript(r, 2000);
        assert_eq!(t.text, "不需要，谢谢");
        assert_eq!(t.segments.len(), 1);
        assert_eq!((t.segments[0].start_ms, t.segments[0].end_ms), (0, 1500));
        assert!((t.confidence - (-0.2f32).exp()).abs() < 1e-4);
    }

    #[test]
    fn plain_json_and_loops() {
        let r: Response = serde_json::from_str(r#"{"text":"好的好的好的好的好的"}"#).unwrap();
        let t = to_transcript(r, 1000);
        assert_eq!(t.text, "好的");
        assert_eq!(t.confidence, 0.5);
    }

    #[test]
    fn api_key_is_not_printed() {
        let mut c = OpenAiConfig::new("http://127.0.0.1:1");
        c.api_key = Some("sk-secret".into());
        assert!(!format!("{c:?}").contains("sk-secret"));
    }
}

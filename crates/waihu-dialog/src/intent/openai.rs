//! The OpenAI-compatible chat-completions adapter for [`IntentClassifier`]:
//! builds the request, parses the answer and applies the guardrails (the model
//! must answer with one of the allowed labels, or the rules' answer stands).
//! The HTTP transport is injected ([`HttpPost`]) so that this crate stays free
//! of network I/O; the caller supplies a client with the configured timeout.

use super::llm::{ClassifierError, IntentClassifier};
use super::Recognition;
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

/// Where and how to ask.
#[derive(Debug, Clone)]
pub struct OpenAiConfig {
    /// Base URL up to and including the version, e.g. `http://127.0.0.1:8000/v1`.
    pub base_url: String,
    /// Model name sent in the request.
    pub model: String,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Bearer token, if the server needs one (redacted in `Debug`).
    pub api_key: Option<SecretString>,
}

/// Why a transport failed.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// No answer within the timeout.
    #[error("timed out")]
    Timeout,
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

/// Posts a JSON body and returns the status code and the response body.
pub trait HttpPost: Send + Sync {
    /// POSTs `body` (JSON) to `url` with `headers`, giving up after `timeout`.
    fn post_json(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: &str,
        timeout: Duration,
    ) -> Result<(u16, String), TransportError>;
}

/// The confidence reported for a label the model chose (below any rule hit on
/// purpose: a model answer is only consulted when the rules found nothing).
pub const LLM_SCORE: f32 = 0.6;

/// An [`IntentClassifier`] that asks an OpenAI-compatible chat-completions endpoint.
pub struct OpenAiClassifier<T> {
    config: OpenAiConfig,
    transport: T,
}

impl<T: HttpPost> OpenAiClassifier<T> {
    /// Builds the adapter.
    pub fn new(config: OpenAiConfig, transport: T) -> Self {
        Self { config, transport }
    }

    /// The request body for one utterance.
    pub fn request_body(&self, text: &str, labels: &[String]) -> String {
        let system = format!(
            "You classify what a person said on a phone call into exactly one intent label. \
             Answer with the label only. Allowed labels: {}.",
            labels.join(", ")
        );
        serde_json::json!({
            "model": self.config.model,
            "temperature": 0,
            "max_tokens": 16,
            "messages": [
                { "role": "system", "content": system },
                { "role": "user", "content": text },
            ],
        })
        .to_string()
    }
}

/// Extracts the label from a chat-completions response; `None` unless it is allowed.
pub fn parse_label(response: &str, labels: &[String]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(response).ok()?;
    let content = v["choices"][0]["message"]["content"].as_str()?;
    let label = content
        .trim()
        .trim_matches(|c: char| c == '"' || c == '\'' || c == '`' || c == '.')
        .to_lowercase();
    labels.iter().find(|l| **l == label).cloned()
}

impl<T: HttpPost> IntentClassifier for OpenAiClassifier<T> {
    fn classify(&self, text: &str, labels: &[String]) -> Result<Recognition, ClassifierError> {
        let url = format!(
            "{}/chat/completions",
            self.config.base_url.trim_end_matches('/')
        );
        let auth = self
            .config
            .api_key
            .as_ref()
            .map(|k| format!("Bearer {}", k.expose_secret()));
        let mut headers = vec![("content-type", "application/json")];
        if let Some(a) = &auth {
            headers.push(("authorization", a.as_str()));
        }
        let body = self.request_body(text, labels);
        let (status, response) = self
            .transport
            .post_json(&url, &headers, &body, self.config.timeout)
            .map_err(|e| match e {
                TransportError::Timeout => ClassifierError::Timeout,
                TransportError::Other(m) => ClassifierError::Failed(m),
            })?;
        if status != 200 {
            return Err(ClassifierError::Failed(format!("HTTP status {status}")));
        }
        let label = parse_label(&response, labels)
            .ok_or_else(|| ClassifierError::Failed("the model answered no allowed label".into()))?;
        Ok(Recognition::new(
            &label,
            LLM_SCORE,
            Some(format!("llm:{}", self.config.model)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guardrail_accepts_only_allowed_labels() {
        let labels = vec!["affirm".to_string(), "reject".to_string()];
        let ok = r#"{"choices":[{"message":{"role":"assistant","content":" \"Affirm\". "}}]}"#;
        assert_eq!(parse_label(ok, &labels).as_deref(), Some("affirm"));
        let bad = r#"{"choices":[{"message":{"content":"buy now"}}]}"#;
        assert_eq!(parse_label(bad, &labels), None);
        assert_eq!(parse_label("not json", &labels), None);
    }

    #[test]
    fn api_key_is_not_printed() {
        let config = OpenAiConfig {
            base_url: "http://127.0.0.1:1/v1".into(),
            model: "m".into(),
            timeout: Duration::from_secs(1),
            api_key: Some("sk-secret".into()),
        };
        let printed = format!("{config:?}");
        assert!(!printed.contains("sk-secret"), "{printed}");
    }
}

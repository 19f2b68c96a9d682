//! The optional LLM intent classifier, wired from configuration (`[llm]`): an
//! OpenAI-compatible chat-completions endpoint reached over a blocking HTTP client.
//! Off unless `llm.base_url` is set; on timeout or error the rule engine's answer
//! stands (`waihu_dialog::intent::llm::combine`).

use crate::config::LlmSettings;
use std::time::Duration;
use waihu_dialog::intent::openai::{HttpPost, OpenAiClassifier, OpenAiConfig, TransportError};

/// Response bodies larger than this are refused.
const MAX_RESPONSE: u64 = 1 << 20;

/// A blocking HTTP POST with ureq.
pub struct UreqPost {
    agent: ureq::Agent,
}

impl UreqPost {
    /// A client that gives up after `timeout`.
    pub fn new(timeout: Duration) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .into();
        Self { agent }
    }
}

impl HttpPost for UreqPost {
    fn post_json(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: &str,
        _timeout: Duration,
    ) -> Result<(u16, String), TransportError> {
        let mut request = self.agent.post(url);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let mut response = request.send(body.as_bytes()).map_err(|e| match e {
            ureq::Error::Timeout(_) => TransportError::Timeout,
            other => TransportError::Other(other.to_string()),
        })?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_string()
            .map_err(|e| TransportError::Other(e.to_string()))?;
        Ok((status, text))
    }
}

/// The configured classifier, if any.
pub fn classifier(settings: &LlmSettings) -> Option<OpenAiClassifier<UreqPost>> {
    if settings.base_url.trim().is_empty() {
        return None;
    }
    let timeout = Duration::from_millis(settings.timeout_ms.max(1));
    Some(OpenAiClassifier::new(
        OpenAiConfig {
            base_url: settings.base_url.clone(),
            model: settings.model.clone(),
            timeout,
            api_key: settings.api_key.clone(),
        },
        UreqPost::new(timeout),
    ))
}

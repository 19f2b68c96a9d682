//! The seam for an optional LLM classifier. Off by default; when one is
//! configured, the caller asks it only after the rule engine and keeps the rule
//! engine's answer on timeout or error. The OpenAI-compatible adapter is in
//! `openai.rs`; it takes its HTTP transport from the caller.

use super::Recognition;

/// Why a classifier gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum ClassifierError {
    /// The classifier did not answer in time.
    #[error("classifier timed out")]
    Timeout,
    /// Any other failure (transport, protocol, unknown label).
    #[error("classifier failed: {0}")]
    Failed(String),
}

/// A classifier that maps an utterance to one of `labels`.
pub trait IntentClassifier: Send + Sync {
    /// Classifies `text` into one of `labels` (built-in and script labels).
    fn classify(&self, text: &str, labels: &[String]) -> Result<Recognition, ClassifierError>;
}

/// Combines the rule engine's answer with an optional classifier: the classifier
/// is consulted only when the rules found nothing, and any failure keeps the rules' answer.
pub fn combine(
    rules: Recognition,
    classifier: Option<&dyn IntentClassifier>,
    text: &str,
    labels: &[String],
) -> Recognition {
    match classifier {
        Some(c) if rules.intent == super::UNKNOWN => c.classify(text, labels).unwrap_or(rules),
        _ => rules,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Failing;
    impl IntentClassifier for Failing {
        fn classify(&self, _: &str, _: &[String]) -> Result<Recognition, ClassifierError> {
            Err(ClassifierError::Timeout)
        }
    }
    struct Fixed;
    impl IntentClassifier for Fixed {
        fn classify(&self, _: &str, _: &[String]) -> Result<Recognition, ClassifierError> {
            Ok(Recognition::new("affirm", 0.7, Some("llm".into())))
        }
    }

    #[test]
    fn rules_stand_on_error_and_when_confident() {
        let unknown = Recognition::new("unknown", 0.0, None);
        assert_eq!(
            combine(unknown.clone(), Some(&Failing), "x", &[]).intent,
            "unknown"
        );
        assert_eq!(combine(unknown, Some(&Fixed), "x", &[]).intent, "affirm");
        let reject = Recognition::new("reject", 0.9, None);
        assert_eq!(combine(reject, Some(&Fixed), "x", &[]).intent, "reject");
    }
}

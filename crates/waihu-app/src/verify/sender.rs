//! How a one-time code reaches the person who asked for it. [`super::CallCodeSender`] delivers
//! it by a phone call (the robot reads the digits out); an SMS adapter can
//! implement the same trait. Tests use a fake that captures the code.

use async_trait::async_trait;

/// Why a code could not be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The compliance gate (or the carrier) refused the delivery, e.g. the cap of
    /// verification calls to this number in 24 h is reached: the gate's rule
    /// ids (`cap_24h`, `calling_hours`…; empty when not the gate) and why.
    #[error("the code cannot be delivered: {why}")]
    Refused {
        /// The rule ids that refused.
        rules: Vec<String>,
        /// Why, in English.
        why: String,
    },
    /// Delivery is not possible right now (no trunk, dialler down ...).
    #[error("code delivery is unavailable: {0}")]
    Unavailable(String),
}

/// Delivers a one-time code to a phone number.
///
/// `send` returns once the delivery is accepted (for a call: the gate allowed it,
/// the attempt is recorded and dialling has started); it does not wait for the
/// callee to hear the code.
#[async_trait]
pub trait CodeSender: Send + Sync {
    /// Sends `code` (ASCII digits) to `number` (E.164).
    async fn send(&self, number: &str, code: &str) -> Result<(), SendError>;
}

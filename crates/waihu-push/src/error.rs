//! Why a push failed, and whether trying again later can help.

use crate::outbound::OutboundError;
use crate::target::PushKind;

/// A failed push or a target that cannot be pushed to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// The target's URL or settings are wrong; fix the configuration.
    #[error("push target is invalid: {reason}")]
    InvalidTarget {
        /// What is wrong, in words for the tenant.
        reason: String,
    },
    /// The contact's consent scope does not include passing data on
    /// (`share_leads`), so the lead must not leave the platform (PIPL §23).
    #[error("the contact's consent does not allow passing the lead to third parties")]
    NoConsent,
    /// The target kind needs a signing secret and none is configured.
    #[error("{kind} push target needs a signing secret")]
    MissingSecret {
        /// The kind of the target.
        kind: PushKind,
    },
    /// The lead could not be encoded (should not happen with valid UTF-8 input).
    #[error("lead could not be encoded as JSON: {0}")]
    Encode(String),
    /// The receiver answered with a non-success HTTP status. The reply body is
    /// not kept: it is the receiver's text, and the dead-letter list must not
    /// become a way to read what an address answers.
    #[error("{kind} answered HTTP {status} {}", status_reason(*.status))]
    HttpStatus {
        /// The kind of the target.
        kind: PushKind,
        /// The HTTP status code.
        status: u16,
    },
    /// The robot answered HTTP 200 but refused the message with an error code
    /// (wrong signature, expired timestamp, keyword missing, rate limit…).
    #[error("{kind} refused the message: code {code} ({message})")]
    Refused {
        /// The kind of the target.
        kind: PushKind,
        /// `errcode` (WeCom, DingTalk) or `code` / `StatusCode` (Feishu).
        code: i64,
        /// `errmsg` / `msg` as sent by the robot, cut to a short printable line
        /// (see [`crate::response`]).
        message: String,
    },
    /// The receiver answered something that is not its documented reply (the
    /// body itself is not kept, as for [`PushError::HttpStatus`]).
    #[error("{kind} answered HTTP {status} with a reply that is not the documented one")]
    UnexpectedReply {
        /// The kind of the target.
        kind: PushKind,
        /// The HTTP status code.
        status: u16,
    },
    /// The outbound URL policy refuses the target's URL or the address it
    /// resolves to (docs/leadpush.md, "Which URLs").
    #[error("the target's URL is refused: {0}")]
    Outbound(#[from] OutboundError),
    /// The request could not be sent or the reply not read (DNS, connect, reset).
    #[error("sending the lead failed: {0}")]
    Transport(String),
    /// No reply within the deliverer's timeout.
    #[error("the receiver did not answer within {seconds} s")]
    Timeout {
        /// The timeout that passed.
        seconds: u64,
    },
}

/// Whether a failed delivery is worth another attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// A passing condition (network, 5xx, 429, a robot's rate limit): try again later.
    Later,
    /// Trying again will fail the same way until someone changes the target or
    /// the message (4xx, wrong signature, bad URL): dead-letter it now.
    Never,
}

/// Robot error codes that mean "busy or too many messages", so a later attempt
/// can succeed. Everything else a robot refuses is a configuration problem.
fn robot_code_is_transient(kind: PushKind, code: i64) -> bool {
    match kind {
        // -1 系统繁忙; 45009 接口调用超过限制 (20 messages per minute per robot).
        PushKind::WeCom => matches!(code, -1 | 45009),
        // -1 系统繁忙; 130101 send too fast (20 per minute, then 10 minutes of limiting).
        PushKind::DingTalk => matches!(code, -1 | 130101),
        // 11232 frequency limited; 9499 too many requests.
        PushKind::Feishu => matches!(code, 9499 | 11232),
        PushKind::Webhook => false,
    }
}

impl PushError {
    /// Whether to try this delivery again later.
    pub fn retry(&self) -> Retry {
        match self {
            PushError::InvalidTarget { .. }
            | PushError::NoConsent
            | PushError::MissingSecret { .. }
            | PushError::Encode(_) => Retry::Never,
            PushError::HttpStatus { status, .. } => retry_for_status(*status),
            PushError::Refused { kind, code, .. } => {
                if robot_code_is_transient(*kind, *code) {
                    Retry::Later
                } else {
                    Retry::Never
                }
            }
            // A gateway's error page or a truncated reply: the message may not
            // have arrived. A duplicate lead in a chat group costs less than a lost one.
            PushError::UnexpectedReply { status, .. } => {
                if (200..300).contains(status) {
                    Retry::Later
                } else {
                    retry_for_status(*status)
                }
            }
            // A name that does not resolve may be a passing DNS failure; an
            // address the policy forbids stays forbidden.
            PushError::Outbound(OutboundError::Unresolved { .. }) => Retry::Later,
            PushError::Outbound(_) => Retry::Never,
            PushError::Transport(_) | PushError::Timeout { .. } => Retry::Later,
        }
    }

    /// Whether trying again later can help (shorthand for `retry() == Later`).
    pub fn is_retryable(&self) -> bool {
        self.retry() == Retry::Later
    }
}

/// The standard reason phrase of `status` ("Not Found"), or "" for an unknown one.
fn status_reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

/// 5xx, 429 (too many requests) and 408 (request timeout) pass; other 4xx do not.
pub fn retry_for_status(status: u16) -> Retry {
    match status {
        408 | 429 => Retry::Later,
        500..=599 => Retry::Later,
        _ => Retry::Never,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_classification() {
        let cases = [
            (400, Retry::Never),
            (401, Retry::Never),
            (403, Retry::Never),
            (404, Retry::Never),
            (408, Retry::Later),
            (413, Retry::Never),
            (429, Retry::Later),
            (500, Retry::Later),
            (502, Retry::Later),
            (503, Retry::Later),
            (599, Retry::Later),
            (302, Retry::Never),
        ];
        for (status, want) in cases {
            assert_eq!(retry_for_status(status), want, "status {status}");
        }
    }

    #[test]
    fn robot_codes_classification() {
        let refused = |kind, code| PushError::Refused {
            kind,
            code,
            message: String::new(),
        };
        assert!(refused(PushKind::WeCom, 45009).is_retryable());
        assert!(!refused(PushKind::WeCom, 93000).is_retryable());
        assert!(refused(PushKind::DingTalk, 130101).is_retryable());
        assert!(!refused(PushKind::DingTalk, 310000).is_retryable());
        assert!(refused(PushKind::Feishu, 11232).is_retryable());
        assert!(!refused(PushKind::Feishu, 19021).is_retryable());
        assert!(PushError::Transport("reset".into()).is_retryable());
        assert!(PushError::Timeout { seconds: 10 }.is_retryable());
        assert!(!PushError::MissingSecret {
            kind: PushKind::Webhook
        }
        .is_retryable());
    }
}

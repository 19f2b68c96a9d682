//! Reads a receiver's reply: the robots answer HTTP 200 with an error code in
//! the body (WeCom/DingTalk `errcode`, Feishu `code` or the older `StatusCode`);
//! the generic webhook succeeds on any 2xx.

use crate::error::{retry_for_status, PushError, Retry};
use crate::target::PushKind;
use serde_json::Value;

/// How much of a reply body is kept in an error (for logs and the dead-letter list).
const BODY_SNIPPET_CHARS: usize = 300;

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(BODY_SNIPPET_CHARS).collect();
    if text.chars().count() > BODY_SNIPPET_CHARS {
        out.push('…');
    }
    out
}

/// The (code, message) a robot put in its reply, if the reply is JSON with one.
fn robot_code(kind: PushKind, body: &[u8]) -> Option<(i64, String)> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let text = |key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    match kind {
        PushKind::WeCom | PushKind::DingTalk => Some((v.get("errcode")?.as_i64()?, text("errmsg"))),
        PushKind::Feishu => {
            if let Some(code) = v.get("code").and_then(Value::as_i64) {
                Some((code, text("msg")))
            } else {
                Some((v.get("StatusCode")?.as_i64()?, text("StatusMessage")))
            }
        }
        PushKind::Webhook => None,
    }
}

/// Whether the reply `status` + `body` from a `kind` receiver means delivered.
pub fn interpret_response(kind: PushKind, status: u16, body: &[u8]) -> Result<(), PushError> {
    let success_status = (200..300).contains(&status);
    if kind == PushKind::Webhook {
        return if success_status {
            Ok(())
        } else {
            Err(PushError::HttpStatus {
                kind,
                status,
                body: snippet(body),
            })
        };
    }
    match robot_code(kind, body) {
        Some((0, _)) if success_status => Ok(()),
        // A busy robot (5xx, 429) is retried whatever its body says.
        _ if !success_status && retry_for_status(status) == Retry::Later => {
            Err(PushError::HttpStatus {
                kind,
                status,
                body: snippet(body),
            })
        }
        Some((code, message)) if code != 0 => Err(PushError::Refused {
            kind,
            code,
            message,
        }),
        _ if !success_status => Err(PushError::HttpStatus {
            kind,
            status,
            body: snippet(body),
        }),
        _ => Err(PushError::UnexpectedReply {
            kind,
            status,
            body: snippet(body),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(kind: PushKind, status: u16, body: &str) -> Result<(), PushError> {
        interpret_response(kind, status, body.as_bytes())
    }

    #[test]
    fn robot_replies() {
        assert_eq!(
            check(PushKind::WeCom, 200, r#"{"errcode":0,"errmsg":"ok"}"#),
            Ok(())
        );
        assert_eq!(
            check(PushKind::DingTalk, 200, r#"{"errcode":0,"errmsg":"ok"}"#),
            Ok(())
        );
        assert_eq!(
            check(
                PushKind::Feishu,
                200,
                r#"{"code":0,"msg":"success","data":{}}"#
            ),
            Ok(())
        );
        assert_eq!(
            check(
                PushKind::Feishu,
                200,
                r#"{"Extra":null,"StatusCode":0,"StatusMessage":"success"}"#
            ),
            Ok(())
        );
        assert_eq!(
            check(
                PushKind::DingTalk,
                200,
                r#"{"errcode":310000,"errmsg":"sign not match"}"#
            ),
            Err(PushError::Refused {
                kind: PushKind::DingTalk,
                code: 310000,
                message: "sign not match".into()
            })
        );
        let e = check(
            PushKind::Feishu,
            200,
            r#"{"code":19021,"msg":"sign match fail","data":{}}"#,
        )
        .unwrap_err();
        assert!(!e.is_retryable(), "{e}");
        let e = check(
            PushKind::WeCom,
            200,
            r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#,
        )
        .unwrap_err();
        assert!(e.is_retryable(), "{e}");
    }

    #[test]
    fn odd_replies() {
        // 200 without the documented code: maybe a proxy page; retried.
        let e = check(PushKind::WeCom, 200, "<html>gateway</html>").unwrap_err();
        assert!(matches!(e, PushError::UnexpectedReply { .. }), "{e}");
        assert!(e.is_retryable());
        // 502 with a JSON code: still a busy server.
        let e = check(PushKind::Feishu, 502, r#"{"code":19021}"#).unwrap_err();
        assert!(
            matches!(e, PushError::HttpStatus { status: 502, .. }),
            "{e}"
        );
        assert!(e.is_retryable());
        // 400 with a code: the code explains it and it is permanent.
        let e = check(
            PushKind::Feishu,
            400,
            r#"{"code":19001,"msg":"param invalid"}"#,
        )
        .unwrap_err();
        assert!(matches!(e, PushError::Refused { code: 19001, .. }), "{e}");
        assert!(!e.is_retryable());
        // 404 without a code.
        let e = check(PushKind::DingTalk, 404, "not found").unwrap_err();
        assert!(matches!(e, PushError::HttpStatus { status: 404, .. }));
        assert!(!e.is_retryable());
        // A reply with code 0 but an error status is not success.
        assert!(check(PushKind::WeCom, 403, r#"{"errcode":0}"#).is_err());
    }

    #[test]
    fn webhook_replies() {
        assert_eq!(check(PushKind::Webhook, 200, ""), Ok(()));
        assert_eq!(check(PushKind::Webhook, 204, ""), Ok(()));
        assert_eq!(check(PushKind::Webhook, 202, "queued"), Ok(()));
        assert!(check(PushKind::Webhook, 401, "bad signature").is_err());
        assert!(check(PushKind::Webhook, 503, "")
            .unwrap_err()
            .is_retryable());
        assert!(!check(PushKind::Webhook, 400, "")
            .unwrap_err()
            .is_retryable());
    }

    #[test]
    fn long_bodies_are_cut() {
        let long = "x".repeat(10_000);
        match check(PushKind::Webhook, 500, &long) {
            Err(PushError::HttpStatus { body, .. }) => {
                assert_eq!(body.chars().count(), BODY_SNIPPET_CHARS + 1)
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

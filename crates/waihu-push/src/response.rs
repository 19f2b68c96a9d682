//! Reads a receiver's reply: the robots answer HTTP 200 with an error code in
//! the body (WeCom/DingTalk `errcode`, Feishu `code` or the older `StatusCode`);
//! the generic webhook succeeds on any 2xx.

use crate::error::{retry_for_status, PushError, Retry};
use crate::target::PushKind;
use serde_json::Value;

/// How much of a robot's error message is kept (for logs and the dead-letter
/// list): enough for "keywords not in content", too little to carry a page.
const MESSAGE_CHARS: usize = 80;

/// A robot's `errmsg` as one short printable line.
fn short_message(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MESSAGE_CHARS)
        .collect();
    if text.chars().count() > MESSAGE_CHARS {
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
            Err(PushError::HttpStatus { kind, status })
        };
    }
    match robot_code(kind, body) {
        Some((0, _)) if success_status => Ok(()),
        // A busy robot (5xx, 429) is retried whatever its body says.
        _ if !success_status && retry_for_status(status) == Retry::Later => {
            Err(PushError::HttpStatus { kind, status })
        }
        Some((code, message)) if code != 0 => Err(PushError::Refused {
            kind,
            code,
            message: short_message(&message),
        }),
        _ if !success_status => Err(PushError::HttpStatus { kind, status }),
        _ => Err(PushError::UnexpectedReply { kind, status }),
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
    fn errors_never_carry_the_reply_body() {
        let page = "<html>secret internal page ".to_string() + &"x".repeat(10_000);
        for (kind, status) in [
            (PushKind::Webhook, 500),
            (PushKind::Webhook, 403),
            (PushKind::WeCom, 200),
            (PushKind::DingTalk, 404),
        ] {
            let e = check(kind, status, &page).unwrap_err();
            let text = e.to_string();
            assert!(!text.contains("secret internal"), "{kind} {status}: {text}");
            assert!(text.contains(&status.to_string()), "{text}");
            assert!(text.len() < 120, "{text}");
        }
        let e = check(PushKind::Webhook, 404, "").unwrap_err();
        assert_eq!(e.to_string(), "webhook answered HTTP 404 Not Found");
        // A robot's own error message is kept, short and on one line.
        let long = format!(
            r#"{{"errcode":93000,"errmsg":"bad\n{}"}}"#,
            "y".repeat(5000)
        );
        match check(PushKind::WeCom, 200, &long) {
            Err(PushError::Refused { message, .. }) => {
                assert_eq!(message.chars().count(), MESSAGE_CHARS + 1);
                assert!(!message.contains('\n'), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

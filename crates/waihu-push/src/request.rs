//! Builds the exact HTTP request each receiver documents: body, headers and,
//! for DingTalk, the signed query. Pure: the same inputs give the same bytes.
//! Build it right before each attempt — DingTalk and Feishu reject signatures
//! older than one hour, and our receivers check the timestamp too.

use crate::error::PushError;
use crate::lead::Lead;
use crate::payload::WebhookBody;
use crate::render;
use crate::sign::{self, HEADER_DELIVERY, HEADER_SIGNATURE, HEADER_TIMESTAMP};
use crate::target::{parse_http_url, PushKind, Target};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::fmt;
use uuid::Uuid;

/// One ready-to-send POST.
#[derive(Clone, PartialEq, Eq)]
pub struct PushRequest {
    /// Which receiver format this is (decides how the reply is read).
    pub kind: PushKind,
    /// Full URL, including the DingTalk `timestamp` and `sign` when signed.
    pub url: String,
    /// Headers to send, `Content-Type` included.
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: Vec<u8>,
}

impl PushRequest {
    /// The value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for PushRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The query holds robot keys and signatures: leave it out.
        let shown = self.url.split('?').next().unwrap_or("");
        f.debug_struct("PushRequest")
            .field("kind", &self.kind)
            .field("url", &shown)
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

const USER_AGENT: &str = concat!("waihu-push/", env!("CARGO_PKG_VERSION"));

fn json_bytes(value: &impl serde::Serialize) -> Result<Vec<u8>, PushError> {
    serde_json::to_vec(value).map_err(|e| PushError::Encode(e.to_string()))
}

/// Builds the request that delivers `lead` to `target` at `now`.
///
/// `delivery_id` identifies this (lead, target) delivery and stays the same
/// across its retries; the generic webhook sends it as `X-Waihu-Delivery`.
pub fn build_request(
    target: &Target,
    lead: &Lead,
    delivery_id: Uuid,
    now: DateTime<Utc>,
) -> Result<PushRequest, PushError> {
    let mut url = parse_http_url(&target.url)?;
    let mut headers = vec![
        (
            "Content-Type".to_string(),
            "application/json; charset=utf-8".to_string(),
        ),
        ("User-Agent".to_string(), USER_AGENT.to_string()),
    ];
    let secret = target.secret.as_deref().filter(|s| !s.is_empty());
    let body = match target.kind {
        PushKind::WeCom => json_bytes(&json!({
            "msgtype": "markdown",
            "markdown": { "content": render::wecom_markdown(lead) },
        }))?,
        PushKind::DingTalk => {
            if let Some(secret) = secret {
                let timestamp_ms = now.timestamp_millis();
                let sign = sign::dingtalk_sign(secret, timestamp_ms);
                // Drop a timestamp/sign pasted with the URL; the form encoder
                // percent-encodes the base64 `+ / =` as DingTalk requires.
                let kept: Vec<(String, String)> = url
                    .query_pairs()
                    .filter(|(k, _)| k != "timestamp" && k != "sign")
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                url.query_pairs_mut()
                    .clear()
                    .extend_pairs(kept)
                    .append_pair("timestamp", &timestamp_ms.to_string())
                    .append_pair("sign", &sign);
            }
            json_bytes(&json!({
                "msgtype": "markdown",
                "markdown": {
                    "title": render::title(lead),
                    "text": render::dingtalk_markdown(lead),
                },
            }))?
        }
        PushKind::Feishu => {
            let mut body = json!({
                "msg_type": "post",
                "content": render::feishu_post(lead),
            });
            if let Some(secret) = secret {
                let timestamp_s = now.timestamp();
                body["timestamp"] = json!(timestamp_s.to_string());
                body["sign"] = json!(sign::feishu_sign(secret, timestamp_s));
            }
            json_bytes(&body)?
        }
        PushKind::Webhook => {
            let secret = secret.ok_or(PushError::MissingSecret {
                kind: PushKind::Webhook,
            })?;
            let body = json_bytes(&WebhookBody::new(lead, delivery_id))?;
            let timestamp = now.timestamp().to_string();
            let signature = sign::webhook_signature(secret, &timestamp, &body);
            headers.push((HEADER_TIMESTAMP.to_string(), timestamp));
            headers.push((HEADER_SIGNATURE.to_string(), signature));
            headers.push((HEADER_DELIVERY.to_string(), delivery_id.to_string()));
            body
        }
    };
    Ok(PushRequest {
        kind: target.kind,
        url: url.into(),
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::{Grade, PresentedNumber};
    use chrono::{FixedOffset, TimeZone};

    fn lead() -> Lead {
        Lead {
            lead_id: Uuid::nil(),
            tenant_name: "t".into(),
            task_name: "task".into(),
            grade: Grade::B,
            grade_reason: "r".into(),
            number: PresentedNumber {
                text: "138****5678".into(),
                is_full: false,
            },
            contact_name: None,
            contact_fields: vec![],
            intents: vec![],
            transcript: vec![],
            called_at: FixedOffset::east_opt(0)
                .unwrap()
                .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
                .unwrap(),
            record_url: None,
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.timestamp_millis_opt(1_700_000_000_123).unwrap()
    }

    #[test]
    fn dingtalk_query_is_signed_and_encoded() {
        let t = Target::new(
            PushKind::DingTalk,
            "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1&sign=old",
            Some("SEC0123456789abcdef"),
        )
        .unwrap();
        let r = build_request(&t, &lead(), Uuid::nil(), now()).unwrap();
        let url = url::Url::parse(&r.url).unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |k: &str| {
            pairs
                .iter()
                .filter(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(get("access_token"), ["abc"]);
        assert_eq!(get("timestamp"), ["1700000000123"]);
        assert_eq!(
            get("sign"),
            [sign::dingtalk_sign(
                "SEC0123456789abcdef",
                1_700_000_000_123
            )]
        );
        // base64's '+', '/' and '=' must not appear raw in the query.
        let raw_sign = r.url.split("sign=").nth(1).unwrap();
        assert!(!raw_sign.contains(['+', '/', '=']), "{raw_sign}");
    }

    #[test]
    fn unsigned_robots_carry_no_signature() {
        let t = Target::new(
            PushKind::Feishu,
            "https://open.feishu.cn/open-apis/bot/v2/hook/x",
            None,
        )
        .unwrap();
        let r = build_request(&t, &lead(), Uuid::nil(), now()).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert!(
            v.get("sign").is_none() && v.get("timestamp").is_none(),
            "{v}"
        );
        assert_eq!(v["msg_type"], "post");
        let t = Target::new(
            PushKind::DingTalk,
            "https://oapi.dingtalk.com/robot/send?access_token=abc",
            None,
        )
        .unwrap();
        let r = build_request(&t, &lead(), Uuid::nil(), now()).unwrap();
        assert!(!r.url.contains("sign="), "{}", r.url);
    }

    #[test]
    fn webhook_without_secret_is_refused_even_if_constructed_directly() {
        let t = Target {
            kind: PushKind::Webhook,
            url: "http://127.0.0.1:9/hook".into(),
            secret: None,
        };
        assert_eq!(
            build_request(&t, &lead(), Uuid::nil(), now()),
            Err(PushError::MissingSecret {
                kind: PushKind::Webhook
            })
        );
    }

    #[test]
    fn debug_leaves_out_query_and_body() {
        let t = Target::new(
            PushKind::WeCom,
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY42",
            None,
        )
        .unwrap();
        let r = build_request(&t, &lead(), Uuid::nil(), now()).unwrap();
        let shown = format!("{r:?}");
        assert!(
            !shown.contains("KEY42") && !shown.contains("138****5678"),
            "{shown}"
        );
    }
}

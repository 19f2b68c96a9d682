//! Lead push against local fake receivers on 127.0.0.1. Each fake speaks the
//! documented protocol of the real service: it recomputes the signature from the
//! secret on its own (not with waihu-push's functions), checks the payload shape
//! and answers the way the service answers.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use uuid::Uuid;
use waihu_push::{
    present_number, verify_webhook_signature, AfterFailure, Backoff, DeadReason, Deliverer, Grade,
    Lead, OutboundError, OutboundPolicy, PresentedNumber, PushError, PushKind, Speaker, Target,
    TranscriptLine, VerifyError,
};

const ROBOT_KEY: &str = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa";
const SECRET: &str = "SEC5a3ecf88f2b3eb50db30ecfc00f53033ac909c99bf7f88fd";
const FULL: &str = "+8613812345678";
const MASKED: &str = "138****5678";

// ---------------------------------------------------------------- the fakes

/// One request as the fake saw it.
#[derive(Debug, Clone)]
struct Seen {
    query: HashMap<String, String>,
    headers: HeaderMap,
    body: Bytes,
}

struct Fake {
    secret: String,
    /// Statuses to answer with (before any checks) for the next requests.
    forced: Mutex<VecDeque<u16>>,
    seen: Mutex<Vec<Seen>>,
}

impl Fake {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

fn json_reply(v: Value) -> Response {
    (StatusCode::OK, axum::Json(v)).into_response()
}

/// Records the request and answers a forced status if one is queued.
fn record(
    fake: &Fake,
    query: HashMap<String, String>,
    headers: HeaderMap,
    body: Bytes,
) -> Option<Response> {
    fake.seen.lock().unwrap().push(Seen {
        query,
        headers,
        body,
    });
    let forced = fake.forced.lock().unwrap().pop_front()?;
    let status = StatusCode::from_u16(forced).unwrap();
    Some((status, "<html><body>upstream error</body></html>").into_response())
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// WeCom group robot: `POST /cgi-bin/webhook/send?key=…`, markdown ≤ 4096 bytes.
async fn wecom(
    State(fake): State<Arc<Fake>>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(r) = record(&fake, q.clone(), headers.clone(), body.clone()) {
        return r;
    }
    if q.get("key").map(String::as_str) != Some(ROBOT_KEY) {
        return json_reply(json!({"errcode": 93000, "errmsg": "invalid webhook url"}));
    }
    let v: Value = match serde_json::from_slice(&body) {
        Ok(v) if is_json(&headers) => v,
        _ => return json_reply(json!({"errcode": 40000, "errmsg": "invalid json"})),
    };
    let content = v["markdown"]["content"].as_str().unwrap_or("");
    if v["msgtype"] != "markdown" || content.is_empty() || content.len() > 4096 {
        return json_reply(
            json!({"errcode": 40058, "errmsg": "markdown.content exceed max length or empty"}),
        );
    }
    json_reply(json!({"errcode": 0, "errmsg": "ok"}))
}

/// DingTalk custom robot with 加签: `timestamp` (ms, within an hour) and
/// `sign` = urlencode(base64(HmacSHA256(secret, timestamp + "\n" + secret))).
async fn dingtalk(
    State(fake): State<Arc<Fake>>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(r) = record(&fake, q.clone(), headers.clone(), body.clone()) {
        return r;
    }
    if q.get("access_token").map(String::as_str) != Some(ROBOT_KEY) {
        return json_reply(json!({"errcode": 300001, "errmsg": "token is not exist"}));
    }
    let (Some(ts), Some(sign)) = (q.get("timestamp"), q.get("sign")) else {
        return json_reply(json!({"errcode": 310000, "errmsg": "sign not match"}));
    };
    let fresh = ts
        .parse::<i64>()
        .is_ok_and(|ms| (Utc::now().timestamp_millis() - ms).abs() <= 3_600_000);
    // Query has already percent-decoded `sign`, as DingTalk's server does.
    let expected = BASE64.encode(hmac(
        fake.secret.as_bytes(),
        format!("{ts}\n{}", fake.secret).as_bytes(),
    ));
    if !fresh || *sign != expected {
        return json_reply(json!({"errcode": 310000, "errmsg": "sign not match, more: [...]"}));
    }
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let ok = is_json(&headers)
        && v["msgtype"] == "markdown"
        && v["markdown"]["title"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
        && v["markdown"]["text"]
            .as_str()
            .is_some_and(|s| !s.is_empty());
    if !ok {
        return json_reply(json!({"errcode": 40035, "errmsg": "缺少参数 json"}));
    }
    json_reply(json!({"errcode": 0, "errmsg": "ok"}))
}

/// Feishu custom bot with 签名校验: `timestamp` (s, string) and `sign` =
/// base64(HmacSHA256(key = timestamp + "\n" + secret, message = "")) in the body.
async fn feishu(State(fake): State<Arc<Fake>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(r) = record(&fake, HashMap::new(), headers.clone(), body.clone()) {
        return r;
    }
    let v: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return json_reply(json!({"code": 9499, "msg": "Bad Request", "data": {}})),
    };
    let ts = v["timestamp"].as_str().unwrap_or("");
    let fresh = ts
        .parse::<i64>()
        .is_ok_and(|s| (Utc::now().timestamp() - s).abs() <= 3_600);
    let expected = BASE64.encode(hmac(format!("{ts}\n{}", fake.secret).as_bytes(), b""));
    if !fresh || v["sign"].as_str() != Some(expected.as_str()) {
        return json_reply(json!({
            "code": 19021,
            "msg": "sign match fail or timestamp is not within one hour from current time",
            "data": {}
        }));
    }
    let post = &v["content"]["post"]["zh_cn"];
    let ok = v["msg_type"] == "post"
        && post["title"].as_str().is_some_and(|s| !s.is_empty())
        && post["content"].as_array().is_some_and(|rows| {
            !rows.is_empty()
                && rows.iter().all(|row| {
                    row.as_array().is_some_and(|els| {
                        els.iter()
                            .all(|e| matches!(e["tag"].as_str(), Some("text" | "a" | "at")))
                    })
                })
        });
    if !ok {
        return json_reply(json!({"code": 19002, "msg": "params error", "data": {}}));
    }
    json_reply(json!({"code": 0, "msg": "success", "data": {}}))
}

/// A receiver of our generic webhook, written from docs/leadpush.md.
async fn webhook(State(fake): State<Arc<Fake>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(r) = record(&fake, HashMap::new(), headers.clone(), body.clone()) {
        return r;
    }
    let h = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let ts = h("x-waihu-timestamp");
    let fresh = ts
        .parse::<i64>()
        .is_ok_and(|s| (Utc::now().timestamp() - s).abs() <= 300);
    let mut signed = ts.as_bytes().to_vec();
    signed.push(b'.');
    signed.extend_from_slice(&body);
    let expected = format!(
        "sha256={}",
        hex::encode(hmac(fake.secret.as_bytes(), &signed))
    );
    if !fresh || h("x-waihu-signature") != expected {
        return (StatusCode::UNAUTHORIZED, "bad signature").into_response();
    }
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let lead = &v["lead"];
    let ok = is_json(&headers)
        && v["event"] == "lead"
        && v["version"] == 1
        && v["delivery_id"].as_str() == Some(h("x-waihu-delivery"))
        && lead["id"]
            .as_str()
            .is_some_and(|s| Uuid::parse_str(s).is_ok())
        && lead["grade"]
            .as_str()
            .is_some_and(|g| ["A", "B", "C", "D", "E", "F"].contains(&g))
        && lead["number"]["text"].is_string()
        && lead["number"]["masked"].is_boolean()
        && lead["contact"]["fields"].is_array()
        && lead["intents"].is_array()
        && lead["transcript"].is_array()
        && lead["called_at"]
            .as_str()
            .is_some_and(|s| DateTime::parse_from_rfc3339(s).is_ok());
    if !ok {
        return (StatusCode::UNPROCESSABLE_ENTITY, "unexpected body").into_response();
    }
    StatusCode::NO_CONTENT.into_response()
}

/// Starts the fake for `kind` on 127.0.0.1:0; returns the target URL (with the
/// robot key where the service puts it) and the fake's state.
async fn spawn_fake(kind: PushKind, forced: &[u16]) -> (String, Arc<Fake>) {
    let fake = Arc::new(Fake {
        secret: SECRET.to_string(),
        forced: Mutex::new(forced.iter().copied().collect()),
        seen: Mutex::new(Vec::new()),
    });
    let router = Router::new()
        .route("/cgi-bin/webhook/send", post(wecom))
        .route("/robot/send", post(dingtalk))
        .route("/open-apis/bot/v2/hook/{hook}", post(feishu))
        .route("/leads", post(webhook))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let url = match kind {
        PushKind::WeCom => format!("http://{addr}/cgi-bin/webhook/send?key={ROBOT_KEY}"),
        PushKind::DingTalk => format!("http://{addr}/robot/send?access_token={ROBOT_KEY}"),
        PushKind::Feishu => format!("http://{addr}/open-apis/bot/v2/hook/{ROBOT_KEY}"),
        PushKind::Webhook => format!("http://{addr}/leads"),
    };
    (url, fake)
}

fn target(kind: PushKind, url: &str, secret: &str) -> Target {
    let secret = (kind != PushKind::WeCom).then_some(secret);
    Target::new(kind, url, secret).unwrap()
}

/// The fakes listen on 127.0.0.1, which the operator has to allow-list.
fn deliverer() -> Deliverer {
    Deliverer::new(
        std::time::Duration::from_secs(5),
        OutboundPolicy::allowing(&["127.0.0.1"]).unwrap(),
    )
    .unwrap()
}

fn lead(number: PresentedNumber) -> Lead {
    Lead {
        lead_id: Uuid::new_v4(),
        tenant_name: "杭州示例教育".into(),
        task_name: "三月试听回访".into(),
        grade: Grade::A,
        grade_reason: "主动询问价格并预约试听".into(),
        number,
        contact_name: Some("王先生".into()),
        contact_fields: vec![
            ("城市".into(), "杭州".into()),
            ("年级".into(), "初二".into()),
        ],
        intents: vec!["询价".into(), "预约试听".into()],
        transcript: vec![
            TranscriptLine {
                speaker: Speaker::Bot,
                text: "周六上午有试听课,您方便吗?".into(),
            },
            TranscriptLine {
                speaker: Speaker::Callee,
                text: "可以,多少钱一节?".into(),
            },
        ],
        called_at: FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, 3, 2, 14, 5, 0)
            .unwrap(),
        record_url: Some("https://waihu.example/leads/42".into()),
    }
}

fn masked_lead() -> Lead {
    lead(present_number(MASKED, Some(FULL), false))
}

const ALL_KINDS: [PushKind; 4] = [
    PushKind::WeCom,
    PushKind::DingTalk,
    PushKind::Feishu,
    PushKind::Webhook,
];

// ---------------------------------------------------------------- the tests

mod delivery;
mod outbound;

//! The OpenAI-compatible adapter against a real HTTP server on 127.0.0.1 that
//! speaks the chat-completions protocol: request shape, answer parsing,
//! guardrails, timeout and errors (the rule engine's answer stands).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use waihu_dialog::intent::llm::{combine, ClassifierError, IntentClassifier};
use waihu_dialog::intent::openai::{HttpPost, OpenAiClassifier, OpenAiConfig, TransportError};
use waihu_dialog::intent::Recognizer;

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    auth: Option<String>,
    body: serde_json::Value,
}

/// A chat-completions server: answers by the user's message (`slow`, `broken`,
/// `babble` trigger the failure modes; anything else gets `ask_repeat`).
fn server() -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let log = log.clone();
            std::thread::spawn(move || serve(stream, &log));
        }
    });
    (format!("http://{addr}/v1"), seen)
}

fn serve(stream: TcpStream, log: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut request_line = String::new();
    reader.read_line(&mut request_line).expect("request line");
    let (mut len, mut auth) = (0usize, None);
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).expect("header");
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':').expect("header line");
        match k.to_ascii_lowercase().as_str() {
            "content-length" => len = v.trim().parse().expect("length"),
            "authorization" => auth = Some(v.trim().to_string()),
            _ => {}
        }
    }
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body).expect("body");
    let body: serde_json::Value = serde_json::from_slice(&body).expect("JSON body");
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    let user = body["messages"][1]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    log.lock().expect("log").push(Seen { path, auth, body });
    let (status, content) = match user.as_str() {
        "slow" => {
            std::thread::sleep(Duration::from_millis(1500));
            (200, "affirm")
        }
        "broken" => (500, ""),
        "babble" => (200, "I think they want a pizza"),
        _ => (200, "ask_repeat"),
    };
    let json = serde_json::json!({
        "id": "chatcmpl-1", "object": "chat.completion", "model": "test-model",
        "choices": [{ "index": 0, "finish_reason": "stop",
                      "message": { "role": "assistant", "content": content } }],
    })
    .to_string();
    let mut s = stream;
    let _ = write!(
        s,
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{json}",
        json.len()
    );
}

/// A minimal blocking HTTP/1.1 client for http:// URLs (test transport).
struct StdTransport;

impl HttpPost for StdTransport {
    fn post_json(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: &str,
        timeout: Duration,
    ) -> Result<(u16, String), TransportError> {
        let other = |e: std::io::Error| match e.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
                TransportError::Timeout
            }
            _ => TransportError::Other(e.to_string()),
        };
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| TransportError::Other("http only".into()))?;
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let addr = host
            .parse()
            .map_err(|_| TransportError::Other("bad host".into()))?;
        let mut s = TcpStream::connect_timeout(&addr, timeout).map_err(other)?;
        s.set_read_timeout(Some(timeout)).map_err(other)?;
        s.set_write_timeout(Some(timeout)).map_err(other)?;
        let mut req = format!(
            "POST /{path} HTTP/1.1\r\nhost: {host}\r\ncontent-length: {}\r\nconnection: close\r\n",
            body.len()
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(body);
        s.write_all(req.as_bytes()).map_err(other)?;
        let mut resp = String::new();
        s.read_to_string(&mut resp).map_err(other)?;
        let status = resp
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let body = resp
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        Ok((status, body))
    }
}

fn classifier(base_url: &str, timeout_ms: u64) -> OpenAiClassifier<StdTransport> {
    OpenAiClassifier::new(
        OpenAiConfig {
            base_url: base_url.to_string(),
            model: "test-model".into(),
            timeout: Duration::from_millis(timeout_ms),
            api_key: Some("k-123".into()),
        },
        StdTransport,
    )
}

#[test]
fn adapter_speaks_chat_completions_and_keeps_rules_on_failure() {
    let (url, seen) = server();
    let c = classifier(&url, 400);
    let rules = Recognizer::builtin().expect("rules");
    let labels = rules.labels().to_vec();

    let r = c.classify("嗯……那啥……", &labels).expect("answer");
    assert_eq!(
        (r.intent.as_str(), r.rule.as_deref()),
        ("ask_repeat", Some("llm:test-model"))
    );
    {
        let seen = seen.lock().expect("log");
        let req = &seen[0];
        assert_eq!(req.path, "/v1/chat/completions");
        assert_eq!(req.auth.as_deref(), Some("Bearer k-123"));
        assert_eq!(req.body["model"], "test-model");
        assert_eq!(req.body["messages"][1]["content"], "嗯……那啥……");
        assert!(req.body["messages"][0]["content"]
            .as_str()
            .expect("system")
            .contains("opt_out"));
    }

    assert!(matches!(
        c.classify("slow", &labels),
        Err(ClassifierError::Timeout)
    ));
    assert!(matches!(
        c.classify("broken", &labels),
        Err(ClassifierError::Failed(_))
    ));
    assert!(matches!(
        c.classify("babble", &labels),
        Err(ClassifierError::Failed(_))
    ));

    // combine(): the model is asked only when the rules say unknown; failures keep the rules.
    let unknown = rules.recognize("今天天气不错");
    assert_eq!(
        combine(unknown.clone(), Some(&c), "今天天气不错", &labels).intent,
        "ask_repeat"
    );
    assert_eq!(
        combine(rules.recognize("slow"), Some(&c), "slow", &labels).intent,
        "unknown"
    );
    let before = seen.lock().expect("log").len();
    let opt = rules.recognize("别再打了");
    assert_eq!(
        combine(opt, Some(&c), "别再打了", &labels).intent,
        "opt_out"
    );
    assert_eq!(
        seen.lock().expect("log").len(),
        before,
        "model asked although the rules knew"
    );
    assert_eq!(combine(unknown, None, "x", &labels).intent, "unknown");
}

#[test]
fn unreachable_server_is_an_error_not_a_panic() {
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let c = classifier(&format!("http://127.0.0.1:{port}/v1"), 300);
    assert!(c.classify("你好", &["affirm".to_string()]).is_err());
}

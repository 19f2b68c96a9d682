//! The optional LLM classifier through `waihu intent`: asked only when the rules
//! find nothing, guarded to known labels, and the rules' answer stands when the
//! server fails or is unreachable. The server here speaks the chat-completions
//! protocol on 127.0.0.1.

use crate::support::{err, out, run_cmd};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::{Arc, Mutex};

/// A one-purpose chat-completions server: answers every POST with `status` and a
/// completion whose content is `label`; records the request bodies.
fn fake_server(status: u16, label: &'static str) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(20) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut len = 0usize;
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" || line.is_empty() {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            log.lock()
                .unwrap()
                .push(format!("{request_line}{}", String::from_utf8_lossy(&body)));
            let reply = serde_json::json!({
                "id": "x", "object": "chat.completion",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": label}, "finish_reason": "stop"}]
            })
            .to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    (base, seen)
}

fn intent(base: Option<&str>, input: &str) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Command::new(crate::support::bin());
    for (k, _) in std::env::vars() {
        if k.starts_with("WAIHU_") {
            c.env_remove(k);
        }
    }
    c.current_dir(dir.path()).arg("intent");
    if let Some(b) = base {
        c.env("WAIHU_LLM__BASE_URL", b)
            .env("WAIHU_LLM__MODEL", "test-model");
    }
    let o = run_cmd(&mut c, Some(input));
    assert!(o.status.success(), "{}", err(&o));
    out(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

// Rules recognise nothing in this line (checked below, so the test stays honest).
const VAGUE: &str = "今天天气怎么样";

#[test]
fn the_llm_is_asked_only_when_the_rules_find_nothing() {
    let plain = intent(None, &format!("{VAGUE}\n"));
    assert_eq!(plain[0]["intent"], "unknown", "precondition: {plain:?}");

    let (base, seen) = fake_server(200, "affirm");
    let rows = intent(Some(&base), &format!("{VAGUE}\n不需要，别再打了\n"));
    assert_eq!(rows[0]["intent"], "affirm", "{rows:?}");
    assert_eq!(rows[0]["rule"], "llm:test-model");
    assert_eq!(rows[1]["intent"], "opt_out", "rules win when they match");
    let requests = seen.lock().unwrap();
    assert_eq!(requests.len(), 1, "only the vague line went to the model");
    assert!(
        requests[0].starts_with("POST /v1/chat/completions"),
        "{}",
        requests[0]
    );
    assert!(requests[0].contains("test-model") && requests[0].contains(VAGUE));
}

#[test]
fn the_rules_answer_stands_on_errors_and_unknown_labels() {
    let (failing, _) = fake_server(500, "affirm");
    assert_eq!(
        intent(Some(&failing), &format!("{VAGUE}\n"))[0]["intent"],
        "unknown"
    );
    let (rogue, _) = fake_server(200, "transfer all money");
    assert_eq!(
        intent(Some(&rogue), &format!("{VAGUE}\n"))[0]["intent"],
        "unknown"
    );
    // Nothing listens here.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/v1", l.local_addr().unwrap())
    };
    assert_eq!(
        intent(Some(&closed), &format!("{VAGUE}\n"))[0]["intent"],
        "unknown"
    );
}

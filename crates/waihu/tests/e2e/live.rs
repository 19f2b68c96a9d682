//! Live calls end to end: `waihu serve` with its dialler calls the virtual
//! callee while a browser-like client reads `/live/events`; the stream shows
//! the call start, the robot's and the callee's lines (with the intent) and
//! the end, numbers masked — and an open stream does not hold up the graceful
//! shutdown.

use crate::support::callee::{phrasebook_dialler, start_callee, talker};
use crate::support::seed::setup_task;
use crate::support::Server;
use std::time::Duration;

/// One Server-Sent Event.
#[derive(Debug)]
struct Sse {
    event: String,
    data: serde_json::Value,
}

/// Reads events from a streaming response.
struct Events {
    resp: reqwest::Response,
    buf: String,
}

impl Events {
    async fn next(&mut self) -> Option<Sse> {
        loop {
            if let Some(i) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..i + 2).collect();
                let mut event = "message".to_string();
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue;
                }
                return Some(Sse {
                    event,
                    data: serde_json::from_str(&data).expect("JSON data"),
                });
            }
            match self.resp.chunk().await.expect("read the stream") {
                Some(bytes) => self.buf.push_str(&String::from_utf8_lossy(&bytes)),
                None => return None,
            }
        }
    }
}

/// Signs in as the first operator (who sees every tenant's calls) and
/// returns the session cookie header.
async fn sign_in(client: &reqwest::Client, server: &Server) -> String {
    let password = server.operator_password();
    let page = client.get(server.url("/login")).send().await.unwrap();
    let pre: Vec<String> = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect();
    let html = page.text().await.unwrap();
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("login form") + marker.len();
    let csrf = html[start..].split('"').next().unwrap().to_string();
    let r = client
        .post(server.url("/login"))
        .header("cookie", pre.join("; "))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", "operator"),
            ("password", password.as_str()),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "login");
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .find(|c| c.starts_with("waihu_session="))
        .expect("session cookie")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_running_task_shows_live_with_its_transcript() {
    // The hub lives in the serving process: one backend is enough here.
    let env = crate::support::envs().await.remove(0);
    let dir = tempfile::tempdir().unwrap();
    let callee = start_callee(&env, dir.path(), &talker(3000));
    setup_task(&env, dir.path(), callee.port, 1);
    // Held until the viewer is connected, so that the whole call is seen.
    env.ok(&["task", "pause", "--tenant", "acme", "t1"]);

    let server = Server::start_with(&env, |c| {
        phrasebook_dialler(c, &callee.behaviour);
    });
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let cookie = sign_in(&client, &server).await;
    let resp = client
        .get(server.url("/live/events"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut events = Events {
        resp,
        buf: String::new(),
    };
    let first = events.next().await.unwrap();
    assert_eq!(first.event, "snapshot");

    env.ok(&["task", "resume", "--tenant", "acme", "t1"]);

    // A guard against a hang (the call itself takes a few seconds).
    let seen = tokio::time::timeout(Duration::from_secs(120), async {
        let mut seen: Vec<Sse> = Vec::new();
        while let Some(e) = events.next().await {
            let end = e.event == "ended";
            seen.push(e);
            if end {
                break;
            }
        }
        seen
    })
    .await
    .expect("the call ended on the live stream");

    let names: Vec<&str> = seen.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(names.first(), Some(&"started"), "{names:?}");
    assert_eq!(names.last(), Some(&"ended"), "{names:?}");
    assert!(
        names.contains(&"answered") && names.contains(&"robot"),
        "{names:?}"
    );
    let call = &seen[0].data["call_id"];
    assert!(seen.iter().all(|e| &e.data["call_id"] == call), "one call");
    let masked = seen[0].data["number_masked"].as_str().unwrap();
    assert!(
        masked.contains('*') && !masked.contains("13900200000"),
        "{masked}"
    );
    assert_eq!(seen[0].data["task_name"], "t1");
    let turn = seen
        .iter()
        .find(|e| e.event == "callee")
        .expect("a callee turn");
    assert_eq!(turn.data["text"], "好的，可以。", "{:?}", turn.data);
    assert_eq!(turn.data["intent"], "affirm");
    let end = seen.last().unwrap();
    assert_eq!(end.data["outcome"], "answered", "{:?}", end.data);
    assert!(end.data["grade"].is_string());
    // The call is over: it is no longer listed as current.
    let now: serde_json::Value = client
        .get(server.url("/api/v1/live"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(now["enabled"], true);
    assert!(
        !now["calls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| &c["call_id"] == call),
        "{now}"
    );

    // The stream is still open; the server still shuts down cleanly.
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
    drop(events);
}

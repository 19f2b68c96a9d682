//! Live calls: the Server-Sent Events of `/live/events` carry a tenant's own
//! calls only (in order), the operator's all; the stream ends with the viewer's
//! session and with the server; `/live` and `/api/v1/live` list the current
//! calls in the same scope; without a dialler the page says so.

use crate::support::{Harness, Seed};
use axum::body::{Body, BodyDataStream};
use axum::http::{header, Request, StatusCode};
use futures_util::StreamExt;
use std::time::Duration;
use tower::ServiceExt;
use uuid::Uuid;
use waihu_core::TenantId;
use waihu_web::live::{LiveHub, LiveKind};

/// One parsed SSE event.
#[derive(Debug)]
struct Sse {
    event: String,
    data: serde_json::Value,
}

/// An open event stream.
struct Stream {
    body: BodyDataStream,
    buf: String,
}

impl Stream {
    /// The next event (comments skipped); `None` when the stream ended.
    async fn next(&mut self) -> Option<Sse> {
        loop {
            if let Some(i) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..i + 2).collect();
                let mut event = String::from("message");
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue; // keep-alive comment
                }
                let data = serde_json::from_str(&data).expect("event data is JSON");
                return Some(Sse { event, data });
            }
            // A guard against a hang, not a timing assertion.
            let chunk = tokio::time::timeout(Duration::from_secs(60), self.body.next())
                .await
                .expect("the event stream stalled");
            match chunk {
                Some(Ok(bytes)) => self.buf.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }
}

fn cookie_header(b: &crate::support::Browser<'_>) -> String {
    b.cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

async fn open(h: &Harness, who: &crate::support::Browser<'_>) -> Stream {
    let req = Request::get("/live/events")
        .header(header::COOKIE, cookie_header(who))
        .body(Body::empty())
        .unwrap();
    let resp = waihu_web::app(h.state.clone()).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    assert_eq!(resp.headers()["x-accel-buffering"], "no");
    Stream {
        body: resp.into_body().into_data_stream(),
        buf: String::new(),
    }
}

async fn live_harness() -> (Harness, Seed, LiveHub) {
    let (mut h, seed) = Harness::seeded().await;
    let hub = LiveHub::with_recheck(std::sync::Arc::new(h.clock.clone()), Duration::ZERO);
    h.state = h.state.clone().with_live(hub.clone());
    (h, seed, hub)
}

fn started(task: &str) -> LiveKind {
    LiveKind::Started {
        task_name: task.into(),
        number_masked: "138****5678".into(),
    }
}

/// A whole call of `tenant`: started, answered, robot, callee, ended.
fn publish_call(hub: &LiveHub, tenant: TenantId, call: Uuid) {
    let task = Uuid::new_v4();
    hub.publish(tenant, call, task, started("secret-task-a"));
    hub.publish(tenant, call, task, LiveKind::Answered);
    hub.publish(
        tenant,
        call,
        task,
        LiveKind::Robot {
            text: "您好，我是测试公司的AI助理".into(),
            disclosure: true,
        },
    );
    hub.publish(
        tenant,
        call,
        task,
        LiveKind::Callee {
            text: Some("可以啊".into()),
            dtmf: None,
            intent: "affirm".into(),
            confidence: Some(0.9),
        },
    );
    hub.publish(
        tenant,
        call,
        task,
        LiveKind::Ended {
            outcome: "answered".into(),
            script_outcome: Some("interested".into()),
            grade: Some("A".into()),
        },
    );
}

#[tokio::test]
async fn a_tenant_sees_its_own_calls_in_order_and_never_another_tenants() {
    let (h, seed, hub) = live_harness().await;
    let alice = h.login("alice").await;
    let bob = h.login("bob").await;
    let op = h.login("op").await;
    let mut a = open(&h, &alice).await;
    let mut b = open(&h, &bob).await;
    let mut o = open(&h, &op).await;
    for s in [&mut a, &mut b, &mut o] {
        let first = s.next().await.unwrap();
        assert_eq!(first.event, "snapshot");
        assert_eq!(first.data["calls"], serde_json::json!([]));
    }
    let (ca, cb) = (Uuid::new_v4(), Uuid::new_v4());
    publish_call(&hub, seed.ta, ca);
    // Then one event of tenant B: B's first event must be this one.
    hub.publish(seed.tb, cb, Uuid::new_v4(), started("task-b"));

    let mut seen = Vec::new();
    for _ in 0..5 {
        let e = a.next().await.unwrap();
        assert_eq!(e.data["call_id"], ca.to_string(), "{e:?}");
        seen.push((e.event, e.data["seq"].as_u64().unwrap()));
    }
    let names: Vec<_> = seen.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["started", "answered", "robot", "callee", "ended"]);
    assert!(
        seen.windows(2).all(|w| w[0].1 < w[1].1),
        "in order: {seen:?}"
    );

    let e = b.next().await.unwrap();
    assert_eq!(
        (e.event.as_str(), e.data["call_id"].as_str()),
        ("started", Some(cb.to_string().as_str())),
        "tenant B's first event is its own, none of tenant A's: {e:?}"
    );
    assert_eq!(e.data["tenant_id"], seed.tb.to_string());
    assert_eq!(e.data["number_masked"], "138****5678");

    // A's next event is A's own again (B's call was skipped).
    hub.publish(seed.ta, Uuid::new_v4(), Uuid::new_v4(), started("again"));
    let e = a.next().await.unwrap();
    assert_eq!(e.data["task_name"], "again", "{e:?}");

    // The operator saw every tenant's events.
    let mut op_calls = Vec::new();
    for _ in 0..7 {
        op_calls.push(o.next().await.unwrap().data["call_id"].clone());
    }
    assert!(op_calls.contains(&serde_json::json!(ca.to_string())));
    assert!(op_calls.contains(&serde_json::json!(cb.to_string())));
}

#[tokio::test]
async fn the_stream_ends_with_the_session_and_with_the_server() {
    let (h, seed, hub) = live_harness().await;
    let mut alice = h.login("alice").await;
    let mut s = open(&h, &alice).await;
    assert_eq!(s.next().await.unwrap().event, "snapshot");
    let r = alice.post("/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    hub.publish(
        seed.ta,
        Uuid::new_v4(),
        Uuid::new_v4(),
        started("after-logout"),
    );
    assert!(
        s.next().await.is_none(),
        "a signed-out viewer gets nothing more"
    );

    let bob = h.login("bob").await;
    let mut s = open(&h, &bob).await;
    assert_eq!(s.next().await.unwrap().event, "snapshot");
    hub.close();
    assert!(s.next().await.is_none(), "shutdown ends open streams");
}

#[tokio::test]
async fn current_calls_are_listed_in_the_viewers_scope() {
    let (h, seed, hub) = live_harness().await;
    let ca = Uuid::new_v4();
    hub.publish(seed.ta, ca, Uuid::new_v4(), started("secret-task-a"));
    hub.publish(
        seed.ta,
        ca,
        Uuid::new_v4(),
        LiveKind::Robot {
            text: "您好<script>".into(),
            disclosure: true,
        },
    );

    let mut alice = h.login("alice").await;
    let page = alice.get("/live").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&ca.to_string()), "{}", page.body);
    assert!(page.body.contains("secret-task-a"));
    assert!(page.body.contains("您好&lt;script&gt;"), "escaped");
    assert!(page.body.contains("data-live-src=\"/live/events\""));
    let api = alice
        .api(
            axum::http::Method::GET,
            "/api/v1/live",
            None,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    assert_eq!(api.json()["calls"][0]["call_id"], ca.to_string());

    let mut bob = h.login("bob").await;
    let page = bob.get("/live").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(&ca.to_string()));
    assert!(!page.body.contains("secret-task-a"));
    let api = bob
        .api(
            axum::http::Method::GET,
            "/api/v1/live",
            None,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(api.json()["calls"], serde_json::json!([]));
    assert_eq!(api.json()["enabled"], true);

    let mut op = h.login("op").await;
    assert!(op.get("/live").await.body.contains(&ca.to_string()));

    // Agents watch their tenant's calls too.
    let mut agnes = h.login("agnes").await;
    assert!(agnes.get("/live").await.body.contains("secret-task-a"));
}

#[tokio::test]
async fn without_a_dialler_the_page_says_so_and_there_is_no_stream() {
    let (h, _) = Harness::seeded().await;
    let mut alice = h.login("alice").await;
    let page = alice.get("/live").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("live-off"));
    assert!(!page.body.contains("data-live-src"));
    assert_eq!(
        alice.get("/live/events").await.status,
        StatusCode::NOT_FOUND
    );
    let api = alice
        .api(
            axum::http::Method::GET,
            "/api/v1/live",
            None,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(api.json()["enabled"], false);
    // Signed out: the login page, not the stream.
    let r = h.get("/live/events").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

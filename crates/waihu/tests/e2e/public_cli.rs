//! The public callee pages with the real binary: `waihu serve` with its dialler
//! and the verification caller, the virtual callee answering. A callee asks for
//! a one-time code over HTTP, the robot calls and reads it out, the virtual
//! callee hears it (speech recognition over the phrase book) and logs it, the
//! test types it in (asking for a second code if the first call was heard too
//! badly) and opts out — the task, paused meanwhile and then resumed, never
//! calls that number again; the fourth verification call to a number within
//! 24 h is refused by the gate, also when requests for it race each other.

use crate::support::callee::{phrasebook_dialler, start_logged_callee};
use crate::support::seed::{caller_number, setup_task_retrying};
use crate::support::{out, Env, Server};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Task calls come from +861088886666 (the callee proving its number is busy
/// for them), verification calls from +861099990000.
const CALLEES: &str = r#"
[[rule]]
from = "^\\+?861099990000$"
action = "answer"
persona = "code-listener"

[[rule]]
match = "13900200001$"
from = "^\\+?861088886666$"
action = "busy"

[[rule]]
ring_secs = 1
action = "answer"
persona = "talker"

[persona.code-listener]
lang = "zh"
steps = [{ do = "hear_code", max_wait_ms = 60000 }]
then = "wait"

[persona.talker]
lang = "zh"
steps = [{ do = "say", text = "好的，可以。" }]
then = "hangup"
"#;

const VERIFY_CALLER: &str = "+861099990000";
/// The second contact of the task.
const NUMBER: &str = "+8613900200001";
/// A number five people ask codes for at the same moment.
const RACED: &str = "13900209999";

/// A cookie-keeping HTTP client for the public pages.
struct Browser {
    http: reqwest::Client,
    cookies: BTreeMap<String, String>,
    base: String,
    /// The client address a trusted proxy (the test) reports.
    forwarded_for: String,
}

impl Browser {
    fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
            base: base.to_string(),
            forwarded_for: "127.0.0.1".into(),
        }
    }

    fn from_address(base: &str, address: &str) -> Self {
        Self {
            forwarded_for: address.to_string(),
            ..Self::new(base)
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, r: &reqwest::Response) {
        for c in r.headers().get_all(SET_COOKIE) {
            let c = c.to_str().unwrap();
            let (k, v) = c.split(';').next().unwrap().split_once('=').unwrap();
            if c.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.into(), v.into());
            }
        }
    }

    async fn get(&mut self, path: &str) -> (u16, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .header("x-forwarded-for", &self.forwarded_for)
            .send()
            .await
            .unwrap();
        self.keep(&r);
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Posts a public form with the anti-CSRF token of the start page.
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let (_, page) = self.get("/p").await;
        let marker = "name=\"_csrf\" value=\"";
        let at = page.find(marker).expect("a form") + marker.len();
        let token = page[at..].split('"').next().unwrap().to_string();
        let mut all = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .header("x-forwarded-for", &self.forwarded_for)
            .form(&all)
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let location = r
            .headers()
            .get(LOCATION)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (r.status().as_u16(), location, r.text().await.unwrap())
    }
}

/// The calls the callee logged so far.
fn calls(log: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// The codes the callee heard on verification calls to `number`.
fn codes_heard(log: &Path, number: &str) -> Vec<String> {
    calls(log)
        .iter()
        .filter(|c| digits(c["to"].as_str().unwrap_or("")) == digits(number))
        .filter(|c| digits(c["from"].as_str().unwrap_or("")) == digits(VERIFY_CALLER))
        .flat_map(|c| c["events"].as_array().cloned().unwrap_or_default())
        .filter(|e| e["event"] == "code_heard")
        .filter_map(|e| e["code"].as_str().map(str::to_string))
        .collect()
}

/// Asks for a code for [`NUMBER`], waits for the callee to hear the call's
/// readings and types them in; whether one was right (the session is then
/// verified).
async fn verify_by_code_call(b: &mut Browser, log: &Path) -> bool {
    let before = codes_heard(log, NUMBER).len();
    let (status, location, body) = b.post("/p/code", &[("number", "139 0020 0001")]).await;
    assert_eq!((status, location.as_str()), (303, "/p/verify"), "{body}");
    // It is read three times; wait for every reading (or the end of waiting).
    let deadline = Instant::now() + Duration::from_secs(120);
    while codes_heard(log, NUMBER).len() < before + waihu_callee::code::READINGS {
        if Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let heard = codes_heard(log, NUMBER).split_off(before);
    eprintln!("code call heard: {heard:?}");
    let Some(voted) = waihu_callee::code::vote(&heard) else {
        eprintln!("no code heard on this call: {:#?}", robot_speech(log));
        return false;
    };
    // The digits most often heard first, then any other reading; a reading
    // misheard over the line costs one of the code's five tries.
    let mut readings = vec![voted];
    for r in &heard {
        if r.len() == 6 && !r.contains(waihu_callee::code::MISSED) && !readings.contains(r) {
            readings.push(r.clone());
        }
    }
    readings.truncate(4);
    let mut answers = Vec::new();
    for reading in &readings {
        if reading.len() != 6 || reading.contains(waihu_callee::code::MISSED) {
            continue;
        }
        let (status, location, body) = b.post("/p/verify", &[("code", reading)]).await;
        if status == 303 {
            assert_eq!(location, "/p/me");
            return true;
        }
        assert_eq!(status, 422, "{body}");
        eprintln!("{reading} refused: {}", notice(&body));
        answers.push(notice(&body));
    }
    eprintln!(
        "no reading was right: {readings:?} from {heard:?}, answered {answers:?}: {:#?}",
        robot_speech(log)
    );
    false
}

/// The text of a page's alert notice (why a code was refused).
fn notice(page: &str) -> String {
    let Some(at) = page.find("role=\"alert\"") else {
        // An error page: its text without the tags.
        let mut text = String::new();
        let mut in_tag = false;
        for c in page.chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    text.push(' ');
                }
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        return text.split_whitespace().collect::<Vec<_>>().join(" ");
    };
    let rest = &page[at..];
    let text = rest.split('>').nth(1).unwrap_or("");
    text.split('<').next().unwrap_or("").to_string()
}

/// What the robot said on every call, for failure messages.
fn robot_speech(log: &Path) -> Vec<String> {
    calls(log)
        .iter()
        .flat_map(|c| c["events"].as_array().cloned().unwrap_or_default())
        .filter(|e| e["event"] == "robot_said" || e["event"] == "robot_speech_end")
        .map(|e| e.to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_callee_verifies_by_a_code_call_opts_out_and_is_never_called_again() {
    for env in crate::support::envs().await {
        on(&env).await;
    }
}

async fn on(env: &Env) {
    let dir = tempfile::tempdir().unwrap();
    let (callee, log) = start_logged_callee(env, dir.path(), CALLEES);
    // The callee's number is busy on the task's first attempt and due again
    // a minute later (the shortest retry delay). The task is paused while the
    // callee proves the number and opts out (however long the code calls take
    // on a loaded machine), then resumed; its retry comes after the opt-out.
    setup_task_retrying(env, dir.path(), callee.port, 3, "1m");
    // The platform's own tenant places the verification calls.
    env.ok(&["tenant", "create", "platform"]);
    caller_number(env, VERIFY_CALLER, "platform");
    let server = Server::start_with(env, |c| {
        phrasebook_dialler(c, &callee.behaviour)
            .env("WAIHU_VERIFICATION__TENANT", "platform")
            .env("WAIHU_VERIFICATION__TRUNK", "sim")
            .env("WAIHU_VERIFICATION__CALLER_NUMBER", VERIFY_CALLER)
            .env("WAIHU_SERVER__SECURE_COOKIES", "never")
            .env("WAIHU_SERVER__TRUSTED_PROXIES", "127.0.0.1");
    });
    let mut b = Browser::new(&server.base);
    let task_calls = || -> Vec<String> {
        calls(&log)
            .iter()
            .filter(|c| digits(c["from"].as_str().unwrap_or("")) == "861088886666")
            .map(|c| digits(c["to"].as_str().unwrap_or("")))
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while !task_calls().contains(&digits(NUMBER)) {
        assert!(Instant::now() < deadline, "the task never dialled {NUMBER}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    env.ok(&["task", "pause", "--tenant", "acme", "t1"]);

    // 1–2. Ask for a code; the robot calls, the virtual callee hears it and the
    //      test types it in. A call heard too badly (a shared, loaded machine
    //      can starve the media threads) is answered as a person would: by
    //      asking for another code, which counts towards the 24 h cap.
    let mut code_calls = 0;
    let mut verified = false;
    while !verified && code_calls < 2 {
        code_calls += 1;
        verified = verify_by_code_call(&mut b, &log).await;
    }
    assert!(verified, "no code call could be heard right");
    let (status, me) = b.get("/p/me").await;
    assert_eq!(status, 200);
    assert!(me.contains("139****0001"), "{me}");
    // Opt out of the business that called (by its number).
    let (status, location, body) = b
        .post(
            "/p/optout",
            &[("scope", "business"), ("caller_number", "+861088886666")],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/p/me?done=optout"),
        "{body}"
    );

    let before = task_calls();
    assert_eq!(
        before.iter().filter(|n| **n == digits(NUMBER)).count(),
        1,
        "the retry came before the opt-out: {before:?}"
    );
    env.ok(&["task", "resume", "--tenant", "acme", "t1"]);
    let s = env.json_last_line(&["task", "status", "--tenant", "acme", "t1", "--json"]);
    assert_eq!(s["state"], "running", "{s}");

    // 3. The resumed task's retry of that number is refused by the gate: no
    //    second call; the task completes.
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let o = env.run(
            &["task", "status", "--tenant", "acme", "t1", "--json"],
            None,
        );
        let s: serde_json::Value =
            serde_json::from_str(out(&o).lines().last().unwrap_or("{}")).unwrap_or_default();
        if s["state"] == "completed" || s["state"] == "finished" {
            break;
        }
        if Instant::now() > deadline {
            panic!("task did not finish: {s}");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let dialled = task_calls();
    assert_eq!(dialled.len(), 3, "{dialled:?}");
    let to_number = dialled.iter().filter(|n| **n == digits(NUMBER)).count();
    assert_eq!(
        to_number, 1,
        "only the busy attempt before the opt-out: {dialled:?}"
    );
    let export = env.json(&["subject", "export", "--number", NUMBER]);
    let outcomes: Vec<&str> = export["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["outcome"].as_str())
        .collect();
    assert!(
        outcomes.contains(&"busy") && outcomes.contains(&"refused"),
        "{export}"
    );

    // 4. The verification calls up to three pass; the fourth in 24 h is refused
    //    by the gate.
    for i in code_calls..3 {
        let (status, _, body) = b.post("/p/code", &[("number", NUMBER)]).await;
        assert_eq!(status, 303, "call {}: {body}", i + 1);
    }
    let (status, _, body) = b.post("/p/code", &[("number", NUMBER)]).await;
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("已接到 3 次验证电话"), "{body}");

    // 5. Five requests for another number at once, from five addresses: the
    //    cap still lets exactly three calls through.
    let mut racing = tokio::task::JoinSet::new();
    for i in 1..=5 {
        let mut b = Browser::from_address(&server.base, &format!("10.0.0.{i}"));
        racing.spawn(async move { b.post("/p/code", &[("number", RACED)]).await.0 });
    }
    let statuses: Vec<u16> = racing.join_all().await;
    let passed = statuses.iter().filter(|s| **s == 303).count();
    assert_eq!(passed, 3, "{statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 303 || *s == 429),
        "{statuses:?}"
    );
    server.terminate();
}

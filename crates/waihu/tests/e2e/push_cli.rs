//! Lead push end to end: targets configured with `waihu push target`, a finished
//! call with a lead written through the store, `waihu push run --once` delivering
//! to a local receiver that checks the generic-webhook and DingTalk signatures,
//! a busy receiver scheduled for retry, and a refusing one on the dead-letter
//! list until it is fixed and re-queued with `waihu push retry`.

use crate::support::{envs, err, out, Env};
use chrono::{Duration, Utc};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use waihu_compliance::pii::{mask, PhoneKey};
use waihu_compliance::{ConsentEvidence, EvidenceRef, Purpose};
use waihu_core::TenantName;
use waihu_store::{
    Actor, BeginCall, CallResult, ImportBatch, LintSummary, NewContact, NewLead, NewTask, NewTrunk,
    Next, Store, Transport,
};

const WEBHOOK_SECRET: &str = "whsec-e2e-4711";
const DING_SECRET: &str = "SEC-e2e-ding-0815";
const DING_TOKEN: &str = "tok-e2e-ding";
const NUMBER: &str = "+8613912345678";

/// One request the receiver got, with whether its signature checked out.
#[derive(Debug, Clone)]
struct Got {
    path: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
    signature_ok: bool,
}

#[derive(Default)]
struct ReceiverState {
    got: Vec<Got>,
    /// `/gone` refuses (404) until the tenant "fixes" it.
    gone_fixed: bool,
}

/// A plain HTTP/1.1 receiver on 127.0.0.1:0 answering per path:
/// `/hook` verifies the webhook signature (200 or 401), `/robot/send` verifies
/// DingTalk 加签 (errcode 0 or 310000), `/busy` answers 500, `/gone` 404 until
/// fixed. It runs for the rest of the test process.
struct Receiver {
    addr: SocketAddr,
    state: Arc<Mutex<ReceiverState>>,
}

impl Receiver {
    fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(ReceiverState::default()));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                serve(stream, &shared);
            }
        });
        Receiver { addr, state }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn got(&self, path_prefix: &str) -> Vec<Got> {
        let state = self.state.lock().unwrap();
        state
            .got
            .iter()
            .filter(|g| g.path.starts_with(path_prefix))
            .cloned()
            .collect()
    }
}

fn serve(stream: TcpStream, state: &Mutex<ReceiverState>) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_string();
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let (signature_ok, status, reply) = answer(&path, &headers, &body, state);
    state.lock().unwrap().got.push(Got {
        path,
        headers,
        body,
        signature_ok,
    });
    let mut stream = reader.into_inner();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
        reply.len()
    );
    let _ = stream.flush();
}

/// (signature valid, HTTP status, reply body) for one request.
fn answer(
    path: &str,
    headers: &HashMap<String, String>,
    body: &[u8],
    state: &Mutex<ReceiverState>,
) -> (bool, u16, String) {
    let url = reqwest::Url::parse(&format!("http://receiver{path}")).unwrap();
    match url.path() {
        "/hook" => {
            // Recompute the HMAC over the raw bytes received, with the receiver's
            // copy of the secret, and check the timestamp is fresh.
            let ts = headers
                .get("x-waihu-timestamp")
                .cloned()
                .unwrap_or_default();
            let sent = headers
                .get("x-waihu-signature")
                .cloned()
                .unwrap_or_default();
            let fresh = ts
                .parse::<i64>()
                .is_ok_and(|t| (Utc::now().timestamp() - t).abs() <= 300);
            let ok = fresh && sent == waihu_push::webhook_signature(WEBHOOK_SECRET, &ts, body);
            (ok, if ok { 200 } else { 401 }, "{}".into())
        }
        "/robot/send" => {
            let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
            let ts = query.get("timestamp").cloned().unwrap_or_default();
            let fresh = ts
                .parse::<i64>()
                .is_ok_and(|t| (Utc::now().timestamp_millis() - t).abs() <= 3_600_000);
            let ok = fresh
                && query.get("access_token").map(String::as_str) == Some(DING_TOKEN)
                && ts.parse::<i64>().is_ok_and(|t| {
                    query.get("sign") == Some(&waihu_push::dingtalk_sign(DING_SECRET, t))
                });
            let reply = if ok {
                r#"{"errcode":0,"errmsg":"ok"}"#
            } else {
                r#"{"errcode":310000,"errmsg":"sign not match"}"#
            };
            (ok, 200, reply.into())
        }
        "/busy" => (true, 500, r#"{"error":"busy"}"#.into()),
        "/gone" if state.lock().unwrap().gone_fixed => (true, 200, "{}".into()),
        "/gone" => (true, 404, r#"{"error":"no such hook"}"#.into()),
        _ => (false, 404, "{}".into()),
    }
}

/// The receiver listens on 127.0.0.1, which tenants' URLs may reach only when
/// the operator allow-lists it.
const ALLOW_LOOPBACK: (&str, &str) = ("WAIHU_OUTBOUND__ALLOW", "127.0.0.1");

fn run(env: &Env, args: &[&str]) -> std::process::Output {
    crate::support::run_cmd(
        env.cmd().args(args).env(ALLOW_LOOPBACK.0, ALLOW_LOOPBACK.1),
        None,
    )
}

fn ok(env: &Env, args: &[&str]) -> String {
    let o = run(env, args);
    assert!(o.status.success(), "{args:?}: {}{}", out(&o), err(&o));
    out(&o)
}

/// Parses `pushed: D delivered, R to retry, X dead, S skipped`.
fn pass(env: &Env) -> (u32, u32, u32, u32, String) {
    let o = run(env, &["push", "run", "--once"]);
    let text = format!("{}{}", out(&o), err(&o));
    assert!(o.status.success(), "push run: {text}");
    let line = out(&o)
        .lines()
        .find(|l| l.starts_with("pushed:"))
        .unwrap_or_else(|| panic!("no summary: {text}"))
        .to_string();
    let n: Vec<u32> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|s| s.parse().ok())
        .collect();
    assert_eq!(n.len(), 4, "{line}");
    (n[0], n[1], n[2], n[3], text)
}

/// A finished, answered call of tenant `acme` graded B with a shareable lead,
/// written through the store as the dialler would.
async fn finished_call_with_lead(store: &Store) -> uuid::Uuid {
    let actor = Actor::cli("e2e");
    let tenant = store
        .find_tenant_by_name(&TenantName::parse("acme").unwrap())
        .await
        .unwrap()
        .unwrap();
    let now = Utc::now();
    let version = store
        .save_script_version(
            tenant.id,
            "trial",
            "steps: []",
            LintSummary {
                errors: 0,
                warnings: 0,
                findings_json: "[]".into(),
            },
            &actor,
        )
        .await
        .unwrap();
    let trunk = store
        .add_trunk(
            NewTrunk {
                name: "e2e-trunk".into(),
                address: "sip.carrier.invalid:5060".into(),
                transport: Transport::Udp,
                username: None,
                password: None,
                cps_limit: 5.0,
            },
            &actor,
        )
        .await
        .unwrap();
    let list = store
        .ensure_contact_list(tenant.id, "spring", &actor)
        .await
        .unwrap();
    let key = PhoneKey::from_bytes([7; 32]);
    store
        .import_contacts(
            tenant.id,
            list.id,
            ImportBatch {
                evidence: vec![ConsentEvidence {
                    source: "web_form".into(),
                    given_at: now - Duration::days(30),
                    purposes: vec![Purpose::parse("marketing").unwrap()],
                    share_leads: true,
                    evidence: EvidenceRef::Reference("form-e2e".into()),
                    expires_at: None,
                }],
                contacts: vec![NewContact {
                    number_hash: key.hash(NUMBER),
                    number_enc: vec![0; 40],
                    number_masked: mask(NUMBER),
                    fields: serde_json::json!({ "name": "王先生", "城市": "杭州" }),
                    zone_override: None,
                    evidence: 0,
                }],
            },
            &actor,
        )
        .await
        .unwrap();
    let task = store
        .create_task(
            tenant.id,
            NewTask {
                name: "三月试听回访".into(),
                purpose: "marketing".into(),
                script_version_id: version.id,
                caller_number: "+862161234567".into(),
                trunk_id: trunk.id,
                list_ids: vec![list.id],
                windows_json: r#"[{"days":"mon-sun","from":"00:00","to":"24:00"}]"#.into(),
                lines: 1,
                cps_limit: None,
                retry_json: r#"{"max_attempts":1}"#.into(),
                priority: 5,
                lead_grade: "B".into(),
                starts_at: None,
                ends_at: None,
            },
            &actor,
        )
        .await
        .unwrap();
    store
        .set_task_state(
            tenant.id,
            task.id,
            &[waihu_core::TaskState::Draft],
            waihu_core::TaskState::Running,
            None,
            &actor,
        )
        .await
        .unwrap();
    store
        .enqueue_task_contacts(tenant.id, task.id, now)
        .await
        .unwrap();
    let claim = store
        .claim_due(task.id, now, 1, "e2e-worker")
        .await
        .unwrap()
        .pop()
        .expect("the contact is due");
    let call = store
        .begin_call(BeginCall {
            tenant_id: tenant.id,
            task_id: task.id,
            contact_id: claim.contact_id,
            number_hash: claim.number_hash,
            number_masked: claim.number_masked.clone(),
            purpose: "marketing".into(),
            gate_json: r#"{"allow":true}"#.into(),
            script_version_id: Some(version.id),
            variant: None,
            worker: "e2e-worker".into(),
            now,
        })
        .await
        .unwrap();
    let transcript = serde_json::json!([
        {"speaker": "robot", "text": "您好，我是AI助理", "disclosure": true},
        {"speaker": "robot", "text": "想了解一下试听课吗？"},
        {"speaker": "callee", "text": "多少钱？周六可以试听吗"},
    ]);
    store
        .finish_call(
            call,
            CallResult {
                answered_at: Some(now - Duration::seconds(60)),
                ended_at: Some(now),
                duration_ms: Some(60_000),
                outcome: "answered".into(),
                sip_status: Some(200),
                script_outcome: Some("booked".into()),
                grade: Some("B".into()),
                grade_reason: Some("主动询问价格并预约试听".into()),
                transcript_json: Some(transcript.to_string()),
                intents_json: Some(r#"["ask_price","silence","book_trial"]"#.into()),
                ..CallResult::default()
            },
            Next::Done("answered".into()),
            Some(NewLead {
                grade: "B".into(),
                reason: "主动询问价格并预约试听".into(),
                shareable: true,
            }),
        )
        .await
        .unwrap()
        .expect("a lead")
}

#[tokio::test]
async fn leads_are_pushed_signed_retried_and_dead_lettered() {
    for env in envs().await {
        let receiver = Receiver::start();
        ok(&env, &["tenant", "create", "acme"]);

        // Targets are checked before they are saved.
        let o = run(
            &env,
            &[
                "push",
                "target",
                "add",
                "nosecret",
                "--tenant",
                "acme",
                "--kind",
                "webhook",
                "--url",
                &receiver.url("/hook"),
            ],
        );
        assert!(!o.status.success());
        assert!(err(&o).contains("needs a signing secret"), "{}", err(&o));
        let o = run(
            &env,
            &[
                "push",
                "target",
                "add",
                "wecom",
                "--tenant",
                "acme",
                "--kind",
                "wecom",
                "--url",
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1",
                "--secret",
                "s",
            ],
        );
        assert!(!o.status.success());
        assert!(
            err(&o).contains("WeCom group robots are not signed"),
            "{}",
            err(&o)
        );
        let o = run(
            &env,
            &[
                "push",
                "target",
                "add",
                "bad",
                "--tenant",
                "acme",
                "--kind",
                "slack",
                "--url",
                "https://x.example/",
            ],
        );
        assert!(err(&o).contains("unknown push kind 'slack'"), "{}", err(&o));

        let hook = receiver.url("/hook");
        let ding = receiver.url(&format!("/robot/send?access_token={DING_TOKEN}"));
        let busy = receiver.url("/busy");
        let gone = receiver.url("/gone");
        let add = |name: &str, kind: &str, url: &str, secret: &str, grade: &str| {
            ok(
                &env,
                &[
                    "push",
                    "target",
                    "add",
                    name,
                    "--tenant",
                    "acme",
                    "--kind",
                    kind,
                    "--url",
                    url,
                    "--secret",
                    secret,
                    "--min-grade",
                    grade,
                ],
            )
        };
        add("crm", "webhook", &hook, WEBHOOK_SECRET, "B");
        add("busy", "webhook", &busy, "busy-secret", "B");
        add("gone", "webhook", &gone, "gone-secret", "C");
        add("vip", "webhook", &hook, WEBHOOK_SECRET, "A");
        // The DingTalk secret comes from the environment.
        let o = crate::support::run_cmd(
            env.cmd()
                .args([
                    "push", "target", "add", "ding", "--tenant", "acme", "--kind", "dingtalk",
                    "--url", &ding,
                ])
                .env("WAIHU_PUSH_SECRET", DING_SECRET)
                .env(ALLOW_LOOPBACK.0, ALLOW_LOOPBACK.1),
            None,
        );
        assert!(o.status.success(), "{}", err(&o));
        let listed = ok(&env, &["push", "target", "list", "--tenant", "acme"]);
        assert_eq!(listed.lines().count(), 5, "{listed}");
        for secret in [WEBHOOK_SECRET, DING_SECRET, DING_TOKEN] {
            assert!(!listed.contains(secret), "{listed}");
        }

        let store = env.store().await;
        let lead_id = finished_call_with_lead(&store).await;

        // First pass: crm and ding take it, busy is retried later, gone is dead;
        // vip (A only) was never queued for a B lead.
        let (delivered, retrying, dead, skipped, text) = pass(&env);
        assert_eq!((delivered, retrying, dead, skipped), (2, 1, 1, 0), "{text}");
        for secret in [
            WEBHOOK_SECRET,
            DING_SECRET,
            DING_TOKEN,
            NUMBER,
            "13912345678",
        ] {
            assert!(!text.contains(secret), "leaked {secret}: {text}");
        }

        let hooks = receiver.got("/hook");
        assert_eq!(hooks.len(), 1, "{hooks:?}");
        assert!(hooks[0].signature_ok, "webhook signature did not verify");
        assert!(hooks[0].headers.contains_key("x-waihu-delivery"));
        let body: serde_json::Value = serde_json::from_slice(&hooks[0].body).unwrap();
        let lead = &body["lead"];
        assert_eq!(body["event"], "lead");
        assert_eq!(lead["id"], lead_id.to_string());
        assert_eq!(lead["tenant"], "acme");
        assert_eq!(lead["task"], "三月试听回访");
        assert_eq!(lead["grade"], "B");
        assert_eq!(lead["number"]["text"], mask(NUMBER));
        assert_eq!(lead["number"]["masked"], true);
        assert_eq!(lead["contact"]["name"], "王先生");
        assert_eq!(
            lead["intents"],
            serde_json::json!(["ask_price", "book_trial"])
        );
        let said: Vec<&str> = lead["transcript"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|l| l["text"].as_str())
            .collect();
        assert!(said.contains(&"多少钱？周六可以试听吗"), "{said:?}");
        assert!(!said.contains(&"您好，我是AI助理"), "{said:?}");

        let dings = receiver.got("/robot/send");
        assert_eq!(dings.len(), 1, "{dings:?}");
        assert!(dings[0].signature_ok, "DingTalk sign did not verify");
        let ding_body = String::from_utf8_lossy(&dings[0].body);
        assert!(ding_body.contains(&mask(NUMBER)), "{ding_body}");
        assert!(!ding_body.contains("13912345678"), "{ding_body}");

        // The busy receiver is tried again later, not at once.
        let pending = store
            .due_deliveries(Utc::now() + Duration::days(1), 50)
            .await
            .unwrap();
        assert_eq!(pending.len(), 1, "{pending:?}");
        let retry = &pending[0].delivery;
        assert_eq!(retry.target_name, "busy");
        assert_eq!(retry.attempts, 1);
        assert!(retry.next_at > Utc::now(), "{retry:?}");
        assert!(
            retry.last_error.as_deref().unwrap_or("").contains("500"),
            "{retry:?}"
        );
        assert_eq!(pass(&env).0 + pass(&env).1, 0, "nothing is due yet");
        assert_eq!(receiver.got("/busy").len(), 1);

        // The refusing receiver is on the dead-letter list.
        let dead = ok(
            &env,
            &["push", "dead-letters", "--tenant", "acme", "--json"],
        );
        let rows: Vec<serde_json::Value> = dead
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(rows.len(), 1, "{dead}");
        assert_eq!(rows[0]["target"], "gone");
        let error = rows[0]["error"].as_str().unwrap();
        assert!(
            error.contains("404") && error.contains("permanent"),
            "{error}"
        );
        // The receiver's reply body is not kept, only its status.
        assert!(!error.contains("no such hook"), "{error}");

        // Fixed and re-queued, it is delivered on the next pass, with the same
        // delivery id as the refused attempt.
        receiver.state.lock().unwrap().gone_fixed = true;
        let id = rows[0]["id"].as_str().unwrap();
        ok(&env, &["push", "retry", id, "--tenant", "acme"]);
        let (delivered, _, dead, _, text) = pass(&env);
        assert_eq!((delivered, dead), (1, 0), "{text}");
        let gones = receiver.got("/gone");
        assert_eq!(gones.len(), 2);
        assert_eq!(
            gones[0].headers.get("x-waihu-delivery"),
            gones[1].headers.get("x-waihu-delivery")
        );
        let dead = ok(&env, &["push", "dead-letters", "--tenant", "acme"]);
        assert!(dead.contains("no dead deliveries"), "{dead}");
        let o = run(&env, &["push", "retry", id, "--tenant", "acme"]);
        assert!(!o.status.success(), "a delivered delivery is not dead");

        // Disabling a target is shown in the list.
        ok(
            &env,
            &["push", "target", "disable", "crm", "--tenant", "acme"],
        );
        let listed = ok(
            &env,
            &["push", "target", "list", "--tenant", "acme", "--json"],
        );
        let crm: serde_json::Value = listed
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|t| t["name"] == "crm")
            .unwrap();
        assert_eq!(crm["enabled"], false);
        assert_eq!(crm["signed"], true);
        store.close().await;
    }
}

#[tokio::test]
async fn internal_and_credentialed_urls_are_refused_unless_allow_listed() {
    let env = Env::sqlite();
    ok(&env, &["tenant", "create", "acme"]);
    let receiver = Receiver::start();
    let port = receiver.addr.port();
    let add = |url: &str| {
        env.run(
            &[
                "push", "target", "add", "t", "--tenant", "acme", "--kind", "webhook", "--url",
                url, "--secret", "s3cret",
            ],
            None,
        )
    };
    for url in [
        receiver.url("/hook"),
        format!("http://2130706433:{port}/hook"),
        format!("http://0x7f.1:{port}/hook"),
        "http://0.0.0.0/hook".to_string(),
        "http://[::1]/hook".to_string(),
        "http://[::ffff:127.0.0.1]/hook".to_string(),
        "http://localhost/hook".to_string(),
        "http://metadata.google.internal/computeMetadata/v1/".to_string(),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://10.0.0.1/hook".to_string(),
        "http://[fd00::1]/hook".to_string(),
    ] {
        let o = add(&url);
        assert!(!o.status.success(), "{url} was saved");
        assert!(
            err(&o).contains("does not call internal"),
            "{url}: {}",
            err(&o)
        );
    }
    let o = add("https://crm:hunter2@crm.example/hook");
    assert!(!o.status.success());
    assert!(err(&o).contains("secret field"), "{}", err(&o));
    assert!(!err(&o).contains("hunter2"), "{}", err(&o));
    // The operator's allow-list opens the loopback receiver.
    let o = run(
        &env,
        &[
            "push",
            "target",
            "add",
            "t",
            "--tenant",
            "acme",
            "--kind",
            "webhook",
            "--url",
            &receiver.url("/hook"),
            "--secret",
            "s3cret",
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
}

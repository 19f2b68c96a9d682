//! Every call-level outcome of the behaviour file, as seen by the dialer.

use std::time::Duration;

use waihu_callee::LogKind;
use waihu_sip::{DialResult, Outcome};

use crate::harness::{callee, tone_wav, ua};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_outcome_against_the_callee() {
    let dir = tempfile::tempdir().unwrap();
    let wav = tone_wav(dir.path(), "off.wav", 800.0, 600);
    let toml = format!(
        r#"
[[rule]]
match = "^486"
ring_secs = 0.2
action = "busy"

[[rule]]
match = "^603"
action = "reject"

[[rule]]
match = "^404"
action = "invalid"

[[rule]]
match = "^480"
action = "unavailable"

[[rule]]
match = "^487"
action = "no_answer"

[[rule]]
match = "^183"
action = "early_media"
announcement = {{ wav = "{wav}" }}
status = 486

[[rule]]
match = "^200"
ring_secs = 0.3
action = "answer"
persona = "quick"

[persona.quick]
steps = [{{ do = "silence", ms = 300 }}]
then = "hangup"
"#
    );
    let mut c = callee(&toml, dir.path()).await;
    let ua = ua().await;
    let table = [
        ("4860001", Outcome::Busy, Some(486), Some(17)),
        ("6030001", Outcome::Rejected, Some(603), Some(21)),
        ("4040001", Outcome::InvalidNumber, Some(404), Some(1)),
        ("4800001", Outcome::Unavailable, Some(480), Some(20)),
        ("9990001", Outcome::InvalidNumber, Some(404), Some(1)), // no rule
    ];
    for (to, outcome, status, q850) in table {
        let DialResult::NotAnswered(r) = ua.dial(c.request(to), None).await.unwrap() else {
            panic!("{to} answered")
        };
        assert_eq!((r.outcome, r.sip_status), (outcome, status), "{to}");
        assert_eq!(r.reason.and_then(|r| r.q850), q850, "{to}");
        let log = c.next_log().await;
        assert_eq!(log.to, to);
        assert!(log.has(|k| matches!(k, LogKind::Rejected { .. })), "{to}");
    }

    // Ring, no answer: our CANCEL, their 487.
    let mut req = c.request("4870001");
    req.ring_timeout = Duration::from_millis(800);
    let DialResult::NotAnswered(r) = ua.dial(req, None).await.unwrap() else {
        panic!("answered")
    };
    assert_eq!((r.outcome, r.sip_status), (Outcome::NoAnswer, Some(487)));
    let log = c.next_log().await;
    assert!(log.has(|k| *k == LogKind::Ringing));
    assert!(log.has(|k| *k == LogKind::Cancelled));

    // 183 announcement, then busy.
    let DialResult::NotAnswered(r) = ua.dial(c.request("1830001"), None).await.unwrap() else {
        panic!("answered")
    };
    assert_eq!((r.outcome, r.sip_status), (Outcome::Busy, Some(486)));
    assert!(
        r.rtp.received >= 20,
        "early media packets {}",
        r.rtp.received
    );
    let log = c.next_log().await;
    assert!(log.has(|k| *k == LogKind::EarlyMedia));

    // Answered; the persona hangs up.
    let DialResult::Answered(mut call) = ua.dial(c.request("2000001"), None).await.unwrap() else {
        panic!("not answered")
    };
    while !matches!(call.next_event().await, waihu_sip::CallEvent::Ended(_)) {}
    let r = call.finish().await;
    assert_eq!(r.outcome, Outcome::Answered);
    assert_eq!(r.ended_by, Some(waihu_sip::outcome::EndedBy::Remote));
    assert!(r.rtp.received > 0);
    let log = c.next_log().await;
    assert!(log.has(|k| *k == LogKind::Answered));
    assert!(log.has(|k| *k == LogKind::HangupSent));

    // The JSON lines log has every call.
    let text = std::fs::read_to_string(dir.path().join("calls.jsonl")).unwrap();
    assert_eq!(text.lines().count(), 8);
    assert_eq!(c.server.user_agent().dialog_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_bench_small_run() {
    let r = waihu_callee::bench::run_media_bench(waihu_callee::bench::MediaBenchOptions {
        calls: 5,
        hold: Duration::from_secs(2),
        cps: 20.0,
        target: None,
        transport: waihu_sip::Transport::Udp,
    })
    .await
    .unwrap();
    assert_eq!((r.established, r.failed), (5, 0));
    assert!(r.rtp_sent > 5 * 50, "sent {}", r.rtp_sent);
    assert!(r.rtp_received > 5 * 40, "received {}", r.rtp_received);
    assert!(
        r.callee_received > 5 * 40,
        "callee received {}",
        r.callee_received
    );
    assert!(r.peak_concurrent >= 1 && r.peak_concurrent <= 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outcomes_over_tcp() {
    let dir = tempfile::tempdir().unwrap();
    let toml = r#"
[[rule]]
match = "^486"
action = "busy"

[[rule]]
match = "^487"
action = "no_answer"

[[rule]]
match = "^200"
action = "answer"
persona = "p"

[persona.p]
steps = [{ do = "dtmf", digits = "9" }]
then = "hangup"
"#;
    let mut c = callee(toml, dir.path()).await;
    let ua = ua().await;
    let tcp = |to: &str| {
        let mut r = c.request(to);
        r.transport = waihu_sip::Transport::Tcp;
        r.ring_timeout = Duration::from_millis(800);
        r
    };
    let DialResult::NotAnswered(r) = ua.dial(tcp("4861"), None).await.unwrap() else {
        panic!("answered")
    };
    assert_eq!((r.outcome, r.sip_status), (Outcome::Busy, Some(486)));
    let DialResult::NotAnswered(r) = ua.dial(tcp("4871"), None).await.unwrap() else {
        panic!("answered")
    };
    assert_eq!((r.outcome, r.sip_status), (Outcome::NoAnswer, Some(487)));
    let DialResult::Answered(mut call) = ua.dial(tcp("2001"), None).await.unwrap() else {
        panic!("not answered")
    };
    while !matches!(call.next_event().await, waihu_sip::CallEvent::Ended(_)) {}
    let r = call.finish().await;
    assert_eq!(r.dtmf, "9");
    assert_eq!(r.ended_by, Some(waihu_sip::outcome::EndedBy::Remote));
    for _ in 0..3 {
        c.next_log().await;
    }
}

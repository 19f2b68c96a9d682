//! Call outcomes against SIPp: every final status, ring timeout with CANCEL,
//! 183 early media, digest auth, over UDP and TCP.

use std::time::Duration;

use waihu_sip::{DialRequest, DialResult, Outcome, Transport};

use crate::harness::{settle_dialogs, tone, ua, Sipp, SippOpts};

fn request(sipp: &Sipp, transport: Transport) -> DialRequest {
    let mut req = DialRequest::new(sipp.trunk(), "13800138000");
    req.transport = transport;
    req.from = "10086".into();
    req.ring_timeout = Duration::from_secs(10);
    req.no_response_timeout = Duration::from_secs(3);
    req
}

async fn answered_with_rtp_both_ways(transport: Transport) {
    let sipp = Sipp::start(SippOpts {
        transport,
        rtp_echo: true,
        ..SippOpts::uas("uas_answer.xml")
    });
    let ua = ua().await;
    let res = ua.dial(request(&sipp, transport), None).await.unwrap();
    let DialResult::Answered(mut call) = res else {
        panic!("not answered: {res:?}");
    };
    call.media().play(tone(1000.0, 1000));
    assert!(call.wait_playback().await, "call ended during playback");
    // Let the last echoed packets come back.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let report = call.finish().await;
    assert_eq!(report.outcome, Outcome::Answered);
    assert_eq!(report.sip_status, Some(200));
    assert!(report.setup_ms.is_some());
    assert!(report.rtp.sent >= 45, "sent {}", report.rtp.sent);
    assert!(report.rtp.received >= 20, "echoed {}", report.rtp.received);
    assert!(sipp.wait_success(), "SIPp saw an unexpected flow");
    assert_eq!(settle_dialogs(&ua).await, 0, "dialog leaked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answered_udp_rtp_both_ways() {
    answered_with_rtp_both_ways(Transport::Udp).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answered_tcp_rtp_both_ways() {
    answered_with_rtp_both_ways(Transport::Tcp).await;
}

async fn final_status(scenario: &str, transport: Transport) -> waihu_sip::CallReport {
    let sipp = Sipp::start(SippOpts {
        transport,
        ..SippOpts::uas(scenario)
    });
    let ua = ua().await;
    let res = ua.dial(request(&sipp, transport), None).await.unwrap();
    let DialResult::NotAnswered(report) = res else {
        panic!("{scenario}: unexpectedly answered");
    };
    assert!(sipp.wait_success(), "{scenario}: SIPp flow failed");
    assert_eq!(settle_dialogs(&ua).await, 0, "{scenario}: dialog leaked");
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn final_statuses_are_classified() {
    let table = [
        ("uas_486.xml", Outcome::Busy, 486, Some(17)),
        ("uas_404.xml", Outcome::InvalidNumber, 404, Some(1)),
        ("uas_480.xml", Outcome::Unavailable, 480, None),
        ("uas_603.xml", Outcome::Rejected, 603, Some(21)),
        ("uas_500.xml", Outcome::Failed, 500, None),
        ("uas_503.xml", Outcome::Failed, 503, Some(34)),
    ];
    for (scenario, outcome, status, q850) in table {
        let r = final_status(scenario, Transport::Udp).await;
        assert_eq!(r.outcome, outcome, "{scenario}");
        assert_eq!(r.sip_status, Some(status), "{scenario}");
        assert_eq!(r.reason.and_then(|r| r.q850), q850, "{scenario}");
        assert!(r.setup_ms.is_some(), "{scenario}");
        assert_eq!(r.duration_ms, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_over_tcp() {
    let r = final_status("uas_486.xml", Transport::Tcp).await;
    assert_eq!(r.outcome, Outcome::Busy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ring_timeout_cancels() {
    ring_timeout(Transport::Udp).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ring_timeout_cancels_tcp() {
    ring_timeout(Transport::Tcp).await;
}

async fn ring_timeout(transport: Transport) {
    let sipp = Sipp::start(SippOpts {
        transport,
        ..SippOpts::uas("uas_ring_no_answer.xml")
    });
    let ua = ua().await;
    let mut req = request(&sipp, transport);
    req.ring_timeout = Duration::from_millis(1500);
    let (ptx, mut prx) = tokio::sync::mpsc::unbounded_channel();
    let res = ua.dial(req, Some(ptx)).await.unwrap();
    let DialResult::NotAnswered(r) = res else {
        panic!("answered")
    };
    assert_eq!(r.outcome, Outcome::NoAnswer);
    assert_eq!(r.sip_status, Some(487));
    let mut saw_cancel = false;
    while let Ok(p) = prx.try_recv() {
        saw_cancel |= p == waihu_sip::Progress::Cancelling;
    }
    assert!(saw_cancel);
    assert!(sipp.wait_success(), "SIPp did not see our CANCEL");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn early_media_then_busy() {
    let sipp = Sipp::start(SippOpts::uas("uas_183_486.xml"));
    let ua = ua().await;
    let (ptx, mut prx) = tokio::sync::mpsc::unbounded_channel();
    let res = ua
        .dial(request(&sipp, Transport::Udp), Some(ptx))
        .await
        .unwrap();
    let DialResult::NotAnswered(r) = res else {
        panic!("answered")
    };
    assert_eq!(r.outcome, Outcome::Busy);
    assert!(
        r.rtp.received > 10,
        "early media received {}",
        r.rtp.received
    );
    assert_eq!(r.rtp.sent, 0, "we must not send before answer");
    let mut early = false;
    while let Ok(p) = prx.try_recv() {
        early |= matches!(
            p,
            waihu_sip::Progress::Provisional {
                status: 183,
                early_media: true
            }
        );
    }
    assert!(early, "183 with SDP not reported");
    assert!(sipp.wait_success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn early_media_then_answer() {
    let sipp = Sipp::start(SippOpts::uas("uas_183_200.xml"));
    let ua = ua().await;
    let res = ua.dial(request(&sipp, Transport::Udp), None).await.unwrap();
    let DialResult::Answered(mut call) = res else {
        panic!("not answered")
    };
    call.media().play(tone(440.0, 400));
    call.wait_playback().await;
    let r = call.finish().await;
    assert_eq!(r.outcome, Outcome::Answered);
    assert!(r.rtp.received > 10);
    assert!(sipp.wait_success());
}

async fn auth(password: &str) -> (waihu_sip::CallReport, bool) {
    let sipp = Sipp::start(SippOpts {
        extra: ["-set", "user", "alice", "-set", "pass", "s3cret"]
            .map(String::from)
            .to_vec(),
        ..SippOpts::uas("uas_auth.xml")
    });
    let ua = ua().await;
    let mut req = request(&sipp, Transport::Udp);
    req.credentials = Some(("alice".into(), password.into()));
    let report = match ua.dial(req, None).await.unwrap() {
        DialResult::Answered(call) => call.finish().await,
        DialResult::NotAnswered(r) => r,
    };
    (report, sipp.wait_success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digest_auth_right_password() {
    let (r, ok) = auth("s3cret").await;
    assert_eq!(r.outcome, Outcome::Answered);
    assert!(ok, "SIPp did not accept our digest");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digest_auth_wrong_password() {
    let (r, ok) = auth("wrong").await;
    assert_eq!(r.outcome, Outcome::AuthFailed);
    assert_eq!(r.sip_status, Some(401));
    assert!(ok);
}

async fn register(password: &str) -> (u16, bool) {
    let sipp = Sipp::start(SippOpts {
        extra: ["-set", "user", "trunkuser", "-set", "pass", "pw1"]
            .map(String::from)
            .to_vec(),
        ..SippOpts::uas("uas_register.xml")
    });
    let ua = ua().await;
    let reg = ua
        .register(&sipp.trunk(), Transport::Udp, "trunkuser", password, 120)
        .await
        .unwrap();
    (reg.status, sipp.wait_success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_with_digest() {
    assert_eq!(register("pw1").await, (200, true));
    assert_eq!(register("bad").await.0, 403);
}

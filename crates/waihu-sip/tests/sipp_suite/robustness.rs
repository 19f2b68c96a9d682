//! Hostile and absent peers: a trunk that never answers, one that answers
//! garbage, a refused TCP connection. The UA must classify, not crash or hang.

use std::time::Duration;

use tokio::net::UdpSocket;
use waihu_sip::{DialRequest, DialResult, Outcome, Transport};

use crate::harness::{settle_dialogs, ua, Sipp, SippOpts};

fn request(trunk: String) -> DialRequest {
    let mut req = DialRequest::new(trunk, "13800138000");
    req.no_response_timeout = Duration::from_millis(1500);
    req
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_peer_is_unreachable_by_our_timer() {
    let peer = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let trunk = peer.local_addr().unwrap().to_string();
    let ua = ua().await;
    let res = ua.dial(request(trunk), None).await.unwrap();
    let DialResult::NotAnswered(r) = res else {
        panic!("answered")
    };
    assert_eq!(r.outcome, Outcome::Unreachable);
    assert_eq!(r.sip_status, None);
    assert_eq!(r.setup_ms, None);
    // The INVITE did reach the peer.
    let mut buf = vec![0; 4096];
    let (n, _) = peer.recv_from(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"INVITE "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_and_malformed_responses_do_not_break_the_ua() {
    let peer = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let trunk = peer.local_addr().unwrap().to_string();
    let ua = ua().await;
    let ua_addr = ua.local_addr();
    let hostile = tokio::spawn(async move {
        let mut buf = vec![0; 8192];
        let (n, from) = peer.recv_from(&mut buf).await.unwrap();
        let invite = String::from_utf8_lossy(&buf[..n]).to_string();
        let call_id = invite
            .lines()
            .find_map(|l| l.strip_prefix("Call-ID: "))
            .unwrap_or("x")
            .to_string();
        let junk: Vec<Vec<u8>> = vec![
            vec![0xff; 1500],
            b"\0\0\0\0".to_vec(),
            b"SIP/2.0 200 OK\r\n\r\n".to_vec(),
            b"SIP/2.0 999999 Whatever\r\nVia: nonsense\r\n\r\n".to_vec(),
            format!("SIP/2.0 180 Ringing\r\nCall-ID: {call_id}\r\nCSeq: banana\r\n\r\n")
                .into_bytes(),
            b"INVITE sip:x SIP/2.0\r\nContent-Length: 99999\r\n\r\nshort".to_vec(),
            b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKnope\r\nContent-Length: -5\r\n\r\n".to_vec(),
            (0..=255u8).cycle().take(3000).collect(),
        ];
        for j in &junk {
            let _ = peer.send_to(j, from).await;
            let _ = peer.send_to(j, ua_addr).await;
        }
    });
    let res = ua.dial(request(trunk), None).await.unwrap();
    hostile.await.unwrap();
    let DialResult::NotAnswered(r) = res else {
        panic!("garbage produced an answered call")
    };
    assert_eq!(r.outcome, Outcome::Unreachable);

    // The same UA still places a normal call afterwards.
    let sipp = Sipp::start(SippOpts::uas("uas_486.xml"));
    let res = ua.dial(request(sipp.trunk()), None).await.unwrap();
    let DialResult::NotAnswered(r) = res else {
        panic!("answered")
    };
    assert_eq!(r.outcome, Outcome::Busy);
    assert!(sipp.wait_success());
    assert_eq!(settle_dialogs(&ua).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_tcp_connection_is_unreachable() {
    // Bind then drop to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ua = ua().await;
    let mut req = request(format!("127.0.0.1:{port}"));
    req.transport = Transport::Tcp;
    let res = ua.dial(req, None).await.unwrap();
    let DialResult::NotAnswered(r) = res else {
        panic!("answered")
    };
    assert_eq!(r.outcome, Outcome::Unreachable);
    assert_eq!(r.sip_status, None);
}

/// Build a response to `req` (copying Via, From, To + tag, Call-ID, CSeq).
fn respond(req: &str, status_line: &str, extra: &str) -> String {
    let mut out = format!("SIP/2.0 {status_line}\r\n");
    for line in req.lines() {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("via:")
            || lower.starts_with("from:")
            || lower.starts_with("call-id:")
            || lower.starts_with("cseq:")
        {
            out.push_str(line.trim_end());
            out.push_str("\r\n");
        } else if lower.starts_with("to:") {
            out.push_str(&format!("{};tag=proxy1\r\n", line.trim_end()));
        }
    }
    out.push_str(extra);
    out.push_str("Content-Length: 0\r\n\r\n");
    out
}

/// SIPp's verifyauth does not accept proxy digests, so 407 is checked by a
/// small proxy that verifies the Proxy-Authorization digest itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_auth_407_digest_is_correct() {
    let peer = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let trunk = peer.local_addr().unwrap().to_string();
    let proxy = tokio::spawn(async move {
        let mut buf = vec![0; 8192];
        loop {
            let (n, from) = peer.recv_from(&mut buf).await.unwrap();
            let req = String::from_utf8_lossy(&buf[..n]).to_string();
            if !req.starts_with("INVITE ") {
                continue; // ACKs
            }
            let auth = req.lines().find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("Proxy-Authorization")
                    .then(|| value.trim().to_string())
            });
            match auth {
                None => {
                    let r = respond(
                        &req,
                        "407 Proxy Authentication Required",
                        "Proxy-Authenticate: Digest realm=\"proxy.test\", nonce=\"5f1e9a2b\"\r\n",
                    );
                    peer.send_to(r.as_bytes(), from).await.unwrap();
                }
                Some(raw) => {
                    let parsed = rsipstack::sip::typed::Authorization::parse(&raw).unwrap();
                    let verified = Some(rsipstack::dialog::authenticate::verify_digest(
                        &parsed,
                        "pa55",
                        &rsipstack::sip::Method::Invite,
                        &raw,
                    ));
                    let r = respond(&req, "486 Busy Here", "");
                    peer.send_to(r.as_bytes(), from).await.unwrap();
                    return verified;
                }
            }
        }
    });
    let ua = ua().await;
    let mut req = request(trunk);
    req.credentials = Some(("bob".into(), "pa55".into()));
    let DialResult::NotAnswered(r) = ua.dial(req, None).await.unwrap() else {
        panic!("answered")
    };
    assert_eq!(r.outcome, Outcome::Busy, "no retry after 407");
    assert_eq!(proxy.await.unwrap(), Some(true), "bad proxy digest");
}

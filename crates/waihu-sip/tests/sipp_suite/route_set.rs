//! In-dialog requests follow the route set learnt from the 2xx's
//! Record-Route (RFC 3261 §12.1.2, §12.2.1.1, loose routing): the ACK and our
//! BYE go to the first route with `Route` headers, and their Request-URI is
//! the callee's Contact. The callee and the proxies are raw UDP sockets here,
//! because SIPp cannot stand in for a record-routing proxy.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::time::timeout;
use waihu_sip::{DialRequest, DialResult, Outcome};

use crate::harness::{settle_dialogs, ua};

/// Bound on every single wait, so a broken UA fails the test, never hangs it.
const WAIT: Duration = Duration::from_secs(10);

async fn bind() -> (UdpSocket, SocketAddr) {
    let s = UdpSocket::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let a = s.local_addr().expect("local addr");
    (s, a)
}

/// Receive one SIP message (skipping keep-alives), failing after [`WAIT`].
async fn recv(sock: &UdpSocket, what: &str) -> (String, SocketAddr) {
    let mut buf = vec![0; 65536];
    loop {
        let (n, from) = timeout(WAIT, sock.recv_from(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
            .expect("recv_from");
        let msg = String::from_utf8_lossy(&buf[..n]).to_string();
        if !msg.trim().is_empty() {
            return (msg, from);
        }
    }
}

/// Values of every header `name` (case-insensitive), comma lists split.
fn header_values(msg: &str, name: &str) -> Vec<String> {
    msg.lines()
        .take_while(|l| !l.trim().is_empty())
        .skip(1)
        .filter_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then_some(v)
        })
        .flat_map(|v| v.split(',').map(|s| s.trim().to_string()))
        .collect()
}

/// A response to `req`: Via, From, Call-ID and CSeq copied, a tag added to To.
fn respond(req: &str, status_line: &str, extra: &str, body: &str) -> String {
    let mut out = format!("SIP/2.0 {status_line}\r\n");
    for line in req.lines().take_while(|l| !l.trim().is_empty()).skip(1) {
        let lower = line.to_ascii_lowercase();
        if ["via:", "from:", "call-id:", "cseq:"]
            .iter()
            .any(|h| lower.starts_with(h))
        {
            out.push_str(line.trim_end());
            out.push_str("\r\n");
        } else if lower.starts_with("to:") {
            let to = line.trim_end();
            if to.contains(";tag=") {
                out.push_str(&format!("{to}\r\n"));
            } else {
                out.push_str(&format!("{to};tag=uas1\r\n"));
            }
        }
    }
    out.push_str(extra);
    out.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    out
}

/// Whatever is already queued on `sock`, as first lines.
fn drain(sock: &UdpSocket) -> Vec<String> {
    let mut buf = vec![0; 65536];
    let mut seen = Vec::new();
    while let Ok((n, _)) = sock.try_recv_from(&mut buf) {
        let msg = String::from_utf8_lossy(&buf[..n]).to_string();
        seen.push(msg.lines().next().unwrap_or_default().to_string());
    }
    seen
}

/// Dial a fake callee whose 200 OK record-routes through `hops` proxies (in
/// Record-Route order: nearest the callee first) and check where the ACK
/// and the BYE go.
async fn route_set_is_followed(hops: usize) {
    let (uas, uas_addr) = bind().await;
    let (rtp_sink, rtp_addr) = bind().await;
    let mut proxies = Vec::new();
    for _ in 0..hops {
        proxies.push(bind().await);
    }
    let record_route = proxies
        .iter()
        .map(|(_, a)| format!("<sip:{a};lr>"))
        .collect::<Vec<_>>()
        .join(", ");
    // The UAC reverses Record-Route: the proxy nearest it comes first.
    let expected_routes: Vec<String> = proxies
        .iter()
        .rev()
        .map(|(_, a)| format!("<sip:{a};lr>"))
        .collect();
    let contact_uri = format!("sip:callee@{uas_addr}");

    let ua = ua().await;
    let mut req = DialRequest::new(uas_addr.to_string(), "13800138000");
    req.no_response_timeout = Duration::from_secs(5);
    req.ring_timeout = Duration::from_secs(10);

    let answer = {
        let contact_uri = contact_uri.clone();
        async move {
            let (invite, from) = recv(&uas, "the INVITE at the callee").await;
            assert!(invite.starts_with("INVITE "), "callee got {invite}");
            let trying = respond(&invite, "100 Trying", "", "");
            uas.send_to(trying.as_bytes(), from)
                .await
                .expect("send 100");
            let sdp = format!(
                "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
                 m=audio {} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
                 a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n",
                rtp_addr.port()
            );
            let extra = format!(
                "Record-Route: {record_route}\r\nContact: <{contact_uri}>\r\n\
                 Content-Type: application/sdp\r\n"
            );
            let ok = respond(&invite, "200 OK", &extra, &sdp);
            uas.send_to(ok.as_bytes(), from).await.expect("send 200");
            uas
        }
    };
    let (res, uas) = tokio::join!(timeout(WAIT, ua.dial(req, None)), answer);
    let res = res.expect("dial did not return").expect("dial");
    let DialResult::Answered(call) = res else {
        panic!("not answered: {res:?}")
    };

    let (near, _) = &proxies[hops - 1];
    let (ack, _) = recv(near, "the ACK at the nearest proxy").await;
    assert!(ack.starts_with("ACK "), "nearest proxy got {ack}");

    // Hang up; the proxy answers the BYE so the call ends cleanly.
    let bye_at_proxy = async {
        let (bye, from) = recv(near, "the BYE at the nearest proxy").await;
        if bye.starts_with("BYE ") {
            let ok = respond(&bye, "200 OK", "", "");
            near.send_to(ok.as_bytes(), from).await.expect("send 200");
        }
        bye
    };
    let (report, bye) = tokio::join!(timeout(WAIT, call.finish()), bye_at_proxy);
    let report = report.expect("hangup did not complete");
    assert!(bye.starts_with("BYE "), "nearest proxy got {bye}");
    assert_eq!(report.outcome, Outcome::Answered);

    for (name, msg) in [("ACK", &ack), ("BYE", &bye)] {
        let ruri = msg.lines().next().unwrap_or_default();
        assert_eq!(
            ruri,
            format!("{name} {contact_uri} SIP/2.0"),
            "{name} Request-URI must be the callee's Contact"
        );
        assert_eq!(
            header_values(msg, "Route"),
            expected_routes,
            "{name} Route headers:\n{msg}"
        );
    }
    // Nothing in-dialog bypassed the route set.
    let mut others: Vec<(&str, &UdpSocket)> = vec![("callee", &uas)];
    others.extend(proxies[..hops - 1].iter().map(|(s, _)| ("far proxy", s)));
    for (who, sock) in others {
        let stray: Vec<String> = drain(sock)
            .into_iter()
            .filter(|l| !l.starts_with("INVITE "))
            .collect();
        assert!(stray.is_empty(), "{who} got {stray:?} directly");
    }
    assert_eq!(settle_dialogs(&ua).await, 0, "dialog leaked");
    drop(rtp_sink);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ack_and_bye_follow_one_record_route() {
    route_set_is_followed(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ack_and_bye_follow_two_record_routes_reversed() {
    route_set_is_followed(2).await;
}

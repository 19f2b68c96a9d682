//! Property tests of the parsers waihu-sip owns — SDP, the RTP header, RFC 4733
//! events, the Reason header — and of the receive path they feed (jitter
//! buffer, DTMF collapsing): any datagram or body never panics, what parses
//! is what was sent, and memory stays bounded. Bounded case counts, so they run
//! in seconds with the rest of the suite.

use proptest::prelude::*;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use waihu_sip::g711::Codec;
use waihu_sip::rtp::dtmf::{DtmfReceiver, EventPayload};
use waihu_sip::rtp::jitter::JitterBuffer;
use waihu_sip::rtp::packet::{RtpPacket, HEADER_LEN};
use waihu_sip::sdp::{Direction, LocalSdp, RemoteSdp};
use waihu_sip::Reason;

const SDP: &str = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n\
m=audio 40000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n";

/// A line an SDP could hold, hostile ones included.
fn sdp_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("m=audio 0 RTP/AVP".to_string()),
        Just("m=audio 99999 RTP/AVP 300 -1 x".to_string()),
        Just("m=video 5000 RTP/AVP 96".to_string()),
        Just("c=IN IP4".to_string()),
        Just("c=IN IP6 ::1".to_string()),
        Just("c=IN IP4 224.2.1.1/127/3".to_string()),
        Just("a=rtpmap:".to_string()),
        Just("a=rtpmap:101".to_string()),
        Just("a=rtpmap:999 telephone-event/8000".to_string()),
        Just("a=inactive".to_string()),
        Just("=".to_string()),
        "[a-z]=[ -~]{0,40}",
        "\\PC{0,60}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_sdp_body_is_parsed_or_refused_without_panic(body in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = RemoteSdp::parse(&body);
    }

    #[test]
    fn an_edited_sdp_never_panics_and_errors_say_what_is_missing(
        lines in proptest::collection::vec((any::<usize>(), sdp_line()), 0..8)
    ) {
        let mut body: Vec<String> = SDP.split("\r\n").map(str::to_string).collect();
        for (at, line) in lines {
            let at = at % (body.len() + 1);
            body.insert(at, line);
        }
        let text = body.join("\r\n");
        match RemoteSdp::parse(text.as_bytes()) {
            Ok(_) => prop_assert!(text.contains("m=audio")),
            Err(e) => {
                let e = e.to_string();
                prop_assert!(e.contains("m=") || e.contains("c=") || e.contains("UTF-8"), "{}", e);
            }
        }
    }

    #[test]
    fn our_own_sdp_reads_back(
        port in 1u16..,
        v4 in any::<u32>(),
        v6 in any::<u128>(),
        ipv6 in any::<bool>(),
        pcma_first in any::<bool>(),
        dtmf in proptest::option::of(96u8..128),
    ) {
        let addr = if ipv6 { IpAddr::V6(Ipv6Addr::from(v6)) } else { IpAddr::V4(Ipv4Addr::from(v4)) };
        let codecs = if pcma_first { vec![Codec::Pcma, Codec::Pcmu] } else { vec![Codec::Pcmu, Codec::Pcma] };
        let local = LocalSdp { session_id: 1, version: 1, addr, port, codecs: codecs.clone(), dtmf_pt: dtmf, direction: Direction::SendRecv };
        let remote = RemoteSdp::parse(local.render().as_bytes()).unwrap();
        prop_assert_eq!(remote.rtp_addr.ip(), addr);
        prop_assert_eq!(remote.rtp_addr.port(), port);
        prop_assert_eq!(remote.dtmf_pt, dtmf);
        prop_assert_eq!(remote.choose_codec(&[Codec::Pcmu, Codec::Pcma]), Some(codecs[0]));
    }

    #[test]
    fn any_datagram_is_an_rtp_packet_or_nothing(buf in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Some(p) = RtpPacket::parse(&buf) {
            prop_assert!(buf.len() >= HEADER_LEN);
            prop_assert_eq!(buf[0] >> 6, 2);
            prop_assert!(p.payload.len() <= buf.len() - HEADER_LEN);
        }
        let _ = EventPayload::parse(&buf);
        let _ = Reason::parse(&String::from_utf8_lossy(&buf));
    }

    #[test]
    fn rtp_packets_read_back(
        marker in any::<bool>(),
        pt in 0u8..128,
        seq in any::<u16>(),
        ts in any::<u32>(),
        ssrc in any::<u32>(),
        payload in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let sent = RtpPacket { marker, payload_type: pt, seq, timestamp: ts, ssrc, payload: &payload };
        let mut buf = Vec::new();
        sent.write(&mut buf);
        prop_assert_eq!(RtpPacket::parse(&buf), Some(sent));
    }

    #[test]
    fn dtmf_events_read_back(event in 0u8..=255, end in any::<bool>(), volume in 0u8..64, duration in any::<u16>()) {
        let ev = EventPayload { event, end, volume, duration };
        prop_assert_eq!(EventPayload::parse(&ev.to_bytes()), Some(ev));
    }

    #[test]
    fn hostile_streams_never_grow_the_receive_path(
        packets in proptest::collection::vec((any::<u16>(), any::<u32>(), proptest::collection::vec(any::<u8>(), 0..8)), 0..600),
        depth in 0usize..20,
        pops in proptest::collection::vec(any::<bool>(), 0..600),
    ) {
        let mut jitter = JitterBuffer::new(depth);
        let mut dtmf = DtmfReceiver::default();
        for (i, (seq, ts, payload)) in packets.iter().enumerate() {
            jitter.push(*seq, payload);
            let _ = dtmf.push(*ts, payload);
            if pops.get(i).copied().unwrap_or(false) {
                let _ = jitter.pop();
            }
            // A resync bounds the backlog whatever the peer sends.
            prop_assert!(jitter.len() <= 150 + 1, "{} frames", jitter.len());
        }
        while jitter.pop().is_some() {}
    }

    #[test]
    fn reason_headers_never_panic(value in "\\PC{0,80}", lines in proptest::collection::vec("\\PC{0,40}", 0..6)) {
        let _ = Reason::parse(&value);
        let _ = Reason::from_header_lines(lines.iter().map(String::as_str));
    }
}

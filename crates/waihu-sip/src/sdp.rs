//! SDP offer/answer for one audio stream: PCMU, PCMA and telephone-event
//! (RFC 4733) at ptime 20. Just enough of RFC 4566/3264 for telephony trunks;
//! anything else in a peer's SDP is ignored.

use std::net::{IpAddr, SocketAddr};

use crate::{g711::Codec, SipError};

/// Payload type we offer for telephone-event.
pub const DEFAULT_DTMF_PT: u8 = 101;

/// Media direction attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// a=sendrecv (default).
    SendRecv,
    /// a=sendonly (the peer puts us on hold).
    SendOnly,
    /// a=recvonly.
    RecvOnly,
    /// a=inactive.
    Inactive,
}

impl Direction {
    fn attr(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// The direction we answer with when the peer offers `self`.
    pub fn answer(self) -> Direction {
        match self {
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            d => d,
        }
    }
}

/// Our side of a session description.
#[derive(Debug, Clone)]
pub struct LocalSdp {
    /// Origin session id (kept for the whole call).
    pub session_id: u64,
    /// Origin version, incremented on every new description.
    pub version: u64,
    /// Address advertised in c= and o=.
    pub addr: IpAddr,
    /// RTP port.
    pub port: u16,
    /// Codecs, in preference order.
    pub codecs: Vec<Codec>,
    /// telephone-event payload type, if offered.
    pub dtmf_pt: Option<u8>,
    /// Direction attribute.
    pub direction: Direction,
}

impl LocalSdp {
    /// Render the description.
    pub fn render(&self) -> String {
        let ip_kind = if self.addr.is_ipv4() { "IP4" } else { "IP6" };
        let mut pts: Vec<String> = self
            .codecs
            .iter()
            .map(|c| c.payload_type().to_string())
            .collect();
        if let Some(pt) = self.dtmf_pt {
            pts.push(pt.to_string());
        }
        let mut s = format!(
            "v=0\r\no=waihu {} {} IN {ip_kind} {}\r\ns=waihu\r\nc=IN {ip_kind} {}\r\nt=0 0\r\nm=audio {} RTP/AVP {}\r\n",
            self.session_id,
            self.version,
            self.addr,
            self.addr,
            self.port,
            pts.join(" ")
        );
        for c in &self.codecs {
            s.push_str(&format!(
                "a=rtpmap:{} {}/8000\r\n",
                c.payload_type(),
                c.name()
            ));
        }
        if let Some(pt) = self.dtmf_pt {
            s.push_str(&format!(
                "a=rtpmap:{pt} telephone-event/8000\r\na=fmtp:{pt} 0-16\r\n"
            ));
        }
        s.push_str("a=ptime:20\r\n");
        s.push_str(&format!("a={}\r\n", self.direction.attr()));
        s
    }
}

/// The parts of a peer's description we use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSdp {
    /// Where to send RTP (c= address, m= port). Port 0 means rejected.
    pub rtp_addr: SocketAddr,
    /// Payload types on the m= line, in the peer's preference order.
    pub payload_types: Vec<u8>,
    /// The telephone-event payload type, if offered.
    pub dtmf_pt: Option<u8>,
    /// Media direction.
    pub direction: Direction,
    /// Codecs named by rtpmap with a dynamic payload type (name, pt).
    rtpmap: Vec<(u8, String)>,
}

impl RemoteSdp {
    /// Parse an SDP body; only the first audio m= line is considered.
    pub fn parse(body: &[u8]) -> Result<RemoteSdp, SipError> {
        let text = std::str::from_utf8(body).map_err(|_| SipError::Sdp("not UTF-8".into()))?;
        let mut session_addr: Option<IpAddr> = None;
        let mut media_addr: Option<IpAddr> = None;
        let mut port: Option<u16> = None;
        let mut pts = Vec::new();
        let mut rtpmap = Vec::new();
        let mut direction = Direction::SendRecv;
        let mut in_audio = false;
        let mut seen_audio = false;
        for line in text.lines() {
            let line = line.trim();
            let Some((kind, value)) = line.split_once('=') else {
                continue;
            };
            match kind {
                "m" => {
                    if seen_audio {
                        in_audio = false;
                        continue;
                    }
                    let mut f = value.split_whitespace();
                    if f.next() == Some("audio") {
                        in_audio = true;
                        seen_audio = true;
                        port = f.next().and_then(|p| p.parse().ok());
                        let _proto = f.next();
                        pts = f.filter_map(|p| p.parse().ok()).collect();
                    }
                }
                "c" => {
                    let addr = value.split_whitespace().nth(2).and_then(|a| {
                        // Strip a multicast TTL suffix if any.
                        a.split('/').next().and_then(|a| a.parse().ok())
                    });
                    if in_audio {
                        media_addr = addr;
                    } else if !seen_audio {
                        session_addr = addr;
                    }
                }
                "a" if in_audio || !seen_audio => {
                    if let Some(map) = value.strip_prefix("rtpmap:") {
                        if let Some((pt, enc)) = map.split_once(' ') {
                            if let Ok(pt) = pt.trim().parse::<u8>() {
                                let name = enc.split('/').next().unwrap_or("").to_string();
                                rtpmap.push((pt, name));
                            }
                        }
                    } else {
                        direction = match value {
                            "sendonly" => Direction::SendOnly,
                            "recvonly" => Direction::RecvOnly,
                            "inactive" => Direction::Inactive,
                            "sendrecv" => Direction::SendRecv,
                            _ => direction,
                        };
                    }
                }
                _ => {}
            }
        }
        let port = port.ok_or_else(|| SipError::Sdp("no audio m= line".into()))?;
        let addr = media_addr
            .or(session_addr)
            .ok_or_else(|| SipError::Sdp("no c= address".into()))?;
        let dtmf_pt = rtpmap
            .iter()
            .find(|(pt, name)| name.eq_ignore_ascii_case("telephone-event") && pts.contains(pt))
            .map(|(pt, _)| *pt);
        Ok(RemoteSdp {
            rtp_addr: SocketAddr::new(addr, port),
            payload_types: pts,
            dtmf_pt,
            direction,
            rtpmap,
        })
    }

    /// The first codec of the peer's list that we also support.
    pub fn choose_codec(&self, ours: &[Codec]) -> Option<Codec> {
        self.payload_types.iter().find_map(|&pt| {
            let codec = Codec::from_payload_type(pt).or_else(|| {
                // A static codec announced under a dynamic number.
                self.rtpmap
                    .iter()
                    .find(|(p, _)| *p == pt)
                    .and_then(|(_, n)| {
                        [Codec::Pcmu, Codec::Pcma]
                            .into_iter()
                            .find(|c| c.name().eq_ignore_ascii_case(n))
                    })
            })?;
            ours.contains(&codec).then_some(codec)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offer_roundtrips_through_parser() {
        let local = LocalSdp {
            session_id: 1,
            version: 1,
            addr: "127.0.0.1".parse().unwrap(),
            port: 40000,
            codecs: vec![Codec::Pcmu, Codec::Pcma],
            dtmf_pt: Some(101),
            direction: Direction::SendRecv,
        };
        let remote = RemoteSdp::parse(local.render().as_bytes()).unwrap();
        assert_eq!(remote.rtp_addr, "127.0.0.1:40000".parse().unwrap());
        assert_eq!(remote.payload_types, vec![0, 8, 101]);
        assert_eq!(remote.dtmf_pt, Some(101));
        assert_eq!(remote.choose_codec(&[Codec::Pcma]), Some(Codec::Pcma));
        assert_eq!(
            remote.choose_codec(&[Codec::Pcmu, Codec::Pcma]),
            Some(Codec::Pcmu)
        );
    }

    #[test]
    fn parses_sipp_style_answer_with_hold() {
        let body = "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio 6000 RTP/AVP 8 96\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:96 telephone-event/8000\r\na=sendonly\r\n";
        let r = RemoteSdp::parse(body.as_bytes()).unwrap();
        assert_eq!(r.rtp_addr, "127.0.0.2:6000".parse().unwrap());
        assert_eq!(r.dtmf_pt, Some(96));
        assert_eq!(r.direction, Direction::SendOnly);
        assert_eq!(r.choose_codec(&[Codec::Pcmu]), None);
        assert_eq!(
            r.choose_codec(&[Codec::Pcmu, Codec::Pcma]),
            Some(Codec::Pcma)
        );
    }

    #[test]
    fn rejects_garbage() {
        assert!(RemoteSdp::parse(b"hello").is_err());
        assert!(RemoteSdp::parse(&[0xff, 0xfe]).is_err());
    }
}

//! RTP fixed header (RFC 3550 §5.1): build and parse. CSRCs, header
//! extensions and padding of incoming packets are skipped, never trusted.

/// A parsed RTP packet borrowing its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpPacket<'a> {
    /// Marker bit.
    pub marker: bool,
    /// Payload type.
    pub payload_type: u8,
    /// Sequence number.
    pub seq: u16,
    /// Media timestamp.
    pub timestamp: u32,
    /// Synchronisation source.
    pub ssrc: u32,
    /// The payload.
    pub payload: &'a [u8],
}

/// Size of the fixed header we send.
pub const HEADER_LEN: usize = 12;

impl<'a> RtpPacket<'a> {
    /// Parse a datagram; `None` if it is not a well-formed RTP v2 packet.
    pub fn parse(buf: &'a [u8]) -> Option<RtpPacket<'a>> {
        if buf.len() < HEADER_LEN || buf[0] >> 6 != 2 {
            return None;
        }
        let padding = buf[0] & 0x20 != 0;
        let extension = buf[0] & 0x10 != 0;
        let cc = (buf[0] & 0x0F) as usize;
        let mut start = HEADER_LEN + cc * 4;
        if extension {
            let ext = buf.get(start..start + 4)?;
            let words = u16::from_be_bytes([ext[2], ext[3]]) as usize;
            start += 4 + words * 4;
        }
        let mut end = buf.len();
        if padding {
            let pad = *buf.last()? as usize;
            end = end.checked_sub(pad)?;
        }
        if start > end {
            return None;
        }
        Some(RtpPacket {
            marker: buf[1] & 0x80 != 0,
            payload_type: buf[1] & 0x7F,
            seq: u16::from_be_bytes([buf[2], buf[3]]),
            timestamp: u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]),
            ssrc: u32::from_be_bytes([buf[8], buf[9], buf[10], buf[11]]),
            payload: &buf[start..end],
        })
    }

    /// Serialise into `out` (cleared first).
    pub fn write(&self, out: &mut Vec<u8>) {
        out.clear();
        out.push(0x80);
        out.push(((self.marker as u8) << 7) | (self.payload_type & 0x7F));
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        out.extend_from_slice(self.payload);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip() {
        let p = RtpPacket {
            marker: true,
            payload_type: 8,
            seq: 65535,
            timestamp: 0xDEADBEEF,
            ssrc: 42,
            payload: &[1, 2, 3],
        };
        let mut buf = Vec::new();
        p.write(&mut buf);
        assert_eq!(RtpPacket::parse(&buf), Some(p));
    }

    #[test]
    fn rejects_short_and_bad_version_and_bad_padding() {
        assert_eq!(RtpPacket::parse(&[0x80; 5]), None);
        assert_eq!(RtpPacket::parse(&[0x40; 20]), None);
        let mut buf = vec![0xA0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 9, 200];
        assert_eq!(RtpPacket::parse(&buf), None);
        buf[13] = 1;
        assert_eq!(RtpPacket::parse(&buf).map(|p| p.payload.len()), Some(1));
    }

    #[test]
    fn skips_csrc_and_extension() {
        let mut buf = vec![0x91, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1];
        buf.extend_from_slice(&[0, 0, 0, 7]); // one CSRC
        buf.extend_from_slice(&[0xBE, 0xDE, 0, 1, 1, 2, 3, 4]); // one-word extension
        buf.extend_from_slice(&[0xAA, 0xBB]);
        assert_eq!(RtpPacket::parse(&buf).unwrap().payload, &[0xAA, 0xBB]);
    }
}

//! G.711 μ-law (PCMU) and A-law (PCMA) codecs, per ITU-T G.711.
//!
//! Written out here (a few lines each) rather than pulled from a crate, so the
//! media path has no codec dependency; tests compare against the reference
//! tables' known points.

/// The two narrowband codecs waihu speaks on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// G.711 μ-law, static payload type 0.
    Pcmu,
    /// G.711 A-law, static payload type 8.
    Pcma,
}

impl Codec {
    /// RTP static payload type.
    pub fn payload_type(self) -> u8 {
        match self {
            Codec::Pcmu => 0,
            Codec::Pcma => 8,
        }
    }

    /// SDP encoding name.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
        }
    }

    /// The codec with this static payload type, if it is one of ours.
    pub fn from_payload_type(pt: u8) -> Option<Codec> {
        match pt {
            0 => Some(Codec::Pcmu),
            8 => Some(Codec::Pcma),
            _ => None,
        }
    }

    /// Encode linear PCM samples, appending one byte per sample to `out`.
    pub fn encode(self, pcm: &[i16], out: &mut Vec<u8>) {
        match self {
            Codec::Pcmu => out.extend(pcm.iter().map(|&s| linear_to_ulaw(s))),
            Codec::Pcma => out.extend(pcm.iter().map(|&s| linear_to_alaw(s))),
        }
    }

    /// Decode bytes, appending one linear sample per byte to `out`.
    pub fn decode(self, data: &[u8], out: &mut Vec<i16>) {
        match self {
            Codec::Pcmu => out.extend(data.iter().map(|&b| ulaw_to_linear(b))),
            Codec::Pcma => out.extend(data.iter().map(|&b| alaw_to_linear(b))),
        }
    }

    /// The byte that decodes to silence.
    pub fn silence_byte(self) -> u8 {
        match self {
            Codec::Pcmu => 0xFF,
            Codec::Pcma => 0xD5,
        }
    }
}

const BIAS: i32 = 0x84;
const CLIP: i32 = 32635;

/// Encode one 16-bit sample to μ-law.
pub fn linear_to_ulaw(sample: i16) -> u8 {
    let mut s = sample as i32;
    let sign = if s < 0 {
        s = -s;
        0x80
    } else {
        0
    };
    if s > CLIP {
        s = CLIP;
    }
    s += BIAS;
    // Segment = position of the highest set bit above bit 7.
    let exponent = ((31 - (s as u32).leading_zeros()) as i32 - 7).clamp(0, 7);
    let mantissa = (s >> (exponent + 3)) & 0x0F;
    !((sign | (exponent << 4) | mantissa) as u8)
}

/// Decode one μ-law byte.
pub fn ulaw_to_linear(byte: u8) -> i16 {
    let u = !byte;
    let sign = u & 0x80;
    let exponent = ((u >> 4) & 0x07) as i32;
    let mantissa = (u & 0x0F) as i32;
    let magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
    if sign != 0 {
        -magnitude as i16
    } else {
        magnitude as i16
    }
}

/// Encode one 16-bit sample to A-law.
pub fn linear_to_alaw(sample: i16) -> u8 {
    let mut s = (sample as i32) >> 3; // 13-bit magnitude domain
    let mask = if s >= 0 {
        0xD5
    } else {
        s = -s - 1;
        0x55
    };
    let s = s.min(0x0FFF);
    let seg = if s < 0x20 {
        0
    } else {
        (32 - (s as u32).leading_zeros()) as i32 - 5
    };
    let aval = if seg == 0 {
        s >> 1
    } else {
        (seg << 4) | ((s >> seg) & 0x0F)
    };
    (aval as u8) ^ mask
}

/// Decode one A-law byte.
pub fn alaw_to_linear(byte: u8) -> i16 {
    let a = byte ^ 0x55;
    let seg = ((a & 0x70) >> 4) as i32;
    let mut t = ((a & 0x0F) as i32) << 4;
    t = match seg {
        0 => t + 8,
        1 => t + 0x108,
        _ => (t + 0x108) << (seg - 1),
    };
    if a & 0x80 != 0 {
        t as i16
    } else {
        -t as i16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ulaw_reference_points() {
        // Known values of the ITU reference encoder.
        assert_eq!(linear_to_ulaw(0), 0xFF);
        assert_eq!(linear_to_ulaw(-1), 0x7F);
        assert_eq!(linear_to_ulaw(32767), 0x80);
        assert_eq!(linear_to_ulaw(-32768), 0x00);
        assert_eq!(linear_to_ulaw(1000), 0xCE);
        assert_eq!(ulaw_to_linear(0x80), 32124);
        assert_eq!(ulaw_to_linear(0x00), -32124);
        assert_eq!(ulaw_to_linear(0xFF), 0);
    }

    #[test]
    fn alaw_reference_points() {
        assert_eq!(linear_to_alaw(0), 0xD5);
        assert_eq!(linear_to_alaw(-1), 0x55);
        assert_eq!(linear_to_alaw(32767), 0xAA);
        assert_eq!(linear_to_alaw(-32768), 0x2A);
        assert_eq!(alaw_to_linear(0xD5), 8);
        assert_eq!(alaw_to_linear(0xAA), 32256);
        assert_eq!(alaw_to_linear(0x2A), -32256);
    }

    #[test]
    fn roundtrip_error_is_bounded() {
        for codec in [Codec::Pcmu, Codec::Pcma] {
            for s in (-32000i32..32000).step_by(97) {
                let mut enc = Vec::new();
                codec.encode(&[s as i16], &mut enc);
                let mut dec = Vec::new();
                codec.decode(&enc, &mut dec);
                let err = (dec[0] as i32 - s).abs();
                // G.711 has at most ~1/16 relative quantisation error.
                assert!(err <= (s.abs() / 16).max(16), "{codec:?} {s} -> {}", dec[0]);
            }
        }
    }
}

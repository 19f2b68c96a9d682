//! WAV reading (formats, rates, channel mixing), writing, and rejection of
//! malformed files without panicking.

use waihu_speech::wav::{
    decode_wav_8k, encode_wav_8k, read_wav_8k, write_wav_8k_mono, write_wav_8k_stereo, WavError,
};

use crate::audio::{tone, tone_amplitude};

/// Builds a WAV file from raw parts (for formats hound cannot write).
fn raw_wav(code: u16, channels: u16, rate: u32, bits: u16, data: &[u8]) -> Vec<u8> {
    let block = channels * bits / 8;
    let mut v = Vec::new();
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&code.to_le_bytes());
    v.extend_from_slice(&channels.to_le_bytes());
    v.extend_from_slice(&rate.to_le_bytes());
    v.extend_from_slice(&rate.wrapping_mul(u32::from(block)).to_le_bytes());
    v.extend_from_slice(&block.to_le_bytes());
    v.extend_from_slice(&bits.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&(data.len() as u32).to_le_bytes());
    v.extend_from_slice(data);
    v
}

/// Writes a 1 kHz tone of peak 0.5 with hound in the given format.
fn hound_tone(rate: u32, channels: u16, bits: u16, float: bool) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    };
    let mut cursor = std::io::Cursor::new(Vec::new());
    let mut w = hound::WavWriter::new(&mut cursor, spec).unwrap();
    for v in tone(1000.0, rate, 1.0, 0.5) {
        for _ in 0..channels {
            if float {
                w.write_sample(v as f32).unwrap();
            } else {
                let full = f64::from(1u32 << (bits - 1));
                w.write_sample((v * full) as i32).unwrap();
            }
        }
    }
    w.finalize().unwrap();
    cursor.into_inner()
}

fn assert_is_1khz_tone(audio: &[i16], what: &str) {
    assert!(
        (7_990..=8_010).contains(&audio.len()),
        "{what}: {} samples for 1 s",
        audio.len()
    );
    let a = tone_amplitude(&audio[500..7500], 1000.0);
    assert!((a - 16_384.0).abs() < 800.0, "{what}: 1 kHz amplitude {a}");
    let off = tone_amplitude(&audio[500..7500], 2300.0);
    assert!(off < 300.0, "{what}: energy off the tone {off}");
}

#[test]
fn reads_common_formats_and_rates() {
    for (rate, channels, bits, float) in [
        (8_000, 1, 16, false),
        (16_000, 1, 16, false),
        (22_050, 1, 16, false),
        (44_100, 2, 16, false),
        (48_000, 1, 24, false),
        (11_025, 1, 8, false),
        (32_000, 1, 32, false),
        (44_100, 2, 32, true),
    ] {
        let bytes = hound_tone(rate, channels, bits, float);
        let what = format!("{rate} Hz {channels} ch {bits} bit float={float}");
        let audio = decode_wav_8k(&bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_is_1khz_tone(&audio, &what);
    }
}

#[test]
fn reads_g711_wav() {
    // μ-law and A-law encodings of a 1 kHz tone, peak 0.5, at 8 kHz.
    let linear: Vec<i16> = tone(1000.0, 8000, 1.0, 0.5)
        .into_iter()
        .map(|v| (v * 32768.0) as i16)
        .collect();
    let mulaw: Vec<u8> = linear.iter().map(|&s| encode_mulaw(s)).collect();
    let audio = decode_wav_8k(&raw_wav(7, 1, 8000, 8, &mulaw)).unwrap();
    assert_is_1khz_tone(&audio, "mu-law");
    let alaw: Vec<u8> = linear.iter().map(|&s| encode_alaw(s)).collect();
    let audio = decode_wav_8k(&raw_wav(6, 1, 8000, 8, &alaw)).unwrap();
    assert_is_1khz_tone(&audio, "a-law");
}

/// Reference G.711 μ-law encoder (Sun's g711.c).
fn encode_mulaw(s: i16) -> u8 {
    let mut v = i32::from(s);
    let mask = if v < 0 {
        v = -v;
        0x7F
    } else {
        0xFF
    };
    v = (v + 0x84).min(0x7FFF);
    let seg = (0..8).find(|&seg| v < (0x100 << seg)).unwrap_or(7);
    let uval = ((seg << 4) | ((v >> (seg + 3)) & 0xF)) as u8;
    uval ^ mask
}

/// Reference G.711 A-law encoder (Sun's g711.c).
fn encode_alaw(s: i16) -> u8 {
    let mut v = i32::from(s) >> 3;
    let mask = if v >= 0 {
        0xD5
    } else {
        v = -v - 1;
        0x55
    };
    let seg = (0..8).find(|&seg| v < (0x20 << seg)).unwrap_or(8);
    if seg >= 8 {
        return 0x7F ^ mask;
    }
    let mut aval = (seg << 4) as u8;
    aval |= if seg < 2 {
        ((v >> 1) & 0xF) as u8
    } else {
        ((v >> seg) & 0xF) as u8
    };
    aval ^ mask
}

#[test]
fn mono_and_stereo_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let left: Vec<i16> = (0..8000)
        .map(|i| ((i * 37) % 20000 - 10000) as i16)
        .collect();
    let right: Vec<i16> = left.iter().map(|&s| s / 2).collect();

    let mono = dir.path().join("mono.wav");
    write_wav_8k_mono(&mono, &left).unwrap();
    assert_eq!(read_wav_8k(&mono).unwrap(), left);

    let stereo = dir.path().join("stereo.wav");
    write_wav_8k_stereo(&stereo, &left, &right).unwrap();
    let mut reader = hound::WavReader::open(&stereo).unwrap();
    assert_eq!(reader.spec().channels, 2);
    assert_eq!(reader.spec().sample_rate, 8000);
    let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
    let (l, r): (Vec<_>, Vec<_>) = samples.chunks(2).map(|c| (c[0], c[1])).unzip();
    assert_eq!((l, r), (left.clone(), right.clone()));
    // Read back as mono, the channels are averaged.
    let mixed = read_wav_8k(&stereo).unwrap();
    for (i, m) in mixed.iter().enumerate() {
        let expect = (i32::from(left[i]) + i32::from(right[i])) / 2;
        assert!((i32::from(*m) - expect).abs() <= 1, "sample {i}");
    }

    assert!(encode_wav_8k(&[&left, &right[..10]]).is_err());
    assert!(encode_wav_8k(&[]).is_err());
}

#[test]
fn rejects_malformed_and_unsupported_files() {
    let good = raw_wav(1, 1, 8000, 16, &[0, 0, 1, 0]);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("text", b"hello world, not a wav file at all".to_vec()),
        ("header only", good[..12].to_vec()),
        ("no data chunk", good[..36].to_vec()),
        ("zero channels", raw_wav(1, 0, 8000, 16, &[0, 0])),
        ("zero rate", raw_wav(1, 1, 0, 16, &[0, 0])),
        ("absurd rate", raw_wav(1, 1, 4_000_000_000, 16, &[0, 0])),
        ("12-bit pcm", raw_wav(1, 1, 8000, 12, &[0, 0])),
        ("ima adpcm", raw_wav(0x11, 1, 8000, 4, &[0, 0])),
        ("mp3 in wav", raw_wav(0x55, 1, 8000, 16, &[0, 0])),
        ("16-bit mu-law", raw_wav(7, 1, 8000, 16, &[0, 0])),
    ];
    for (what, bytes) in cases {
        match decode_wav_8k(&bytes) {
            Err(WavError::Malformed(_) | WavError::Unsupported(_)) => {}
            other => panic!("{what}: expected rejection, got {other:?}"),
        }
    }
    let missing = read_wav_8k("/nonexistent/file.wav");
    assert!(matches!(missing, Err(WavError::Io(_))), "{missing:?}");
}

#[test]
fn truncated_and_corrupted_files_never_panic() {
    let good = hound_tone(16_000, 2, 16, false);
    let mulaw = raw_wav(7, 1, 8000, 8, &[0x7F; 400]);
    for bytes in [&good, &mulaw] {
        for cut in (0..200).chain((200..bytes.len()).step_by(97)) {
            let _ = decode_wav_8k(&bytes[..cut]);
        }
        let mut seed: u32 = 7;
        for _ in 0..300 {
            let mut bad = bytes[..bytes.len().min(2000)].to_vec();
            for _ in 0..4 {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let at = (seed >> 8) as usize % 60;
                bad[at] = (seed >> 24) as u8;
            }
            let _ = decode_wav_8k(&bad);
        }
    }
}

//! The prompt library: uploads of every WAV flavour and MP3 (made here with
//! LAME, a dev-dependency built from source) are converted to 8 kHz and
//! measured; bad uploads are refused with the right error and leave nothing
//! behind; the store persists, de-duplicates and cleans up; script-relative
//! files cannot escape their directory.

use std::path::Path;

use waihu_speech::prompts::{
    decode_prompt, PromptError, PromptLibrary, PromptLimits, SourceFormat,
};

use crate::audio::{tone, tone_amplitude};

/// One second of a 1 kHz tone at peak 0.5, as 8 kHz samples, must come out.
fn assert_is_1khz_second(audio: &[i16], what: &str) {
    assert!(
        (7_760..=8_240).contains(&audio.len()),
        "{what}: {} samples for 1 s",
        audio.len()
    );
    let a = tone_amplitude(&audio[1000..7000], 1000.0);
    assert!(
        (a - 16_384.0).abs() < 1_000.0,
        "{what}: 1 kHz amplitude {a}"
    );
    let off = tone_amplitude(&audio[1000..7000], 2_300.0);
    assert!(off < 300.0, "{what}: energy off the tone {off}");
}

/// A WAV of one second of 1 kHz tone, written by hound.
fn hound_wav(rate: u32, channels: u16, bits: u16, float: bool) -> Vec<u8> {
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
                w.write_sample((v * f64::from(1u32 << (bits - 1))) as i32)
                    .unwrap();
            }
        }
    }
    w.finalize().unwrap();
    cursor.into_inner()
}

/// A WAV from raw parts (for G.711, which hound cannot write).
fn raw_wav(code: u16, rate: u32, bits: u16, data: &[u8]) -> Vec<u8> {
    let block = bits / 8;
    let mut v = Vec::new();
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&code.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&rate.to_le_bytes());
    v.extend_from_slice(&(rate * u32::from(block)).to_le_bytes());
    v.extend_from_slice(&block.to_le_bytes());
    v.extend_from_slice(&bits.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&(data.len() as u32).to_le_bytes());
    v.extend_from_slice(data);
    v
}

/// G.711 μ-law encoding (Sun's g711.c).
fn mulaw(s: i16) -> u8 {
    let mut v = i32::from(s);
    let mask = if v < 0 {
        v = -v;
        0x7F
    } else {
        0xFF
    };
    v = (v + 0x84).min(0x7FFF);
    let seg = (0..8).find(|&seg| v < (0x100 << seg)).unwrap_or(7);
    (((seg << 4) | ((v >> (seg + 3)) & 0xF)) as u8) ^ mask
}

/// An MP3 of `secs` seconds of 1 kHz tone, encoded by LAME, with its
/// LAME/Info tag filled in (so the decoder can trim encoder delay).
pub fn lame_mp3(rate: u32, channels: u8, secs: f64) -> Vec<u8> {
    use mp3lame_encoder::{Bitrate, Builder, FlushGap, InterleavedPcm, MonoPcm, Quality};
    let mut b = Builder::new().unwrap();
    b.set_num_channels(channels).unwrap();
    b.set_sample_rate(rate).unwrap();
    b.set_brate(Bitrate::Kbps64).unwrap();
    b.set_quality(Quality::Good).unwrap();
    b.set_to_write_vbr_tag(true).unwrap();
    let mut encoder = b.build().unwrap();
    let pcm: Vec<i16> = tone(1000.0, rate, secs, 0.5)
        .into_iter()
        .flat_map(|v| std::iter::repeat_n((v * 32768.0) as i16, usize::from(channels)))
        .collect();
    let frames = pcm.len() / usize::from(channels);
    let mut out = Vec::with_capacity(mp3lame_encoder::max_required_buffer_size(frames) + 8192);
    if channels == 1 {
        encoder.encode_to_vec(MonoPcm(&pcm), &mut out).unwrap();
    } else {
        encoder
            .encode_to_vec(InterleavedPcm(&pcm), &mut out)
            .unwrap();
    }
    encoder.flush_to_vec::<FlushGap>(&mut out).unwrap();
    let mut tag = Vec::with_capacity(encoder.lame_tag_size());
    if encoder.lame_tag_encode_to_vec(&mut tag).is_some() {
        out[..tag.len()].copy_from_slice(&tag);
    }
    out
}

/// A library in a fresh temporary directory.
fn library() -> (tempfile::TempDir, PromptLibrary) {
    let dir = tempfile::tempdir().unwrap();
    let lib = PromptLibrary::open(dir.path().join("prompts")).unwrap();
    (dir, lib)
}

/// Files in the library directory (converted prompts and the index).
fn stored_files(lib: &PromptLibrary) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(lib.dir())
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn imports_every_wav_flavour_at_8k() {
    let (_tmp, lib) = library();
    let linear: Vec<i16> = tone(1000.0, 8000, 1.0, 0.5)
        .into_iter()
        .map(|v| (v * 32768.0) as i16)
        .collect();
    let mut uploads = vec![
        ("pcm16-8k", hound_wav(8_000, 1, 16, false)),
        ("pcm16-44k-stereo", hound_wav(44_100, 2, 16, false)),
        ("pcm24-48k", hound_wav(48_000, 1, 24, false)),
        ("pcm8-11k", hound_wav(11_025, 1, 8, false)),
        ("float-22k-stereo", hound_wav(22_050, 2, 32, true)),
    ];
    uploads.push((
        "mulaw",
        raw_wav(
            7,
            8000,
            8,
            &linear.iter().map(|&s| mulaw(s)).collect::<Vec<_>>(),
        ),
    ));
    for (name, bytes) in &uploads {
        let info = lib.import(name, bytes, &format!("{name}.wav")).unwrap();
        assert_eq!(info.format, SourceFormat::Wav, "{name}");
        assert!((990..=1010).contains(&info.duration_ms), "{name}: {info:?}");
        assert_eq!(info.file_name, format!("{name}.wav"));
        assert_is_1khz_second(&lib.load(name).unwrap(), name);
    }
    let names: Vec<String> = lib.list().into_iter().map(|p| p.name).collect();
    let mut expected: Vec<String> = uploads.iter().map(|(n, _)| n.to_string()).collect();
    expected.sort();
    assert_eq!(names, expected);
}

#[test]
fn imports_mp3_mono_stereo_and_tagged() {
    let (_tmp, lib) = library();
    let stereo = lame_mp3(44_100, 2, 1.0);
    let info = lib.import("问候", &stereo, "问候.mp3").unwrap();
    assert_eq!(info.format, SourceFormat::Mp3);
    assert!((970..=1030).contains(&info.duration_ms), "{info:?}");
    assert_is_1khz_second(&lib.load("问候").unwrap(), "mp3 44.1k stereo");

    let mono = lame_mp3(16_000, 1, 1.0);
    lib.import("mono", &mono, "mono.mp3").unwrap();
    assert_is_1khz_second(&lib.load("mono").unwrap(), "mp3 16k mono");

    // An ID3v2 tag in front, with bytes that look like a frame sync inside.
    let mut tagged = b"ID3\x03\x00\x00\x00\x00\x00\x20".to_vec();
    tagged.extend_from_slice(&[0xFF; 32]);
    tagged.extend_from_slice(&mono);
    let info = lib.import("tagged", &tagged, "tagged.mp3").unwrap();
    assert_eq!(info.format, SourceFormat::Mp3);
    assert_is_1khz_second(&lib.load("tagged").unwrap(), "mp3 with ID3v2");
}

#[test]
fn format_comes_from_content_not_name() {
    let (_tmp, lib) = library();
    let info = lib
        .import("wav-named-mp3", &hound_wav(8_000, 1, 16, false), "x.mp3")
        .unwrap();
    assert_eq!(info.format, SourceFormat::Wav);
    let info = lib
        .import("mp3-named-wav", &lame_mp3(8_000, 1, 1.0), "x.wav")
        .unwrap();
    assert_eq!(info.format, SourceFormat::Mp3);

    let err = lib
        .import(
            "text",
            "这不是音频, just a note about prompts\n".as_bytes(),
            "note.wav",
        )
        .unwrap_err();
    assert!(matches!(err, PromptError::NotAudio(_)), "{err:?}");
    assert!(err.to_string().contains("text file"), "{err}");
    let err = lib.import("ogg", b"OggS\0\x02\0\0", "a.wav").unwrap_err();
    assert!(err.to_string().contains("Ogg"), "{err}");
    assert_eq!(err.code(), "not-audio");
    assert!(err.is_bad_input());
}

#[test]
fn bad_uploads_are_refused_and_leave_nothing() {
    let (_tmp, lib) = library();
    let good = hound_wav(16_000, 1, 16, false);

    // Cut off mid-upload: the header declares 1 s, the file holds 0.25 s.
    let truncated = &good[..44 + 8_000];
    match lib.import("cut", truncated, "cut.wav") {
        Err(PromptError::Truncated {
            declared_ms,
            actual_ms,
        }) => assert_eq!((declared_ms, actual_ms), (1000, 250)),
        other => panic!("truncated: {other:?}"),
    }
    // A header declaring ~4 GiB of data.
    let mut huge = good.clone();
    huge[40..44].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    let err = lib.import("huge", &huge, "huge.wav").unwrap_err();
    assert!(matches!(err, PromptError::Truncated { .. }), "{err:?}");
    // Headers only, or nothing at all.
    let empty_wav = raw_wav(1, 8_000, 16, &[]);
    let err = lib.import("empty", &empty_wav, "e.wav").unwrap_err();
    assert!(matches!(err, PromptError::NoAudio("WAV")), "{err:?}");
    let err = lib.import("zero", b"", "zero.wav").unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");
    // A header cut inside the fmt chunk.
    let err = lib.import("stub", &good[..30], "stub.wav").unwrap_err();
    assert!(matches!(err, PromptError::Malformed { .. }), "{err:?}");
    // Bad names.
    for name in ["../escape", "a/b", "", "tab\there"] {
        let err = lib.import(name, &good, "ok.wav").unwrap_err();
        assert!(matches!(err, PromptError::InvalidName { .. }), "{name:?}");
    }
    assert!(lib.list().is_empty());
    assert!(stored_files(&lib).is_empty(), "{:?}", stored_files(&lib));
}

#[test]
fn size_and_duration_limits() {
    let (_tmp, lib) = library();
    let lib = lib.with_limits(PromptLimits {
        max_bytes: 20_000,
        max_duration_ms: 500,
    });
    let err = lib
        .import("big", &hound_wav(44_100, 1, 16, false), "big.wav")
        .unwrap_err();
    assert!(
        matches!(
            err,
            PromptError::TooLarge {
                bytes: 88_244,
                limit: 20_000
            }
        ),
        "{err:?}"
    );
    let err = lib
        .import("long", &hound_wav(8_000, 1, 16, false), "long.wav")
        .unwrap_err();
    assert!(
        matches!(
            err,
            PromptError::TooLong {
                duration_ms: 1000,
                limit_ms: 500
            }
        ),
        "{err:?}"
    );
    let err = lib
        .import("long-mp3", &lame_mp3(8_000, 1, 1.0), "long.mp3")
        .unwrap_err();
    assert!(matches!(err, PromptError::TooLong { .. }), "{err:?}");
    assert!(lib.list().is_empty());
}

#[test]
fn store_persists_deduplicates_and_cleans_up() {
    let (tmp, lib) = library();
    let a = hound_wav(8_000, 1, 16, false);
    let b = hound_wav(22_050, 1, 16, false);
    let first = lib.import("one", &a, "a.wav").unwrap();
    let second = lib.import("two", &a, "a-again.wav").unwrap();
    assert_eq!(first.sha256, second.sha256);
    let wavs = |lib: &PromptLibrary| {
        stored_files(lib)
            .into_iter()
            .filter(|f| f.ends_with(".wav"))
            .collect::<Vec<_>>()
    };
    assert_eq!(wavs(&lib), vec![format!("{}.wav", first.sha256)]);

    // Reopened, the library has the same prompts and the same audio.
    let audio = lib.load("one").unwrap();
    drop(lib);
    let lib = PromptLibrary::open(tmp.path().join("prompts")).unwrap();
    assert_eq!(lib.get("one"), Some(first.clone()));
    assert_eq!(lib.load("two").unwrap(), audio);

    // Replacing one name keeps the shared file; replacing both removes it.
    let replaced = lib.import("one", &b, "b.wav").unwrap();
    assert_eq!(wavs(&lib).len(), 2);
    lib.import("two", &b, "b.wav").unwrap();
    assert_eq!(wavs(&lib), vec![format!("{}.wav", replaced.sha256)]);
    assert_eq!(
        lib.remove("one").unwrap().map(|p| p.name),
        Some("one".into())
    );
    assert_eq!(wavs(&lib).len(), 1);
    lib.remove("two").unwrap();
    assert!(wavs(&lib).is_empty());
    assert_eq!(lib.remove("two").unwrap(), None);
    assert!(matches!(lib.load("two"), Err(PromptError::NotFound(_))));
}

#[test]
fn corrupt_index_and_damaged_store_are_reported() {
    let (tmp, lib) = library();
    let info = lib
        .import("p", &hound_wav(8_000, 1, 16, false), "p.wav")
        .unwrap();
    let dir = tmp.path().join("prompts");
    drop(lib);
    std::fs::write(dir.join(format!("{}.wav", info.sha256)), b"RIFF").unwrap();
    let lib = PromptLibrary::open(&dir).unwrap();
    let err = lib.load("p").unwrap_err();
    assert!(matches!(err, PromptError::Stored { .. }), "{err:?}");
    assert!(!err.is_bad_input());

    std::fs::write(dir.join("index.json"), b"{ not json").unwrap();
    let err = PromptLibrary::open(&dir).unwrap_err();
    assert!(matches!(err, PromptError::Index { .. }), "{err:?}");
}

#[test]
fn script_files_load_once_and_stay_inside_their_directory() {
    let (tmp, lib) = library();
    let scripts = tmp.path().join("scripts");
    std::fs::create_dir_all(scripts.join("audio")).unwrap();
    std::fs::write(scripts.join("audio/hello.mp3"), lame_mp3(22_050, 1, 1.0)).unwrap();
    std::fs::write(
        tmp.path().join("secret.wav"),
        hound_wav(8_000, 1, 16, false),
    )
    .unwrap();

    let audio = lib.load_file(&scripts, "audio/hello.mp3").unwrap();
    assert_is_1khz_second(&audio, "script mp3");
    // Converted once into the store, served from memory afterwards.
    assert_eq!(
        stored_files(&lib)
            .iter()
            .filter(|f| f.ends_with(".wav"))
            .count(),
        1
    );
    assert!(std::sync::Arc::ptr_eq(
        &audio,
        &lib.load_file(&scripts, "./audio/hello.mp3").unwrap()
    ));
    // A changed file is converted again.
    std::fs::write(scripts.join("audio/hello.mp3"), lame_mp3(22_050, 1, 0.5)).unwrap();
    let shorter = lib.load_file(&scripts, "audio/hello.mp3").unwrap();
    assert!(shorter.len() < 4_400, "{}", shorter.len());

    for bad in [
        "../secret.wav",
        "audio/../../secret.wav",
        "",
        "/etc/hostname",
    ] {
        let err = lib.load_file(&scripts, bad).unwrap_err();
        assert!(
            matches!(err, PromptError::BadPath { .. }),
            "{bad:?}: {err:?}"
        );
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(tmp.path().join("secret.wav"), scripts.join("link.wav"))
            .unwrap();
        let err = lib.load_file(&scripts, "link.wav").unwrap_err();
        assert!(matches!(err, PromptError::BadPath { .. }), "{err:?}");
    }
    let err = lib.load_file(&scripts, "missing.wav").unwrap_err();
    assert!(matches!(err, PromptError::Io { .. }), "{err:?}");
    assert!(Path::new(&scripts).join("audio/hello.mp3").exists());
}

#[test]
fn corrupted_uploads_never_panic() {
    let wav = hound_wav(22_050, 2, 16, false);
    let mp3 = lame_mp3(22_050, 1, 0.5);
    let limits = PromptLimits::default();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut decoded = 0;
    for round in 0..300 {
        let mut bytes = if round % 2 == 0 {
            wav.clone()
        } else {
            mp3.clone()
        };
        // Damage the start (headers) more often than the rest.
        for _ in 0..(1 + next() % 8) {
            let span = if next() % 2 == 0 { 64 } else { bytes.len() };
            let at = (next() as usize) % span.min(bytes.len());
            bytes[at] = next() as u8;
        }
        if next() % 4 == 0 {
            bytes.truncate((next() as usize) % bytes.len());
        }
        if decode_prompt(&bytes, &limits).is_ok() {
            decoded += 1;
        }
    }
    // Most damage only adds clicks; the point is that nothing panicked.
    assert!(decoded > 0, "no damaged file decoded at all");
}

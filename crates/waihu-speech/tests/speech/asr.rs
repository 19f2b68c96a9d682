//! Speech recognition. The model tests need the real Whisper model: run
//! `scripts/fetch-asr-model.sh`, set `WAIHU_ASR_MODEL` to the path it
//! prints, and run with `--ignored`.

use std::time::Instant;

use waihu_speech::asr::{Asr, AsrError, WhisperAsr, WhisperConfig};
use waihu_speech::tts::{Lang, Tts};

use crate::audio::{espeak, silence};

fn model_path() -> String {
    std::env::var("WAIHU_ASR_MODEL").unwrap_or_else(|_| {
        panic!(
            "WAIHU_ASR_MODEL is not set: run scripts/fetch-asr-model.sh and set \
             WAIHU_ASR_MODEL to the path it prints"
        )
    })
}

#[test]
fn missing_or_invalid_model_is_a_clear_error() {
    let err = WhisperAsr::new(WhisperConfig::new("/nonexistent/ggml.bin")).unwrap_err();
    assert!(matches!(err, AsrError::Model { .. }), "{err:?}");
    assert!(err.to_string().contains("fetch-asr-model.sh"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.bin");
    std::fs::write(&junk, b"this is not a ggml model at all").unwrap();
    let err = WhisperAsr::new(WhisperConfig::new(&junk)).unwrap_err();
    assert!(matches!(err, AsrError::Model { .. }), "{err:?}");
}

/// Recognises `text` spoken by espeak-ng, with a little silence around it
/// as the VAD would leave, and returns the transcript text.
/// The default configuration for `lang` with the model under test.
fn config(lang: &str) -> WhisperConfig {
    let mut c = WhisperConfig::new(model_path());
    c.language = Some(lang.into());
    c
}

fn round_trip(asr: &WhisperAsr, text: &str, lang: Lang) -> String {
    let mut audio = silence(200);
    audio.extend(espeak().synthesize(text, lang).unwrap());
    audio.extend(silence(200));
    let started = Instant::now();
    let t = asr.transcribe(&audio).unwrap();
    eprintln!(
        "{text:?} -> {:?} (confidence {:.2}, no speech {:.2}, {} ms audio, {} ms to recognise)",
        t.text,
        t.confidence,
        t.no_speech,
        t.audio_ms,
        started.elapsed().as_millis()
    );
    t.text
}

#[test]
#[ignore = "needs the ASR model: scripts/fetch-asr-model.sh"]
fn recognises_synthesised_mandarin_phrases() {
    let asr = WhisperAsr::new(config("zh")).unwrap();
    for (said, expect) in [
        ("不需要", "不需要"),
        ("好的", "好"),
        ("我不需要，谢谢", "不需要"),
        ("可以", "可以"),
    ] {
        let heard = round_trip(&asr, said, Lang::Mandarin);
        assert!(heard.contains(expect), "said {said:?}, heard {heard:?}");
    }
}

#[test]
#[ignore = "needs the ASR model: scripts/fetch-asr-model.sh"]
fn recognises_synthesised_english_phrases() {
    let asr = WhisperAsr::new(config("en")).unwrap();
    for (said, expect) in [
        ("Yes, I am interested.", "interested"),
        ("Please do not call me again.", "call me again"),
    ] {
        let heard = round_trip(&asr, said, Lang::English).to_lowercase();
        assert!(heard.contains(expect), "said {said:?}, heard {heard:?}");
    }
}

#[test]
#[ignore = "needs the ASR model: scripts/fetch-asr-model.sh"]
fn silence_and_line_hiss_give_no_words() {
    let asr = WhisperAsr::new(config("zh")).unwrap();
    let t = asr.transcribe(&silence(1500)).unwrap();
    assert_eq!((t.text.as_str(), t.no_speech), ("", 1.0), "{t:?}");
    // Hiss at about -60 dBFS.
    let mut seed: u32 = 99;
    let hiss: Vec<i16> = (0..12_000)
        .map(|_| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((seed >> 16) as i32 % 60 - 30) as i16
        })
        .collect();
    let t = asr.transcribe(&hiss).unwrap();
    assert!(t.text.is_empty(), "{t:?}");
}

#[test]
#[ignore = "needs the ASR model: scripts/fetch-asr-model.sh"]
fn rejects_audio_longer_than_one_window() {
    let asr = WhisperAsr::new(config("zh")).unwrap();
    let err = asr.transcribe(&vec![1000; 8000 * 31]).unwrap_err();
    assert!(matches!(err, AsrError::Audio(_)), "{err:?}");
}

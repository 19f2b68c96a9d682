//! The OpenAI-compatible speech adapter against a local server on
//! 127.0.0.1 that speaks the documented `/v1/audio/speech` protocol: the
//! request is checked field by field, the answer is a streamed 24 kHz WAV
//! (sizes left unfilled, as such servers send), an MP3, an error or junk.

use std::net::TcpListener;
use std::thread;
use std::time::Duration;

use waihu_speech::tts::{HttpTts, HttpTtsConfig, Lang, Tts, TtsError};

use crate::audio::{tone, tone_amplitude};
use crate::http_stub::serve;
use crate::prompts::lame_mp3;

/// A 24 kHz 16-bit mono WAV of `secs` of 1 kHz tone whose RIFF and data
/// sizes are 0xFFFFFFFF, as a server streaming its answer writes them.
fn streamed_wav_24k(secs: f64) -> Vec<u8> {
    let pcm: Vec<u8> = tone(1000.0, 24_000, secs, 0.5)
        .into_iter()
        .flat_map(|v| ((v * 32768.0) as i16).to_le_bytes())
        .collect();
    let mut v = Vec::new();
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&u32::MAX.to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&24_000u32.to_le_bytes());
    v.extend_from_slice(&48_000u32.to_le_bytes());
    v.extend_from_slice(&2u16.to_le_bytes());
    v.extend_from_slice(&16u16.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&u32::MAX.to_le_bytes());
    v.extend_from_slice(&pcm);
    v
}

fn assert_is_1khz(audio: &[i16], secs: f64, what: &str) {
    let expected = (8000.0 * secs) as usize;
    assert!(
        audio.len().abs_diff(expected) <= 240,
        "{what}: {} samples for {secs} s",
        audio.len()
    );
    let mid = &audio[audio.len() / 8..audio.len() * 7 / 8];
    let a = tone_amplitude(mid, 1000.0);
    assert!(
        (a - 16_384.0).abs() < 1_000.0,
        "{what}: 1 kHz amplitude {a}"
    );
}

#[test]
fn posts_json_and_decodes_a_streamed_wav() {
    let (url, seen) = serve(vec![
        ("200 OK", "audio/wav", streamed_wav_24k(1.5)),
        ("200 OK", "audio/wav", streamed_wav_24k(0.5)),
    ]);
    let mut config = HttpTtsConfig::new(format!("{url}/"));
    config.api_key = Some("sk-test".into());
    config.model = "kokoro".into();
    config.voice_mandarin = "zf_xiaobei".into();
    config.voice_english = "af_heart".into();
    config.speed = Some(1.25);
    let tts = HttpTts::new(config);

    let audio = tts
        .synthesize("  您好，我是客服小王。 ", Lang::Mandarin)
        .unwrap();
    assert_is_1khz(&audio, 1.5, "streamed 24 kHz WAV");
    let req = seen.recv().unwrap();
    assert_eq!(req.request_line, "POST /v1/audio/speech HTTP/1.1");
    assert_eq!(req.header("authorization"), Some("Bearer sk-test"));
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(
        req.json(),
        serde_json::json!({
            "model": "kokoro",
            "input": "您好，我是客服小王。",
            "voice": "zf_xiaobei",
            "response_format": "wav",
            "speed": 1.25,
        })
    );

    let audio = tts.synthesize("Hello", Lang::English).unwrap();
    assert_is_1khz(&audio, 0.5, "second answer");
    assert_eq!(seen.recv().unwrap().json()["voice"], "af_heart");
}

#[test]
fn accepts_mp3_from_servers_that_ignore_the_format() {
    let (url, seen) = serve(vec![("200 OK", "audio/mpeg", lame_mp3(24_000, 1, 1.0))]);
    let tts = HttpTts::new(HttpTtsConfig::new(url));
    let audio = tts.synthesize("好的", Lang::Mandarin).unwrap();
    assert_is_1khz(&audio, 1.0, "MP3 answer");
    let req = seen.recv().unwrap();
    assert!(req.header("authorization").is_none());
    assert!(req.json().get("speed").is_none());
}

#[test]
fn errors_say_what_went_wrong() {
    let (url, _seen) = serve(vec![
        (
            "401 Unauthorized",
            "application/json",
            br#"{"error":{"message":"Incorrect API key provided"}}"#.to_vec(),
        ),
        (
            "200 OK",
            "text/html",
            b"<html><body>gateway</body></html>".to_vec(),
        ),
        ("200 OK", "audio/wav", {
            let mut cut = streamed_wav_24k(0.1);
            cut.truncate(20);
            cut
        }),
    ]);
    let tts = HttpTts::new(HttpTtsConfig::new(url));
    match tts.synthesize("你好", Lang::Mandarin) {
        Err(TtsError::Failed(m)) => {
            assert!(m.contains("401") && m.contains("Incorrect API key"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    match tts.synthesize("你好", Lang::Mandarin) {
        Err(TtsError::BadOutput(m)) => assert!(m.contains("text"), "{m}"),
        other => panic!("{other:?}"),
    }
    match tts.synthesize("你好", Lang::Mandarin) {
        Err(TtsError::BadOutput(m)) => assert!(m.contains("WAV"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn empty_text_makes_no_request_and_dead_servers_fail() {
    // Nothing listens on this port once the listener is dropped.
    let dead = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let tts = HttpTts::new(HttpTtsConfig::new(dead));
    assert_eq!(
        tts.synthesize(" \n ", Lang::English).unwrap(),
        Vec::<i16>::new()
    );
    match tts.synthesize("hello", Lang::English) {
        Err(TtsError::Failed(m)) => assert!(m.contains("/v1/audio/speech"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_silent_server_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    // Accepts, reads nothing, answers nothing; gives up after 5 s.
    let server = thread::spawn(move || {
        let conn = listener.accept();
        thread::sleep(Duration::from_secs(5));
        drop(conn);
    });
    let mut config = HttpTtsConfig::new(url);
    config.timeout = Duration::from_millis(300);
    match HttpTts::new(config).synthesize("hello", Lang::English) {
        Err(TtsError::Failed(m)) => assert!(m.contains("timeout"), "{m}"),
        other => panic!("{other:?}"),
    }
    drop(server);
}

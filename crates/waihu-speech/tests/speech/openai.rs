//! The OpenAI-compatible transcription adapter against a local server on
//! 127.0.0.1 that speaks the documented `/v1/audio/transcriptions` protocol.

use std::net::TcpListener;
use std::sync::mpsc;

use waihu_speech::asr::{Asr, AsrError, OpenAiAsr, OpenAiConfig};

use crate::http_stub::{serve, Seen};

/// Serves one request with `status` and a JSON `body`; returns the base URL
/// and a receiver for what the server saw.
fn serve_once(status: &'static str, body: &'static str) -> (String, mpsc::Receiver<Seen>) {
    serve(vec![(status, "application/json", body.as_bytes().to_vec())])
}

/// The parts of a multipart body: (name, bytes).
fn parts(body: &[u8], boundary: &str) -> Vec<(String, Vec<u8>)> {
    let delim = format!("--{boundary}");
    let mut out = Vec::new();
    let text_positions: Vec<usize> = body
        .windows(delim.len())
        .enumerate()
        .filter(|(_, w)| *w == delim.as_bytes())
        .map(|(i, _)| i)
        .collect();
    for pair in text_positions.windows(2) {
        let part = &body[pair[0] + delim.len() + 2..pair[1] - 2];
        let split = part.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&part[..split]).to_string();
        let name = head
            .split("name=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        out.push((name.to_string(), part[split + 4..].to_vec()));
    }
    out
}

#[test]
fn posts_a_16k_wav_and_reads_verbose_json() {
    let (url, seen) = serve_once(
        "200 OK",
        r#"{"task":"transcribe","language":"zh","duration":1.0,"text":"不需要，謝謝","segments":[{"id":0,"start":0.1,"end":0.9,"text":"不需要，謝謝","avg_logprob":-0.1,"no_speech_prob":0.02}]}"#,
    );
    let mut config = OpenAiConfig::new(format!("{url}/"));
    config.api_key = Some("sk-test".into());
    let asr = OpenAiAsr::new(config);
    let audio: Vec<i16> = (0..8000)
        .map(|i| ((i % 40) * 500 - 10_000) as i16)
        .collect();
    let t = asr.transcribe(&audio).unwrap();
    assert_eq!(t.text, "不需要，谢谢");
    assert_eq!(t.audio_ms, 1000);
    assert_eq!((t.segments[0].start_ms, t.segments[0].end_ms), (100, 900));
    assert!(t.confidence > 0.85 && t.confidence < 0.95, "{t:?}");

    let req = seen.recv().unwrap();
    assert_eq!(req.request_line, "POST /v1/audio/transcriptions HTTP/1.1");
    assert_eq!(req.header("authorization"), Some("Bearer sk-test"));
    let content_type = req.header("content-type").unwrap();
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap();
    let parts = parts(&req.body, boundary);
    let field = |n: &str| {
        parts
            .iter()
            .find(|(name, _)| name == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {n} field"))
    };
    assert_eq!(field("model"), b"whisper-1");
    assert_eq!(field("language"), b"zh");
    assert_eq!(field("response_format"), b"verbose_json");
    let wav = field("file");
    let reader = hound::WavReader::new(std::io::Cursor::new(wav)).unwrap();
    assert_eq!(reader.spec().sample_rate, 16_000);
    assert_eq!(reader.spec().channels, 1);
    assert!(
        (15_990..=16_010).contains(&reader.len()),
        "{}",
        reader.len()
    );
}

#[test]
fn server_errors_and_garbage_are_engine_errors() {
    let (url, _seen) = serve_once(
        "500 Internal Server Error",
        r#"{"error":"model not loaded"}"#,
    );
    let err = OpenAiAsr::new(OpenAiConfig::new(url))
        .transcribe(&[0; 800])
        .unwrap_err();
    assert!(
        matches!(&err, AsrError::Engine(m) if m.contains("500") && m.contains("model not loaded")),
        "{err:?}"
    );

    let (url, _seen) = serve_once("200 OK", "this is not json");
    let err = OpenAiAsr::new(OpenAiConfig::new(url))
        .transcribe(&[0; 800])
        .unwrap_err();
    assert!(matches!(err, AsrError::Engine(_)), "{err:?}");
}

#[test]
fn unreachable_server_is_an_engine_error() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = OpenAiAsr::new(OpenAiConfig::new(format!("http://127.0.0.1:{port}")))
        .transcribe(&[0; 800])
        .unwrap_err();
    assert!(matches!(err, AsrError::Engine(_)), "{err:?}");
}

//! Start a callee from behaviour text; place calls at it.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use waihu_callee::{Behavior, CallLog, CalleeConfig, CalleeServer, Prepared};
use waihu_sip::{DialRequest, SipConfig, UserAgent};
use waihu_speech::tts::{EspeakTts, Lang, Tts};

pub struct Callee {
    pub server: CalleeServer,
    pub logs: tokio::sync::mpsc::UnboundedReceiver<CallLog>,
}

pub fn espeak() -> EspeakTts {
    EspeakTts::new().expect("espeak-ng is required (apt-get install espeak-ng)")
}

pub async fn callee(toml: &str, base: &Path) -> Callee {
    let behavior = Behavior::parse(toml).expect("behaviour");
    let tts = Prepared::needs_tts(&behavior).then(espeak);
    let prepared = Prepared::new(behavior, base, tts.as_ref().map(|t| t as &dyn Tts)).unwrap();
    let mut server = CalleeServer::start(CalleeConfig {
        sip: SipConfig::default(),
        behavior: prepared,
        log_path: Some(base.join("calls.jsonl")),
        record_dir: None,
    })
    .await
    .unwrap();
    let logs = server.take_logs().unwrap();
    Callee { server, logs }
}

impl Callee {
    pub fn request(&self, to: &str) -> DialRequest {
        let mut r = DialRequest::new(self.server.local_addr().to_string(), to);
        r.no_response_timeout = Duration::from_secs(3);
        r.ring_timeout = Duration::from_secs(10);
        r
    }

    pub async fn next_log(&mut self) -> CallLog {
        tokio::time::timeout(Duration::from_secs(30), self.logs.recv())
            .await
            .expect("callee did not finish the call")
            .expect("log stream")
    }
}

pub async fn ua() -> UserAgent {
    UserAgent::start(SipConfig::default()).await.unwrap()
}

pub fn speech(text: &str) -> Arc<[i16]> {
    espeak().synthesize(text, Lang::Mandarin).unwrap().into()
}

/// Write a tone WAV at 16 kHz (exercises resampling) and return its name.
pub fn tone_wav(dir: &Path, name: &str, freq: f64, ms: u32) -> String {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(dir.join(name), spec).unwrap();
    for i in 0..(16 * ms) {
        let v = (i as f64 * 2.0 * std::f64::consts::PI * freq / 16000.0).sin() * 10000.0;
        w.write_sample(v as i16).unwrap();
    }
    w.finalize().unwrap();
    name.to_string()
}

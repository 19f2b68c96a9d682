//! Conversations heard by the built-in Whisper model: espeak-ng speaks, Whisper
//! recognises — two independent engines, so these check recognition too.

use crate::*;

/// Engines with the built-in Whisper model (WAIHU_ASR_MODEL, default
/// ~/.cache/waihu/models/ggml-base.bin; scripts/fetch-asr-model.sh).
fn whisper_engines() -> Arc<Engines> {
    static ENGINES: OnceLock<Arc<Engines>> = OnceLock::new();
    ENGINES
        .get_or_init(|| {
            let model = std::env::var_os("WAIHU_ASR_MODEL")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|| {
                    let home = std::env::var_os("HOME").unwrap_or_default();
                    std::path::Path::new(&home).join(".cache/waihu/models/ggml-base.bin")
                });
            let asr =
                waihu_speech::asr::WhisperAsr::new(waihu_speech::asr::WhisperConfig::new(model))
                    .expect("the ASR model (run scripts/fetch-asr-model.sh)");
            let pool = AsrPool::new(Arc::new(asr), 2).expect("ASR pool");
            Arc::new(Engines::new(Arc::new(pool), tts()))
        })
        .clone()
}

/// The whole stack with real recognition: the callee's synthesised words
/// go through G.711, the end-pointer and Whisper base in the shared pool.
/// Phrases are the ones the pinned model recognises from espeak-ng audio
/// (see waihu-speech's ASR tests).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the ASR model: scripts/fetch-asr-model.sh (WAIHU_ASR_MODEL)"]
async fn whisper_hears_a_refusal() {
    let (o, _) = converse_with(
        whisper_engines(),
        r#"steps = [{ do = "say", text = "不需要" }]"#,
        Arc::new(MemoryOptOutSink::default()),
        None,
    )
    .await;
    let c = o.record.conversation.as_ref().unwrap();
    assert_eq!(c.intents, ["reject"], "{c:#?}");
    assert_eq!((c.script_outcome.as_str(), c.grade), ("declined", 'D'));
    let heard = c.turn_log[0].callee.clone().unwrap_or_default();
    assert!(heard.contains("不需要"), "{heard:?}");
    assert!(c.turn_log[0].timings.asr_ms.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the ASR model: scripts/fetch-asr-model.sh (WAIHU_ASR_MODEL)"]
async fn whisper_hears_consent_then_a_key_books() {
    let (o, _) = converse_with(
        whisper_engines(),
        r#"steps = [{ do = "say", text = "可以" }, { do = "listen" }, { do = "dtmf", digits = "1" }]"#,
        Arc::new(MemoryOptOutSink::default()),
        None,
    )
    .await;
    let c = o.record.conversation.as_ref().unwrap();
    assert_eq!(c.intents, ["affirm", "dtmf:1"], "{c:#?}");
    assert_eq!((c.script_outcome.as_str(), c.grade), ("booked", 'A'));
}

//! End-to-end conversations: the robot (`place_call`) calls the virtual
//! callee over SIP/RTP on 127.0.0.1; the callee speaks real synthesised
//! audio (espeak-ng). Recognition is the phrase book (the callee's phrases
//! recognised by their audio fingerprint), so the dialog is deterministic
//! while VAD, barge-in, timers and media are all real. Each test is one short
//! real-time call; they run concurrently. The scripted dialog tests are in
//! `dialog.rs`; `whisper.rs` hears espeak-ng audio with the Whisper model (a
//! recogniser independent of the audio source); `library.rs` plays recorded prompts.

mod dialog;
mod library;
mod whisper;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::mpsc;
use waihu_call::{
    place_call, CallRecord, ConversationConfig, ConversationSetup, Engines, LiveEvent,
    MemoryObserver, MemoryOptOutSink, OptOutReason, OptOutSink, Speaker,
};
use waihu_callee::{Behavior, CallLog, CalleeConfig, CalleeServer, Prepared};
use waihu_dialog::interp::Interpreter;
use waihu_sip::{DialRequest, SipConfig, UserAgent};
use waihu_speech::asr::{AsrPool, PhraseBookAsr};
use waihu_speech::tts::{CachedTts, EspeakTts, Lang, Tts};

/// The test script: a short course-trial invitation (see
/// examples/scripts/course-trial.zh.yaml for the full one).
const SCRIPT: &str = r#"
name: 试听邀约测试
language: zh
business: {name: 小码王, phone: "400-100-2020"}
variables: [name]
opt_out_dtmf: "9"
max_turns: 8
goodbye: 再见。
start: disclosure
nodes:
  disclosure:
    disclosure: true
    say: {text: "{name}您好，我是小码王的AI助理，通话会录音。", interruptible: false}
    next: invite
  invite:
    say: {text: 这周末有免费试听课，您看可以吗？}
    reprompt: 周末的试听课，可以吗？
    listen: {timeout_ms: 1500}
    branches: {affirm: pick_time, reject: end_declined, silence: repeat, unknown: repeat, "dtmf:1": pick_time}
    repeat: {max: 1, fallback: end_unclear}
  pick_time:
    say: {text: 好的，我们周六上午和周日下午都有名额，请问您选哪一天呢？}
    listen: {timeout_ms: 1500}
    branches: {saturday: booked, sunday: booked, "dtmf:1": booked, "dtmf:2": booked, silence: repeat, unknown: repeat}
    repeat: {max: 1, fallback: end_unclear}
  booked:
    say: {text: 已为您预约，再见！}
    tags: [booked]
    end: booked
  end_declined:
    say: {text: 打扰了，再见。}
    end: declined
  end_unclear:
    say: {text: 抱歉打扰，再见。}
    end: no_response
  bye_opt_out:
    say: {text: 已为您登记，不再打扰，再见。}
    end: opt_out
global:
  opt_out: {goto: bye_opt_out}
  ask_is_robot: {say: 是的，我是AI助理。}
  object_recording: {say: 好的，不再录音。}
intents:
  saturday: {keywords: [周六, 星期六]}
  sunday: {keywords: [周日, 星期天]}
knowledge:
  - id: price
    questions: [多少钱, 要钱吗, 收费吗]
    answer: 试听课是免费的。
grading:
  - grade: A
    reason: 已预约
    when: {reached_any: [booked]}
"#;

/// Every phrase a test persona says.
const PHRASES: &[&str] = &[
    "可以啊",
    "周六吧",
    "周日吧",
    "不需要",
    "以后别再打了",
    "要多少钱",
    "你是机器人吗",
    "喂你好",
    "不要录音",
    "我要投诉你们，把我号码删掉",
];

pub(crate) fn tts() -> Arc<dyn Tts> {
    static TTS: OnceLock<Arc<dyn Tts>> = OnceLock::new();
    TTS.get_or_init(|| {
        Arc::new(CachedTts::new(
            EspeakTts::new().expect("espeak-ng must be installed for these tests"),
        ))
    })
    .clone()
}

pub(crate) fn engines() -> Arc<Engines> {
    static ENGINES: OnceLock<Arc<Engines>> = OnceLock::new();
    ENGINES
        .get_or_init(|| {
            let tts = tts();
            let mut book = PhraseBookAsr::new();
            book.add_spoken(tts.as_ref(), PHRASES.iter().map(|p| (*p, Lang::Mandarin)))
                .expect("synthesise the phrase book");
            let pool = AsrPool::new(Arc::new(book), 2).expect("ASR pool");
            Arc::new(Engines::new(Arc::new(pool), tts))
        })
        .clone()
}

pub(crate) fn interpreter() -> Arc<Interpreter> {
    let loaded = waihu_dialog::script::load_str(SCRIPT);
    let script = loaded
        .script
        .unwrap_or_else(|| panic!("{:?}", loaded.findings));
    Arc::new(Interpreter::new(script).unwrap())
}

/// One conversation's results.
struct Outcome {
    record: CallRecord,
    log: CallLog,
    /// What the live observer saw, in order.
    events: Vec<LiveEvent>,
}

/// Calls a callee running `persona` (TOML steps) with the test script.
pub(crate) async fn converse(
    persona: &str,
    sink: Arc<dyn OptOutSink>,
    record_to: Option<std::path::PathBuf>,
) -> (Outcome, Option<mpsc::UnboundedReceiver<CallLog>>) {
    converse_with(engines(), persona, sink, record_to).await
}

/// [`converse`] with the given engines.
pub(crate) async fn converse_with(
    engines: Arc<Engines>,
    persona: &str,
    sink: Arc<dyn OptOutSink>,
    record_to: Option<std::path::PathBuf>,
) -> (Outcome, Option<mpsc::UnboundedReceiver<CallLog>>) {
    let behavior = Behavior::parse(&format!(
        "[[rule]]\naction = \"answer\"\npersona = \"p\"\nmax_call_secs = 40\n\n[persona.p]\nlang = \"zh\"\n{persona}\n"
    ))
    .unwrap();
    let prepared =
        Prepared::new(behavior, std::path::Path::new("."), Some(tts().as_ref())).unwrap();
    let mut callee = CalleeServer::start(CalleeConfig {
        sip: SipConfig::default(),
        behavior: prepared,
        log_path: None,
        record_dir: None,
    })
    .await
    .unwrap();
    let mut logs = callee.take_logs().unwrap();
    let ua = UserAgent::start(SipConfig::default()).await.unwrap();
    let req = DialRequest::new(callee.local_addr().to_string(), "13800000001");
    let mut vars = BTreeMap::new();
    vars.insert("name".to_string(), "王女士".to_string());
    let observer = Arc::new(MemoryObserver::default());
    let setup = ConversationSetup {
        interpreter: interpreter(),
        vars,
        engines,
        opt_out: sink,
        record_to,
        prompt_dir: None,
        prompt_library: None,
        config: ConversationConfig::default(),
        observer: Some(observer.clone()),
    };
    let record = place_call(&ua, req, setup, None).await.unwrap();
    let log = tokio::time::timeout(std::time::Duration::from_secs(10), logs.recv())
        .await
        .unwrap()
        .unwrap();
    ua.shutdown();
    callee.shutdown();
    let events = observer.events();
    (
        Outcome {
            record,
            log,
            events,
        },
        Some(logs),
    )
}

pub(crate) async fn simple(persona: &str) -> Outcome {
    converse(persona, Arc::new(MemoryOptOutSink::default()), None)
        .await
        .0
}

pub(crate) fn robot_lines(o: &Outcome) -> Vec<(String, bool)> {
    let c = o.record.conversation.as_ref().unwrap();
    c.transcript
        .iter()
        .filter(|l| l.speaker == Speaker::Robot)
        .map(|l| (l.text.clone().unwrap_or_default(), l.interrupted))
        .collect()
}

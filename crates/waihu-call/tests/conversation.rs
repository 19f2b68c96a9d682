//! End-to-end conversations: the robot (`place_call`) calls the virtual
//! callee over SIP/RTP on 127.0.0.1; the callee speaks real synthesised
//! audio (espeak-ng). Recognition is the phrase book (the callee's phrases
//! recognised by their audio fingerprint), so the dialog is deterministic
//! while VAD, barge-in, timers and media are all real. Each test is one short
//! real-time call; they run concurrently.

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
];

fn tts() -> Arc<dyn Tts> {
    static TTS: OnceLock<Arc<dyn Tts>> = OnceLock::new();
    TTS.get_or_init(|| {
        Arc::new(CachedTts::new(
            EspeakTts::new().expect("espeak-ng must be installed for these tests"),
        ))
    })
    .clone()
}

fn engines() -> Arc<Engines> {
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

fn interpreter() -> Arc<Interpreter> {
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
async fn converse(
    persona: &str,
    sink: Arc<dyn OptOutSink>,
    record_to: Option<std::path::PathBuf>,
) -> (Outcome, Option<mpsc::UnboundedReceiver<CallLog>>) {
    converse_with(engines(), persona, sink, record_to).await
}

/// [`converse`] with the given engines.
async fn converse_with(
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

async fn simple(persona: &str) -> Outcome {
    converse(persona, Arc::new(MemoryOptOutSink::default()), None)
        .await
        .0
}

fn robot_lines(o: &Outcome) -> Vec<(String, bool)> {
    let c = o.record.conversation.as_ref().unwrap();
    c.transcript
        .iter()
        .filter(|l| l.speaker == Speaker::Robot)
        .map(|l| (l.text.clone().unwrap_or_default(), l.interrupted))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interested_callee_books_and_is_graded_a() {
    let o = simple(r#"steps = [{ do = "say", text = "可以啊" }, { do = "say", text = "周六吧" }]"#)
        .await;
    assert_eq!(o.record.report.outcome.code(), "answered");
    let c = o.record.conversation.as_ref().unwrap();
    assert_eq!(
        c.path,
        ["disclosure", "invite", "pick_time", "booked"],
        "{c:#?}"
    );
    assert_eq!(c.intents, ["affirm", "saturday"]);
    assert_eq!((c.script_outcome.as_str(), c.grade), ("booked", 'A'));
    assert_eq!(c.turns, 2);
    assert!(c.disclosure_complete && c.disclosure_at_ms.is_some());
    assert_eq!(c.ended_by, "robot");
    let callee_said: Vec<_> = c
        .transcript
        .iter()
        .filter(|l| l.speaker == Speaker::Callee)
        .filter_map(|l| l.text.clone())
        .collect();
    assert_eq!(callee_said, ["可以啊", "周六吧"]);
    assert_eq!(c.turn_log.len(), 2);
    assert!(c
        .turn_log
        .iter()
        .all(|t| t.latency_ms.is_some() && t.robot.is_some()));
    // The callee heard the robot answer after each of its replies.
    assert_eq!(o.log.response_latencies_ms().len(), 2, "{:?}", o.log);
    // The live observer saw the same call, in order: dialling, answer, the
    // disclosure, each turn with its intent before the robot's answer, the end.
    let ev = &o.events;
    assert_eq!(ev.first(), Some(&LiveEvent::Dialling), "{ev:#?}");
    assert_eq!(ev.get(1), Some(&LiveEvent::Answered), "{ev:#?}");
    assert!(
        matches!(
            ev.get(2),
            Some(LiveEvent::Robot {
                disclosure: true,
                ..
            })
        ),
        "{ev:#?}"
    );
    let turns: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            LiveEvent::Callee { text, intent, .. } => Some((text.clone(), intent.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        turns,
        [
            (Some("可以啊".to_string()), "affirm".to_string()),
            (Some("周六吧".to_string()), "saturday".to_string())
        ]
    );
    let first_turn = ev
        .iter()
        .position(|e| matches!(e, LiveEvent::Callee { .. }))
        .unwrap();
    assert!(
        matches!(&ev[first_turn + 1], LiveEvent::Robot { text, .. } if text.contains("周六上午")),
        "the robot's answer follows the turn: {ev:#?}"
    );
    assert_eq!(
        ev.last(),
        Some(&LiveEvent::Ended {
            outcome: waihu_core::CallOutcome::Answered,
            script_outcome: Some("booked".into()),
            grade: Some('A'),
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusal_is_graded_d() {
    let o = simple(r#"steps = [{ do = "say", text = "不需要" }]"#).await;
    let c = o.record.conversation.as_ref().unwrap();
    assert_eq!(c.intents, ["reject"]);
    assert_eq!(
        (c.script_outcome.as_str(), c.grade),
        ("declined", 'D'),
        "{c:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_callee_is_reprompted_then_politely_ended() {
    let o = simple("steps = []\nthen = \"wait\"").await;
    let c = o.record.conversation.as_ref().unwrap();
    assert_eq!(c.intents, ["silence", "silence"], "{c:#?}");
    assert_eq!(c.path, ["disclosure", "invite", "invite", "end_unclear"]);
    assert_eq!(c.script_outcome, "no_response");
    let lines = robot_lines(&o);
    assert!(
        lines.iter().any(|(t, _)| t == "周末的试听课，可以吗？"),
        "{lines:?}"
    );
    assert_eq!(lines.last().unwrap().0, "抱歉打扰，再见。");
    assert_eq!(c.grade, 'E');
}

/// A sink that checks the callee is still on the line when the opt-out
/// arrives, and takes a while to acknowledge (a slow database).
struct CheckingSink {
    logs: Mutex<Option<mpsc::UnboundedReceiver<CallLog>>>,
    callee_up_at_opt_out: Mutex<Option<bool>>,
    inner: MemoryOptOutSink,
}

#[async_trait::async_trait]
impl OptOutSink for CheckingSink {
    async fn opt_out(&self, reason: OptOutReason) -> Result<(), waihu_call::OptOutError> {
        let up = self
            .logs
            .lock()
            .unwrap()
            .as_mut()
            .is_some_and(|rx| rx.try_recv().is_err());
        *self.callee_up_at_opt_out.lock().unwrap() = Some(up);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        self.inner.opt_out(reason).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opt_out_reaches_the_sink_before_the_hangup() {
    // The callee's finished-call log is the witness: it must not exist yet
    // when the sink is called. The sink gets the log stream from a first
    // run's server, so the check uses a dedicated server here.
    let behavior = Behavior::parse(
        "[[rule]]\naction = \"answer\"\npersona = \"p\"\n\n[persona.p]\nlang = \"zh\"\nsteps = [{ do = \"say\", text = \"以后别再打了\" }]\n",
    )
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
    let sink = Arc::new(CheckingSink {
        logs: Mutex::new(callee.take_logs()),
        callee_up_at_opt_out: Mutex::new(None),
        inner: MemoryOptOutSink::default(),
    });
    let ua = UserAgent::start(SipConfig::default()).await.unwrap();
    let setup = ConversationSetup {
        interpreter: interpreter(),
        vars: BTreeMap::new(),
        engines: engines(),
        opt_out: sink.clone(),
        record_to: None,
        prompt_dir: None,
        prompt_library: None,
        config: ConversationConfig::default(),
        observer: None,
    };
    let req = DialRequest::new(callee.local_addr().to_string(), "13800000001");
    let record = place_call(&ua, req, setup, None).await.unwrap();
    let c = record.conversation.unwrap();
    assert_eq!(sink.inner.received(), [OptOutReason::Spoken]);
    assert_eq!(*sink.callee_up_at_opt_out.lock().unwrap(), Some(true));
    assert_eq!(c.opt_out.as_deref(), Some("spoken"));
    assert_eq!((c.script_outcome.as_str(), c.grade), ("opt_out", 'F'));
    let (ack, bye) = (c.opt_out_ack_ms.unwrap(), c.hangup_ms.unwrap());
    assert!(ack <= bye, "ack {ack} ms, BYE {bye} ms");
    // The goodbye was played between the acknowledgement and the BYE.
    let goodbye = c
        .transcript
        .iter()
        .find(|l| l.text.as_deref() == Some("已为您登记，不再打扰，再见。"))
        .unwrap();
    assert!(!goodbye.interrupted);
    ua.shutdown();
    callee.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn question_is_answered_from_the_knowledge_base_and_the_flow_resumes() {
    let o = simple(
        r#"steps = [{ do = "say", text = "要多少钱" }, { do = "say", text = "可以啊" }, { do = "say", text = "周日吧" }]"#,
    )
    .await;
    let c = o.record.conversation.as_ref().unwrap();
    assert_eq!(c.intents, ["kb:price", "affirm", "sunday"], "{c:#?}");
    assert_eq!(
        c.path,
        ["disclosure", "invite", "invite", "pick_time", "booked"]
    );
    let lines = robot_lines(&o);
    assert!(
        lines.iter().any(|(t, _)| t == "试听课是免费的。"),
        "{lines:?}"
    );
    assert_eq!(c.grade, 'A');
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn are_you_a_robot_is_answered_truthfully() {
    let o = simple(
        r#"steps = [{ do = "say", text = "你是机器人吗" }, { do = "say", text = "不需要" }]"#,
    )
    .await;
    let c = o.record.conversation.as_ref().unwrap();
    assert_eq!(c.intents, ["ask_is_robot", "reject"], "{c:#?}");
    let answer = &c.turn_log[0];
    assert!(
        answer
            .robot
            .as_deref()
            .is_some_and(|r| r.starts_with("是的，我是AI助理。")),
        "{answer:?}"
    );
    assert_eq!(c.script_outcome, "declined");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn barge_in_stops_an_interruptible_prompt() {
    let o = simple(
        r#"steps = [{ do = "say", text = "可以啊" }, { do = "barge_in", after_ms = 600, text = "周日吧" }]"#,
    )
    .await;
    let c = o.record.conversation.as_ref().unwrap();
    assert_eq!(c.intents, ["affirm", "sunday"], "{c:#?}");
    assert!(c.barge_ins >= 1);
    let lines = robot_lines(&o);
    let pick = lines
        .iter()
        .find(|(t, _)| t.starts_with("好的，我们周六上午"))
        .unwrap();
    assert!(
        pick.1,
        "the pick-time prompt was not interrupted: {lines:?}"
    );
    assert_eq!(c.script_outcome, "booked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn barge_in_does_not_stop_the_disclosure() {
    // The callee talks over the disclosure, then stays silent (its persona
    // counts the robot's current utterance as answered).
    let o = simple(r#"steps = [{ do = "barge_in", after_ms = 500, text = "喂你好" }]"#).await;
    let c = o.record.conversation.as_ref().unwrap();
    assert!(c.disclosure_complete, "{c:#?}");
    assert_eq!(c.barge_ins, 0);
    let disclosure = &c.transcript[0];
    assert!(disclosure.disclosure && !disclosure.interrupted, "{c:#?}");
    // The callee's words were heard and answered only after the disclosure.
    let heard = c
        .transcript
        .iter()
        .find(|l| l.speaker == Speaker::Callee)
        .unwrap();
    assert_eq!(heard.text.as_deref(), Some("喂你好"));
    assert!(heard.end_ms < disclosure.end_ms, "{c:#?}");
    assert_eq!(
        c.intents.first().map(String::as_str),
        Some("unknown"),
        "{c:#?}"
    );
    let answer = c
        .transcript
        .iter()
        .find(|l| l.text.as_deref() == Some("周末的试听课，可以吗？"))
        .unwrap();
    assert!(answer.start_ms >= disclosure.end_ms, "{c:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callee_hanging_up_mid_prompt_ends_the_conversation() {
    let o = simple(
        r#"steps = [{ do = "say", text = "可以啊" }, { do = "hangup", after_robot_ms = 700 }]"#,
    )
    .await;
    let c = o.record.conversation.as_ref().unwrap();
    assert_eq!(c.ended_by, "callee", "{c:#?}");
    assert_eq!(c.script_outcome, "hangup");
    assert_eq!(c.hangup_ms, None);
    let lines = robot_lines(&o);
    assert!(lines.last().unwrap().1, "{lines:?}");
    assert_eq!(o.record.report.ended_by.map(|b| b.code()), Some("remote"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dtmf_navigates_the_script() {
    let o = simple(
        r#"steps = [{ do = "listen" }, { do = "dtmf", digits = "1" }, { do = "listen" }, { do = "dtmf", digits = "2" }]"#,
    )
    .await;
    let c = o.record.conversation.as_ref().unwrap();
    assert_eq!(c.intents, ["dtmf:1", "dtmf:2"], "{c:#?}");
    assert_eq!(c.path, ["disclosure", "invite", "pick_time", "booked"]);
    assert!(c.turn_log.iter().all(|t| t.dtmf.is_some()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objection_to_recording_stops_recording_the_callee() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("call.wav");
    let (o, _) = converse(
        r#"steps = [{ do = "say", text = "不要录音" }, { do = "say", text = "可以啊" }, { do = "say", text = "周六吧" }]"#,
        Arc::new(MemoryOptOutSink::default()),
        Some(wav.clone()),
    )
    .await;
    let c = o.record.conversation.as_ref().unwrap();
    assert!(c.recording_stopped, "{c:#?}");
    assert_eq!(c.intents, ["object_recording", "affirm", "saturday"]);
    // No callee words are kept after (and including) the objection.
    let callee: Vec<_> = c
        .transcript
        .iter()
        .filter(|l| l.speaker == Speaker::Callee)
        .collect();
    assert_eq!(callee.len(), 3);
    assert!(callee.iter().all(|l| l.text.is_none()), "{callee:?}");
    assert!(c.turn_log.iter().all(|t| t.callee.is_none()));
    // The recording's callee channel is silent from the objection on,
    // although the callee spoke twice more; the robot channel goes on.
    let stopped = c.recording_stopped_ms.unwrap();
    let mut reader = hound::WavReader::open(&wav).unwrap();
    let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
    let frames = samples.len() / 2;
    let from = ((stopped + 100) * 8) as usize;
    assert!(frames > from + 8000, "recording too short");
    let callee_after = samples[from * 2..]
        .chunks(2)
        .map(|s| s[1].unsigned_abs())
        .max();
    let robot_after = samples[from * 2..]
        .chunks(2)
        .map(|s| s[0].unsigned_abs())
        .max();
    assert_eq!(callee_after, Some(0));
    assert!(robot_after.unwrap_or(0) > 1000);
    let callee_before = samples[..from * 2]
        .chunks(2)
        .map(|s| s[1].unsigned_abs())
        .max();
    assert!(
        callee_before.unwrap_or(0) > 1000,
        "the objection itself was recorded"
    );
}

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

/// The invite prompt of the test script as a reference into the prompt library.
fn library_script() -> Arc<Interpreter> {
    let yaml = SCRIPT.replace(
        "say: {text: 这周末有免费试听课，您看可以吗？}",
        "say: {text: 这周末有免费试听课，您看可以吗？, prompt: chime}",
    );
    assert_ne!(
        yaml, SCRIPT,
        "the test script changed: update library_script"
    );
    let loaded = waihu_dialog::script::load_str(&yaml);
    let script = loaded
        .script
        .unwrap_or_else(|| panic!("{:?}", loaded.findings));
    Arc::new(Interpreter::new(script).unwrap())
}

/// Plays the script to a silent callee; returns the robot's invite line duration, ms.
async fn invite_duration(library: Option<Arc<waihu_speech::prompts::PromptLibrary>>) -> u64 {
    let behavior = Behavior::parse(
        "[[rule]]\naction = \"answer\"\npersona = \"p\"\nmax_call_secs = 30\n\n[persona.p]\nlang = \"zh\"\nsteps = [{ do = \"listen\" }, { do = \"listen\" }, { do = \"hangup\" }]\n",
    )
    .unwrap();
    let prepared =
        Prepared::new(behavior, std::path::Path::new("."), Some(tts().as_ref())).unwrap();
    let callee = CalleeServer::start(CalleeConfig {
        sip: SipConfig::default(),
        behavior: prepared,
        log_path: None,
        record_dir: None,
    })
    .await
    .unwrap();
    let ua = UserAgent::start(SipConfig::default()).await.unwrap();
    let req = DialRequest::new(callee.local_addr().to_string(), "13800000001");
    let mut vars = BTreeMap::new();
    vars.insert("name".to_string(), "王女士".to_string());
    let setup = ConversationSetup {
        interpreter: library_script(),
        vars,
        engines: engines(),
        opt_out: Arc::new(MemoryOptOutSink::default()),
        record_to: None,
        prompt_dir: None,
        prompt_library: library,
        config: ConversationConfig::default(),
        observer: None,
    };
    let record = place_call(&ua, req, setup, None).await.unwrap();
    ua.shutdown();
    callee.shutdown();
    let c = record.conversation.expect("answered");
    let invite = c
        .transcript
        .iter()
        .find(|l| {
            l.speaker == Speaker::Robot && l.text.as_deref().is_some_and(|t| t.contains("试听课"))
        })
        .expect("the invite was played");
    invite.end_ms - invite.start_ms
}

/// A `prompt: <name>` reference plays the tenant's recorded prompt (here a 1.5 s
/// chime) instead of synthesising the prompt's text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn library_prompts_play_the_recording() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("chime.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&wav, spec).unwrap();
    for i in 0..24_000u32 {
        let v = ((i as f64) * 2.0 * std::f64::consts::PI * 660.0 / 16_000.0).sin() * 9000.0;
        w.write_sample(v as i16).unwrap();
    }
    w.finalize().unwrap();
    let lib = waihu_speech::prompts::PromptLibrary::open(dir.path().join("lib")).unwrap();
    lib.import("chime", &std::fs::read(&wav).unwrap(), "chime.wav")
        .unwrap();
    let recorded = invite_duration(Some(Arc::new(lib))).await;
    let spoken = invite_duration(None).await;
    assert!(
        (1_300..=1_900).contains(&recorded),
        "recorded prompt took {recorded} ms"
    );
    assert!(spoken > 2_500, "the synthesised invite took {spoken} ms");
}

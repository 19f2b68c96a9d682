//! The interpreter's guarantees: disclosure first and non-interruptible,
//! opt-out recorded before the hang-up, complaint = opt-out, recording objection,
//! limits, barge-in, knowledge base, and purity (same input, same output).

use crate::support::{interpreter, VALID};
use std::collections::BTreeMap;
use waihu_dialog::interp::{Action, Event, OptOutReason, Phase};

fn utter(t: &str) -> Event {
    Event::Utterance {
        text: t.into(),
        confidence: 0.9,
    }
}

#[test]
fn disclosure_is_first_and_not_interruptible() {
    let it = interpreter(VALID);
    let st = it.new_state(BTreeMap::from([("name".into(), "张先生".into())]));
    let (st, acts) = it.step(st, &Event::Answered, 0);
    match &acts[0] {
        Action::Speak {
            text,
            interruptible,
            disclosure,
        } => {
            assert!(
                text.starts_with("您好张先生，我是测试公司的AI助理"),
                "{text}"
            );
            assert!(text.contains('9'));
            assert!(!interruptible && *disclosure);
        }
        other => panic!("first action {other:?}"),
    }
    assert!(matches!(acts.last(), Some(Action::Listen { .. })));
    // Barge-in during the question (interruptible) stops playback.
    let (_, acts) = it.step(st, &Event::BargeIn, 100);
    assert_eq!(acts, vec![Action::StopPlayback]);
}

#[test]
fn barge_in_ignored_on_non_interruptible_prompt() {
    let y = VALID.replacen(
        "      text: 您需要吗？\n",
        "      text: 您需要吗？\n      interruptible: false\n",
        1,
    );
    let it = interpreter(&y);
    let (st, _) = it.step(it.new_state(BTreeMap::new()), &Event::Answered, 0);
    let (_, acts) = it.step(st, &Event::BargeIn, 10);
    assert!(acts.is_empty(), "{acts:?}");
}

fn opt_out_then_hangup(acts: &[Action], reason: OptOutReason) {
    let rec = acts
        .iter()
        .position(|a| *a == Action::RecordOptOut { reason });
    let hang = acts.iter().position(|a| matches!(a, Action::Hangup { .. }));
    match (rec, hang) {
        (Some(r), Some(h)) => assert!(r < h, "opt-out after hangup: {acts:?}"),
        _ => panic!("missing opt-out or hangup: {acts:?}"),
    }
    assert!(
        acts.iter().any(|a| matches!(a, Action::Speak { .. })),
        "no confirmation: {acts:?}"
    );
}

#[test]
fn opt_out_spoken_dtmf_and_complaint_record_before_hangup() {
    let it = interpreter(VALID);
    for (event, reason) in [
        (utter("别再给我打电话了"), OptOutReason::Spoken),
        (Event::Dtmf('9'), OptOutReason::Dtmf),
        (utter("我要投诉你们"), OptOutReason::Complaint),
    ] {
        let (st, _) = it.step(it.new_state(BTreeMap::new()), &Event::Answered, 0);
        let (st, acts) = it.step(st, &event, 1000);
        opt_out_then_hangup(&acts, reason);
        assert!(st.opted_out);
        assert_eq!(st.phase, Phase::Ended);
        assert_eq!(st.outcome.as_deref(), Some("opt_out"));
        // Nothing happens after the end.
        let (_, acts) = it.step(st, &utter("好的"), 2000);
        assert!(acts.is_empty());
    }
}

#[test]
fn opt_out_wins_even_past_the_turn_limit() {
    let it = interpreter(&VALID.replacen("max_turns: 5", "max_turns: 1", 1));
    let (st, _) = it.step(it.new_state(BTreeMap::new()), &Event::Answered, 0);
    let (st, _) = it.step(st, &utter("什么"), 1000);
    let (st, acts) = it.step(st, &utter("别打了"), 2000);
    opt_out_then_hangup(&acts, OptOutReason::Spoken);
    assert_eq!(st.outcome.as_deref(), Some("opt_out"));
}

#[test]
fn turn_and_duration_limits() {
    let y = VALID
        .replacen("max_turns: 5", "max_turns: 2\ngoodbye: 再见。", 1)
        .replacen("{max: 1,", "{max: 9,", 1);
    let it = interpreter(&y);
    let mut st = it
        .step(it.new_state(BTreeMap::new()), &Event::Answered, 0)
        .0;
    let mut last = Vec::new();
    for i in 1..=3 {
        let (s, a) = it.step(st, &Event::SilenceTimeout, i * 5000);
        st = s;
        last = a;
    }
    assert_eq!(st.outcome.as_deref(), Some("max_turns"));
    assert_eq!(
        last.last(),
        Some(&Action::Hangup {
            outcome: "max_turns".into()
        })
    );
    let y = VALID
        .replacen("max_turns: 5", "max_turns: 50\nmax_duration_secs: 60", 1)
        .replacen("{max: 1,", "{max: 9,", 1);
    let it = interpreter(&y);
    let st = it
        .step(it.new_state(BTreeMap::new()), &Event::Answered, 1_000)
        .0;
    let st = it.step(st, &Event::SilenceTimeout, 30_000).0;
    assert_eq!(st.phase, Phase::Listening);
    let st = it.step(st, &Event::SilenceTimeout, 61_000).0;
    assert_eq!(st.outcome.as_deref(), Some("max_duration"));
}

#[test]
fn repeat_limit_then_fallback() {
    let it = interpreter(VALID);
    let st = it
        .step(it.new_state(BTreeMap::new()), &Event::Answered, 0)
        .0;
    let st = it.step(st, &Event::SilenceTimeout, 1).0;
    assert_eq!(st.phase, Phase::Listening);
    let st = it.step(st, &utter("今天天气不错"), 2).0;
    assert_eq!(st.outcome.as_deref(), Some("declined"));
    assert_eq!(st.path, ["hello", "ask", "ask", "no_end"]);
    assert_eq!(st.intents, ["silence", "unknown"]);
}

#[test]
fn object_recording_stops_recording_and_storage() {
    let it = interpreter(VALID);
    let st = it
        .step(it.new_state(BTreeMap::new()), &Event::Answered, 0)
        .0;
    let st = it.step(st, &utter("什么"), 1).0;
    assert_eq!(st.utterances, ["什么"]);
    let (st, acts) = it.step(st, &utter("不要录音"), 2);
    assert_eq!(acts[0], Action::StopRecording);
    assert!(st.recording_stopped);
    assert!(
        st.utterances.is_empty(),
        "stored after objection: {:?}",
        st.utterances
    );
    let st = it.step(st, &utter("需要"), 3).0;
    assert!(st.utterances.is_empty());
    assert_eq!(st.outcome.as_deref(), Some("interested"));
}

#[test]
fn knowledge_base_answers_then_resumes() {
    let y = format!(
        "{VALID}knowledge:\n  - id: price\n    questions: [多少钱]\n    answer: 一百元。\n"
    );
    let it = interpreter(&y);
    let st = it
        .step(it.new_state(BTreeMap::new()), &Event::Answered, 0)
        .0;
    let (st, acts) = it.step(st, &utter("这个多少钱"), 1);
    assert_eq!(
        acts[0],
        Action::Speak {
            text: "一百元。".into(),
            interruptible: true,
            disclosure: false
        }
    );
    assert_eq!(st.node.as_deref(), Some("ask"));
    assert_eq!(st.intents, ["kb:price"]);
    assert_eq!(st.repeats.get("ask"), None, "an answer is not a repeat");
}

#[test]
fn low_confidence_is_unknown() {
    let y = VALID.replacen("max_turns: 5", "max_turns: 5\nmin_confidence: 0.5", 1);
    let it = interpreter(&y);
    let st = it
        .step(it.new_state(BTreeMap::new()), &Event::Answered, 0)
        .0;
    let st = it
        .step(
            st,
            &Event::Utterance {
                text: "需要".into(),
                confidence: 0.2,
            },
            1,
        )
        .0;
    assert_eq!(st.intents, ["unknown"]);
}

#[test]
fn remote_hangup_ends_with_hangup() {
    let it = interpreter(VALID);
    let st = it
        .step(it.new_state(BTreeMap::new()), &Event::Answered, 0)
        .0;
    let (st, acts) = it.step(st, &Event::RemoteHangup, 1);
    assert!(acts.is_empty());
    assert_eq!(st.outcome.as_deref(), Some("hangup"));
}

#[test]
fn step_is_pure() {
    let it = interpreter(VALID);
    let run = || {
        let mut st = it.new_state(BTreeMap::new());
        let mut all = Vec::new();
        for (i, e) in [
            Event::Answered,
            utter("你是谁"),
            Event::SilenceTimeout,
            utter("可以"),
        ]
        .iter()
        .enumerate()
        {
            let (s, a) = it.step(st, e, i as u64 * 1000);
            st = s;
            all.extend(a);
        }
        (all, st.path, st.intents)
    };
    assert_eq!(run(), run());
}

#[test]
fn one_interpreter_serves_many_calls_across_threads() {
    fn shareable<T: Send + Sync>(_: &T) {}
    let it = std::sync::Arc::new(interpreter(VALID));
    shareable(&*it);
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let it = it.clone();
            std::thread::spawn(move || {
                let st = it
                    .step(it.new_state(BTreeMap::new()), &Event::Answered, 0)
                    .0;
                let text = if i % 2 == 0 { "需要" } else { "不需要" };
                it.step(st, &utter(text), 1).0.outcome
            })
        })
        .map(|h| h.join().expect("thread"))
        .collect::<Vec<_>>();
    assert_eq!(
        handles,
        [
            Some("interested"),
            Some("declined"),
            Some("interested"),
            Some("declined")
        ]
        .map(|o| o.map(String::from))
    );
}

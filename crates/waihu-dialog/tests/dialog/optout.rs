//! Opt-out recall: every way of asking not to be called again is `opt_out`
//! (lists, blacklists, deleted numbers, "don't call", with or without 电话, the
//! 再/在 typo, dialect, traditional characters, English), things that merely
//! sound close are not, and an opt-out said with a complaint is both.

use crate::support::{interpreter, VALID};
use std::collections::BTreeMap;
use waihu_dialog::intent::Recognizer;
use waihu_dialog::interp::{Action, Event, OptOutReason};

fn r() -> Recognizer {
    Recognizer::builtin().expect("rules")
}

#[test]
fn every_form_of_opt_out_is_recognised() {
    let r = r();
    for text in [
        // Off the list, blacklisted.
        "把我从名单上去掉",
        "拉黑我",
        "加黑名单",
        "你们把我屏蔽掉吧",
        // The number or data deleted.
        "把我号码删了",
        "删除我的信息",
        "我的资料你们赶紧清除掉",
        // Not dialled or contacted again, with and without 电话.
        "别再打这个号码了",
        "以后别联系了",
        "不要再给我打电话",
        "不要再打了",
        "别打了行吗",
        "以后不要给我打了",
        "你们以后不要再拨我号码了",
        "请勿再来电",
        "你们以后就别再往这个号上打了",
        // The 再/在 typo.
        "不要在打了",
        "别在给我打电话",
        "以后不要在联系我了",
        // Fillers, dialect, traditional characters, ASR homophones.
        "嗯，那个，别再打了啊",
        "莫再打了",
        "甭给我打电话了",
        "唔好再打俾我",
        "別再給我打電話了",
        "請把我的號碼刪掉",
        "不要再达了",
        "别在大了",
        // The opt-out after other words, or with another intent.
        "我跟你说我真的不需要，以后就别再给我打电话了",
        "不需要，也别再打了",
        "我要投诉你们，把我号码删掉",
        "你们怎么有我号码的，以后别打了",
        // English.
        "remove me from your list",
        "unsubscribe",
        "do not call me again",
        "don't call this number",
        "take me off your list",
        "stop calling",
        "put me on the do-not-call list",
        "lose my number",
        "Dont call me anymore",
        "please stop ringing this number",
        "I want to be removed from your calling list",
    ] {
        assert_eq!(r.recognize(text).intent, "opt_out", "{text}");
    }
}

#[test]
fn near_misses_are_not_opt_outs() {
    let r = r();
    for (text, want) in [
        ("你们怎么有我号码", "ask_number_source"),
        ("我不需要", "reject"),
        ("现在不方便，晚点再打", "busy_later"),
        ("现在不方便晚点再打", "busy_later"),
        ("下次再打给我吧", "busy_later"),
        ("别挂，我还有问题", "unknown"),
        ("打错了", "reject"),
        ("你们电话打错人了", "reject"),
        ("你打我电话干嘛", "ask_identity"),
        ("不要紧，你说", "affirm"),
        ("我都不打算买了", "reject"),
        ("我不要打折卡", "reject"),
        ("我要投诉你们", "complaint"),
        ("why don't you call me back tomorrow", "busy_later"),
        ("I never called you", "unknown"),
        ("can you remove the extra fee", "unknown"),
        ("you have the wrong number", "reject"),
        ("call me back later", "busy_later"),
    ] {
        assert_eq!(r.recognize(text).intent, want, "{text}");
    }
}

#[test]
fn an_opt_out_with_a_complaint_carries_both() {
    let r = r();
    for text in [
        "我要投诉你们，把我号码删掉",
        "你们这是骚扰，我要投诉，别再打了",
        "I'm going to report you, and take me off your list",
    ] {
        let x = r.recognize(text);
        assert_eq!(x.intent, "opt_out", "{text}");
        assert!(x.also.iter().any(|l| l == "complaint"), "{text}: {x:?}");
        assert!(x.has("complaint") && x.has("opt_out"));
    }
    // A plain opt-out carries no complaint.
    assert!(!r.recognize("别再打了").has("complaint"));
}

#[test]
fn the_call_records_the_opt_out_and_the_complaint() {
    let y =
        format!("{VALID}  complaint:\n    say: 非常抱歉，您的投诉我们已经记录。\n    goto: bye\n");
    let it = interpreter(&y);
    let (st, _) = it.step(it.new_state(BTreeMap::new()), &Event::Answered, 0);
    let said = Event::Utterance {
        text: "我要投诉你们，把我号码删掉".into(),
        confidence: 0.9,
    };
    let (st, acts) = it.step(st, &said, 1000);
    // The do-not-call entry comes first, as a complaint; the complaint is
    // tagged and answered by the complaint handler; then the opt-out hang-up.
    assert_eq!(
        acts[0],
        Action::RecordOptOut {
            reason: OptOutReason::Complaint
        }
    );
    assert!(
        acts.contains(&Action::SetTag("complaint".into())),
        "{acts:?}"
    );
    assert!(acts.iter().any(
        |a| matches!(a, Action::Speak { text, .. } if text == "非常抱歉，您的投诉我们已经记录。")
    ));
    assert!(matches!(acts.last(), Some(Action::Hangup { outcome }) if outcome == "opt_out"));
    assert_eq!(st.intents, ["opt_out"]);
    assert!(st.also[0].iter().any(|l| l == "complaint"), "{:?}", st.also);
    assert!(st.opted_out && st.complained);
    assert_eq!(st.tags, ["complaint"]);
    // A plain opt-out is recorded as spoken, without a complaint.
    let (st, _) = it.step(it.new_state(BTreeMap::new()), &Event::Answered, 0);
    let (st, acts) = it.step(
        st,
        &Event::Utterance {
            text: "把我号码删了".into(),
            confidence: 0.9,
        },
        1000,
    );
    assert_eq!(
        acts[0],
        Action::RecordOptOut {
            reason: OptOutReason::Spoken
        }
    );
    assert!(!st.complained && st.tags.is_empty());
}

#[test]
fn an_opt_out_that_also_refuses_the_recording_stops_it_after_the_opt_out() {
    let it = interpreter(VALID);
    let (st, _) = it.step(it.new_state(BTreeMap::new()), &Event::Answered, 0);
    let said = Event::Utterance {
        text: "不要录音，也别再打了".into(),
        confidence: 0.9,
    };
    let (st, acts) = it.step(st, &said, 1000);
    assert_eq!(
        acts[..2],
        [
            Action::RecordOptOut {
                reason: OptOutReason::Spoken
            },
            Action::StopRecording
        ]
    );
    assert!(st.recording_stopped && st.utterances.is_empty());
}

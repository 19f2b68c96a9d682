//! The classifier's rules with transcripts and SIP facts: catalogue matches
//! per reason (Mandarin and the English sentences carriers append), an
//! operator's extra file, the phase rules, and "when unsure, a person".

use std::sync::Arc;
use waihu_line::synth::{self, Rng};
use waihu_line::{
    Catalogue, ClassifierConfig, LineClass, LineClassifier, Phase, Reason, Signal, FRAME,
};

#[test]
fn catalogue_names_every_reason() {
    let c = Catalogue::builtin();
    let table: &[(&str, LineClass, Option<Reason>)] = &[
        (
            "您拨打的号码是空号，请查证后再拨",
            LineClass::Announcement,
            Some(Reason::VacantNumber),
        ),
        (
            "您拨打的电话已关机",
            LineClass::Announcement,
            Some(Reason::PoweredOff),
        ),
        (
            "您拨打的电话已停机",
            LineClass::Announcement,
            Some(Reason::Suspended),
        ),
        (
            "您拨打的用户暂时无法接通，请稍后再拨",
            LineClass::Announcement,
            Some(Reason::Unreachable),
        ),
        (
            "对不起，您拨打的用户不在服务区",
            LineClass::Announcement,
            Some(Reason::Unreachable),
        ),
        (
            "您拨打的电话正在通话中，请稍后再拨",
            LineClass::Announcement,
            Some(Reason::Busy),
        ),
        (
            "您拨打的用户已设置呼入限制",
            LineClass::Announcement,
            Some(Reason::Restricted),
        ),
        ("请稍后再拨", LineClass::Announcement, Some(Reason::Other)),
        // The English sentences carriers append.
        (
            "Sorry, the number you dialed does not exist.",
            LineClass::Announcement,
            Some(Reason::VacantNumber),
        ),
        (
            "Sorry, the subscriber you dialed is power off.",
            LineClass::Announcement,
            Some(Reason::PoweredOff),
        ),
        (
            "The number you dialed is not in service.",
            LineClass::Announcement,
            Some(Reason::VacantNumber),
        ),
        (
            "Sorry, the number you dialed cannot be connected for the moment.",
            LineClass::Announcement,
            Some(Reason::Unreachable),
        ),
        (
            "Sorry, the number you dialed is busy now, please redial later.",
            LineClass::Announcement,
            Some(Reason::Busy),
        ),
        (
            "您好，我是机主的来电助理，请问您有什么事？",
            LineClass::Voicemail,
            None,
        ),
        ("请在提示音后留言", LineClass::Voicemail, None),
        (
            "Please leave a message after the tone.",
            LineClass::Voicemail,
            None,
        ),
        (
            "The person you are calling is unavailable.",
            LineClass::Voicemail,
            None,
        ),
    ];
    for (text, class, reason) in table {
        let m = c
            .find(text)
            .unwrap_or_else(|| panic!("no match for {text}"));
        assert_eq!((m.class, m.reason), (*class, *reason), "{text}: {m:?}");
    }
}

#[test]
fn what_a_person_says_matches_nothing() {
    let c = Catalogue::builtin();
    for text in [
        "喂？",
        "喂，你好",
        "你好，哪位",
        "喂，有什么事？",
        "hello?",
        "yes, speaking",
        "who is this?",
        "我现在不方便，晚点说",
    ] {
        assert_eq!(c.find(text), None, "{text}");
    }
}

#[test]
fn an_operators_file_merges_and_bad_files_say_where() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("extra.toml"),
        "lang = \"zh\"\n[[rule]]\nclass = \"announcement\"\nreason = \"suspended\"\nphrases = [\"号码已销户\"]\n",
    )
    .unwrap();
    let mut c = Catalogue::builtin();
    assert_eq!(c.find("该号码已销户"), None);
    c.merge(Catalogue::load(dir.path()).unwrap());
    assert_eq!(
        c.find("您拨打的号码已销户").unwrap().reason,
        Some(Reason::Suspended)
    );

    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[rule]]\nclass = \"announcement\"\nreason = \"gone\"\nphrases = [\"x\"]\n",
    )
    .unwrap();
    let e = Catalogue::load(&bad).unwrap_err().to_string();
    assert!(
        e.contains("bad.toml") && e.contains("rule 1") && e.contains("gone"),
        "{e}"
    );
    std::fs::write(&bad, "[[rule]]\nclass = \"human\"\nphrases = [\"x\"]\n").unwrap();
    assert!(Catalogue::load(&bad)
        .unwrap_err()
        .to_string()
        .contains("\"human\""));
    std::fs::write(&bad, "[[rule]\n").unwrap();
    assert!(Catalogue::load(&bad)
        .unwrap_err()
        .to_string()
        .contains("line 1"));
    assert!(Catalogue::load(&dir.path().join("missing.toml")).is_err());
}

fn classifier(phase: Phase) -> LineClassifier {
    LineClassifier::new(ClassifierConfig::new(phase), Arc::new(Catalogue::builtin()))
}

/// Feeds audio, transcribing each utterance with `text` at its end.
fn run(c: &mut LineClassifier, audio: &[i16], text: &str) -> waihu_line::Decision {
    for frame in audio.chunks(FRAME) {
        let p = c.push_frame(frame);
        if let Some(span) = p.utterance {
            c.push_transcript(text, span.end_ms, c.now_ms());
        }
        if c.decided().is_some() {
            break;
        }
    }
    c.finish()
}

#[test]
fn unsure_after_answer_is_a_person() {
    // Long talk that matches nothing, no beep, no pause pattern: a person.
    let audio = synth::babble(&mut Rng::new(3), 7000, 0.5);
    let d = run(
        &mut classifier(Phase::Answered),
        &audio,
        "我跟你说这个事情啊就是昨天那个",
    );
    assert_eq!(
        (d.class, d.signal),
        (LineClass::Human, Signal::Default),
        "{d:?}"
    );
}

#[test]
fn a_person_waits_for_the_greetings_transcript() {
    let mut rng = Rng::new(5);
    let audio = [synth::babble(&mut rng, 700, 0.5), synth::silence(3000)].concat();
    let mut c = classifier(Phase::Answered);
    for frame in audio.chunks(FRAME) {
        c.push_frame(frame);
    }
    // Pause seen, but no transcript yet: undecided.
    assert!(c.decided().is_none());
    let now = c.now_ms();
    let d = c.push_transcript("喂？", 700, now).unwrap();
    assert_eq!((d.class, d.decided_ms), (LineClass::Human, now));
    // The same short line naming a machine is no person.
    let mut c = classifier(Phase::Answered);
    let d = run(&mut c, &audio, "请留言");
    assert_eq!(d.class, LineClass::Voicemail);
}

#[test]
fn while_ringing_only_announcements_decide() {
    let audio = synth::babble(&mut Rng::new(4), 3000, 0.5);
    // A 彩铃 that talks (or a voicemail-like line) stays ringback.
    let d = run(&mut classifier(Phase::Early), &audio, "欢迎致电，请留言");
    assert_eq!(d.class, LineClass::Ringback, "{d:?}");
    let d = run(&mut classifier(Phase::Early), &audio, "您拨打的电话已关机");
    assert_eq!(
        (d.class, d.reason),
        (LineClass::Announcement, Some(Reason::PoweredOff))
    );
    // Ring first, then an announcement: the announcement ends it.
    let mut c = classifier(Phase::Early);
    let ring = synth::cadence(&[450.0], &[(1000, 4000)], 0, 5000, 0.4);
    let first = run_no_finish(&mut c, &ring);
    assert_eq!(first.map(|d| d.class), Some(LineClass::Ringback));
    assert!(c.decided().is_none(), "ringback is provisional");
    let d = run(&mut c, &audio, "您拨打的用户暂时无法接通");
    assert_eq!(d.reason, Some(Reason::Unreachable));
}

fn run_no_finish(c: &mut LineClassifier, audio: &[i16]) -> Option<waihu_line::Decision> {
    let mut first = None;
    for frame in audio.chunks(FRAME) {
        if let Some(d) = c.push_frame(frame).decision {
            first.get_or_insert(d);
        }
    }
    first
}

#[test]
fn sip_failures_decide_and_success_does_not() {
    let mut c = classifier(Phase::Early);
    assert_eq!(c.push_sip(200, None, 100), None);
    let d = c.push_sip(480, Some(20), 900).unwrap();
    assert_eq!(
        (d.class, d.reason, d.signal),
        (
            LineClass::Announcement,
            Some(Reason::PoweredOff),
            Signal::Sip
        )
    );
}

//! Scripted conversations recognised by the phrase book: these prove the
//! pipeline (VAD, barge-in, timers, media, dialog), not recognition — the
//! recogniser fingerprints the same synthesised audio the callee plays.

use crate::*;

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
async fn an_opt_out_said_with_a_complaint_records_both() {
    let sink = Arc::new(MemoryOptOutSink::default());
    let (o, _) = converse(
        r#"steps = [{ do = "say", text = "我要投诉你们，把我号码删掉" }]"#,
        sink.clone(),
        None,
    )
    .await;
    let c = o.record.conversation.as_ref().unwrap();
    // The number reaches the do-not-call sink as a complaint, once.
    assert_eq!(sink.received(), [OptOutReason::Complaint], "{c:#?}");
    assert_eq!(c.opt_out.as_deref(), Some("complaint"));
    // The turn is the opt-out; the complaint rides along in the turn log.
    assert_eq!(c.intents, ["opt_out"]);
    assert_eq!(c.turn_log[0].intent, "opt_out");
    assert!(c.turn_log[0].also.iter().any(|l| l == "complaint"));
    assert!(c.tags.iter().any(|t| t == "complaint"), "{:?}", c.tags);
    assert_eq!((c.script_outcome.as_str(), c.grade), ("opt_out", 'F'));
    assert_eq!(c.grade_reason, "complained");
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

//! Personas after answering: spoken replies after the robot stops, DTMF,
//! barge-in, hanging up mid-prompt.

use std::time::Duration;

use waihu_callee::LogKind;
use waihu_sip::outcome::EndedBy;
use waihu_sip::{CallEvent, DialResult};

use crate::harness::{callee, speech, ua};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_after_the_robot_stops_and_presses_keys() {
    let dir = tempfile::tempdir().unwrap();
    let toml = r#"
[[rule]]
action = "answer"
persona = "talker"

[persona.talker]
lang = "zh"
steps = [
  { do = "say", text = "喂，你好，哪位？" },
  { do = "dtmf", digits = "5#" },
]
then = "wait"
"#;
    let mut c = callee(toml, dir.path()).await;
    let ua = ua().await;
    let mut req = c.request("13800138000");
    req.record = Some(dir.path().join("robot.wav"));
    let DialResult::Answered(mut call) = ua.dial(req, None).await.unwrap() else {
        panic!("not answered")
    };
    call.media()
        .play(speech("您好，这里是测试公司的智能助理，本次通话会被录音。"));
    assert!(call.wait_playback().await);
    // Give the callee time to answer and press keys, then hang up.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(8);
    let mut digits = String::new();
    while digits.len() < 2 {
        tokio::select! {
            ev = call.next_event() => match ev {
                CallEvent::Dtmf { digit, .. } => digits.push(digit),
                CallEvent::Ended(by) => panic!("ended early by {by:?}"),
                _ => {}
            },
            _ = tokio::time::sleep_until(deadline) => break,
        }
    }
    call.hangup().await;
    let report = call.finish().await;
    assert_eq!(digits, "5#");
    assert_eq!(report.dtmf, "5#");

    let log = c.next_log().await;
    let pos = |pred: &dyn Fn(&LogKind) -> bool| log.events.iter().position(|e| pred(&e.kind));
    let robot_end =
        pos(&|k| matches!(k, LogKind::RobotSpeechEnd { .. })).expect("robot speech heard");
    let say = pos(&|k| {
        matches!(
            k,
            LogKind::SayStart {
                barge_in: false,
                ..
            }
        )
    })
    .expect("reply spoken");
    let say_end = pos(&|k| *k == LogKind::SayEnd).expect("reply finished");
    let dtmf = pos(&|k| matches!(k, LogKind::DtmfSent { .. })).expect("keys pressed");
    assert!(
        robot_end < say && say < say_end && say_end < dtmf,
        "{:?}",
        log.events
    );
    assert!(log.has(|k| matches!(k, LogKind::Ended { by, rtp_received, .. } if by == "remote" && *rtp_received > 50)));

    // The robot's recording has the callee's reply on the right channel.
    let mut wav = hound::WavReader::open(dir.path().join("robot.wav")).unwrap();
    let right: Vec<i16> = wav
        .samples::<i16>()
        .skip(1)
        .step_by(2)
        .map(|s| s.unwrap())
        .collect();
    let loud = right.iter().filter(|s| s.unsigned_abs() > 2000).count();
    assert!(loud > 800, "callee speech missing from recording ({loud})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hangs_up_mid_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let toml = r#"
[[rule]]
action = "answer"
persona = "impatient"

[persona.impatient]
steps = [{ do = "hangup", after_robot_ms = 600 }]
"#;
    let mut c = callee(toml, dir.path()).await;
    let ua = ua().await;
    let DialResult::Answered(mut call) = ua.dial(c.request("1"), None).await.unwrap() else {
        panic!("not answered")
    };
    call.media().play(speech("您好，这里是测试公司的智能助理，我们最近推出了一款非常适合您的理财产品，年化收益稳定，请问您现在方便了解一下吗？"));
    assert!(!call.wait_playback().await, "prompt played to the end");
    let r = call.finish().await;
    assert_eq!(r.ended_by, Some(EndedBy::Remote));
    let log = c.next_log().await;
    assert!(log.has(|k| matches!(k, LogKind::RobotSpeechStart { .. })));
    assert!(log.has(|k| *k == LogKind::HangupSent));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn barges_in_while_the_robot_talks() {
    let dir = tempfile::tempdir().unwrap();
    let toml = r#"
[[rule]]
action = "answer"
persona = "interrupter"

[persona.interrupter]
steps = [{ do = "barge_in", after_ms = 500, text = "不需要，谢谢" }]
then = "hangup"
"#;
    let mut c = callee(toml, dir.path()).await;
    let ua = ua().await;
    let DialResult::Answered(mut call) = ua.dial(c.request("1"), None).await.unwrap() else {
        panic!("not answered")
    };
    let mut audio = call.media().subscribe_audio(1024);
    call.media().play(speech(
        "您好，这里是测试公司的智能助理，我们最近推出了一款非常适合您的理财产品，年化收益稳定。",
    ));
    // Count loud callee frames heard while our prompt was playing.
    let mut overlapped = 0;
    loop {
        tokio::select! {
            Some(f) = audio.recv() => {
                if f.local_playing && f.samples.iter().any(|s| s.unsigned_abs() > 2000) {
                    overlapped += 1;
                }
            }
            ev = call.next_event() => if let CallEvent::Ended(_) = ev { break },
        }
    }
    let _ = call.finish().await;
    assert!(
        overlapped > 10,
        "callee did not talk over the prompt ({overlapped} frames)"
    );
    let log = c.next_log().await;
    assert!(log.has(|k| matches!(k, LogKind::SayStart { barge_in: true, .. })));
}

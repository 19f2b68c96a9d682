//! Media against SIPp: recording channels, DTMF, remote BYE during
//! playback, re-INVITE (hold) mid-call.

use std::time::Duration;

use waihu_sip::outcome::EndedBy;
use waihu_sip::{CallEvent, DialRequest, DialResult, Outcome};

use crate::harness::{settle_dialogs, tone, ua, Sipp, SippOpts};

fn request(sipp: &Sipp) -> DialRequest {
    let mut req = DialRequest::new(sipp.trunk(), "13800138000");
    req.no_response_timeout = Duration::from_secs(3);
    req
}

/// Relative power of `freq` in `x` (Goertzel), 0..1 of total power.
fn tone_ratio(x: &[i16], freq: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq / 8000.0;
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    let mut total = 0.0;
    for &v in x {
        let v = v as f64;
        total += v * v;
        let s = v + 2.0 * w.cos() * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    let power = s1 * s1 + s2 * s2 - 2.0 * w.cos() * s1 * s2;
    if total == 0.0 {
        0.0
    } else {
        power / (total * x.len() as f64 / 2.0)
    }
}

fn rms(x: &[i16]) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    (x.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recording_has_robot_left_and_callee_right() {
    let sipp = Sipp::start(SippOpts::uas("uas_answer_pcap.xml"));
    let ua = ua().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("call.wav");
    let mut req = request(&sipp);
    req.record = Some(path.clone());
    let DialResult::Answered(mut call) = ua.dial(req, None).await.unwrap() else {
        panic!("not answered")
    };
    call.media().play(tone(1000.0, 2000));
    assert!(call.wait_playback().await);
    let r = call.finish().await;
    assert_eq!(r.outcome, Outcome::Answered);

    let mut wav = hound::WavReader::open(&path).unwrap();
    let spec = wav.spec();
    assert_eq!((spec.channels, spec.sample_rate), (2, 8000));
    let samples: Vec<i16> = wav.samples::<i16>().map(|s| s.unwrap()).collect();
    let left: Vec<i16> = samples.iter().step_by(2).copied().collect();
    let right: Vec<i16> = samples.iter().skip(1).step_by(2).copied().collect();
    assert!(
        left.len() >= 8000 * 2,
        "recording too short: {}",
        left.len()
    );
    // Left: our 1 kHz tone, nearly pure.
    let l = &left[800..15200];
    assert!(
        tone_ratio(l, 1000.0) > 0.8,
        "left 1k ratio {}",
        tone_ratio(l, 1000.0)
    );
    // Right: SIPp's speech sample — audible, and not our tone.
    let rr = &right[4000..];
    assert!(rms(rr) > 300.0, "right channel silent (rms {})", rms(rr));
    assert!(tone_ratio(rr, 1000.0) < 0.3, "right looks like our tone");
    assert!(sipp.wait_success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dtmf_received_rfc4733() {
    let sipp = Sipp::start(SippOpts::uas("uas_dtmf.xml"));
    let ua = ua().await;
    let mut req = request(&sipp);
    req.max_duration = Some(Duration::from_secs(3));
    let DialResult::Answered(mut call) = ua.dial(req, None).await.unwrap() else {
        panic!("not answered")
    };
    let mut digits = String::new();
    loop {
        match call.next_event().await {
            CallEvent::Dtmf { digit, .. } => digits.push(digit),
            CallEvent::Ended(by) => {
                assert_eq!(by, EndedBy::MaxDuration);
                break;
            }
            CallEvent::PlaybackFinished { .. } => {}
        }
    }
    let r = call.finish().await;
    assert_eq!(digits, "1#");
    assert_eq!(r.dtmf, "1#");
    assert!(sipp.wait_success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_bye_during_playback() {
    let sipp = Sipp::start(SippOpts::uas("uas_remote_bye.xml"));
    let ua = ua().await;
    let DialResult::Answered(mut call) = ua.dial(request(&sipp), None).await.unwrap() else {
        panic!("not answered")
    };
    call.media().play(tone(500.0, 10_000));
    assert!(
        !call.wait_playback().await,
        "playback outlived the remote BYE"
    );
    let r = call.finish().await;
    assert_eq!(r.ended_by, Some(EndedBy::Remote));
    assert_eq!(r.reason.and_then(|r| r.q850), Some(16));
    assert!(r.duration_ms > 0);
    assert!(sipp.wait_success());
    assert_eq!(settle_dialogs(&ua).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reinvite_hold_is_answered() {
    let sipp = Sipp::start(SippOpts::uas("uas_reinvite.xml"));
    let ua = ua().await;
    let mut req = request(&sipp);
    req.max_duration = Some(Duration::from_secs(10));
    let DialResult::Answered(mut call) = ua.dial(req, None).await.unwrap() else {
        panic!("not answered")
    };
    let ended = loop {
        if let CallEvent::Ended(by) = call.next_event().await {
            break by;
        }
    };
    assert_eq!(ended, EndedBy::Remote);
    call.finish().await;
    // SIPp requires a 200 with a=recvonly to the sendonly re-INVITE.
    assert!(sipp.wait_success(), "re-INVITE not answered correctly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_are_answered() {
    let ua = ua().await;
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("sipp")
        .current_dir(dir.path())
        .arg("-sf")
        .arg(crate::harness::scenario("uac_options.xml"))
        .arg(ua.local_addr().to_string())
        .args([
            "-i",
            "127.0.0.1",
            "-p",
            &crate::harness::free_port(1).to_string(),
        ])
        .args(["-m", "1", "-nostdin", "-timeout", "20s", "-timeout_error"])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run sipp (package sip-tester)");
    assert!(status.success(), "OPTIONS not answered 200");
}

/// A stall (a late scheduler on either side) delivers a second or two of
/// packets at once. The receiver keeps every spoken frame and catches up by
/// dropping pauses only; the audio tap's media clock never runs backwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_after_a_stall_loses_no_speech() {
    use waihu_sip::g711::Codec;
    use waihu_sip::rtp::packet::RtpPacket;
    use waihu_sip::rtp::{MediaConfig, MediaEngine};

    let engine = MediaEngine::new(MediaConfig::default());
    let session = engine.open().await.unwrap();
    let mut tap = session.subscribe_audio(1024);
    let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();

    // 1.4 s of audio in one burst (within the kernel's default socket
    // buffer): pauses of 240 ms around three 160 ms words.
    let word: Vec<i16> = (0..160)
        .map(|i| ((i as f64 * 0.4).sin() * 4000.0) as i16)
        .collect();
    let silence = [0i16; 160];
    let mut spoken = 0;
    let mut seq = 1000u16;
    for part in 0..7 {
        let (frames, pcm) = if part % 2 == 0 {
            (12, &silence[..])
        } else {
            spoken += 8;
            (8, &word[..])
        };
        for _ in 0..frames {
            let mut buf = Vec::new();
            RtpPacket {
                marker: false,
                payload_type: 0,
                seq,
                timestamp: seq as u32 * 160,
                ssrc: 7,
                payload: &[],
            }
            .write(&mut buf);
            Codec::Pcmu.encode(pcm, &mut buf);
            peer.send_to(&buf, session.local_addr()).unwrap();
            seq = seq.wrapping_add(1);
        }
    }

    let mut heard = 0;
    let mut times = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while let Ok(Some(f)) = tokio::time::timeout_at(deadline, tap.recv()).await {
        times.push(f.at_ms);
        if rms(&f.samples) > 1000.0 {
            heard += 1;
        }
    }
    assert_eq!(heard, spoken, "spoken frames lost in the catch-up");
    let stats = session.stats();
    assert_eq!(stats.received, 72);
    assert!(
        stats.skipped_quiet > 0,
        "the backlog was not caught up: {stats:?}"
    );
    assert!(
        times.windows(2).all(|w| w[1] >= w[0]),
        "the tap's media clock went backwards"
    );
}

//! Running a persona on an answered call: listen to the robot through voice
//! activity detection, and execute the steps (speak, stay silent, press
//! keys, barge in, hang up) at the right moments.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;
use waihu_sip::rtp::AudioFrame;
use waihu_sip::{ActiveCall, CallEvent};
use waihu_speech::vad::{Vad, VadConfig, VadEvent};

use crate::behavior::{Persona, Step, Then};
use crate::code::CodeListener;
use crate::log::{LogEvent, LogKind};
use crate::prepare::Prepared;

/// Default longest wait for the robot to finish speaking.
const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(15);

/// What the callee knows about the robot's speech.
#[derive(Debug, Default, Clone, Copy)]
struct Robot {
    speaking: bool,
    /// Utterances started so far.
    starts: u64,
    /// Utterances ended so far.
    ends: u64,
}

/// The call ended (by anyone) while a step was waiting.
struct Ended;

struct Ctx<'a> {
    call: ActiveCall,
    audio: mpsc::Receiver<AudioFrame>,
    vad: Vad,
    robot: Robot,
    playing: bool,
    t0: Instant,
    /// Log clock minus media clock, ms.
    media_offset: u64,
    events: &'a mut Vec<LogEvent>,
    /// Set while a `hear_code` step listens.
    code: Option<CodeListener>,
}

impl Ctx<'_> {
    fn log(&mut self, kind: LogKind) {
        let t_ms = self.t0.elapsed().as_millis() as u64;
        self.events.push(LogEvent { t_ms, kind });
    }

    /// Pump audio and call events until `cond` holds (true) or `deadline`
    /// passes (false).
    async fn until(
        &mut self,
        deadline: Option<Instant>,
        cond: impl Fn(&Robot, bool) -> bool,
    ) -> Result<bool, Ended> {
        loop {
            if cond(&self.robot, self.playing) {
                return Ok(true);
            }
            let sleep = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                frame = self.audio.recv() => {
                    if let Some(frame) = frame {
                        self.on_frame(&frame);
                    }
                }
                ev = self.call.next_event() => match ev {
                    CallEvent::Dtmf { digit, .. } => self.log(LogKind::DtmfHeard { digit }),
                    CallEvent::PlaybackFinished { .. } => {
                        if !self.call.media().is_playing() && self.playing {
                            self.playing = false;
                            self.log(LogKind::SayEnd);
                        }
                    }
                    CallEvent::Ended(_) => return Err(Ended),
                },
                _ = sleep => return Ok(false),
            }
        }
    }

    fn on_frame(&mut self, frame: &AudioFrame) {
        if let Some(l) = self.code.as_mut() {
            l.push(frame.at_ms, &frame.samples);
        }
        match self.vad.push(&frame.samples, frame.at_ms) {
            Some(VadEvent::SpeechStart { at_ms }) => {
                self.robot.speaking = true;
                self.robot.starts += 1;
                let at_ms = at_ms + self.media_offset;
                self.log(LogKind::RobotSpeechStart { at_ms });
            }
            Some(VadEvent::SpeechEnd { start_ms, end_ms }) => {
                self.robot.speaking = false;
                self.robot.ends += 1;
                let heard = self.code.as_mut().map(|l| l.utterance(start_ms, end_ms));
                let (start_ms, end_ms) = (start_ms + self.media_offset, end_ms + self.media_offset);
                self.log(LogKind::RobotSpeechEnd { start_ms, end_ms });
                if let Some(h) = heard {
                    self.log(LogKind::RobotSaid { text: h.text });
                    if let Some(code) = h.code {
                        self.log(LogKind::CodeHeard { code });
                    }
                }
            }
            None => {}
        }
    }

    async fn speak(
        &mut self,
        what: String,
        pcm: std::sync::Arc<[i16]>,
        barge_in: bool,
    ) -> Result<(), Ended> {
        self.log(LogKind::SayStart { what, barge_in });
        if pcm.is_empty() {
            self.log(LogKind::SayEnd);
            return Ok(());
        }
        self.playing = true;
        self.call.media().play(pcm);
        self.until(None, |_, playing| !playing).await.map(|_| ())
    }

    /// Wait until the robot finished an utterance we have not answered yet.
    async fn robot_turn(&mut self, answered_ends: &mut u64, max: Duration) -> Result<(), Ended> {
        let seen = *answered_ends;
        self.until(Some(Instant::now() + max), |r, _| {
            r.ends > seen && !r.speaking
        })
        .await?;
        *answered_ends = self.robot.ends;
        Ok(())
    }

    /// Wait until the robot is speaking (at most `max`).
    async fn robot_speaking(&mut self, max: Duration) -> Result<bool, Ended> {
        self.until(Some(Instant::now() + max), |r, _| r.speaking)
            .await
    }
}

fn describe(text: &Option<String>, wav: &Option<std::path::PathBuf>) -> String {
    match (text, wav) {
        (Some(t), _) => t.clone(),
        (None, Some(w)) => w.display().to_string(),
        _ => String::new(),
    }
}

/// Run `persona` on `call` until the call ends; returns how it ended.
pub(crate) async fn run(
    mut call: ActiveCall,
    persona: &Persona,
    prepared: &Prepared,
    t0: Instant,
    events: &mut Vec<LogEvent>,
) -> waihu_sip::CallReport {
    let audio = call.media().subscribe_audio(256);
    let media_offset = (t0.elapsed().as_millis() as u64).saturating_sub(call.media().now_ms());
    let vad = Vad::new(VadConfig {
        end_silence_ms: 500,
        ..VadConfig::default()
    });
    // The first events of the call (answered) are logged by the server.
    let _ = &mut call;
    let mut ctx = Ctx {
        call,
        audio,
        vad,
        robot: Robot::default(),
        playing: false,
        t0,
        media_offset,
        events,
        code: None,
    };
    let mut answered_ends = 0u64;
    let result = run_steps(&mut ctx, persona, prepared, &mut answered_ends).await;
    if result.is_ok() {
        match persona.then {
            Then::Hangup => {
                ctx.log(LogKind::HangupSent);
                ctx.call.hangup().await;
            }
            Then::Wait => {
                let _ = ctx.until(None, |_, _| false).await;
            }
        }
    }
    let report = ctx.call.finish().await;
    let by = report.ended_by.map(|b| b.code()).unwrap_or("local");
    let t_ms = t0.elapsed().as_millis() as u64;
    ctx.events.push(LogEvent {
        t_ms,
        kind: LogKind::Ended {
            by: by.to_string(),
            rtp_sent: report.rtp.sent,
            rtp_received: report.rtp.received,
            rtp_lost: report.rtp.lost,
        },
    });
    report
}

async fn run_steps(
    ctx: &mut Ctx<'_>,
    persona: &Persona,
    prepared: &Prepared,
    answered_ends: &mut u64,
) -> Result<(), Ended> {
    for step in &persona.steps {
        match step {
            Step::Say {
                text,
                wav,
                lang,
                max_wait_ms,
            } => {
                let max = max_wait_ms.map_or(DEFAULT_MAX_WAIT, Duration::from_millis);
                ctx.robot_turn(answered_ends, max).await?;
                let pcm = prepared.audio(text, wav, lang.unwrap_or(persona.lang));
                ctx.speak(describe(text, wav), pcm, false).await?;
            }
            Step::Listen { max_wait_ms } => {
                let max = max_wait_ms.map_or(DEFAULT_MAX_WAIT, Duration::from_millis);
                ctx.robot_turn(answered_ends, max).await?;
            }
            Step::Silence { ms } => {
                let deadline = Instant::now() + Duration::from_millis(*ms);
                ctx.until(Some(deadline), |_, _| false).await?;
            }
            Step::Dtmf { digits } => {
                ctx.call.media().send_dtmf(digits);
                ctx.log(LogKind::DtmfSent {
                    digits: digits.clone(),
                });
                // Each digit takes 100 ms of tone and 60 ms of pause.
                let deadline =
                    Instant::now() + Duration::from_millis(160 * digits.len() as u64 + 40);
                ctx.until(Some(deadline), |_, _| false).await?;
            }
            Step::BargeIn {
                after_ms,
                text,
                wav,
                lang,
            } => {
                ctx.robot_speaking(DEFAULT_MAX_WAIT).await?;
                let deadline = Instant::now() + Duration::from_millis(*after_ms);
                ctx.until(Some(deadline), |_, _| false).await?;
                let pcm = prepared.audio(text, wav, lang.unwrap_or(persona.lang));
                ctx.speak(describe(text, wav), pcm, true).await?;
                // The robot's interrupted utterance counts as answered.
                *answered_ends = ctx.robot.ends + u64::from(ctx.robot.speaking);
            }
            Step::HearCode { max_wait_ms } => {
                let max = max_wait_ms.map_or(Duration::from_secs(60), Duration::from_millis);
                ctx.code = prepared.code_book().map(CodeListener::new);
                let result = ctx.until(Some(Instant::now() + max), |_, _| false).await;
                if let Some(code) = ctx.code.take().and_then(|mut l| l.flush()) {
                    ctx.log(LogKind::CodeHeard { code });
                }
                result?;
            }
            Step::Hangup { after_robot_ms } => {
                if let Some(ms) = after_robot_ms {
                    ctx.robot_speaking(DEFAULT_MAX_WAIT).await?;
                    let deadline = Instant::now() + Duration::from_millis(*ms);
                    ctx.until(Some(deadline), |_, _| false).await?;
                }
                ctx.log(LogKind::HangupSent);
                ctx.call.hangup().await;
                return Err(Ended);
            }
        }
    }
    Ok(())
}

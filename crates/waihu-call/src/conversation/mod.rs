//! The conversation loop of one answered call.
//!
//! One task per call reads four sources — call events (DTMF, playback
//! finished, hang-up, maximum duration), the callee's audio frames,
//! recognition results from the shared pool, and the no-input timer — and
//! drives the pure interpreter with them, executing its actions in order:
//! prompts are synthesised (cached) and queued on the RTP session, an
//! opt-out is awaited on the sink before anything after it, a hang-up waits
//! for the goodbye to finish playing.
//!
//! Turn-taking rules:
//! - speech over an interruptible prompt, when the node allows barge-in,
//!   stops playback as soon as it has lasted `barge_in_min_ms`; speech over
//!   a non-interruptible prompt (the disclosure) never stops it — the
//!   utterance is recognised and held until that prompt has played, then
//!   answered (any interruptible prompt queued behind it is dropped);
//! - the no-input timer starts when the robot has finished speaking;
//! - an utterance is recognised speculatively after a short pause; a
//!   confident intent is answered at once, otherwise the full pause is
//!   awaited and the speculative transcript reused if nothing was added.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use waihu_dialog::grade::{grade, CallFacts};
use waihu_dialog::intent;
use waihu_dialog::interp::{Action, Event, Interpreter, Phase, PromptRef, State};
use waihu_sip::rtp::AudioFrame;
use waihu_sip::{ActiveCall, CallEvent, CallReport, RtpSession};
use waihu_speech::asr::Transcript;
use waihu_speech::tts::Lang;

use crate::endpoint::{Endpoint, Endpointer};
use crate::engines::Recognised;
use crate::record::{ConversationRecord, Speaker, TranscriptLine, Turn, TurnTimings};
use crate::robot::Robot;
use crate::{CallObserver, ConversationConfig, Engines, LiveEvent, OptOutSink};

mod act;
mod listen;

/// Everything one conversation needs; the campaign builds one per call.
#[derive(Clone)]
pub struct ConversationSetup {
    /// The compiled script.
    pub interpreter: Arc<Interpreter>,
    /// The contact's variables (`name`, …).
    pub vars: BTreeMap<String, String>,
    /// Shared speech engines.
    pub engines: Arc<Engines>,
    /// Where opt-outs go.
    pub opt_out: Arc<dyn OptOutSink>,
    /// Record both sides to this WAV (left robot, right callee).
    pub record_to: Option<PathBuf>,
    /// Directory that `audio:` prompt files of the script are relative to.
    pub prompt_dir: Option<PathBuf>,
    /// The tenant's prompt library, for `prompt: <name>` references.
    pub prompt_library: Option<Arc<waihu_speech::prompts::PromptLibrary>>,
    /// Tuning.
    pub config: ConversationConfig,
    /// Sees the call live (back office); `None`: nobody watches.
    pub observer: Option<Arc<dyn CallObserver>>,
}

impl std::fmt::Debug for ConversationSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConversationSetup")
            .field("vars", &self.vars)
            .field("record_to", &self.record_to)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Frames buffered between the RTP session and the loop (5 s).
const AUDIO_QUEUE_FRAMES: usize = 250;

/// A callee input ready for the interpreter.
#[derive(Debug, Clone)]
enum Input {
    /// A recognised utterance.
    Speech {
        /// Text and confidence.
        transcript: Transcript,
        /// Utterance span, media ms.
        start_ms: u64,
        /// End of the last voiced frame, media ms.
        end_ms: u64,
        /// Timings so far.
        timings: TurnTimings,
    },
    /// A key.
    Dtmf {
        /// The digit.
        digit: char,
        /// When, media ms.
        at_ms: u64,
    },
    /// The no-input timeout.
    Silence {
        /// When it fired, media ms.
        at_ms: u64,
    },
}

/// Speculative or final recognition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// After a short pause; may be dropped.
    Speculative,
    /// The utterance is over; will be answered.
    Final,
}

/// A recognition in flight (or done, waiting for its turn).
#[derive(Debug)]
struct Pending {
    seq: u64,
    kind: Kind,
    start_ms: u64,
    end_ms: u64,
    /// When the utterance was declared over (media ms).
    decided_ms: Option<u64>,
    cancel: Arc<AtomicBool>,
    result: Option<Recognised>,
    /// Answered on the speculative result.
    speculative_win: bool,
}

/// A finished recognition handed back by the pool task.
#[derive(Debug)]
struct AsrDone {
    seq: u64,
    recognised: Recognised,
}

/// The listen settings of the current node.
#[derive(Debug, Clone, Copy)]
struct ListenCfg {
    timeout_ms: u64,
    barge_in: bool,
    /// The no-input timer was started for this listen.
    armed: bool,
}

/// One running conversation.
struct Conversation<'a> {
    setup: &'a ConversationSetup,
    media: Arc<RtpSession>,
    /// Media clock at answer: all record times are relative to it.
    t0: u64,
    lang: Lang,
    state: Option<State>,
    endpointer: Endpointer,
    robot: Robot,
    listen: Option<ListenCfg>,
    no_input_at: Option<tokio::time::Instant>,
    asr_tx: mpsc::UnboundedSender<AsrDone>,
    next_seq: u64,
    pendings: VecDeque<Pending>,
    /// A speculative result kept for reuse at the end of the utterance.
    spec_result: Option<(u64, u64, Recognised)>,
    deferred: Option<Input>,
    ended: bool,
    // The record being built.
    transcript: Vec<TranscriptLine>,
    line_of_segment: HashMap<u64, usize>,
    turn_log: Vec<Turn>,
    /// The turn waiting for the robot's first answer audio, with the time
    /// its dialog step finished (Instant) and the callee input end (media ms).
    open_turn: Option<(usize, Instant, u64)>,
    opt_out: Option<String>,
    opt_out_ack_ms: Option<u64>,
    opt_out_error: Option<String>,
    recording_stopped_ms: Option<u64>,
    barge_ins: u32,
    ended_by: String,
    hangup_ms: Option<u64>,
    errors: Vec<String>,
}

/// Runs the conversation on an answered call until it ends; returns the
/// telephony report and the conversation record.
pub async fn run_conversation(
    mut call: ActiveCall,
    setup: &ConversationSetup,
) -> (CallReport, ConversationRecord) {
    let media = call.media().clone();
    let mut audio = media.subscribe_audio(AUDIO_QUEUE_FRAMES);
    let (asr_tx, mut asr_rx) = mpsc::unbounded_channel();
    let lang = if setup.interpreter.script().language == "en" {
        Lang::English
    } else {
        Lang::Mandarin
    };
    let mut conv = Conversation {
        setup,
        t0: media.now_ms(),
        media,
        lang,
        state: Some(setup.interpreter.new_state(setup.vars.clone())),
        endpointer: Endpointer::new(&setup.config),
        robot: Robot::default(),
        listen: None,
        no_input_at: None,
        asr_tx,
        next_seq: 0,
        pendings: VecDeque::new(),
        spec_result: None,
        deferred: None,
        ended: false,
        transcript: Vec::new(),
        line_of_segment: HashMap::new(),
        turn_log: Vec::new(),
        open_turn: None,
        opt_out: None,
        opt_out_ack_ms: None,
        opt_out_error: None,
        recording_stopped_ms: None,
        barge_ins: 0,
        ended_by: "robot".into(),
        hangup_ms: None,
        errors: Vec::new(),
    };
    conv.notify(LiveEvent::Answered);
    conv.step(&Event::Answered, &mut call).await;
    let mut audio_open = true;
    while !conv.ended {
        conv.arm_no_input();
        let deadline = conv.no_input_at;
        let timer = async move {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            ev = call.next_event() => conv.on_call_event(ev, &mut call).await,
            frame = audio.recv(), if audio_open => match frame {
                Some(f) => conv.on_frame(&f, &mut call).await,
                None => audio_open = false,
            },
            Some(done) = asr_rx.recv() => conv.on_asr(done, &mut call).await,
            _ = timer => conv.on_no_input(&mut call).await,
        }
    }
    for p in &conv.pendings {
        p.cancel.store(true, Ordering::Relaxed);
    }
    let report = call.finish().await;
    let record = conv.into_record();
    (report, record)
}

impl Conversation<'_> {
    /// Media ms → ms since answer.
    fn rel(&self, media_ms: u64) -> u64 {
        media_ms.saturating_sub(self.t0)
    }

    /// Tells the observer, if any.
    fn notify(&self, event: LiveEvent) {
        if let Some(o) = &self.setup.observer {
            o.event(event);
        }
    }

    fn now(&self) -> u64 {
        self.media.now_ms()
    }

    fn interp(&self) -> &Interpreter {
        &self.setup.interpreter
    }

    fn phase(&self) -> Phase {
        self.state
            .as_ref()
            .map_or(Phase::Ended, |s| s.phase.clone())
    }

    /// Starts the no-input timer once the robot is quiet and nothing of the
    /// callee is in progress.
    fn arm_no_input(&mut self) {
        let blocked = self.robot.busy()
            || self.endpointer.is_speaking()
            || !self.pendings.is_empty()
            || self.deferred.is_some()
            || self.phase() != Phase::Listening;
        let Some(listen) = self.listen.as_mut() else {
            return;
        };
        if listen.armed || blocked {
            return;
        }
        listen.armed = true;
        self.no_input_at =
            Some(tokio::time::Instant::now() + Duration::from_millis(listen.timeout_ms));
    }

    async fn on_call_event(&mut self, ev: CallEvent, call: &mut ActiveCall) {
        match ev {
            CallEvent::Dtmf { digit, at_ms } => {
                if self.phase() == Phase::Listening {
                    self.no_input_at = None;
                    self.deliver(Input::Dtmf { digit, at_ms }, call).await;
                }
            }
            CallEvent::PlaybackFinished { id, stopped } => {
                let now = self.now();
                self.robot.finished(id, stopped, now);
                self.close_line(id);
                self.release_deferred(call).await;
            }
            CallEvent::Ended(by) => {
                self.ended_by = match by {
                    waihu_sip::outcome::EndedBy::Remote => "callee",
                    waihu_sip::outcome::EndedBy::Local => "robot",
                    waihu_sip::outcome::EndedBy::MaxDuration => "max_duration",
                    waihu_sip::outcome::EndedBy::RtpTimeout => "rtp_timeout",
                }
                .into();
                self.finish_remote(by);
            }
        }
    }

    /// The call ended from the far side (or a limit): tell the interpreter.
    fn finish_remote(&mut self, by: waihu_sip::outcome::EndedBy) {
        let now = self.rel(self.now());
        for s in self
            .robot
            .segments
            .iter_mut()
            .filter(|s| s.ended_ms.is_none())
        {
            s.ended_ms = Some(self.t0 + now);
            s.stopped = true;
        }
        let ids: Vec<u64> = self.robot.segments.iter().map(|s| s.id).collect();
        for id in ids {
            self.close_line(id);
        }
        if let Some(state) = self.state.take() {
            let was_ended = state.phase == Phase::Ended;
            let (mut state, _) = self.interp().step(state, &Event::RemoteHangup, now);
            if !was_ended && by == waihu_sip::outcome::EndedBy::MaxDuration {
                state.outcome = Some("max_duration".into());
            }
            self.state = Some(state);
        }
        self.ended = true;
    }
}

/// What an utterance the recogniser failed on counts as: nothing heard.
fn empty_transcript() -> Transcript {
    Transcript {
        text: String::new(),
        confidence: 0.0,
        segments: Vec::new(),
        no_speech: 1.0,
        audio_ms: 0,
    }
}

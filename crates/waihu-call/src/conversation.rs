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
use crate::{ConversationConfig, Engines, OptOutSink};

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

    async fn on_frame(&mut self, frame: &AudioFrame, call: &mut ActiveCall) {
        if self.phase() == Phase::Ended {
            return;
        }
        let cfg = &self.setup.config;
        let robot_rms = self.robot.level_around(frame.at_ms, cfg.echo_window_ms);
        let Some(ev) = self.endpointer.push(&frame.samples, frame.at_ms, robot_rms) else {
            return;
        };
        match ev {
            Endpoint::SpeechStart { .. } => self.no_input_at = None,
            Endpoint::BargeIn { .. } => {
                let allowed = self.listen.is_some_and(|l| l.barge_in);
                if allowed && self.robot.busy() && self.robot.interruptible_now() {
                    let now = self.rel(self.now());
                    if let Some(state) = self.state.take() {
                        let (state, actions) = self.interp().step(state, &Event::BargeIn, now);
                        self.state = Some(state);
                        self.execute(actions, call).await;
                    }
                    if self.robot.busy() {
                        // The interpreter's flag disagreed (e.g. the prompt is a
                        // knowledge-base answer): the call layer's view wins.
                        self.stop_playback();
                    }
                    self.barge_ins += 1;
                }
            }
            Endpoint::Pause { start_ms, end_ms } => {
                let known = self
                    .pendings
                    .iter()
                    .any(|p| p.start_ms == start_ms && p.end_ms == end_ms);
                if !known {
                    self.drop_speculative();
                    self.submit(Kind::Speculative, start_ms, end_ms, None);
                }
            }
            Endpoint::SpeechEnd { start_ms, end_ms } => {
                let decided = frame.at_ms + 20;
                if let Some((s, e, rec)) = self.spec_result.take() {
                    if s == start_ms && e == end_ms {
                        self.pendings.push_back(Pending {
                            seq: u64::MAX,
                            kind: Kind::Final,
                            start_ms,
                            end_ms,
                            decided_ms: Some(decided),
                            cancel: Arc::new(AtomicBool::new(false)),
                            result: Some(rec),
                            speculative_win: false,
                        });
                        self.flush(call).await;
                        return;
                    }
                }
                if let Some(p) = self.pendings.iter_mut().find(|p| {
                    p.kind == Kind::Speculative && p.start_ms == start_ms && p.end_ms == end_ms
                }) {
                    p.kind = Kind::Final;
                    p.decided_ms = Some(decided);
                    return;
                }
                self.drop_speculative();
                self.submit(Kind::Final, start_ms, end_ms, Some(decided));
            }
        }
    }

    /// Cancels any speculative recognition (the callee went on speaking).
    fn drop_speculative(&mut self) {
        self.spec_result = None;
        self.pendings.retain(|p| {
            if p.kind == Kind::Speculative {
                p.cancel.store(true, Ordering::Relaxed);
                false
            } else {
                true
            }
        });
    }

    /// Sends an utterance to the recognition pool.
    fn submit(&mut self, kind: Kind, start_ms: u64, end_ms: u64, decided_ms: Option<u64>) {
        let audio = self.endpointer.audio(start_ms, end_ms);
        let seq = self.next_seq;
        self.next_seq += 1;
        let cancel = Arc::new(AtomicBool::new(false));
        self.pendings.push_back(Pending {
            seq,
            kind,
            start_ms,
            end_ms,
            decided_ms,
            cancel: cancel.clone(),
            result: None,
            speculative_win: false,
        });
        let engines = self.setup.engines.clone();
        let tx = self.asr_tx.clone();
        tokio::spawn(async move {
            let recognised = engines.recognise(audio, Some(cancel)).await;
            let _ = tx.send(AsrDone { seq, recognised });
        });
    }

    async fn on_asr(&mut self, done: AsrDone, call: &mut ActiveCall) {
        let Some(idx) = self.pendings.iter().position(|p| p.seq == done.seq) else {
            return; // cancelled meanwhile
        };
        if self.pendings[idx].kind == Kind::Speculative {
            let (start, end) = (self.pendings[idx].start_ms, self.pendings[idx].end_ms);
            let still = self.endpointer.still_paused_at(end);
            if still && self.confident(&done.recognised) && self.endpointer.commit(end) {
                let now = self.now();
                let p = &mut self.pendings[idx];
                p.kind = Kind::Final;
                p.decided_ms = Some(now.min(end + self.setup.config.vad.end_silence_ms));
                p.result = Some(done.recognised);
                p.speculative_win = true;
            } else {
                self.pendings.remove(idx);
                if still {
                    self.spec_result = Some((start, end, done.recognised));
                }
                return;
            }
        } else {
            self.pendings[idx].result = Some(done.recognised);
        }
        self.flush(call).await;
    }

    /// Whether a speculative recognition is sure enough to answer at once.
    fn confident(&self, rec: &Recognised) -> bool {
        let Some(Ok(t)) = &rec.result else {
            return false;
        };
        if t.text.is_empty() {
            return false;
        }
        let r = self.interp().classify(&t.text, t.confidence);
        r.intent != intent::UNKNOWN
            && r.intent != intent::SILENCE
            && r.score >= self.setup.config.speculative_min_score
    }

    /// Answers finished recognitions in the order the utterances ended.
    async fn flush(&mut self, call: &mut ActiveCall) {
        while self
            .pendings
            .front()
            .is_some_and(|p| p.kind == Kind::Final && p.result.is_some())
        {
            let Some(p) = self.pendings.pop_front() else {
                break;
            };
            let Some(rec) = p.result else { continue };
            let transcript = match rec.result {
                Some(Ok(t)) => t,
                Some(Err(e)) => {
                    self.errors.push(format!("ASR: {e}"));
                    empty_transcript()
                }
                None => continue,
            };
            let decided = p.decided_ms.unwrap_or(p.end_ms);
            let timings = TurnTimings {
                speech_end_ms: Some(self.rel(p.end_ms)),
                endpoint_ms: Some(decided.saturating_sub(p.end_ms)),
                asr_queue_ms: Some(rec.queued.as_millis() as u64),
                asr_ms: Some(rec.decode.as_millis() as u64),
                dialog_ms: None,
                playback_ms: None,
                speculative: p.speculative_win,
            };
            let input = Input::Speech {
                transcript,
                start_ms: p.start_ms,
                end_ms: p.end_ms,
                timings,
            };
            self.deliver(input, call).await;
            if self.ended {
                return;
            }
        }
    }

    async fn on_no_input(&mut self, call: &mut ActiveCall) {
        self.no_input_at = None;
        if self.endpointer.is_speaking() || !self.pendings.is_empty() || self.robot.busy() {
            return;
        }
        let at_ms = self.now();
        self.deliver(Input::Silence { at_ms }, call).await;
    }

    /// Hands an input to the interpreter now, or holds it while a prompt
    /// that may not be interrupted is playing.
    async fn deliver(&mut self, input: Input, call: &mut ActiveCall) {
        if self.robot.busy() {
            let barge = self.listen.is_some_and(|l| l.barge_in);
            if self.robot.uninterruptible_pending() || !barge {
                self.deferred = Some(input);
                return;
            }
            self.stop_playback();
        }
        self.feed(input, call).await;
    }

    /// Releases a held input once nothing uninterruptible is left to play.
    async fn release_deferred(&mut self, call: &mut ActiveCall) {
        if self.deferred.is_none() || self.robot.uninterruptible_pending() {
            return;
        }
        let barge = self.listen.is_some_and(|l| l.barge_in);
        if self.robot.busy() && !barge {
            return;
        }
        if let Some(input) = self.deferred.take() {
            if self.robot.busy() {
                self.stop_playback();
            }
            self.feed(input, call).await;
        }
    }

    /// Stops all robot audio now.
    fn stop_playback(&mut self) {
        self.media.stop_playback();
        let now = self.now();
        let ids: Vec<u64> = self
            .robot
            .segments
            .iter()
            .filter(|s| s.ended_ms.is_none())
            .map(|s| s.id)
            .collect();
        for id in ids {
            self.robot.finished(id, true, now);
            self.close_line(id);
        }
    }

    /// Updates a robot transcript line from its segment.
    fn close_line(&mut self, id: u64) {
        let Some(seg) = self.robot.segments.iter().find(|s| s.id == id) else {
            return;
        };
        let (Some(ended), stopped) = (seg.ended_ms, seg.stopped) else {
            return;
        };
        let end = self.rel(ended);
        if let Some(line) = self
            .line_of_segment
            .get(&id)
            .and_then(|&i| self.transcript.get_mut(i))
        {
            line.end_ms = end.max(line.start_ms);
            line.interrupted = stopped;
        }
    }

    /// One callee input through the interpreter, then its actions.
    async fn feed(&mut self, input: Input, call: &mut ActiveCall) {
        let Some(state) = self.state.take() else {
            return;
        };
        let previous_listen = self.listen.take();
        self.no_input_at = None;
        let redact = state.recording_stopped;
        let (event, callee_text, dtmf, input_end, mut timings) = match input {
            Input::Speech {
                transcript,
                start_ms,
                end_ms,
                timings,
            } => {
                let line = TranscriptLine {
                    speaker: Speaker::Callee,
                    text: (!redact).then(|| transcript.text.clone()),
                    start_ms: self.rel(start_ms),
                    end_ms: self.rel(end_ms),
                    interrupted: false,
                    disclosure: false,
                    confidence: Some(transcript.confidence),
                    dtmf: None,
                };
                self.transcript.push(line);
                let event = Event::Utterance {
                    text: transcript.text.clone(),
                    confidence: transcript.confidence,
                };
                (event, Some(transcript.text), None, end_ms, timings)
            }
            Input::Dtmf { digit, at_ms } => {
                let t = self.rel(at_ms);
                self.transcript.push(TranscriptLine {
                    speaker: Speaker::Callee,
                    text: None,
                    start_ms: t,
                    end_ms: t,
                    interrupted: false,
                    disclosure: false,
                    confidence: None,
                    dtmf: Some(digit),
                });
                let timings = TurnTimings {
                    speech_end_ms: Some(t),
                    ..TurnTimings::default()
                };
                (Event::Dtmf(digit), None, Some(digit), at_ms, timings)
            }
            Input::Silence { at_ms } => (
                Event::SilenceTimeout,
                None,
                None,
                at_ms,
                TurnTimings::default(),
            ),
        };
        let turns_before = state.turns;
        let started = Instant::now();
        let now = self.rel(self.now());
        let (state, actions) = self.interp().step(state, &event, now);
        timings.dialog_ms = Some(started.elapsed().as_millis() as u64);
        let intent = (state.turns > turns_before)
            .then(|| state.intents.last().cloned())
            .flatten();
        let stops_recording = actions.iter().any(|a| matches!(a, Action::StopRecording));
        self.state = Some(state);
        if let Some(intent) = intent {
            let hidden = redact || stops_recording;
            if hidden && callee_text.is_some() {
                if let Some(line) = self.transcript.last_mut() {
                    line.text = None;
                }
            }
            self.turn_log.push(Turn {
                callee: callee_text.filter(|_| !hidden),
                dtmf,
                intent,
                robot: None,
                latency_ms: None,
                timings,
            });
            self.open_turn = Some((self.turn_log.len() - 1, Instant::now(), input_end));
        }
        let listens = actions.iter().any(|a| matches!(a, Action::Listen { .. }));
        self.execute(actions, call).await;
        self.open_turn = None;
        if !listens && self.listen.is_none() && self.phase() == Phase::Listening {
            // The interpreter ignored the input and still waits: keep the
            // node's listen (and restart its no-input timer).
            self.listen = previous_listen.map(|l| ListenCfg { armed: false, ..l });
        }
    }

    /// Feeds a non-callee event (answer, barge-in) and executes the actions.
    async fn step(&mut self, event: &Event, call: &mut ActiveCall) {
        let Some(state) = self.state.take() else {
            return;
        };
        let now = self.rel(self.now());
        let (state, actions) = self.interp().step(state, event, now);
        self.state = Some(state);
        self.execute(actions, call).await;
    }

    /// Executes the interpreter's actions in order.
    async fn execute(&mut self, actions: Vec<Action>, call: &mut ActiveCall) {
        for action in actions {
            if self.ended {
                return;
            }
            match action {
                Action::PlayPrompt {
                    prompt,
                    text,
                    interruptible,
                    disclosure,
                } => {
                    let trim = self.setup.config.trim_prompt_silence;
                    let audio = match (&prompt, &self.setup.prompt_dir) {
                        (PromptRef::File(f), Some(dir)) => {
                            self.setup.engines.file(&dir.join(f), trim).await.ok()
                        }
                        (PromptRef::Library(name), _) => match &self.setup.prompt_library {
                            // Recorded prompts play as recorded (converted to 8 kHz once).
                            Some(lib) => lib.load(name).ok(),
                            None => None,
                        },
                        _ => None,
                    };
                    let audio = match (audio, &text) {
                        (Some(a), _) => Ok(a),
                        (None, Some(t)) => self.setup.engines.speech(t, self.lang, trim).await,
                        (None, None) => Err(format!("prompt {prompt:?} has no audio and no text")),
                    };
                    self.play(audio, text.unwrap_or_default(), interruptible, disclosure);
                }
                Action::Speak {
                    text,
                    interruptible,
                    disclosure,
                } => {
                    let trim = self.setup.config.trim_prompt_silence;
                    let audio = self.setup.engines.speech(&text, self.lang, trim).await;
                    self.play(audio, text, interruptible, disclosure);
                }
                Action::StopPlayback => self.stop_playback(),
                Action::Listen {
                    timeout_ms,
                    max_speech_ms,
                    barge_in,
                } => {
                    self.endpointer.set_max_speech_ms(u64::from(max_speech_ms));
                    self.listen = Some(ListenCfg {
                        timeout_ms: u64::from(timeout_ms),
                        barge_in,
                        armed: false,
                    });
                }
                Action::RecordOptOut { reason } => {
                    self.opt_out = Some(reason.as_str().to_string());
                    let sink = self.setup.opt_out.clone();
                    let first = sink.opt_out(reason).await;
                    let result = match first {
                        Ok(()) => Ok(()),
                        Err(_) => sink.opt_out(reason).await,
                    };
                    match result {
                        Ok(()) => self.opt_out_ack_ms = Some(self.rel(self.now())),
                        Err(e) => {
                            self.errors.push(format!("opt-out sink: {e}"));
                            self.opt_out_error = Some(e);
                        }
                    }
                }
                Action::StopRecording => {
                    self.media.stop_recording_callee();
                    // Only the objection itself is hidden (see `feed`): earlier
                    // words were said under the disclosed recording and stay.
                    self.recording_stopped_ms = Some(self.rel(self.now()));
                }
                Action::SetTag(_) => {}
                Action::Hangup { .. } => {
                    let up = call.wait_playback().await;
                    let now = self.now();
                    let ids: Vec<u64> = self.robot.segments.iter().map(|s| s.id).collect();
                    for id in ids {
                        self.robot.finished(id, !up, now);
                        self.close_line(id);
                    }
                    if up {
                        call.hangup().await;
                        self.hangup_ms = Some(self.rel(self.now()));
                        self.ended_by = "robot".into();
                    } else {
                        self.ended_by = "callee".into();
                        if let Some(state) = self.state.as_mut() {
                            state.outcome.get_or_insert_with(|| "hangup".into());
                        }
                    }
                    self.ended = true;
                }
            }
        }
    }

    /// Queues prompt audio (or notes why there is none).
    fn play(
        &mut self,
        audio: Result<Arc<[i16]>, String>,
        text: String,
        interruptible: bool,
        disclosure: bool,
    ) {
        let audio = match audio {
            Ok(a) if !a.is_empty() => a,
            Ok(_) => return,
            Err(e) => {
                self.errors.push(format!("prompt {text:?}: {e}"));
                return;
            }
        };
        let now = self.now();
        let id = self.media.play(audio.clone());
        let start = self
            .robot
            .queued(id, &audio, interruptible, disclosure, now);
        let duration = audio.len() as u64 / 8;
        self.line_of_segment.insert(id, self.transcript.len());
        self.transcript.push(TranscriptLine {
            speaker: Speaker::Robot,
            text: Some(text.clone()),
            start_ms: self.rel(start),
            end_ms: self.rel(start + duration),
            interrupted: false,
            disclosure,
            confidence: None,
            dtmf: None,
        });
        if let Some((idx, stepped, input_end)) = self.open_turn {
            if let Some(turn) = self.turn_log.get_mut(idx) {
                match &mut turn.robot {
                    Some(r) => {
                        r.push(' ');
                        r.push_str(&text);
                    }
                    None => {
                        turn.robot = Some(text);
                        turn.latency_ms = Some(start.saturating_sub(input_end));
                        turn.timings.playback_ms = Some(stepped.elapsed().as_millis() as u64);
                    }
                }
            }
        }
    }

    fn into_record(self) -> ConversationRecord {
        let empty = self.interp().new_state(BTreeMap::new());
        let st = self.state.as_ref().unwrap_or(&empty);
        let outcome = st.outcome.clone().unwrap_or_else(|| "hangup".into());
        let duration_secs = st
            .answered_at_ms
            .map_or(0, |a| st.now_ms.saturating_sub(a) / 1000);
        let g = grade(
            &self.interp().script().grading,
            &CallFacts {
                path: &st.path,
                intents: &st.intents,
                outcome: &outcome,
                turns: st.turns,
                duration_secs,
                opted_out: st.opted_out,
                utterances: &st.utterances,
            },
        );
        let disclosure = self.robot.segments.iter().find(|s| s.disclosure);
        ConversationRecord {
            transcript: self.transcript.clone(),
            path: st.path.clone(),
            intents: st.intents.clone(),
            script_outcome: outcome,
            grade: g.grade,
            grade_reason: g.reason,
            tags: st.tags.clone(),
            opt_out: self.opt_out.clone(),
            opt_out_ack_ms: self.opt_out_ack_ms,
            opt_out_error: self.opt_out_error.clone(),
            recording_stopped: st.recording_stopped,
            recording_stopped_ms: self.recording_stopped_ms,
            disclosure_at_ms: disclosure.map(|s| self.rel(s.start_ms)),
            disclosure_complete: disclosure.is_some_and(|s| s.ended_ms.is_some() && !s.stopped),
            turns: st.turns,
            turn_log: self.turn_log.clone(),
            barge_ins: self.barge_ins,
            ended_by: self.ended_by.clone(),
            hangup_ms: self.hangup_ms,
            errors: self.errors.clone(),
        }
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

//! Acting: feeding inputs to the interpreter and executing its actions on the
//! call (prompts, listening, opt-out, recording, hang-up), and the record the
//! conversation leaves behind.

use super::*;

impl Conversation<'_> {
    /// Stops all robot audio now.
    pub(super) fn stop_playback(&mut self) {
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
    pub(super) fn close_line(&mut self, id: u64) {
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
    pub(super) async fn feed(&mut self, input: Input, call: &mut ActiveCall) {
        let Some(state) = self.state.take() else {
            return;
        };
        let previous_listen = self.listen.take();
        self.no_input_at = None;
        let redact = state.recording_stopped;
        let confidence = match &input {
            Input::Speech { transcript, .. } => Some(transcript.confidence),
            _ => None,
        };
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
        let also = state.also.last().cloned().unwrap_or_default();
        let stops_recording = actions.iter().any(|a| matches!(a, Action::StopRecording));
        self.state = Some(state);
        if let Some(intent) = intent {
            let hidden = redact || stops_recording;
            if hidden && callee_text.is_some() {
                if let Some(line) = self.transcript.last_mut() {
                    line.text = None;
                }
            }
            self.notify(LiveEvent::Callee {
                text: callee_text.clone().filter(|_| !hidden),
                dtmf,
                intent: intent.clone(),
                confidence,
            });
            self.turn_log.push(Turn {
                callee: callee_text.filter(|_| !hidden),
                dtmf,
                intent,
                also,
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
    pub(super) async fn step(&mut self, event: &Event, call: &mut ActiveCall) {
        let Some(state) = self.state.take() else {
            return;
        };
        let now = self.rel(self.now());
        let (state, actions) = self.interp().step(state, event, now);
        self.state = Some(state);
        self.execute(actions, call).await;
    }

    /// Executes the interpreter's actions in order.
    pub(super) async fn execute(&mut self, actions: Vec<Action>, call: &mut ActiveCall) {
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
                            self.opt_out_error = Some(e.to_string());
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
    pub(super) fn play(
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
        self.notify(LiveEvent::Robot {
            text: text.clone(),
            disclosure,
        });
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

    pub(super) fn into_record(self) -> ConversationRecord {
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
                also: &st.also,
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

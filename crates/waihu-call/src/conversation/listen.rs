//! Listening: the callee's audio frames through the end-pointer (barge-in,
//! speculative and final utterances), recognition results, the no-input
//! timer, and inputs held back while the disclosure plays.

use super::*;

impl Conversation<'_> {
    pub(super) async fn on_frame(&mut self, frame: &AudioFrame, call: &mut ActiveCall) {
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
    pub(super) fn drop_speculative(&mut self) {
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
    pub(super) fn submit(
        &mut self,
        kind: Kind,
        start_ms: u64,
        end_ms: u64,
        decided_ms: Option<u64>,
    ) {
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

    pub(super) async fn on_asr(&mut self, done: AsrDone, call: &mut ActiveCall) {
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
    pub(super) fn confident(&self, rec: &Recognised) -> bool {
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
    pub(super) async fn flush(&mut self, call: &mut ActiveCall) {
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

    pub(super) async fn on_no_input(&mut self, call: &mut ActiveCall) {
        self.no_input_at = None;
        if self.endpointer.is_speaking() || !self.pendings.is_empty() || self.robot.busy() {
            return;
        }
        let at_ms = self.now();
        self.deliver(Input::Silence { at_ms }, call).await;
    }

    /// Hands an input to the interpreter now, or holds it while a prompt
    /// that may not be interrupted is playing.
    pub(super) async fn deliver(&mut self, input: Input, call: &mut ActiveCall) {
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
    pub(super) async fn release_deferred(&mut self, call: &mut ActiveCall) {
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
}

//! The step function. Order of precedence for a callee turn: opt-out (spoken,
//! complaint, or the DTMF key) always wins, even past a limit; then the turn and
//! duration limits; then the node's own branches; then the knowledge base and
//! global handlers (answer, then resume where the callee was); then the
//! node's `default` / `unknown` / `silence` branches; else a re-prompt.

use super::{Action, Event, OptOutReason, Phase, PromptRef, State};
use crate::intent::{self, IntentPatterns, Recognition, Recognizer, RecognizerError, RuleSpec};
use crate::script::{Handler, Node, Script};
use std::collections::BTreeMap;

/// Why an interpreter could not be built.
#[derive(Debug, thiserror::Error)]
pub enum InterpreterError {
    /// The script's intent rules do not compile.
    #[error(transparent)]
    Rules(#[from] RecognizerError),
    /// The start node does not exist.
    #[error("start node {0:?} does not exist")]
    NoStart(String),
}

/// A script ready to run: the script plus its compiled recognizer.
#[derive(Debug)]
pub struct Interpreter {
    script: Script,
    recognizer: Recognizer,
}

/// Longest chain of `next` hops followed in one step (the linter rejects cycles of them).
const MAX_HOPS: usize = 32;

impl Interpreter {
    /// Compiles the script's intents and knowledge base.
    pub fn new(script: Script) -> Result<Self, InterpreterError> {
        if !script.nodes.contains_key(&script.start) {
            return Err(InterpreterError::NoStart(script.start.clone()));
        }
        let recognizer = Recognizer::new(&script_rules(&script))?;
        Ok(Self { script, recognizer })
    }

    /// The script.
    pub fn script(&self) -> &Script {
        &self.script
    }

    /// The recognizer (built-in plus script rules).
    pub fn recognizer(&self) -> &Recognizer {
        &self.recognizer
    }

    /// A fresh state; the built-in variables are added to `vars`.
    pub fn new_state(&self, mut vars: BTreeMap<String, String>) -> State {
        let b = &self.script.business;
        vars.insert("business_name".into(), b.name.clone());
        vars.insert("business_phone".into(), b.phone.clone().unwrap_or_default());
        vars.insert("opt_out_dtmf".into(), self.script.opt_out_dtmf.clone());
        State::new(vars)
    }

    /// Recognises an utterance, treating low ASR confidence as `unknown`.
    pub fn classify(&self, text: &str, confidence: f32) -> Recognition {
        let r = self.recognizer.recognize(text);
        if confidence < self.script.min_confidence && r.intent != intent::SILENCE {
            return Recognition::new(intent::UNKNOWN, 0.0, Some("low-confidence".into()));
        }
        r
    }

    /// Advances the conversation by one event at time `now_ms` (any monotonic
    /// millisecond clock; only differences matter).
    pub fn step(&self, state: State, event: &Event, now_ms: u64) -> (State, Vec<Action>) {
        let mut run = Run {
            it: self,
            st: state,
            out: Vec::new(),
        };
        run.st.now_ms = now_ms;
        if run.st.phase == Phase::Ended {
            return (run.st, run.out);
        }
        match event {
            Event::Answered => {
                if run.st.phase == Phase::Ringing {
                    run.st.answered_at_ms = Some(now_ms);
                    let start = self.script.start.clone();
                    run.enter(&start);
                }
            }
            Event::RemoteHangup => {
                run.st.phase = Phase::Ended;
                run.st.outcome = Some("hangup".into());
            }
            Event::BargeIn => {
                if run.st.phase == Phase::Listening && run.st.interruptible {
                    run.out.push(Action::StopPlayback);
                }
            }
            _ if run.st.phase != Phase::Listening => {}
            Event::Utterance { text, confidence } => {
                let r = self.classify(text, *confidence);
                if !run.st.recording_stopped && !r.has(intent::OBJECT_RECORDING) {
                    run.st.utterances.push(text.clone());
                }
                run.turn(r.intent, r.also, None);
            }
            Event::SilenceTimeout => run.turn(intent::SILENCE.to_string(), Vec::new(), None),
            Event::Dtmf(d) => {
                let reason =
                    (d.to_string() == self.script.opt_out_dtmf).then_some(OptOutReason::Dtmf);
                run.turn(format!("dtmf:{d}"), Vec::new(), reason);
            }
        }
        (run.st, run.out)
    }
}

/// The script's intents and knowledge-base questions as rule specs.
fn script_rules(script: &Script) -> Vec<RuleSpec> {
    let mut specs = Vec::new();
    for (label, def) in &script.intents {
        let p = IntentPatterns {
            keywords: def.keywords.clone(),
            words: def.words.clone(),
            regex: def.regex.clone(),
        };
        specs.extend(p.specs(label));
    }
    for kb in &script.knowledge {
        let p = IntentPatterns {
            keywords: kb.questions.clone(),
            ..Default::default()
        };
        specs.extend(p.specs(&format!("kb:{}", kb.id)));
    }
    specs
}

/// One step in progress.
struct Run<'a> {
    it: &'a Interpreter,
    st: State,
    out: Vec<Action>,
}

impl Run<'_> {
    fn script(&self) -> &Script {
        &self.it.script
    }

    fn zh(&self) -> bool {
        self.script().language != "en"
    }

    /// A callee turn with its label and the other intents heard in it.
    fn turn(&mut self, label: String, also: Vec<String>, dtmf_opt_out: Option<OptOutReason>) {
        self.st.turns += 1;
        self.st.intents.push(label.clone());
        // An opt-out said together with a complaint is both: the opt-out decides
        // the turn, and the complaint is recorded as if said alone.
        let complained = label == intent::COMPLAINT
            || (label == intent::OPT_OUT && also.iter().any(|l| l == intent::COMPLAINT));
        let objects = also.iter().any(|l| l == intent::OBJECT_RECORDING);
        self.st.also.push(also);
        let opt_out = match label.as_str() {
            _ if complained => Some(OptOutReason::Complaint),
            intent::OPT_OUT => Some(OptOutReason::Spoken),
            _ => dtmf_opt_out,
        };
        if let Some(reason) = opt_out {
            return self.opt_out(reason, objects);
        }
        let s = self.script();
        if s.max_duration_secs
            .is_some_and(|m| self.st.duration_secs() >= u64::from(m))
        {
            return self.limit_end("max_duration");
        }
        if s.max_turns.is_some_and(|m| self.st.turns > m) {
            return self.limit_end("max_turns");
        }
        self.dispatch(&label);
    }

    fn current(&self) -> Option<(&String, &Node)> {
        let id = self.st.node.as_ref()?;
        self.it.script.nodes.get_key_value(id)
    }

    fn dispatch(&mut self, label: &str) {
        let Some((_, node)) = self.current() else {
            return self.hangup("hangup");
        };
        let node = node.clone();
        if label == intent::OBJECT_RECORDING && !self.st.recording_stopped {
            self.st.recording_stopped = true;
            self.st.utterances.clear();
            self.out.push(Action::StopRecording);
        }
        if let Some(target) = node.branches.get(label) {
            return self.goto(&target.clone());
        }
        if let Some(id) = label.strip_prefix("kb:") {
            if let Some(kb) = self.script().knowledge.iter().find(|k| k.id == id).cloned() {
                self.speak(&kb.answer);
                return match kb.goto {
                    Some(g) => self.enter(&g),
                    None => self.resume(),
                };
            }
        }
        if let Some(h) = self.script().global.get(label).cloned() {
            return self.handle(&h);
        }
        match label {
            intent::OBJECT_RECORDING => {
                let ack = if self.zh() {
                    "好的，本次通话不再录音。"
                } else {
                    "Understood, I have stopped recording."
                };
                self.speak(ack);
                return self.resume();
            }
            intent::ASK_REPEAT => return self.resume(),
            _ => {}
        }
        let order: [&str; 2] = match label {
            intent::SILENCE => ["silence", "default"],
            intent::UNKNOWN => ["unknown", "default"],
            _ => ["default", "unknown"],
        };
        match order.iter().find_map(|k| node.branches.get(*k)) {
            Some(target) => self.goto(&target.clone()),
            None => self.repeat(),
        }
    }

    fn handle(&mut self, h: &Handler) {
        if let Some(text) = &h.say {
            self.speak(text);
        }
        match &h.goto {
            Some(g) => self.enter(g),
            None => self.resume(),
        }
    }

    /// Records the opt-out and ends the call; `objects_to_recording` when the
    /// same words also refused the recording ("不要录音，也别再打了").
    fn opt_out(&mut self, reason: OptOutReason, objects_to_recording: bool) {
        // The number goes on the do-not-call list before anything else happens.
        self.st.opted_out = true;
        self.out.push(Action::RecordOptOut { reason });
        if objects_to_recording && !self.st.recording_stopped {
            self.st.recording_stopped = true;
            self.st.utterances.clear();
            self.out.push(Action::StopRecording);
        }
        let global = &self.it.script.global;
        let handler = if reason == OptOutReason::Complaint {
            self.st.complained = true;
            self.st.tags.push("complaint".into());
            self.out.push(Action::SetTag("complaint".into()));
            global
                .get(intent::COMPLAINT)
                .or_else(|| global.get(intent::OPT_OUT))
        } else {
            global.get(intent::OPT_OUT)
        };
        match handler.cloned() {
            Some(Handler { say, goto: Some(g) }) => {
                if let Some(text) = say {
                    self.speak(&text);
                }
                self.enter(&g);
                if self.st.phase != Phase::Ended {
                    // An opt-out always ends the call, whatever the script says.
                    self.hangup("opt_out");
                }
            }
            other => {
                let default = if self.zh() {
                    "好的，以后不会再打扰您，再见。"
                } else {
                    "Understood. We will not call you again. Goodbye."
                };
                let text = other.and_then(|h| h.say).unwrap_or_else(|| default.into());
                self.speak(&text);
                self.hangup("opt_out");
            }
        }
    }

    fn limit_end(&mut self, outcome: &str) {
        if let Some(text) = self.script().goodbye.clone() {
            self.speak(&text);
        }
        self.hangup(outcome);
    }

    fn goto(&mut self, target: &str) {
        if target == "repeat" {
            self.repeat()
        } else {
            self.enter(target)
        }
    }

    /// Re-prompts the current node, at most `repeat.max` times, then falls back.
    fn repeat(&mut self) {
        let Some((id, node)) = self.current() else {
            return self.hangup("hangup");
        };
        let (id, node) = (id.clone(), node.clone());
        let count = self.st.repeats.entry(id.clone()).or_insert(0);
        *count += 1;
        let max = node.repeat.as_ref().map_or(2, |r| r.max);
        if *count > max {
            return match node.repeat {
                Some(r) => self.enter(&r.fallback),
                None => self.limit_end("max_turns"),
            };
        }
        self.st.path.push(id);
        self.say_node(&node, true);
        self.listen_or_continue(&node);
    }

    /// Back to the current node after an answer (not counted as a repeat).
    fn resume(&mut self) {
        let Some((id, node)) = self.current() else {
            return self.hangup("hangup");
        };
        let (id, node) = (id.clone(), node.clone());
        self.st.path.push(id);
        self.say_node(&node, true);
        self.listen_or_continue(&node);
    }

    fn enter(&mut self, id: &str) {
        let mut id = id.to_string();
        for _ in 0..MAX_HOPS {
            let Some(node) = self.it.script.nodes.get(&id).cloned() else {
                return self.hangup("hangup");
            };
            self.st.path.push(id.clone());
            self.st.node = Some(id.clone());
            for tag in &node.tags {
                self.st.tags.push(tag.clone());
                self.out.push(Action::SetTag(tag.clone()));
            }
            self.say_node(&node, false);
            if let Some(outcome) = &node.end {
                return self.hangup(outcome);
            }
            match (&node.listen, &node.next) {
                (None, Some(next)) => id = next.clone(),
                _ => return self.listen_or_continue(&node),
            }
        }
        self.hangup("hangup");
    }

    fn listen_or_continue(&mut self, node: &Node) {
        match &node.listen {
            Some(l) => {
                self.st.phase = Phase::Listening;
                self.out.push(Action::Listen {
                    timeout_ms: l.timeout_ms,
                    max_speech_ms: l.max_speech_ms,
                    barge_in: l.barge_in && !node.disclosure,
                });
            }
            None => match &node.next {
                Some(next) => self.enter(&next.clone()),
                None => self.hangup(node.end.as_deref().unwrap_or("hangup")),
            },
        }
    }

    fn say_node(&mut self, node: &Node, again: bool) {
        let Some(say) = &node.say else { return };
        let raw = if again {
            node.reprompt.as_ref().or(say.text.as_ref())
        } else {
            say.text.as_ref()
        };
        let text = raw.map(|t| Script::fill(t, &self.st.vars));
        let interruptible = say.interruptible && !node.disclosure;
        self.st.interruptible = interruptible;
        let prompt = match (&say.audio, &say.prompt) {
            // A re-prompt with its own text is spoken, not the recorded first prompt.
            _ if again && node.reprompt.is_some() => None,
            (Some(f), _) => Some(PromptRef::File(f.clone())),
            (None, Some(p)) => Some(PromptRef::Library(p.clone())),
            (None, None) => None,
        };
        match (prompt, text) {
            (Some(prompt), text) => self.out.push(Action::PlayPrompt {
                prompt,
                text,
                interruptible,
                disclosure: node.disclosure,
            }),
            (None, Some(text)) => self.out.push(Action::Speak {
                text,
                interruptible,
                disclosure: node.disclosure,
            }),
            (None, None) => {}
        }
    }

    fn speak(&mut self, text: &str) {
        self.st.interruptible = true;
        self.out.push(Action::Speak {
            text: Script::fill(text, &self.st.vars),
            interruptible: true,
            disclosure: false,
        });
    }

    fn hangup(&mut self, outcome: &str) {
        self.st.phase = Phase::Ended;
        self.st.outcome = Some(outcome.to_string());
        self.out.push(Action::Hangup {
            outcome: outcome.to_string(),
        });
    }
}

//! The text simulator behind `waihu script chat`: drives the interpreter from
//! lines of text (empty line = silence, `#5` = DTMF key 5), with a simulated
//! clock, and sums the conversation up as the JSON the CLI prints last.

use crate::grade::{grade, CallFacts, Grade};
use crate::interp::{Action, Event, Interpreter, Phase, State};
use std::collections::BTreeMap;

/// Simulated seconds per exchange (robot turn plus callee reply).
const SECONDS_PER_TURN: u64 = 6;

/// One conversation in the simulator.
#[derive(Debug)]
pub struct Simulator<'a> {
    it: &'a Interpreter,
    state: Option<State>,
    now_ms: u64,
}

/// The summary printed as the last line of `waihu script chat`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Every node visited, repeats included.
    pub path: Vec<String>,
    /// One label per callee turn.
    pub intents: Vec<String>,
    /// End node's outcome tag, or `hangup` if input ended first.
    pub outcome: String,
    /// `A`..`F`.
    pub grade: String,
    /// The callee opted out (or complained).
    pub opt_out: bool,
    /// Callee turns.
    pub turns: u32,
}

/// How a line of input is read.
pub fn parse_line(line: &str) -> Event {
    let t = line.trim_end_matches(['\r', '\n']);
    let b = t.as_bytes();
    if b.len() == 2 && b[0] == b'#' && (b[1].is_ascii_digit() || b[1] == b'*' || b[1] == b'#') {
        return Event::Dtmf(b[1] as char);
    }
    if t.trim().is_empty() {
        return Event::SilenceTimeout;
    }
    Event::Utterance {
        text: t.to_string(),
        confidence: 1.0,
    }
}

impl<'a> Simulator<'a> {
    /// A new conversation with contact variables.
    pub fn new(it: &'a Interpreter, vars: BTreeMap<String, String>) -> Self {
        Self {
            it,
            state: Some(it.new_state(vars)),
            now_ms: 0,
        }
    }

    fn feed(&mut self, event: &Event) -> Vec<Action> {
        let Some(state) = self.state.take() else {
            return Vec::new();
        };
        let (state, actions) = self.it.step(state, event, self.now_ms);
        self.state = Some(state);
        actions
    }

    /// Answers the call; returns the robot's first actions.
    pub fn start(&mut self) -> Vec<Action> {
        self.feed(&Event::Answered)
    }

    /// One line of callee input.
    pub fn input(&mut self, line: &str) -> Vec<Action> {
        self.now_ms += SECONDS_PER_TURN * 1000;
        self.feed(&parse_line(line))
    }

    /// True once the call has ended.
    pub fn ended(&self) -> bool {
        self.state.as_ref().is_none_or(|s| s.phase == Phase::Ended)
    }

    /// Ends the call as a remote hang-up if still running, then sums it up.
    pub fn finish(&mut self) -> (Summary, Grade) {
        if !self.ended() {
            self.feed(&Event::RemoteHangup);
        }
        let empty = self.it.new_state(BTreeMap::new());
        let st = self.state.as_ref().unwrap_or(&empty);
        let outcome = st.outcome.clone().unwrap_or_else(|| "hangup".into());
        let g = grade(
            &self.it.script().grading,
            &CallFacts {
                path: &st.path,
                intents: &st.intents,
                also: &st.also,
                outcome: &outcome,
                turns: st.turns,
                duration_secs: st.duration_secs(),
                opted_out: st.opted_out,
                utterances: &st.utterances,
            },
        );
        let summary = Summary {
            path: st.path.clone(),
            intents: st.intents.clone(),
            outcome,
            grade: g.grade.to_string(),
            opt_out: st.opted_out,
            turns: st.turns,
        };
        (summary, g)
    }

    /// The current state (for tests and tools).
    pub fn state(&self) -> Option<&State> {
        self.state.as_ref()
    }
}

/// Renders an action as a line for people (robot lines and events), or `None`
/// for actions that need no line (listen).
pub fn render(action: &Action) -> Option<String> {
    match action {
        Action::Speak { text, .. } => Some(format!("bot: {text}")),
        Action::PlayPrompt { text, prompt, .. } => Some(match text {
            Some(t) => format!("bot: {t}"),
            None => format!("bot: <{prompt:?}>"),
        }),
        Action::StopPlayback => Some("[barge-in: playback stopped]".into()),
        Action::Listen { .. } => None,
        Action::RecordOptOut { reason } => Some(format!("[record opt-out: {}]", reason.as_str())),
        Action::StopRecording => Some("[recording stopped]".into()),
        Action::SetTag(t) => Some(format!("[tag: {t}]")),
        Action::Hangup { outcome } => Some(format!("[hangup: {outcome}]")),
    }
}

/// Runs a whole conversation from lines; returns the rendered robot lines and the summary.
pub fn run_lines<'l>(
    it: &Interpreter,
    vars: BTreeMap<String, String>,
    lines: impl IntoIterator<Item = &'l str>,
) -> (Vec<String>, Summary) {
    let mut sim = Simulator::new(it, vars);
    let mut out: Vec<String> = sim.start().iter().filter_map(render).collect();
    for line in lines {
        if sim.ended() {
            break;
        }
        out.extend(sim.input(line).iter().filter_map(render));
    }
    let (summary, _) = sim.finish();
    (out, summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_lines() {
        assert_eq!(parse_line("#3"), Event::Dtmf('3'));
        assert_eq!(parse_line("##"), Event::Dtmf('#'));
        assert_eq!(parse_line(""), Event::SilenceTimeout);
        assert_eq!(
            parse_line("#12"),
            Event::Utterance {
                text: "#12".into(),
                confidence: 1.0
            }
        );
    }
}

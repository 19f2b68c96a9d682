//! The interpreter's state: where the conversation is and what happened so far.
//! Plain data, cheap to clone, so that `step` can stay a pure function.

use std::collections::BTreeMap;

/// Where the conversation stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Not answered yet.
    Ringing,
    /// Waiting for the callee at a node.
    Listening,
    /// The call is over.
    Ended,
}

/// The conversation so far.
#[derive(Debug, Clone)]
pub struct State {
    /// Phase.
    pub phase: Phase,
    /// Current node id.
    pub node: Option<String>,
    /// Contact variables (`name`, `product`, …) plus the built-in ones.
    pub vars: BTreeMap<String, String>,
    /// Every node entered, repeats included.
    pub path: Vec<String>,
    /// One label per callee turn.
    pub intents: Vec<String>,
    /// The other intents heard in each callee turn, parallel to `intents` and
    /// usually empty: `complaint` in a turn labelled `opt_out` ("我要投诉，把我号码删掉").
    pub also: Vec<Vec<String>>,
    /// The callee complained (alone, or in the same breath as an opt-out).
    pub complained: bool,
    /// Callee utterances (empty after the callee objected to recording).
    pub utterances: Vec<String>,
    /// Re-prompts per node.
    pub repeats: BTreeMap<String, u32>,
    /// Callee turns so far.
    pub turns: u32,
    /// Tags set so far.
    pub tags: Vec<String>,
    /// The opt-out was recorded.
    pub opted_out: bool,
    /// The callee objected to recording.
    pub recording_stopped: bool,
    /// The prompt now playing may be interrupted.
    pub interruptible: bool,
    /// Time of answer, ms (caller's clock).
    pub answered_at_ms: Option<u64>,
    /// Time of the last event, ms.
    pub now_ms: u64,
    /// The outcome, once ended.
    pub outcome: Option<String>,
}

impl State {
    /// A fresh state for one call with the contact's variables.
    pub fn new(vars: BTreeMap<String, String>) -> Self {
        Self {
            phase: Phase::Ringing,
            node: None,
            vars,
            path: Vec::new(),
            intents: Vec::new(),
            also: Vec::new(),
            complained: false,
            utterances: Vec::new(),
            repeats: BTreeMap::new(),
            turns: 0,
            tags: Vec::new(),
            opted_out: false,
            recording_stopped: false,
            interruptible: true,
            answered_at_ms: None,
            now_ms: 0,
            outcome: None,
        }
    }

    /// Seconds since the answer.
    pub fn duration_secs(&self) -> u64 {
        self.answered_at_ms
            .map_or(0, |a| self.now_ms.saturating_sub(a) / 1000)
    }
}

//! Live observation of one call: what the call layer reports while the call
//! runs — dialling, answer, every robot line and callee turn, the end — to an
//! optional [`CallObserver`] in the [`ConversationSetup`](crate::ConversationSetup).
//!
//! The observer is per call and knows who the call is for (tenant, task,
//! masked number): this crate knows no tenants and no HTTP. Observers must not
//! block (the conversation loop calls them inline); a broadcast channel send is
//! the intended use. The callee's words are withheld exactly as in the record:
//! once the callee objected to recording, `text` is `None`.

use waihu_core::CallOutcome;

/// Something that happened on a live call.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    /// The INVITE is about to leave.
    Dialling,
    /// The callee answered; the conversation starts.
    Answered,
    /// The robot queued a line (prompt text or spoken text).
    Robot {
        /// What it says.
        text: String,
        /// This is the disclosure.
        disclosure: bool,
    },
    /// One callee turn as the interpreter took it.
    Callee {
        /// What was recognised; `None` for silence, a key, or words not kept
        /// (recording refused).
        text: Option<String>,
        /// The key pressed, for a DTMF turn.
        dtmf: Option<char>,
        /// The intent label the interpreter recorded for the turn.
        intent: String,
        /// Recognition confidence 0..1 of the utterance, if it was speech.
        confidence: Option<f32>,
    },
    /// The call is over (sent once, whatever happened).
    Ended {
        /// How the call ended (`answered`, `busy`, `no_answer`…, or
        /// `failed` when the call could not be placed).
        outcome: CallOutcome,
        /// The script's end tag, if answered.
        script_outcome: Option<String>,
        /// `A`..`F`, if answered.
        grade: Option<char>,
    },
}

/// Receives a call's [`LiveEvent`]s in order. Must return quickly.
pub trait CallObserver: Send + Sync {
    /// One event.
    fn event(&self, event: LiveEvent);
}

/// An observer collecting events in memory (tests, tools).
#[derive(Debug, Default)]
pub struct MemoryObserver {
    events: std::sync::Mutex<Vec<LiveEvent>>,
}

impl MemoryObserver {
    /// The events so far.
    pub fn events(&self) -> Vec<LiveEvent> {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl CallObserver for MemoryObserver {
    fn event(&self, event: LiveEvent) {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(event);
    }
}

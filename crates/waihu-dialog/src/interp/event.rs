//! What goes into the interpreter (events) and what comes out (actions).

/// Something that happened in the call.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The callee answered: the robot starts with the disclosure.
    Answered,
    /// The callee said something (ASR text and its confidence 0..=1).
    Utterance {
        /// Recognised text.
        text: String,
        /// ASR confidence.
        confidence: f32,
    },
    /// The no-input timeout of the current listen expired.
    SilenceTimeout,
    /// The callee pressed a key (`0`-`9`, `*`, `#`).
    Dtmf(char),
    /// The callee started speaking while the robot was talking.
    BargeIn,
    /// The callee hung up.
    RemoteHangup,
}

/// A recorded prompt: a file relative to the script, or an id in the prompt library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptRef {
    /// Path relative to the script file.
    File(String),
    /// Id in the tenant's prompt library.
    Library(String),
}

/// Why the callee is opted out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptOutReason {
    /// Said so ("别再打了").
    Spoken,
    /// Pressed the opt-out key.
    Dtmf,
    /// Complained (a complaint is also an opt-out; a ticket follows).
    Complaint,
}

impl OptOutReason {
    /// Stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            OptOutReason::Spoken => "spoken",
            OptOutReason::Dtmf => "dtmf",
            OptOutReason::Complaint => "complaint",
        }
    }
}

/// Something the call layer must do, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Play a recorded prompt; `text` is its transcript (spoken by TTS if the file is missing).
    PlayPrompt {
        /// Which prompt.
        prompt: PromptRef,
        /// Transcript, with variables filled.
        text: Option<String>,
        /// Whether barge-in may stop it.
        interruptible: bool,
        /// This is the disclosure (log it as played, with its time).
        disclosure: bool,
    },
    /// Speak text with TTS.
    Speak {
        /// Text with variables filled.
        text: String,
        /// Whether barge-in may stop it.
        interruptible: bool,
        /// This is the disclosure.
        disclosure: bool,
    },
    /// Stop the prompt now playing (barge-in).
    StopPlayback,
    /// Listen for the callee.
    Listen {
        /// No-input timeout.
        timeout_ms: u32,
        /// Longest utterance.
        max_speech_ms: u32,
        /// Whether speech may interrupt the prompt before it.
        barge_in: bool,
    },
    /// Write the number to the do-not-call list now (before hanging up).
    RecordOptOut {
        /// Why.
        reason: OptOutReason,
    },
    /// Stop recording and storing what the callee says.
    StopRecording,
    /// Tag the call (e.g. `interested`, `complaint`).
    SetTag(String),
    /// End the call.
    Hangup {
        /// Outcome tag.
        outcome: String,
    },
}

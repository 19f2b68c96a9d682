//! waihu-call: one live conversation on one call. It joins the SIP call
//! (`waihu-sip`), speech (`waihu-speech`: VAD, ASR, TTS) and the pure dialog
//! interpreter (`waihu-dialog`), executes the interpreter's actions on the
//! call and records what happened.
//!
//! Entry points: [`place_call`] (dial and converse) and
//! [`run_conversation`] (converse on a call already answered). Speech
//! engines are shared by all calls of a process ([`Engines`]: a bounded ASR
//! worker pool and cached TTS); opt-outs go to an [`OptOutSink`] before the
//! robot hangs up. The result is a [`CallRecord`]: the telephony report
//! plus the [`ConversationRecord`] (transcript, path, intents, grade,
//! per-turn timings). A [`CallObserver`] in the setup sees the call live
//! ([`LiveEvent`]s: dialling, answer, each line and turn, the end). See
//! docs/conversation.md.

mod config;
mod conversation;
pub mod endpoint;
mod engines;
mod error;
mod observer;
mod optout;
mod place;
mod record;
mod robot;

pub use config::ConversationConfig;
pub use conversation::{run_conversation, ConversationSetup};
pub use engines::{trim_silence, Engines, Recognised};
pub use error::CallError;
pub use observer::{CallObserver, LiveEvent, MemoryObserver};
pub use optout::{MemoryOptOutSink, OptOutError, OptOutReason, OptOutSink};
pub use place::place_call;
pub use record::{CallRecord, ConversationRecord, Speaker, TranscriptLine, Turn, TurnTimings};

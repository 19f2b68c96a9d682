//! waihu-callee: the built-in virtual callee.
//!
//! A SIP endpoint (the UAS side of `waihu-sip`) that answers calls according
//! to a behaviour file ([`Behavior`], TOML, documented in docs/callee.md):
//! per called-number pattern it rings, then answers, rejects (busy, decline,
//! invalid number, unavailable), never answers, or plays a 183 early-media
//! announcement and fails. After answering it runs a persona: scripted
//! replies spoken as real audio (espeak-ng or WAV files) after the robot
//! stops talking, silence, DTMF, barge-in, hanging up mid-prompt. Every call
//! is logged ([`CallLog`]): what it heard (robot speech segments by voice
//! activity detection, DTMF) and when, so tests and benchmarks can measure
//! response latency from the callee's side.

pub mod behavior;
pub mod bench;
pub mod code;
mod error;
pub mod log;
mod persona;
mod prepare;
mod server;

pub use behavior::{Action, Behavior, Persona, Rule, Step};
pub use error::CalleeError;
pub use log::{CallLog, LogEvent, LogKind};
pub use prepare::Prepared;
pub use server::{CalleeConfig, CalleeServer};

//! Line classification: what answered a call, or what is playing while it
//! rings — a person, voicemail or a call-screening assistant, a carrier
//! announcement (and why the call failed), ringback (ring tone or 彩铃
//! music), dead air, or a fax machine.
//!
//! Pure: 8 kHz audio frames, SIP facts and transcripts (recognised by the
//! caller's ASR) go in, a [`Decision`] comes out. [`LineClassifier`] is
//! streaming — push 20 ms frames as they arrive and it decides as soon as it
//! is sure, with `decided_ms` on the audio clock — so live calls can act on
//! early media while ringing ([`Phase::Early`]) and on the first seconds after
//! the answer ([`Phase::Answered`]). When unsure after an answer it says
//! [`LineClass::Human`]: a person must never be taken for a machine.
//!
//! Modules: [`class`] (the classes and decisions), [`sip`] (status and the
//! Q.850 cause of a `Reason` header), [`dsp`] (Goertzel filters and the
//! features of one frame), [`detect`] (SIT, ring cadence, fax, beep, music,
//! speech activity), [`catalogue`] (phrases per language, extensible by
//! operators), [`classifier`] (everything combined) and [`synth`] (tones,
//! cadences and music for tests and the benchmark's clip set).

pub mod catalogue;
pub mod class;
pub mod classifier;
pub mod detect;
pub mod dsp;
pub mod sip;
pub mod synth;

pub use catalogue::{Catalogue, CatalogueError, PhraseMatch};
pub use class::{Decision, LineClass, Phase, Reason, Signal};
pub use classifier::{classify_audio, ClassifierConfig, LineClassifier, Progress, Span};
pub use sip::{classify_sip, parse_reason_header, ReasonHeader, ReasonParseError};

/// The sample rate of all audio: 8 kHz, G.711 telephony.
pub const SAMPLE_RATE: u32 = 8_000;
/// Samples in one 20 ms frame at 8 kHz.
pub const FRAME: usize = 160;
/// Milliseconds in one frame.
pub const FRAME_MS: u64 = 20;

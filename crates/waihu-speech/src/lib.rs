//! Speech for waihu: audio in, events out. Voice activity detection ([`vad`]),
//! speech recognition ([`asr`]), text-to-speech ([`tts`]), the library of
//! recorded prompts ([`prompts`]), WAV reading and writing at the telephone
//! rate ([`wav`]), resampling ([`resample`]) and the tools that measure
//! recognition on degraded telephone audio ([`eval`]). Everything works on 8 kHz mono
//! `i16` PCM, the rate of G.711 telephony; this crate knows nothing of SIP.

pub mod asr;
pub mod eval;
pub mod prompts;
pub mod resample;
pub mod tts;
pub mod vad;
pub mod wav;

/// The sample rate of all audio this crate hands out: 8 kHz, G.711 telephony.
pub const SAMPLE_RATE: u32 = 8_000;

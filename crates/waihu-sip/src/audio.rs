//! Audio plumbing for prompts: read WAV files of any common sample rate and
//! format, mix to mono and resample to the 8 kHz telephone rate.

mod resample;
mod wav;

pub use resample::resample;
pub use wav::{load_wav_8k, write_wav_mono};

/// The telephone sample rate.
pub const RATE: u32 = 8000;
/// Samples in one 20 ms frame at 8 kHz.
pub const FRAME: usize = 160;

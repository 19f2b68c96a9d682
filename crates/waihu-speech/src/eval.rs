//! Tools for measuring recognition on telephone audio: degrade clean speech the
//! way a phone line does ([`degrade`]: noise at a chosen SNR, lost 20 ms frames
//! played out as silence, as the jitter buffer does) and score what came back
//! ([`score`]: character error rate for Chinese, word error rate for English).
//! Pure functions over 8 kHz PCM and text; `waihu bench asr` drives them.

pub mod degrade;
pub mod score;

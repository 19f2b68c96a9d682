//! Ring cadences, fax tones and beeps.
//!
//! Ring: the tone bursts of ringback (China 450 Hz 1 s on 4 s off; Europe
//! 425 Hz; North America 440+480 Hz 2 s/4 s; UK 400+450 Hz 0.4/0.2/0.4/2 s)
//! all put their energy between 350 and 500 Hz, steadily; a burst of 0.3–2.6 s
//! followed by quiet is a ring. Fax: CED is 2100 Hz for 2.6–4 s (decided after
//! 1.5 s), CNG is 1100 Hz for 0.5 s every 3 s. Beep: one steady tone of
//! 0.12–1.5 s followed by something that is not a tone (so SIT segments and
//! cadences are not beeps).

use super::single_tone;
use crate::dsp::{Features, Tone};
use crate::FRAME_MS;

/// Share of energy in 350–500 Hz that makes a frame a ring frame.
const RING_BAND: f32 = 0.75;
/// Ring burst lengths accepted.
const RING_MIN_MS: u64 = 300;
const RING_MAX_MS: u64 = 2600;
/// Quiet after a burst before it counts as a ring.
const RING_OFF_MS: u64 = 800;
/// Off frames must be this much quieter than the burst.
const RING_OFF_DROP_DB: f32 = 15.0;

/// Finds ring bursts followed by quiet.
#[derive(Debug, Default)]
pub struct RingDetector {
    /// Frames of the current burst and its loudest level.
    on_frames: u64,
    on_level: f32,
    /// A finished burst of acceptable length, waiting for enough quiet.
    burst: Option<(u64, f32)>,
    /// Quiet frames since that burst.
    off_frames: u64,
}

impl RingDetector {
    /// Feeds one frame; true when a ring burst followed by quiet was seen.
    pub fn push(&mut self, f: &Features) -> bool {
        let ring = f.audible() && f.band(350.0, 500.0) >= RING_BAND;
        if ring {
            self.on_frames += 1;
            self.on_level = self.on_level.max(f.level_db);
            self.burst = None;
            self.off_frames = 0;
            return false;
        }
        if self.on_frames > 0 {
            let ms = self.on_frames * FRAME_MS;
            if (RING_MIN_MS..=RING_MAX_MS).contains(&ms) {
                self.burst = Some((ms, self.on_level));
                self.off_frames = 0;
            }
            self.on_frames = 0;
            self.on_level = f32::MIN;
        }
        let Some((_, level)) = self.burst else {
            return false;
        };
        if f.level_db < level - RING_OFF_DROP_DB {
            self.off_frames += 1;
            if self.off_frames * FRAME_MS >= RING_OFF_MS {
                self.burst = None;
                return true;
            }
        } else {
            // Something else sounds after the burst: not a cadence.
            self.burst = None;
        }
        false
    }
}

/// A fax tone heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaxTone {
    /// 1100 Hz calling tone burst.
    Cng,
    /// 2100 Hz answer tone.
    Ced,
}

/// Share at 1100 or 2100 Hz that makes a fax frame.
const FAX_SHARE: f32 = 0.6;
const CED_MS: u64 = 1500;
const CNG_MIN_MS: u64 = 350;
const CNG_MAX_MS: u64 = 900;
const CNG_AFTER_MS: u64 = 300;

/// Finds CED (long 2100 Hz) and CNG (0.5 s of 1100 Hz, then quiet).
#[derive(Debug, Default)]
pub struct FaxDetector {
    ced: u64,
    cng: u64,
    cng_burst: bool,
    after: u64,
}

impl FaxDetector {
    /// Feeds one frame; reports a tone once its pattern is complete.
    pub fn push(&mut self, f: &Features) -> Option<FaxTone> {
        let audible = f.audible();
        if audible && f.tone(Tone::Ced) >= FAX_SHARE {
            self.ced += 1;
            if self.ced * FRAME_MS == CED_MS {
                return Some(FaxTone::Ced);
            }
        } else {
            self.ced = 0;
        }
        if audible && f.tone(Tone::Cng) >= FAX_SHARE {
            self.cng += 1;
            self.cng_burst = false;
            return None;
        }
        if self.cng > 0 {
            let ms = self.cng * FRAME_MS;
            self.cng_burst = (CNG_MIN_MS..=CNG_MAX_MS).contains(&ms);
            self.after = 0;
            self.cng = 0;
        }
        if self.cng_burst {
            if single_tone(f).is_some() {
                self.cng_burst = false;
            } else {
                self.after += 1;
                if self.after * FRAME_MS >= CNG_AFTER_MS {
                    self.cng_burst = false;
                    return Some(FaxTone::Cng);
                }
            }
        }
        None
    }
}

/// A beep: one steady tone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beep {
    /// Its frequency, Hz.
    pub hz: f64,
    /// Its length, ms.
    pub ms: u64,
}

const BEEP_MIN_MS: u64 = 120;
const BEEP_MAX_MS: u64 = 1500;
const BEEP_AFTER_MS: u64 = 120;
const BEEP_DRIFT_HZ: f64 = 40.0;

/// Finds beeps.
#[derive(Debug, Default)]
pub struct BeepDetector {
    /// Frequency of the current tone run and its frames.
    run: Option<(f64, u64)>,
    /// A finished run of beep length and the frames after it.
    candidate: Option<(Beep, u64)>,
}

impl BeepDetector {
    /// Feeds one frame; reports a beep when a tone of beep length ended and
    /// no other tone followed it at once.
    pub fn push(&mut self, f: &Features) -> Option<Beep> {
        let tone = single_tone(f).filter(|hz| (300.0..=3000.0).contains(hz));
        match (tone, self.run) {
            (Some(hz), Some((start, n))) if (hz - start).abs() <= BEEP_DRIFT_HZ => {
                self.run = Some((start, n + 1));
                return None;
            }
            (Some(hz), _) => {
                self.end_run();
                // A tone right after a finished one: a sequence, not a beep.
                self.candidate = None;
                self.run = Some((hz, 1));
                return None;
            }
            (None, Some(_)) => self.end_run(),
            (None, None) => {}
        }
        if let Some((beep, after)) = &mut self.candidate {
            *after += 1;
            if *after * FRAME_MS >= BEEP_AFTER_MS {
                let beep = *beep;
                self.candidate = None;
                return Some(beep);
            }
        }
        None
    }

    fn end_run(&mut self) {
        if let Some((hz, n)) = self.run.take() {
            let ms = n * FRAME_MS;
            if (BEEP_MIN_MS..=BEEP_MAX_MS).contains(&ms) {
                self.candidate = Some((Beep { hz, ms }, 0));
            }
        }
    }
}

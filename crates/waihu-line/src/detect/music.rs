//! Music versus speech over one-second windows. Music (ringback songs, 彩铃)
//! sounds without gaps and holds its spectrum from frame to frame while its
//! strongest pitch moves between notes; speech leaves gaps between syllables
//! and changes its spectrum every few frames; a ring tone holds one pitch.
//! Three measures over the last second decide: the share of sounding frames,
//! the mean similarity of consecutive spectra, and how many different peak
//! frequencies there were.

use crate::dsp::{Features, BINS};
use std::collections::VecDeque;

/// Frames in a window (1 s).
const WINDOW: usize = 50;
/// Share of sounding frames a music window has.
pub const MIN_SOUNDING: f32 = 0.95;
/// Mean cosine similarity of consecutive magnitude spectra.
pub const MIN_SIMILARITY: f32 = 0.90;
/// Different peak bins in the window (a steady tone has one or two).
const MIN_PEAKS: usize = 3;
/// Music windows in a row before it is music (one more second).
const WINDOWS_IN_A_ROW: u32 = 50;

/// Finds music.
#[derive(Debug, Default)]
pub struct MusicDetector {
    prev: Option<[f32; BINS]>,
    window: VecDeque<(bool, f32, usize)>,
    in_a_row: u32,
}

/// The three measures of one window (exposed for calibration).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowStats {
    /// Share of sounding frames.
    pub sounding: f32,
    /// Mean similarity of consecutive spectra.
    pub similarity: f32,
    /// Different peak bins.
    pub peaks: usize,
}

impl MusicDetector {
    /// Feeds one frame (`sound`: from the activity tracker); true once music
    /// has lasted two seconds.
    pub fn push(&mut self, f: &Features, sound: bool) -> bool {
        let stats = self.stats_after(f, sound);
        let music = stats.is_some_and(|s| {
            s.sounding >= MIN_SOUNDING && s.similarity >= MIN_SIMILARITY && s.peaks >= MIN_PEAKS
        });
        self.in_a_row = if music { self.in_a_row + 1 } else { 0 };
        self.in_a_row == WINDOWS_IN_A_ROW
    }

    /// Adds a frame and returns the window's measures once it is full.
    pub fn stats_after(&mut self, f: &Features, sound: bool) -> Option<WindowStats> {
        let mag: [f32; BINS] = std::array::from_fn(|k| f.spectrum[k].max(0.0).sqrt());
        let sim = match &self.prev {
            Some(p) => {
                let dot: f32 = p.iter().zip(&mag).map(|(a, b)| a * b).sum();
                let na: f32 = p.iter().map(|a| a * a).sum::<f32>().sqrt();
                let nb: f32 = mag.iter().map(|a| a * a).sum::<f32>().sqrt();
                if na > 0.0 && nb > 0.0 {
                    dot / (na * nb)
                } else {
                    0.0
                }
            }
            None => 0.0,
        };
        self.prev = Some(mag);
        let peak = (f.peak().0 / crate::dsp::BIN_HZ).round() as usize;
        self.window.push_back((sound, sim, peak));
        if self.window.len() > WINDOW {
            self.window.pop_front();
        }
        if self.window.len() < WINDOW {
            return None;
        }
        let n = self.window.len() as f32;
        let sounding = self.window.iter().filter(|w| w.0).count() as f32 / n;
        let similarity = self.window.iter().map(|w| w.1).sum::<f32>() / n;
        let mut peaks: Vec<usize> = self.window.iter().filter(|w| w.0).map(|w| w.2).collect();
        peaks.sort_unstable();
        peaks.dedup();
        Some(WindowStats {
            sounding,
            similarity,
            peaks: peaks.len(),
        })
    }
}

//! Special information tones (ITU-T E.180 / Telcordia): three segments near
//! 913.8 or 985.2 Hz, then 1370.6 or 1428.5 Hz, then 1776.7 Hz, each short
//! (~274 ms) or long (~380 ms). The frequencies and lengths of the first two
//! segments name the condition, which hints the announcement's reason.

use crate::class::Reason;
use crate::dsp::{Features, Tone};
use crate::FRAME_MS;

/// A segment longer than this is long (between 274 and 380 ms, with one
/// frame of slack at either end).
const LONG_MS: u64 = 320;
/// Shortest and longest plausible segment.
const MIN_SEG_MS: u64 = 200;
const MAX_SEG_MS: u64 = 480;
/// The third segment is taken as present after this long.
const THIRD_MS: u64 = 200;
/// A frame belongs to a SIT frequency when that filter holds this share.
const SHARE: f32 = 0.5;
/// Gap tolerated between segments (some networks leave a few ms).
const MAX_GAP_MS: u64 = 80;

/// The eight SIT codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SitPattern {
    /// Intercept (number changed or disconnected).
    Intercept,
    /// Vacant code (number not assigned).
    VacantCode,
    /// Reorder, intra-network.
    ReorderIntra,
    /// Reorder, inter-network.
    ReorderInter,
    /// No circuit, intra-network.
    NoCircuitIntra,
    /// No circuit, inter-network.
    NoCircuitInter,
    /// Ineffective other.
    IneffectiveOther,
    /// Reserved for future use.
    Reserved,
}

impl SitPattern {
    /// Every pattern.
    pub const ALL: [SitPattern; 8] = [
        SitPattern::Intercept,
        SitPattern::VacantCode,
        SitPattern::ReorderIntra,
        SitPattern::ReorderInter,
        SitPattern::NoCircuitIntra,
        SitPattern::NoCircuitInter,
        SitPattern::IneffectiveOther,
        SitPattern::Reserved,
    ];

    /// (first segment high?, first long?, second high?, second long?)
    fn code(self) -> (bool, bool, bool, bool) {
        match self {
            SitPattern::Intercept => (false, false, false, false),
            SitPattern::VacantCode => (true, true, false, false),
            SitPattern::ReorderIntra => (false, true, true, false),
            SitPattern::ReorderInter => (true, false, false, true),
            SitPattern::NoCircuitIntra => (false, true, false, true),
            SitPattern::NoCircuitInter => (true, true, true, true),
            SitPattern::IneffectiveOther => (false, false, true, true),
            SitPattern::Reserved => (true, false, true, false),
        }
    }

    /// The three (frequency Hz, duration ms) segments.
    pub fn segments(self) -> [(f64, u64); 3] {
        let (h1, l1, h2, l2) = self.code();
        let len = |long: bool| if long { 380 } else { 274 };
        [
            (if h1 { 985.2 } else { 913.8 }, len(l1)),
            (if h2 { 1428.5 } else { 1370.6 }, len(l2)),
            (1776.7, 380),
        ]
    }

    /// The announcement reason the code implies.
    pub fn reason(self) -> Reason {
        match self {
            SitPattern::Intercept | SitPattern::VacantCode => Reason::VacantNumber,
            SitPattern::NoCircuitIntra | SitPattern::NoCircuitInter => Reason::Unreachable,
            _ => Reason::Other,
        }
    }

    fn from_code(code: (bool, bool, bool, bool)) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// Which SIT frequency a frame carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    First { high: bool },
    Second { high: bool },
    Third,
}

fn label(f: &Features) -> Option<Label> {
    if !f.audible() {
        return None;
    }
    let pick = |a: Tone, b: Tone| {
        let (x, y) = (f.tone(a), f.tone(b));
        (x.max(y) >= SHARE).then_some(y > x)
    };
    if f.tone(Tone::Sit3) >= SHARE {
        return Some(Label::Third);
    }
    if let Some(high) = pick(Tone::SitLow1, Tone::SitHigh1) {
        return Some(Label::First { high });
    }
    pick(Tone::SitLow2, Tone::SitHigh2).map(|high| Label::Second { high })
}

/// A run of frames with one label.
#[derive(Debug, Clone, Copy)]
struct Run {
    label: Option<Label>,
    frames: u64,
}

/// Finds a SIT in a stream of frames.
#[derive(Debug, Default)]
pub struct SitDetector {
    /// Finished runs, most recent last (at most four kept).
    runs: Vec<Run>,
    /// The current run.
    current: Option<Run>,
    /// Reported already.
    done: bool,
}

impl SitDetector {
    /// Feeds one frame; returns the pattern once, when the third segment has
    /// lasted long enough.
    pub fn push(&mut self, f: &Features) -> Option<SitPattern> {
        if self.done {
            return None;
        }
        let l = label(f);
        match &mut self.current {
            Some(run) if run.label == l => run.frames += 1,
            _ => {
                if let Some(run) = self.current.take() {
                    self.runs.push(run);
                    if self.runs.len() > 5 {
                        self.runs.remove(0);
                    }
                }
                self.current = Some(Run {
                    label: l,
                    frames: 1,
                });
            }
        }
        let cur = self.current?;
        if cur.label != Some(Label::Third) || cur.frames * FRAME_MS < THIRD_MS {
            return None;
        }
        // Walk back over the finished runs: second, first, skipping short gaps.
        let mut segs = Vec::new();
        for run in self.runs.iter().rev() {
            match run.label {
                None if run.frames * FRAME_MS <= MAX_GAP_MS => continue,
                Some(l) => segs.push((l, run.frames * FRAME_MS)),
                None => break,
            }
            if segs.len() == 2 {
                break;
            }
        }
        let [(second, d2), (first, d1)] = segs[..] else {
            return None;
        };
        let ok = |d: u64| (MIN_SEG_MS..=MAX_SEG_MS).contains(&d);
        let (Label::First { high: h1 }, Label::Second { high: h2 }) = (first, second) else {
            return None;
        };
        if !ok(d1) || !ok(d2) {
            return None;
        }
        let found = SitPattern::from_code((h1, d1 > LONG_MS, h2, d2 > LONG_MS));
        self.done = found.is_some();
        found
    }
}

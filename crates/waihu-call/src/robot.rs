//! The robot's side of the line: which prompts are queued or playing, with
//! their text, flags and estimated times, and the robot's level at any
//! moment (the echo guard's reference).

use std::sync::Arc;

use crate::endpoint::{rms, FRAME};

/// One prompt handed to the RTP session.
#[derive(Debug, Clone)]
pub struct Segment {
    /// Playback id from the RTP session.
    pub id: u64,
    /// Barge-in may stop it.
    pub interruptible: bool,
    /// It is the disclosure.
    pub disclosure: bool,
    /// Estimated start on the media clock, ms.
    pub start_ms: u64,
    /// Length, ms.
    pub duration_ms: u64,
    /// RMS per 20 ms frame.
    levels: Arc<[f32]>,
    /// Actual end, once finished or stopped.
    pub ended_ms: Option<u64>,
    /// Stopped early.
    pub stopped: bool,
}

/// Prompts played during one call.
#[derive(Debug, Default)]
pub struct Robot {
    /// Every prompt so far, in order.
    pub segments: Vec<Segment>,
}

impl Robot {
    /// Notes a prompt queued at `now_ms` with id `id`; returns its
    /// estimated start.
    pub fn queued(
        &mut self,
        id: u64,
        audio: &[i16],
        interruptible: bool,
        disclosure: bool,
        now_ms: u64,
    ) -> u64 {
        let start_ms = self
            .segments
            .iter()
            .filter(|s| s.ended_ms.is_none())
            .map(|s| s.start_ms + s.duration_ms)
            .max()
            .unwrap_or(now_ms)
            .max(now_ms);
        let levels: Arc<[f32]> = audio.chunks(FRAME).map(rms).collect::<Vec<_>>().into();
        self.segments.push(Segment {
            id,
            interruptible,
            disclosure,
            start_ms,
            duration_ms: audio.len() as u64 / 8,
            levels,
            ended_ms: None,
            stopped: false,
        });
        start_ms
    }

    /// Marks a playback finished (or stopped) at `now_ms`.
    pub fn finished(&mut self, id: u64, stopped: bool, now_ms: u64) {
        if let Some(s) = self.segments.iter_mut().find(|s| s.id == id) {
            if s.ended_ms.is_none() {
                s.ended_ms = Some(now_ms.max(s.start_ms));
                s.stopped = stopped;
            }
        }
    }

    /// The prompt playing at `now_ms` (the earliest not yet finished).
    pub fn current(&self) -> Option<&Segment> {
        self.segments.iter().find(|s| s.ended_ms.is_none())
    }

    /// Whether anything is queued or playing.
    pub fn busy(&self) -> bool {
        self.current().is_some()
    }

    /// Whether the prompt playing now may be interrupted.
    pub fn interruptible_now(&self) -> bool {
        self.current().is_none_or(|s| s.interruptible)
    }

    /// Whether a prompt that may not be interrupted is queued or playing.
    pub fn uninterruptible_pending(&self) -> bool {
        self.segments
            .iter()
            .any(|s| s.ended_ms.is_none() && !s.interruptible)
    }

    /// The loudest robot level in `[t_ms - window_ms, t_ms]`, if the robot
    /// was playing then.
    pub fn level_around(&self, t_ms: u64, window_ms: u64) -> Option<f32> {
        let from = t_ms.saturating_sub(window_ms);
        let mut best: Option<f32> = None;
        for s in self.segments.iter().rev() {
            let end = s.ended_ms.unwrap_or(s.start_ms + s.duration_ms);
            if end < from || s.start_ms > t_ms {
                continue;
            }
            let lo = (from.max(s.start_ms) - s.start_ms) / 20;
            let hi = (t_ms.min(end) - s.start_ms) / 20;
            for i in lo..=hi {
                if let Some(&l) = s.levels.get(i as usize) {
                    best = Some(best.map_or(l, |b| b.max(l)));
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_times_and_levels() {
        let mut r = Robot::default();
        let loud = vec![4000i16; 8000]; // 1 s
        let s1 = r.queued(1, &loud, false, true, 100);
        let s2 = r.queued(2, &vec![100i16; 4000], true, false, 150);
        assert_eq!((s1, s2), (100, 1100));
        assert!(!r.interruptible_now() && r.uninterruptible_pending());
        assert!(r.level_around(600, 200).is_some_and(|l| l > 3000.0));
        assert!(r.level_around(1500, 100).is_some_and(|l| l < 200.0));
        assert_eq!(r.level_around(50, 20), None);
        r.finished(1, false, 1100);
        assert!(r.interruptible_now() && !r.uninterruptible_pending());
        r.finished(2, true, 1200);
        assert!(!r.busy());
        assert_eq!(r.level_around(5000, 200), None);
    }
}

//! A small reorder/jitter buffer: packets are held by sequence number and
//! played out one 20 ms frame per tick after a short prefill. Late packets
//! (behind the playout point) are dropped; a gap plays as silence.
//!
//! After a stall (either side's scheduler late, a burst from the network) the
//! backlog grows. The buffer never throws speech away to catch up: once its
//! ticks are on time again, the player drops frames inside pauses (a quiet
//! frame followed by another) while [`JitterBuffer::is_behind`] says so, the
//! way a listener loses a pause but not a word. Only a backlog of seconds (the peer
//! restarted, a clock jumped) resynchronises at once.

use std::collections::BTreeMap;

/// Jitter buffer of encoded frames keyed by extended sequence number.
#[derive(Debug)]
pub struct JitterBuffer {
    /// Frames waiting, by extended sequence.
    frames: BTreeMap<u64, Vec<u8>>,
    /// Next sequence to play; `None` until prefilled.
    next: Option<u64>,
    /// Frames to hold before starting playout.
    depth: usize,
    /// Highest extended sequence seen (for unwrapping).
    highest: Option<u64>,
    /// Packets dropped because they arrived after their playout slot.
    pub late: u64,
    /// Quiet frames dropped to catch up after a stall.
    pub skipped_quiet: u64,
}

/// A backlog this long (3 s of 20 ms frames) is not a stall but a restart:
/// resynchronise at once.
const RESYNC_FRAMES: usize = 150;

impl JitterBuffer {
    /// A buffer that starts playing after `depth` frames (1–10).
    pub fn new(depth: usize) -> JitterBuffer {
        JitterBuffer {
            frames: BTreeMap::new(),
            next: None,
            depth: depth.clamp(1, 10),
            highest: None,
            late: 0,
            skipped_quiet: 0,
        }
    }

    /// Extend a 16-bit sequence to 64 bits relative to the highest seen.
    pub fn extend_seq(highest: Option<u64>, seq: u16) -> u64 {
        let Some(h) = highest else {
            return seq as u64 + (1 << 16);
        };
        let base = h & !0xFFFF;
        let candidates = [base.wrapping_sub(1 << 16), base, base + (1 << 16)];
        candidates
            .into_iter()
            .map(|b| b + seq as u64)
            .min_by_key(|c| c.abs_diff(h))
            .unwrap_or(base + seq as u64)
    }

    /// Insert a frame; returns its extended sequence number.
    pub fn push(&mut self, seq: u16, payload: &[u8]) -> u64 {
        let ext = Self::extend_seq(self.highest, seq);
        if self.highest.is_none_or(|h| ext > h) {
            self.highest = Some(ext);
        }
        if self.next.is_some_and(|n| ext < n) {
            self.late += 1;
            return ext;
        }
        self.frames.entry(ext).or_insert_with(|| payload.to_vec());
        // A backlog of seconds (peer restarted, clock jump): resynchronise
        // rather than grow without bound. Shorter stalls are caught up in
        // the pauses (see `is_behind`).
        if self.frames.len() > RESYNC_FRAMES.max(self.depth * 4 + 8) {
            let drop_to = ext.saturating_sub(self.depth as u64);
            self.frames = self.frames.split_off(&drop_to);
            self.next = Some(drop_to);
        }
        ext
    }

    /// Take the next frame in sequence, or `None` if it is not there yet
    /// (still prefilling, or waiting for it). A missing frame is given up
    /// as lost once `depth` later frames are waiting behind it. Frames may
    /// carry any duration (20 or 30 ms): the caller pulls as many as it needs.
    pub fn pop(&mut self) -> Option<Vec<u8>> {
        let next = match self.next {
            Some(n) => n,
            None => {
                if self.frames.len() < self.depth {
                    return None;
                }
                *self.frames.keys().next()?
            }
        };
        if let Some(f) = self.frames.remove(&next) {
            self.next = Some(next + 1);
            return Some(f);
        }
        self.next = Some(next);
        if self.frames.len() >= self.depth {
            let (first, f) = self.frames.pop_first()?;
            self.next = Some(first + 1);
            return Some(f);
        }
        None
    }

    /// Frames currently held.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether no frame is held.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The frame the next [`pop`](Self::pop) returns, if it is there.
    pub fn peek_next(&self) -> Option<&[u8]> {
        self.frames.get(&self.next?).map(Vec::as_slice)
    }

    /// Whether playout lags behind arrival by more than the buffer's slack
    /// (twice its depth plus two frames): the player may then drop quiet
    /// frames to catch up.
    pub fn is_behind(&self) -> bool {
        self.next.is_some() && self.frames.len() > self.depth * 2 + 2
    }
}

/// Whether a decoded frame is a pause (line silence or faint noise), which
/// may be dropped to catch up without losing a word.
pub fn is_quiet(samples: &[i16]) -> bool {
    // About -54 dBFS: line silence and faint noise, below the soft onset of
    // a fricative (s, x, q, j) that tells one digit from another.
    const QUIET_MEAN_ABS: u64 = 64;
    !samples.is_empty()
        && samples.iter().map(|s| s.unsigned_abs() as u64).sum::<u64>() / (samples.len() as u64)
            < QUIET_MEAN_ABS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reorders_within_depth() {
        let mut jb = JitterBuffer::new(3);
        jb.push(10, &[10]);
        jb.push(12, &[12]);
        assert_eq!(jb.pop(), None, "still prefilling");
        jb.push(11, &[11]);
        assert_eq!(jb.pop(), Some(vec![10]));
        assert_eq!(jb.pop(), Some(vec![11]));
        assert_eq!(jb.pop(), Some(vec![12]));
        assert_eq!(jb.pop(), None, "waiting for 13");
        jb.push(13, &[13]);
        assert_eq!(jb.pop(), Some(vec![13]));
        // 14 is lost: once 3 later frames wait, it is skipped.
        jb.push(15, &[15]);
        jb.push(16, &[16]);
        assert_eq!(jb.pop(), None);
        jb.push(17, &[17]);
        assert_eq!(jb.pop(), Some(vec![15]));
        jb.push(14, &[14]);
        assert_eq!(jb.late, 1);
        assert_eq!(jb.pop(), Some(vec![16]));
    }

    #[test]
    fn wraps_sequence_numbers() {
        let mut jb = JitterBuffer::new(1);
        jb.push(65534, &[1]);
        jb.push(65535, &[2]);
        jb.push(0, &[3]);
        jb.push(1, &[4]);
        let got: Vec<_> = (0..4).filter_map(|_| jb.pop()).collect();
        assert_eq!(got, vec![vec![1], vec![2], vec![3], vec![4]]);
    }

    #[test]
    fn bounded_under_burst() {
        let mut jb = JitterBuffer::new(2);
        for s in 0..1000u16 {
            jb.push(s, &[0]);
        }
        assert!(jb.len() <= RESYNC_FRAMES + 1);
    }

    /// A stall of a second (50 frames arriving at once) keeps every frame:
    /// none is dropped by the buffer itself, and it reports being behind
    /// until the backlog is down to its slack.
    #[test]
    fn a_one_second_burst_keeps_every_frame() {
        let mut jb = JitterBuffer::new(3);
        for s in 0..3u16 {
            jb.push(s, &[s as u8]);
        }
        assert_eq!(jb.pop(), Some(vec![0]));
        assert!(!jb.is_behind());
        for s in 3..53u16 {
            jb.push(s, &[s as u8]);
        }
        assert!(jb.is_behind());
        let mut got = vec![];
        while let Some(f) = jb.pop() {
            got.push(f[0]);
        }
        assert_eq!(got, (1..53).map(|s| s as u8).collect::<Vec<_>>());
        assert!(!jb.is_behind());
    }

    #[test]
    fn quiet_means_a_pause_not_speech() {
        assert!(is_quiet(&[0; 160]));
        assert!(is_quiet(&[40, -60, 30, -20]));
        assert!(!is_quiet(&[150, -160, 140, -120]), "a soft onset");
        let tone: Vec<i16> = (0..160)
            .map(|i| ((i as f32 * 0.3).sin() * 3000.0) as i16)
            .collect();
        assert!(!is_quiet(&tone));
        assert!(!is_quiet(&[]));
    }
}

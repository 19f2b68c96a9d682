//! RTP statistics: packets sent/received, loss from sequence gaps and the
//! RFC 3550 interarrival jitter estimate, plus an optional shared histogram
//! of send-interval deviation used by `waihu bench media`.

use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of one session's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RtpStats {
    /// Packets sent (audio and DTMF).
    pub sent: u64,
    /// Packets received from the peer.
    pub received: u64,
    /// Packets expected but never received (from sequence numbers).
    pub lost: u64,
    /// Interarrival jitter, milliseconds (RFC 3550 §6.4.1).
    pub jitter_ms: f64,
    /// Packets that arrived too late for playout.
    pub late: u64,
    /// Quiet received frames dropped to catch up after a stall.
    pub skipped_quiet: u64,
}

/// Receive-side loss/jitter accounting for one SSRC.
#[derive(Debug, Default)]
pub struct ReceiveStats {
    base_seq: Option<u64>,
    max_seq: u64,
    received: u64,
    jitter: f64,
    last_transit: Option<i64>,
}

impl ReceiveStats {
    /// Account one packet with extended sequence `ext_seq`, RTP timestamp
    /// `ts` and arrival time `arrival_units` in the same 8 kHz units.
    pub fn on_packet(&mut self, ext_seq: u64, ts: u32, arrival_units: i64) {
        self.received += 1;
        if self.base_seq.is_none_or(|b| ext_seq < b) {
            self.base_seq = Some(ext_seq);
        }
        self.max_seq = self.max_seq.max(ext_seq);
        let transit = arrival_units - ts as i64;
        if let Some(last) = self.last_transit {
            let d = (transit - last).abs() as f64;
            self.jitter += (d - self.jitter) / 16.0;
        }
        self.last_transit = Some(transit);
    }

    /// Highest extended sequence number seen.
    pub fn highest(&self) -> Option<u64> {
        self.base_seq.map(|_| self.max_seq)
    }

    /// Packets received.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Packets lost so far (never negative: duplicates do not count).
    pub fn lost(&self) -> u64 {
        match self.base_seq {
            Some(b) => (self.max_seq - b + 1).saturating_sub(self.received),
            None => 0,
        }
    }

    /// Jitter in milliseconds.
    pub fn jitter_ms(&self) -> f64 {
        self.jitter / 8.0
    }
}

/// Histogram of send-tick lateness in 0.1 ms buckets up to 100 ms, shared
/// by many sessions (lock-free).
#[derive(Debug)]
pub struct SendJitterHistogram {
    buckets: Vec<AtomicU64>,
}

impl Default for SendJitterHistogram {
    fn default() -> Self {
        SendJitterHistogram {
            buckets: (0..1001).map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

impl SendJitterHistogram {
    /// Record one deviation in microseconds.
    pub fn record_us(&self, us: u64) {
        let i = ((us / 100) as usize).min(self.buckets.len() - 1);
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
    }

    /// Number of samples.
    pub fn count(&self) -> u64 {
        self.buckets.iter().map(|b| b.load(Ordering::Relaxed)).sum()
    }

    /// The `q` quantile (0..=1) in milliseconds (bucket upper bound).
    pub fn quantile_ms(&self, q: f64) -> f64 {
        let total = self.count();
        if total == 0 {
            return 0.0;
        }
        let target = ((total as f64) * q).ceil().max(1.0) as u64;
        let mut acc = 0;
        for (i, b) in self.buckets.iter().enumerate() {
            acc += b.load(Ordering::Relaxed);
            if acc >= target {
                return (i + 1) as f64 / 10.0;
            }
        }
        100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loss_counts_gaps() {
        let mut s = ReceiveStats::default();
        for seq in [100u64, 101, 103, 104, 106] {
            s.on_packet(seq, (seq * 160) as u32, (seq * 160) as i64);
        }
        assert_eq!(s.received(), 5);
        assert_eq!(s.lost(), 2);
        assert!(s.jitter_ms() < 0.001);
    }

    #[test]
    fn jitter_grows_with_irregular_arrival() {
        let mut s = ReceiveStats::default();
        for seq in 0..50u64 {
            let wobble = if seq % 2 == 0 { 0 } else { 80 };
            s.on_packet(seq, (seq * 160) as u32, (seq * 160 + wobble) as i64);
        }
        assert!(s.jitter_ms() > 5.0, "{}", s.jitter_ms());
    }

    #[test]
    fn histogram_quantiles() {
        let h = SendJitterHistogram::default();
        for us in 0..100 {
            h.record_us(us * 10);
        }
        h.record_us(50_000);
        assert_eq!(h.count(), 101);
        assert!(h.quantile_ms(0.5) <= 0.6);
        assert!(h.quantile_ms(1.0) >= 50.0);
    }
}

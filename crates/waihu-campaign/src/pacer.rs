//! Call-attempt pacing: at most N new attempts per second on a trunk (carriers
//! cut trunks that exceed their CPS). Each caller reserves the next free slot
//! and sleeps until it, so bursts are spread evenly and nobody is starved.

use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Spaces call attempts at least `1 / cps` seconds apart.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    next_slot: Mutex<Option<Instant>>,
}

impl Pacer {
    /// A pacer for `cps` attempts per second; 0 or less means unlimited.
    pub fn new(cps: f64) -> Pacer {
        let interval = if cps > 0.0 && cps.is_finite() {
            Duration::from_secs_f64(1.0 / cps)
        } else {
            Duration::ZERO
        };
        Pacer {
            interval,
            next_slot: Mutex::new(None),
        }
    }

    /// Reserves the next slot; returns when it comes.
    pub async fn wait(&self) {
        let slot = self.reserve(Instant::now());
        tokio::time::sleep_until(slot).await;
    }

    /// Reserves the next slot at or after `now` and returns it.
    pub fn reserve(&self, now: Instant) -> Instant {
        let mut next = self.next_slot.lock().unwrap_or_else(|e| e.into_inner());
        let slot = match *next {
            Some(n) if n > now => n,
            _ => now,
        };
        *next = Some(slot + self.interval);
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_spaced_by_the_interval() {
        let p = Pacer::new(4.0);
        let t0 = Instant::now();
        let slots: Vec<_> = (0..5).map(|_| p.reserve(t0)).collect();
        for (i, s) in slots.iter().enumerate() {
            assert_eq!(*s - t0, Duration::from_millis(250 * i as u64));
        }
        // After an idle period, the next caller goes at once.
        let later = t0 + Duration::from_secs(10);
        assert_eq!(p.reserve(later), later);
    }

    #[test]
    fn unlimited_never_waits() {
        let p = Pacer::new(0.0);
        let t0 = Instant::now();
        assert!((0..100).all(|_| p.reserve(t0) == t0));
    }
}

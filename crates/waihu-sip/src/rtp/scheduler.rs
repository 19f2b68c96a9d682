//! The media clock. Instead of two tasks per call (a 20 ms sender and a
//! receiver, i.e. 100+ task wake-ups per second per call), a few shard tasks
//! tick every 20 ms and, for each of their sessions, drain the non-blocking
//! socket, play out one frame and send one packet. Shards start at staggered
//! phases so their work is spread over the 20 ms period. Ticks run on
//! absolute deadlines (late ticks are caught up), so there is no drift.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

use super::session::{process, Scratch, Shared};

pub(super) const TICK: Duration = Duration::from_millis(20);

/// Assigns sessions to shards.
pub(crate) struct Scheduler {
    shards: Vec<OnceLock<mpsc::UnboundedSender<Arc<Shared>>>>,
    next: AtomicUsize,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("shards", &self.shards.len())
            .finish()
    }
}

impl Scheduler {
    /// A scheduler with `shards` shard tasks (started lazily, inside the
    /// runtime, on first use).
    pub(crate) fn new(shards: usize) -> Scheduler {
        Scheduler {
            shards: (0..shards.max(1)).map(|_| OnceLock::new()).collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// Default shard count: eight per CPU. Small shards at staggered phases
    /// keep each batch short, so packets leave close to their deadline.
    pub(crate) fn default_shards() -> usize {
        std::thread::available_parallelism().map_or(8, |n| n.get() * 8)
    }

    /// Start ticking a session.
    pub(crate) fn add(&self, session: Arc<Shared>) {
        let n = self.shards.len();
        let i = self.next.fetch_add(1, Ordering::Relaxed) % n;
        let tx = self.shards[i].get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            let phase = TICK * i as u32 / n as u32;
            tokio::spawn(shard(rx, phase));
            tx
        });
        let _ = tx.send(session);
    }
}

async fn shard(mut incoming: mpsc::UnboundedReceiver<Arc<Shared>>, phase: Duration) {
    let mut sessions: Vec<Arc<Shared>> = Vec::new();
    let mut scratch = Scratch::default();
    let mut interval = tokio::time::interval_at(Instant::now() + TICK + phase, TICK);
    interval.set_missed_tick_behavior(MissedTickBehavior::Burst);
    loop {
        let scheduled = interval.tick().await;
        loop {
            match incoming.try_recv() {
                Ok(s) => sessions.push(s),
                Err(mpsc::error::TryRecvError::Empty) => break,
                Err(mpsc::error::TryRecvError::Disconnected) => {
                    if sessions.is_empty() {
                        return; // engine gone and nothing left to tick
                    }
                    break;
                }
            }
        }
        sessions.retain(|s| !s.closed.load(Ordering::Relaxed));
        for s in &sessions {
            process(s, &mut scratch, scheduled);
        }
    }
}

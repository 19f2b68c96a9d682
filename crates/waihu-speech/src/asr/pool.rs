//! A bounded pool of recognition workers shared by every call of a process.
//!
//! Recognition is CPU-bound and blocks. Running it on a fixed number of
//! threads (by default one per core) keeps many calls from oversubscribing
//! the CPU; jobs wait in one first-in-first-out queue, so calls are served
//! in the order their utterances ended — fair, since a call has at most
//! one or two utterances in flight. When the pool is saturated, jobs wait
//! longer (latency grows) but none is refused or dropped. A job may carry a
//! cancellation flag (a speculative recognition made obsolete because the
//! callee went on speaking): if it is set before the job starts, the job is
//! skipped. The pool knows nothing of async runtimes: the result is handed
//! to a callback on the worker thread.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::{Asr, AsrError, Transcript};

/// The result of one pool job.
#[derive(Debug)]
pub struct PoolOutcome {
    /// The recognition, or `None` if the job was cancelled before it ran.
    pub result: Option<Result<Transcript, AsrError>>,
    /// Time spent waiting in the queue.
    pub queued: Duration,
    /// Time spent recognising.
    pub decode: Duration,
}

/// What to call with the outcome.
type Done = Box<dyn FnOnce(PoolOutcome) + Send>;

/// One queued job.
struct Job {
    /// 8 kHz mono PCM of the utterance.
    audio: Vec<i16>,
    /// Set by the submitter when the result is no longer wanted.
    cancel: Option<Arc<AtomicBool>>,
    /// When it was queued.
    queued_at: Instant,
    /// Receives the outcome.
    done: Done,
}

/// State shared by the pool handle and its workers.
struct Shared {
    /// The recogniser.
    asr: Arc<dyn Asr>,
    /// Waiting jobs, oldest first.
    queue: Mutex<VecDeque<Job>>,
    /// Signalled when a job is queued or the pool shuts down.
    ready: Condvar,
    /// Set when the pool is dropped: workers finish the queue, then exit.
    shutdown: AtomicBool,
    /// Jobs being recognised right now.
    busy: AtomicU64,
    /// Jobs completed (recognised or failed).
    completed: AtomicU64,
    /// Jobs skipped because they were cancelled.
    cancelled: AtomicU64,
    /// Total audio recognised, ms.
    audio_ms: AtomicU64,
    /// Total time spent recognising, µs.
    decode_us: AtomicU64,
}

/// Counters of a pool since it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolStats {
    /// Worker threads.
    pub workers: usize,
    /// Jobs waiting now.
    pub queued: usize,
    /// Jobs being recognised now.
    pub busy: u64,
    /// Jobs finished.
    pub completed: u64,
    /// Jobs skipped as cancelled.
    pub cancelled: u64,
    /// Audio recognised, ms.
    pub audio_ms: u64,
    /// Time spent recognising, µs (over all workers).
    pub decode_us: u64,
}

impl PoolStats {
    /// Real-time factor: recognition time per second of audio (lower is
    /// faster; 0.2 means 1 s of speech took 0.2 s of one worker).
    pub fn real_time_factor(&self) -> f64 {
        if self.audio_ms == 0 {
            0.0
        } else {
            self.decode_us as f64 / 1000.0 / self.audio_ms as f64
        }
    }
}

/// A fixed set of worker threads running one recogniser.
pub struct AsrPool {
    /// Shared with the workers.
    shared: Arc<Shared>,
    /// Number of workers.
    workers: usize,
}

impl std::fmt::Debug for AsrPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsrPool")
            .field("workers", &self.workers)
            .finish_non_exhaustive()
    }
}

impl AsrPool {
    /// Starts `workers` threads (at least one) running `asr`.
    pub fn new(asr: Arc<dyn Asr>, workers: usize) -> Result<Self, AsrError> {
        let workers = workers.max(1);
        let shared = Arc::new(Shared {
            asr,
            queue: Mutex::new(VecDeque::new()),
            ready: Condvar::new(),
            shutdown: AtomicBool::new(false),
            busy: AtomicU64::new(0),
            completed: AtomicU64::new(0),
            cancelled: AtomicU64::new(0),
            audio_ms: AtomicU64::new(0),
            decode_us: AtomicU64::new(0),
        });
        for i in 0..workers {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name(format!("asr-{i}"))
                .spawn(move || work(&shared))
                .map_err(|e| AsrError::Engine(format!("cannot start ASR worker: {e}")))?;
        }
        Ok(Self { shared, workers })
    }

    /// One worker per available core.
    pub fn per_core(asr: Arc<dyn Asr>) -> Result<Self, AsrError> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::new(asr, cores)
    }

    /// Queues one utterance; `done` is called on a worker thread with the
    /// outcome. Never blocks and never refuses: a saturated pool only
    /// answers later.
    pub fn submit(
        &self,
        audio: Vec<i16>,
        cancel: Option<Arc<AtomicBool>>,
        done: impl FnOnce(PoolOutcome) + Send + 'static,
    ) {
        let job = Job {
            audio,
            cancel,
            queued_at: Instant::now(),
            done: Box::new(done),
        };
        self.shared
            .queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(job);
        self.shared.ready.notify_one();
    }

    /// Counters so far.
    pub fn stats(&self) -> PoolStats {
        let s = &self.shared;
        PoolStats {
            workers: self.workers,
            queued: s.queue.lock().unwrap_or_else(PoisonError::into_inner).len(),
            busy: s.busy.load(Ordering::Relaxed),
            completed: s.completed.load(Ordering::Relaxed),
            cancelled: s.cancelled.load(Ordering::Relaxed),
            audio_ms: s.audio_ms.load(Ordering::Relaxed),
            decode_us: s.decode_us.load(Ordering::Relaxed),
        }
    }
}

impl Drop for AsrPool {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::Relaxed);
        self.shared.ready.notify_all();
    }
}

/// A worker: take the oldest job, run it, repeat until shut down.
fn work(shared: &Shared) {
    loop {
        let job = {
            let mut queue = shared.queue.lock().unwrap_or_else(PoisonError::into_inner);
            loop {
                if let Some(job) = queue.pop_front() {
                    break Some(job);
                }
                if shared.shutdown.load(Ordering::Relaxed) {
                    break None;
                }
                queue = shared
                    .ready
                    .wait(queue)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        };
        let Some(job) = job else { return };
        let queued = job.queued_at.elapsed();
        if job
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
        {
            shared.cancelled.fetch_add(1, Ordering::Relaxed);
            (job.done)(PoolOutcome {
                result: None,
                queued,
                decode: Duration::ZERO,
            });
            continue;
        }
        shared.busy.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        // A panicking engine must not take the worker (and every later
        // call's recognition) down with it.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            shared.asr.transcribe(&job.audio)
        }))
        .unwrap_or_else(|_| Err(AsrError::Engine("the recogniser panicked".into())));
        let decode = started.elapsed();
        shared.busy.fetch_sub(1, Ordering::Relaxed);
        shared.completed.fetch_add(1, Ordering::Relaxed);
        let audio_ms = job.audio.len() as u64 / 8;
        shared.audio_ms.fetch_add(audio_ms, Ordering::Relaxed);
        shared
            .decode_us
            .fetch_add(decode.as_micros() as u64, Ordering::Relaxed);
        (job.done)(PoolOutcome {
            result: Some(result),
            queued,
            decode,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// Echoes the audio length; sleeps a little to occupy the worker.
    struct Slow;
    impl Asr for Slow {
        fn transcribe(&self, audio: &[i16]) -> Result<Transcript, AsrError> {
            std::thread::sleep(Duration::from_millis(5));
            Ok(Transcript {
                text: audio.len().to_string(),
                confidence: 1.0,
                segments: Vec::new(),
                no_speech: 0.0,
                audio_ms: audio.len() as u64 / 8,
            })
        }
    }

    #[test]
    fn every_job_completes_when_saturated() {
        let pool = AsrPool::new(Arc::new(Slow), 2).unwrap();
        let (tx, rx) = mpsc::channel();
        for i in 0..40usize {
            let tx = tx.clone();
            pool.submit(vec![0; i], None, move |o| {
                let _ = tx.send((i, o));
            });
        }
        let mut got: Vec<(usize, String)> = (0..40)
            .map(|_| {
                let (i, o) = rx.recv_timeout(Duration::from_secs(30)).unwrap();
                (i, o.result.unwrap().unwrap().text)
            })
            .collect();
        got.sort();
        for (i, text) in got {
            assert_eq!(text, i.to_string());
        }
        let s = pool.stats();
        assert_eq!((s.completed, s.queued, s.workers), (40, 0, 2));
    }

    #[test]
    fn cancelled_jobs_are_skipped() {
        let pool = AsrPool::new(Arc::new(Slow), 1).unwrap();
        let (tx, rx) = mpsc::channel();
        let flag = Arc::new(AtomicBool::new(true));
        pool.submit(vec![0; 8], Some(flag), move |o| {
            let _ = tx.send(o.result.is_none());
        });
        assert!(rx.recv_timeout(Duration::from_secs(10)).unwrap());
        assert_eq!(pool.stats().cancelled, 1);
    }
}

//! The import pipeline spread over threads, for large files: one thread reads rows
//! and cuts them into numbered batches, workers check the rows of a batch
//! ([`crate::import::validate_row`]) and run the caller's per-contact work on them
//! (hashing, encryption …), and the calling thread takes the batches back in file
//! order for de-duplication, the report and the sink ([`crate::import::Tally`]). The
//! accepted contacts, their order and the report are those of [`crate::import()`].

use crate::contact::{Contact, ImportReport};
use crate::error::{ImportError, RowError};
use crate::import::{validate_row, Tally};
use crate::mapping::Columns;
use crate::options::ImportOptions;
use crate::phone::Normaliser;
use crate::source::{self, OwnedRow, Row, RowVisitor};
use std::collections::BTreeMap;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

/// How to spread an import over threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parallelism {
    /// Threads checking rows (besides the reading thread and the caller's).
    pub workers: usize,
    /// Rows per batch handed to a worker.
    pub batch_rows: usize,
}

impl Parallelism {
    /// One worker per core, 2,048 rows per batch.
    pub fn available() -> Self {
        Self {
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            batch_rows: 2048,
        }
    }
}

/// Rows read, waiting for a worker.
struct Batch {
    seq: u64,
    cols: Arc<Columns>,
    rows: Vec<(u64, OwnedRow)>,
}

/// A batch checked, waiting for its turn.
struct Checked<T> {
    seq: u64,
    cols: Arc<Columns>,
    rows: Vec<Result<(Contact, T), RowError>>,
}

/// [`crate::import()`] with the per-row checks and `map` on worker threads. `map`
/// runs on every contact that passes the per-row checks, including repeats that the
/// in-order de-duplication then drops; `sink` gets the accepted contacts with their
/// `map` result, in row order, on the calling thread.
pub fn import_parallel<T, M, S>(
    bytes: &[u8],
    opts: &ImportOptions,
    par: Parallelism,
    map: M,
    mut sink: S,
) -> Result<ImportReport, ImportError>
where
    T: Send,
    M: Fn(&Contact) -> T + Sync,
    S: FnMut(Contact, T),
{
    let workers = par.workers.max(1);
    // Bounded queues keep memory flat: a few batches per worker in flight.
    let (work_tx, work_rx) = sync_channel::<Batch>(workers * 2);
    let (done_tx, done_rx) = sync_channel::<Checked<T>>(workers * 2);
    let work_rx = Mutex::new(work_rx);
    let mut tally = Tally::new(opts);
    let read = std::thread::scope(|s| {
        let reader = s.spawn(move || {
            let mut b = Batcher {
                opts,
                cols: None,
                rows: Vec::new(),
                seq: 0,
                batch_rows: par.batch_rows.max(1),
                work: work_tx,
                closed: false,
            };
            source::read(bytes, opts.encoding, &mut b)?;
            b.flush();
            Ok::<(), ImportError>(())
        });
        for _ in 0..workers {
            let done = done_tx.clone();
            let (work_rx, map) = (&work_rx, &map);
            s.spawn(move || check(opts, work_rx, done, map));
        }
        drop(done_tx);
        // Batches come back in any order; hand them on in sequence.
        let mut waiting: BTreeMap<u64, Checked<T>> = BTreeMap::new();
        let mut next = 0u64;
        for batch in done_rx {
            waiting.insert(batch.seq, batch);
            while let Some(b) = waiting.remove(&next) {
                next += 1;
                for checked in b.rows {
                    match checked {
                        Ok((c, t)) => {
                            if let Some(c) = tally.accept(&b.cols, Ok(c)) {
                                sink(c, t);
                            }
                        }
                        Err(e) => {
                            tally.accept(&b.cols, Err(e));
                        }
                    }
                }
            }
        }
        reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    read?;
    tally.finish()
}

/// A worker: checks batches until the reader is done.
fn check<T, M: Fn(&Contact) -> T>(
    opts: &ImportOptions,
    work: &Mutex<Receiver<Batch>>,
    done: SyncSender<Checked<T>>,
    map: &M,
) {
    let mut phones = Normaliser::new(opts.default_region);
    loop {
        // A poisoned lock means another worker panicked; the scope re-raises it.
        let next = match work.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(batch) = next else { return };
        let rows = batch
            .rows
            .iter()
            .map(|(row_no, row)| {
                validate_row(opts, &mut phones, &batch.cols, *row_no, row).map(|c| {
                    let t = map(&c);
                    (c, t)
                })
            })
            .collect();
        let checked = Checked {
            seq: batch.seq,
            cols: batch.cols,
            rows,
        };
        if done.send(checked).is_err() {
            return;
        }
    }
}

/// The reading side: resolves the header, cuts the rows into batches.
struct Batcher<'o> {
    opts: &'o ImportOptions,
    cols: Option<Arc<Columns>>,
    rows: Vec<(u64, OwnedRow)>,
    seq: u64,
    batch_rows: usize,
    work: SyncSender<Batch>,
    /// Every worker is gone (one panicked); reading on is pointless.
    closed: bool,
}

impl Batcher<'_> {
    fn flush(&mut self) {
        let Some(cols) = &self.cols else { return };
        if self.rows.is_empty() || self.closed {
            return;
        }
        let batch = Batch {
            seq: self.seq,
            cols: cols.clone(),
            rows: std::mem::replace(&mut self.rows, Vec::with_capacity(self.batch_rows)),
        };
        self.seq += 1;
        self.closed = self.work.send(batch).is_err();
    }
}

impl RowVisitor for Batcher<'_> {
    fn header(&mut self, _row_no: u64, headers: Vec<String>) -> Result<(), ImportError> {
        self.cols = Some(Arc::new(Columns::resolve(headers, &self.opts.mapping)?));
        Ok(())
    }

    fn row<R: Row + ?Sized>(&mut self, row_no: u64, row: &R) {
        if self.closed {
            return;
        }
        self.rows.push((row_no, row.to_owned_row()));
        if self.rows.len() >= self.batch_rows {
            self.flush();
        }
    }
}

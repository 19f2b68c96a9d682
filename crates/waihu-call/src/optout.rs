//! Where an opt-out goes. The interpreter emits "record opt-out" before
//! the hang-up; the conversation awaits the sink's acknowledgement before it
//! executes anything after it, so a number is on the do-not-call list
//! before the robot says goodbye and hangs up. The campaign implements the
//! sink with its do-not-call store.

use std::sync::Mutex;

pub use waihu_dialog::interp::OptOutReason;

/// An opt-out that was not stored. Its text goes into the call's record as is.
#[derive(Debug, thiserror::Error)]
pub enum OptOutError {
    /// The sink's storage failed (the do-not-call store's own error).
    #[error(transparent)]
    Store(Box<dyn std::error::Error + Send + Sync>),
    /// The in-memory list's lock was poisoned by a panic.
    #[error("opt-out list lock poisoned")]
    Poisoned,
}

/// Receives opt-outs (the campaign writes them to the do-not-call list).
#[async_trait::async_trait]
pub trait OptOutSink: Send + Sync {
    /// Records that the callee of this call opted out. `Ok` means it is
    /// durably stored; an error is retried once and then reported in the
    /// call's record.
    async fn opt_out(&self, reason: OptOutReason) -> Result<(), OptOutError>;
}

/// A sink that keeps opt-outs in memory (CLI runs and tests).
#[derive(Debug, Default)]
pub struct MemoryOptOutSink {
    /// Opt-outs received, in order.
    received: Mutex<Vec<OptOutReason>>,
}

impl MemoryOptOutSink {
    /// The opt-outs received so far.
    pub fn received(&self) -> Vec<OptOutReason> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

#[async_trait::async_trait]
impl OptOutSink for MemoryOptOutSink {
    async fn opt_out(&self, reason: OptOutReason) -> Result<(), OptOutError> {
        self.received
            .lock()
            .map_err(|_| OptOutError::Poisoned)?
            .push(reason);
        Ok(())
    }
}

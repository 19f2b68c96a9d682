//! Where an opt-out goes. The interpreter emits "record opt-out" before
//! the hang-up; the conversation awaits the sink's acknowledgement before it
//! executes anything after it, so a number is on the do-not-call list
//! before the robot says goodbye and hangs up. The campaign implements the
//! sink with its do-not-call store.

use std::sync::Mutex;

pub use waihu_dialog::interp::OptOutReason;

/// Receives opt-outs (the campaign writes them to the do-not-call list).
#[async_trait::async_trait]
pub trait OptOutSink: Send + Sync {
    /// Records that the callee of this call opted out. `Ok` means it is
    /// durably stored; an error is retried once and then reported in the
    /// call's record.
    async fn opt_out(&self, reason: OptOutReason) -> Result<(), String>;
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
    async fn opt_out(&self, reason: OptOutReason) -> Result<(), String> {
        self.received
            .lock()
            .map_err(|_| "opt-out list lock poisoned".to_string())?
            .push(reason);
        Ok(())
    }
}

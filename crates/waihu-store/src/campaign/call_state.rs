//! Where a call row stands: persisted before dialling as `in_flight`, then `done`
//! once it is finished, refused by the gate or reconciled after a crash. The
//! outcome (answered, busy, refused, interrupted…) says how it ended.

use crate::error::{StoreError, StoreResult};
use std::fmt;

/// The state of a stored call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallState {
    /// Persisted and being dialled or talked (or its process died meanwhile).
    InFlight,
    /// Ended; its outcome is set.
    Done,
}

impl CallState {
    /// As stored, in the API and on the calls pages.
    pub fn as_str(self) -> &'static str {
        match self {
            CallState::InFlight => "in_flight",
            CallState::Done => "done",
        }
    }

    /// The stored form, or a `Corrupt` error.
    pub(crate) fn parse(s: &str) -> StoreResult<Self> {
        match s {
            "in_flight" => Ok(CallState::InFlight),
            "done" => Ok(CallState::Done),
            other => Err(StoreError::Corrupt {
                table: "calls",
                why: format!("unknown call state {other:?}"),
            }),
        }
    }
}

impl fmt::Display for CallState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip_and_unknown_is_corrupt() {
        for s in [CallState::InFlight, CallState::Done] {
            assert_eq!(CallState::parse(s.as_str()).ok(), Some(s));
        }
        assert_eq!(CallState::InFlight.as_str(), "in_flight");
        assert_eq!(CallState::Done.to_string(), "done");
        match CallState::parse("ringing") {
            Err(StoreError::Corrupt { table, why }) => {
                assert_eq!(table, "calls");
                assert_eq!(why, "unknown call state \"ringing\"");
            }
            other => panic!("{other:?}"),
        }
    }
}

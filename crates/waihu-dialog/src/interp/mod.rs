//! The interpreter: a pure state machine `step(state, event, now) -> (state,
//! actions)`. It never sleeps, reads a clock or does I/O; the call layer (or the
//! text simulator) feeds it events with the time and executes its actions.

mod event;
mod machine;
mod state;

pub use event::{Action, Event, OptOutReason, PromptRef};
pub use machine::{Interpreter, InterpreterError};
pub use state::{Phase, State};

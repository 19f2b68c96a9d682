//! Callee rights as the back office and the API handle them: complaint tickets
//! with their SLA clock and complaint rates (`complaints`), retention periods and
//! the operator's rights settings (`retention`).

pub mod complaints;
pub mod retention;

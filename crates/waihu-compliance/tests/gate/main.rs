//! Table-driven tests of the dial-time gate: every rule at and just past its boundary.

mod cases;
mod policy;

//! Integration tests of waihu-dialog, one binary: golden conversations of the
//! example scripts, one broken script per linter rule, the interpreter's
//! guarantees, malformed input, and the intent corpus.

mod corpus;
mod fuzz;
mod golden;
mod interp;
mod lint_rules;
mod llm;
mod malformed;
mod optout;
mod schema;
mod support;

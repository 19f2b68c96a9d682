//! waihu-dialog: the dialog scripts (话术) of waihu — the script model and its
//! YAML format, the linter, the interpreter (a pure `step(state, event) ->
//! (state, actions)` machine), intent recognition, lead grading and the flow
//! graph drawn as SVG. No I/O except loading a script file.

pub mod corpus;
pub mod grade;
pub mod graph;
pub mod intent;
pub mod interp;
pub mod lint;
pub mod normalize;
pub mod script;
pub mod sim;

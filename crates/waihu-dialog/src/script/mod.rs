//! The script (话术) model and its YAML loader. `model` holds the typed script;
//! `load` parses YAML keeping the line of every key so that findings point at
//! the right line; `finding` is the diagnostic type shared with the linter;
//! `teach` adds phrases callees said to intents and knowledge entries.

mod finding;
mod load;
mod model;
pub mod teach;

pub use finding::Finding;
pub use load::{load_file, load_str, Loaded, Positions};
pub use model::*;

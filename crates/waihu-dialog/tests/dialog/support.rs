//! Shared helpers: the example scripts directory and a minimal valid script.

use std::path::PathBuf;
use waihu_dialog::interp::Interpreter;
use waihu_dialog::script::{load_str, Script};

/// `examples/scripts` at the workspace root.
pub fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/scripts")
}

/// A small valid script; tests replace parts of it to break one rule at a time.
/// The web tests store the same file as a tenant's clean script.
pub const VALID: &str = include_str!("../fixtures/welcome.yaml");

/// Parses YAML that must be a valid script.
pub fn script(yaml: &str) -> Script {
    let l = load_str(yaml);
    assert!(l.findings.is_empty(), "{:?}", l.findings);
    l.script.expect("script parses")
}

/// An interpreter for YAML that must be valid.
pub fn interpreter(yaml: &str) -> Interpreter {
    Interpreter::new(script(yaml)).expect("script compiles")
}

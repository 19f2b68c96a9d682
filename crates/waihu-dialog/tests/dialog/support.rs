//! Shared helpers: the example scripts directory and a minimal valid script.

use std::path::PathBuf;
use waihu_dialog::interp::Interpreter;
use waihu_dialog::script::{load_str, Script};

/// `examples/scripts` at the workspace root.
pub fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/scripts")
}

/// A small valid script; tests replace parts of it to break one rule at a time.
pub const VALID: &str = r#"name: test
language: zh
business:
  name: 测试公司
variables: [name]
max_turns: 5
start: hello
nodes:
  hello:
    disclosure: true
    say:
      text: 您好{name}，我是{business_name}的AI助理，通话会录音，不想接听请按{opt_out_dtmf}。
      interruptible: false
    next: ask
  ask:
    say:
      text: 您需要吗？
    listen: {timeout_ms: 4000}
    branches:
      affirm: yes_end
      reject: no_end
      silence: repeat
      unknown: repeat
    repeat: {max: 1, fallback: no_end}
  yes_end:
    say:
      text: 好的，再见。
    end: interested
  no_end:
    say:
      text: 打扰了，再见。
    end: declined
  bye:
    say:
      text: 好的，不再打扰，再见。
    end: opt_out
global:
  opt_out:
    goto: bye
"#;

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

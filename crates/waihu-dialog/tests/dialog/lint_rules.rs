//! One broken script per linter rule: each breaks exactly one thing in the
//! valid script and must produce that rule's finding on the right line.

use crate::support::VALID;
use waihu_dialog::script::{load_file, load_str, Finding};

fn lint(yaml: &str) -> Vec<Finding> {
    waihu_dialog::lint::lint(&load_str(yaml))
}

/// 1-based line of the first line containing `needle`.
fn line_of(yaml: &str, needle: &str) -> usize {
    yaml.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .expect("needle present")
}

fn broken(from: &str, to: &str) -> String {
    assert!(VALID.contains(from), "{from:?} not in the valid script");
    VALID.replacen(from, to, 1)
}

/// Asserts that linting `yaml` reports `rule` at the line containing `needle`.
fn expect(yaml: &str, rule: &str, needle: &str) {
    let f = lint(yaml);
    let line = line_of(yaml, needle);
    assert!(
        f.iter().any(|x| x.rule == rule && x.line == line),
        "expected {rule} at line {line}, got {f:?}"
    );
}

#[test]
fn the_valid_script_is_clean() {
    assert_eq!(lint(VALID), vec![]);
}

#[test]
fn yaml_error() {
    let y = broken("    next: ask\n", "    next: [ask\n");
    let f = lint(&y);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].rule, "yaml");
    assert!(f[0].line >= line_of(&y, "next: [ask"), "{f:?}");
}

#[test]
fn schema_error() {
    let y = broken("max_turns: 5\n", "max_turns: 5\ncolour: red\n");
    expect(&y, "schema", "colour");
    let y = broken("max_turns: 5\n", "max_turns: many\n");
    assert!(
        lint(&y).iter().any(|f| f.rule == "schema"),
        "{:?}",
        lint(&y)
    );
}

#[test]
fn unknown_node() {
    expect(
        &broken("affirm: yes_end", "affirm: nowhere"),
        "unknown-node",
        "affirm: nowhere",
    );
    expect(
        &broken("start: hello", "start: nope"),
        "unknown-node",
        "start: nope",
    );
}

#[test]
fn unreachable_node() {
    let y = broken("global:\n", "  orphan:\n    end: lost\nglobal:\n");
    expect(&y, "unreachable-node", "  orphan:");
}

#[test]
fn missing_handler() {
    expect(
        &broken("      silence: repeat\n", ""),
        "missing-handler",
        "listen:",
    );
    expect(
        &broken("      unknown: repeat\n", ""),
        "missing-handler",
        "listen:",
    );
}

#[test]
fn dead_end() {
    expect(&broken("    next: ask\n", ""), "dead-end", "  hello:");
}

#[test]
fn unbounded_loop() {
    let y = broken("max_turns: 5\n", "").replacen("reject: no_end", "reject: ask", 1);
    assert!(
        lint(&y).iter().any(|f| f.rule == "unbounded-loop"),
        "{:?}",
        lint(&y)
    );
    // With max_turns the same loop is bounded.
    let y = broken("reject: no_end", "reject: ask");
    assert!(!lint(&y).iter().any(|f| f.rule == "unbounded-loop"));
    // A cycle of `next` hops never waits for the callee: always an error.
    let y = broken("    end: interested\n", "    next: no_end\n").replacen(
        "    end: declined\n",
        "    next: yes_end\n",
        1,
    );
    assert!(
        lint(&y).iter().any(|f| f.rule == "unbounded-loop"),
        "{:?}",
        lint(&y)
    );
}

#[test]
fn repeat_without_fallback() {
    expect(
        &broken("    repeat: {max: 1, fallback: no_end}\n", ""),
        "repeat-fallback",
        "branches:",
    );
}

#[test]
fn undefined_variable() {
    let y = broken("您需要吗？", "您需要{product}吗？");
    expect(&y, "undefined-variable", "{product}");
}

#[test]
fn missing_audio() {
    let dir = tempfile::tempdir().expect("tempdir");
    let y = broken(
        "      text: 您需要吗？\n",
        "      text: 您需要吗？\n      audio: prompts/ask.wav\n",
    );
    let path = dir.path().join("s.yaml");
    std::fs::write(&path, &y).expect("write");
    let f = waihu_dialog::lint::lint(&load_file(&path).expect("load"));
    let line = line_of(&y, "audio:");
    assert!(
        f.iter()
            .any(|x| x.rule == "missing-audio" && x.line == line),
        "{f:?}"
    );
    // Once the file exists the finding goes away.
    std::fs::create_dir_all(dir.path().join("prompts")).expect("mkdir");
    std::fs::write(dir.path().join("prompts/ask.wav"), b"RIFF").expect("write");
    let f = waihu_dialog::lint::lint(&load_file(&path).expect("load"));
    assert!(!f.iter().any(|x| x.rule == "missing-audio"), "{f:?}");
}

#[test]
fn disclosure() {
    expect(
        &broken("interruptible: false", "interruptible: true"),
        "disclosure",
        "interruptible: true",
    );
    expect(
        &broken("    disclosure: true\n", ""),
        "disclosure",
        "  hello:",
    );
    expect(&broken("通话会录音，", ""), "disclosure", "text: 您好");
    expect(
        &broken("我是{business_name}的AI助理，", ""),
        "disclosure",
        "text: 您好",
    );
    expect(
        &broken("不想接听请按{opt_out_dtmf}。", ""),
        "disclosure",
        "text: 您好",
    );
    let y = broken(
        "      interruptible: false\n",
        "      interruptible: false\n      audio_only: true\n",
    );
    assert!(!lint(&y).is_empty());
}

#[test]
fn opt_out_handler() {
    expect(
        &broken("global:\n  opt_out:\n    goto: bye\n", "global: {}\n"),
        "opt-out-handler",
        "global:",
    );
    expect(
        &broken("    goto: bye\n", "    goto: ask\n"),
        "opt-out-handler",
        "  opt_out:",
    );
    expect(
        &broken("    end: opt_out\n", "    end: bye_now\n"),
        "opt-out-handler",
        "end: bye_now",
    );
}

#[test]
fn undefined_intent() {
    let y = broken(
        "      affirm: yes_end\n",
        "      affirm: yes_end\n      price: yes_end\n",
    );
    expect(&y, "undefined-intent", "price: yes_end");
    let y = broken(
        "      affirm: yes_end\n",
        "      affirm: yes_end\n      kb:nope: yes_end\n",
    );
    expect(&y, "undefined-intent", "kb:nope");
}

#[test]
fn reserved_outcome() {
    expect(
        &broken("end: interested", "end: hangup"),
        "reserved-outcome",
        "end: hangup",
    );
    expect(
        &broken("end: interested", "end: opt_out"),
        "reserved-outcome",
        "end: opt_out",
    );
}

#[test]
fn bad_grade() {
    let y = format!("{VALID}grading:\n  - grade: Z\n    reason: nope\n");
    expect(&y, "bad-grade", "grade: Z");
}

#[test]
fn bad_rule() {
    let y = format!("{VALID}intents:\n  price:\n    regex: [\"(\"]\n");
    expect(&y, "bad-rule", "regex:");
}

#[test]
fn bad_value() {
    expect(
        &broken("language: zh", "language: fr"),
        "bad-value",
        "language: fr",
    );
    expect(
        &broken("max_turns: 5\n", "max_turns: 5\nopt_out_dtmf: \"99\"\n"),
        "bad-value",
        "opt_out_dtmf",
    );
}

#[test]
fn every_rule_id_is_exercised_here() {
    let src = include_str!("lint_rules.rs");
    for rule in waihu_dialog::lint::RULES {
        assert!(src.contains(&format!("\"{rule}\"")), "no test for {rule}");
    }
}

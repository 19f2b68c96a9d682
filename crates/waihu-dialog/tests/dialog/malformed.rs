//! Bad input never panics: truncated, mutated and hostile scripts all come back
//! as findings with line numbers.

use crate::support::VALID;
use waihu_dialog::script::load_str;

pub(crate) fn check(yaml: &str) {
    let loaded = load_str(yaml);
    let findings = waihu_dialog::lint::lint(&loaded);
    let lines = yaml.lines().count().max(1);
    for f in &findings {
        assert!(
            f.line >= 1 && f.line <= lines + 1,
            "line {} out of range for {yaml:?}",
            f.line
        );
    }
    if loaded.script.is_none() {
        assert!(
            !findings.is_empty(),
            "no script and no finding for {yaml:?}"
        );
    }
    if let Some(s) = loaded.script {
        // Whatever loads must also run without panicking.
        if let Ok(it) = waihu_dialog::interp::Interpreter::new(s) {
            let _ = waihu_dialog::sim::run_lines(
                &it,
                Default::default(),
                ["好的", "", "#9", "不要", "what"],
            );
        }
    }
}

#[test]
fn every_truncation_of_a_valid_script() {
    let chars: Vec<char> = VALID.chars().collect();
    for n in (0..chars.len()).step_by(7) {
        check(&chars[..n].iter().collect::<String>());
    }
}

#[test]
fn line_mutations() {
    let lines: Vec<&str> = VALID.lines().collect();
    let junk = [
        "",
        "  - [",
        "}",
        "nodes: 3",
        "\t\tx: y",
        "&a *a",
        "? complex",
        "!!binary x",
        "中文: ：",
        "    branches: [1, 2]",
    ];
    for i in 0..lines.len() {
        for j in junk {
            let mut l = lines.clone();
            l[i] = j;
            check(&l.join("\n"));
        }
    }
}

#[test]
fn hostile_inputs() {
    for y in [
        "",
        "\u{feff}",
        "[]",
        "42",
        "name: [",
        "a: b\na: c",
        "nodes:\n  x:\n    next: x\nstart: x\nname: n\nbusiness: {name: b}",
        &"[".repeat(2000),
        &"a:\n  ".repeat(300),
        "name: \"unterminated",
        "start: a\nnodes: {a: {say: {text: \"{\"}, end: x}}\nname: n\nbusiness: {name: b}",
    ] {
        check(y);
    }
}

#[test]
fn findings_render_as_file_line_rule_message() {
    let f = waihu_dialog::lint::lint(&load_str("name: [\n"));
    let line = f[0].render("x.yaml");
    let parts: Vec<&str> = line.splitn(4, ':').collect();
    assert_eq!(parts[0], "x.yaml");
    assert!(parts[1].parse::<usize>().is_ok(), "{line}");
    assert_eq!(parts[2].trim(), "yaml", "{line}");
}

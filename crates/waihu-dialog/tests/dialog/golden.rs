//! Golden conversations: every example script passes the linter, and every case
//! in its `.golden` file (callee lines in → path, intents, outcome, grade out)
//! reproduces the expected summary exactly.

use crate::support::examples_dir;
use std::collections::BTreeMap;
use waihu_dialog::interp::Interpreter;
use waihu_dialog::script::load_file;
use waihu_dialog::sim::run_lines;

struct Case {
    title: String,
    inputs: Vec<String>,
    expect: String,
}

fn parse_golden(text: &str) -> (BTreeMap<String, String>, Vec<Case>) {
    let mut vars = BTreeMap::new();
    let mut cases = Vec::new();
    let mut cur: Option<Case> = None;
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("vars:") {
            for kv in v.split_whitespace() {
                let (k, v) = kv.split_once('=').expect("vars are k=v");
                vars.insert(k.to_string(), v.to_string());
            }
        } else if let Some(t) = line.strip_prefix("case:") {
            cur = Some(Case {
                title: t.trim().into(),
                inputs: vec![],
                expect: String::new(),
            });
        } else if let Some(i) = line.strip_prefix('>') {
            cur.as_mut()
                .expect("case first")
                .inputs
                .push(i.strip_prefix(' ').unwrap_or(i).to_string());
        } else if let Some(e) = line.strip_prefix("= ") {
            let mut c = cur.take().expect("case first");
            c.expect = e.to_string();
            cases.push(c);
        }
    }
    (vars, cases)
}

#[test]
fn example_scripts_are_lint_clean_and_match_their_golden_conversations() {
    let mut scripts = 0;
    let mut cases_run = 0;
    let mut zh = 0;
    for entry in std::fs::read_dir(examples_dir()).expect("examples/scripts exists") {
        let path = entry.expect("dir entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        scripts += 1;
        let loaded = load_file(&path).expect("readable");
        let findings = waihu_dialog::lint::lint(&loaded);
        assert!(findings.is_empty(), "{}: {findings:?}", path.display());
        let script = loaded.script.expect("parses");
        zh += usize::from(script.language == "zh");
        let it = Interpreter::new(script).expect("compiles");
        let golden = path.with_extension("golden");
        let text = std::fs::read_to_string(&golden)
            .unwrap_or_else(|e| panic!("{} needs golden conversations: {e}", golden.display()));
        let (vars, cases) = parse_golden(&text);
        assert!(
            cases.len() >= 5,
            "{}: too few golden cases",
            golden.display()
        );
        for c in cases {
            let (_, summary) = run_lines(&it, vars.clone(), c.inputs.iter().map(String::as_str));
            let got = serde_json::to_string(&summary).expect("json");
            assert_eq!(got, c.expect, "{} / {}", golden.display(), c.title);
            cases_run += 1;
        }
    }
    assert!(
        scripts >= 5 && zh >= 4,
        "need ≥4 Chinese and 1 English example, found {scripts} ({zh} zh)"
    );
    assert!(cases_run >= 40, "only {cases_run} golden cases ran");
}

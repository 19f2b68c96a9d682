//! schemas/script.schema.json and the Rust model agree: for every object, the
//! schema's property names are exactly the fields the loader accepts (read from
//! the loader's own "unknown field, expected …" message).

use serde_json::Value;
use waihu_dialog::script::load_str;

fn schema() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../schemas/script.schema.json"
    );
    let text = std::fs::read_to_string(path).expect("schema file");
    serde_json::from_str(&text).expect("schema is JSON")
}

/// The field names the loader expects at the place where `yaml` puts `zzz`.
fn model_fields(yaml: &str) -> Vec<String> {
    let l = load_str(yaml);
    let msg = &l
        .findings
        .first()
        .expect("unknown field is reported")
        .message;
    let expected = msg
        .split("expected")
        .nth(1)
        .unwrap_or_else(|| panic!("{msg}"));
    let mut names: Vec<String> = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    names.sort();
    names
}

fn schema_fields(v: &Value) -> Vec<String> {
    assert_eq!(v["additionalProperties"], Value::Bool(false), "{v}");
    let mut names: Vec<String> = v["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .cloned()
        .collect();
    names.sort();
    names
}

#[test]
fn schema_matches_model() {
    let s = schema();
    let d = &s["$defs"];
    let node = &d["node"]["properties"];
    let when = &d["grade_rule"]["properties"]["when"];
    for (yaml, obj) in [
        ("zzz: 1", &s),
        ("business: {zzz: 1}", &s["properties"]["business"]),
        ("nodes: {a: {zzz: 1}}", &d["node"]),
        ("nodes: {a: {say: {zzz: 1}}}", &node["say"]),
        ("nodes: {a: {listen: {zzz: 1}}}", &node["listen"]),
        ("nodes: {a: {repeat: {zzz: 1}}}", &node["repeat"]),
        ("global: {x: {zzz: 1}}", &d["handler"]),
        ("intents: {x: {zzz: 1}}", &d["intent"]),
        ("knowledge: [{zzz: 1}]", &d["kb"]),
        ("grading: [{zzz: 1}]", &d["grade_rule"]),
        ("grading: [{when: {zzz: 1}}]", when),
    ] {
        assert_eq!(model_fields(yaml), schema_fields(obj), "{yaml}");
    }
}

#[test]
fn the_documented_example_is_lint_clean() {
    let doc = include_str!("../../../../docs/scripts.md");
    let start = doc.find("```yaml\n").expect("yaml block") + "```yaml\n".len();
    let len = doc[start..].find("```").expect("block end");
    let findings = waihu_dialog::lint::lint(&load_str(&doc[start..start + len]));
    assert_eq!(findings, vec![]);
}

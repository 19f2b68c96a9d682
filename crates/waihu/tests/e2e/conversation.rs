//! `waihu call --script` against `waihu callee-sim`, both real processes on
//! 127.0.0.1: a whole conversation with the callee speaking synthesised
//! audio, recognised by the phrase book (`--asr phrasebook`), and the
//! `--json` line with the script fields.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use crate::support::{bin, err, out};

const BEHAVIOR: &str = r#"
[[rule]]
match = "^138"
action = "answer"
persona = "interested"

[[rule]]
match = "^486"
action = "busy"

[persona.interested]
lang = "zh"
steps = [{ do = "say", text = "可以啊" }, { do = "say", text = "周六吧" }]
"#;

struct CalleeSim(Child);

impl Drop for CalleeSim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_callee(dir: &Path) -> (CalleeSim, u16, PathBuf) {
    let behavior = dir.join("behavior.toml");
    std::fs::write(&behavior, BEHAVIOR).unwrap();
    let port = crate::support::free_sip_port();
    let mut child = Command::new(bin())
        .arg("--data-dir")
        .arg(dir)
        .args(["callee-sim", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--behavior")
        .arg(&behavior)
        .args(["--rtp-ports", "44000-46000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn callee-sim");
    let mut first = String::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    reader.read_line(&mut first).unwrap();
    assert!(first.contains("listening"), "callee-sim: {first}");
    std::thread::spawn(move || for _ in reader.lines() {});
    (CalleeSim(child), port, behavior)
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/data/trial.zh.yaml")
}

fn call_script(dir: &Path, port: u16, behavior: &Path, to: &str) -> Output {
    Command::new(bin())
        .arg("--data-dir")
        .arg(dir)
        .args([
            "call",
            "--trunk",
            &format!("sip:127.0.0.1:{port}"),
            "--to",
            to,
        ])
        .arg("--script")
        .arg(script())
        .args(["--var", "name=王女士", "--asr", "phrasebook"])
        .arg("--phrasebook")
        .arg(behavior)
        .arg("--json")
        .output()
        .expect("run waihu call")
}

fn json_last_line(o: &Output) -> serde_json::Value {
    let text = out(o);
    let last = text.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(r#"{"outcome":"#),
        "{text}\nstderr: {}",
        err(o)
    );
    serde_json::from_str(last).unwrap_or_else(|e| panic!("not JSON ({e}): {last}"))
}

#[test]
fn call_with_a_script_holds_the_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let (_callee, port, behavior) = start_callee(dir.path());
    let o = call_script(dir.path(), port, &behavior, "13800000001");
    assert!(o.status.success(), "{}", err(&o));
    let j = json_last_line(&o);
    assert_eq!(j["outcome"], "answered", "{j}");
    assert_eq!(j["script_outcome"], "booked", "{j}");
    assert_eq!(j["grade"], "A");
    assert_eq!(j["opt_out"], false);
    assert_eq!(j["turns"], 2);
    assert_eq!(
        j["path"],
        serde_json::json!(["disclosure", "invite", "pick_time", "booked"])
    );
    assert_eq!(j["intents"], serde_json::json!(["affirm", "saturday"]));
    let turns = j["turn_log"].as_array().unwrap();
    assert_eq!(turns.len(), 2);
    assert_eq!(turns[0]["callee"], "可以啊");
    assert_eq!(turns[0]["intent"], "affirm");
    assert!(turns[0]["robot"].as_str().unwrap().starts_with("好的"));
    assert!(turns[0]["latency_ms"].is_u64());
    // The transcript is printed for people, both sides.
    let text = out(&o);
    assert!(text.contains("robot : 王女士您好"), "{text}");
    assert!(text.contains("callee: 周六吧"), "{text}");
}

#[test]
fn call_with_a_script_not_answered_has_no_grade() {
    let dir = tempfile::tempdir().unwrap();
    let (_callee, port, behavior) = start_callee(dir.path());
    let o = call_script(dir.path(), port, &behavior, "4860000");
    assert!(o.status.success(), "{}", err(&o));
    let j = json_last_line(&o);
    assert_eq!(j["outcome"], "busy");
    assert!(j["grade"].is_null() && j["script_outcome"].is_null(), "{j}");
    assert_eq!(j["turns"], 0);
}

#[test]
fn call_with_a_bad_script_fails_before_dialling() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "name: x\nnodes: [").unwrap();
    let o = Command::new(bin())
        .arg("--data-dir")
        .arg(dir.path())
        .args(["call", "--trunk", "sip:127.0.0.1:9", "--to", "138"])
        .arg("--script")
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(err(&o).contains("not a valid script"), "{}", err(&o));
    assert!(!out(&o).contains("INVITE sent"));
}

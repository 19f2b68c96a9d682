//! `waihu call` against `waihu callee-sim`, both as real processes on
//! 127.0.0.1: outcomes, the `--json` last line, recording, DTMF, refused TCP
//! and the loopback-only rule.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use crate::support::{bin, err, out};

struct CalleeSim(Child);

impl Drop for CalleeSim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tone_wav(path: &Path) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 22050,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..22050 {
        let v = (i as f64 * 2.0 * std::f64::consts::PI * 600.0 / 22050.0).sin() * 9000.0;
        w.write_sample(v as i16).unwrap();
    }
    w.finalize().unwrap();
}

fn start_callee(dir: &Path) -> (CalleeSim, u16) {
    let behavior = dir.join("behavior.toml");
    std::fs::write(
        &behavior,
        r#"
[[rule]]
match = "^486"
action = "busy"

[[rule]]
match = "^487"
action = "no_answer"

[[rule]]
match = "^200"
action = "answer"
persona = "keys"

[[rule]]
match = "^138"
action = "answer"
persona = "keys"

[persona.keys]
steps = [{ do = "dtmf", digits = "7" }]
then = "wait"
"#,
    )
    .unwrap();
    let port = crate::support::free_sip_port();
    let mut child = Command::new(bin())
        .arg("--data-dir")
        .arg(dir)
        .args(["callee-sim", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--behavior")
        .arg(&behavior)
        .args(["--rtp-ports", "42000-44000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn callee-sim");
    let mut first = String::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    reader.read_line(&mut first).unwrap();
    assert!(first.contains("listening"), "callee-sim: {first}");
    // Keep draining its per-call lines so it never writes to a closed pipe.
    std::thread::spawn(move || for _ in reader.lines() {});
    (CalleeSim(child), port)
}

fn call(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .arg("--data-dir")
        .arg(dir)
        .arg("call")
        .args(args)
        .output()
        .expect("run waihu call")
}

fn json_last_line(o: &Output) -> serde_json::Value {
    let text = out(o);
    let last = text.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(r#"{"outcome":"#),
        "fields out of order: {last}"
    );
    serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("last line is not JSON ({e}): {text}\nstderr: {}", err(o)))
}

#[test]
fn call_outcomes_json_recording_and_dtmf() {
    let dir = tempfile::tempdir().unwrap();
    let (_callee, port) = start_callee(dir.path());
    let trunk = format!("sip:127.0.0.1:{port}");

    let o = call(
        dir.path(),
        &["--trunk", &trunk, "--to", "4860000", "--json"],
    );
    assert!(o.status.success(), "{}", err(&o));
    let j = json_last_line(&o);
    assert_eq!(j["outcome"], "busy");
    assert_eq!(j["sip_status"], 486);
    assert_eq!(j["reason"]["q850"], 17);
    assert!(j["setup_ms"].is_u64());
    assert_eq!(j["duration_ms"], 0);

    let o = call(
        dir.path(),
        &[
            "--trunk",
            &trunk,
            "--transport",
            "tcp",
            "--to",
            "4870000",
            "--ring-timeout",
            "1s",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    let j = json_last_line(&o);
    assert_eq!(j["outcome"], "no_answer");
    assert_eq!(j["sip_status"], 487);

    let prompt = dir.path().join("prompt.wav");
    tone_wav(&prompt);
    let rec = dir.path().join("rec.wav");
    let o = call(
        dir.path(),
        &[
            "--trunk",
            &trunk,
            "--from",
            "10086",
            "--to",
            "2000000",
            "--play",
            prompt.to_str().unwrap(),
            "--record",
            rec.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    let j = json_last_line(&o);
    assert_eq!(j["outcome"], "answered");
    assert_eq!(j["sip_status"], 200);
    assert!(j["reason"].is_null());
    assert!(j["duration_ms"].as_u64().unwrap() > 0);
    assert!(j["rtp"]["sent"].as_u64().unwrap() >= 45, "{j}");
    assert!(j["rtp"]["received"].as_u64().unwrap() > 0, "{j}");
    assert_eq!(j["dtmf"], "7");
    let wav = hound::WavReader::open(&rec).unwrap();
    assert_eq!(wav.spec().channels, 2);
    assert!(
        wav.duration() >= 8000,
        "recording {} samples",
        wav.duration()
    );
}

#[test]
fn refused_tcp_is_unreachable_with_exit_zero() {
    let dir = tempfile::tempdir().unwrap();
    let port = crate::support::free_sip_port();
    let o = call(
        dir.path(),
        &[
            "--trunk",
            &format!("sip:127.0.0.1:{port}"),
            "--transport",
            "tcp",
            "--to",
            "1",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    let j = json_last_line(&o);
    assert_eq!(j["outcome"], "unreachable");
    assert!(j["sip_status"].is_null());
    assert!(j["setup_ms"].is_null());
}

#[test]
fn only_loopback_trunks_without_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let o = call(
        dir.path(),
        &["--trunk", "sip:192.0.2.10:5060", "--to", "1", "--json"],
    );
    assert!(!o.status.success());
    assert!(err(&o).contains("loopback"), "{}", err(&o));
    let o = call(
        dir.path(),
        &[
            "--trunk",
            "sip:127.0.0.1:5060",
            "--to",
            "1",
            "--play",
            "/nonexistent.wav",
        ],
    );
    assert!(!o.status.success(), "a missing prompt is a local error");
}

/// A tenant's call passes the compliance gate first: refused calls are never
/// dialled (exit 3 with the reasons), allowed ones are recorded as attempts, and
/// the recorded attempts count towards the frequency cap.
#[test]
fn tenant_calls_pass_the_gate_and_count_towards_caps() {
    let env = crate::support::Env {
        dir: tempfile::tempdir().unwrap(),
        db: waihu_store::testing::fresh_sqlite().unwrap(),
    };
    let run = |args: &[&str]| {
        let o = env.run(args, None);
        assert!(o.status.success(), "{args:?}: {}", err(&o));
    };
    run(&["tenant", "create", "acme"]);
    std::fs::write(
        env.data_dir().join("c.csv"),
        "phone\n13812345678\n13900001111\n",
    )
    .unwrap();
    run(&[
        "import",
        "contacts",
        "c.csv",
        "--tenant",
        "acme",
        "--list",
        "l",
        "--consent-source",
        "web_form",
        "--consent-time",
        "2026-01-01T00:00:00Z",
        "--consent-scope",
        "marketing",
        "--consent-ref",
        "f-1",
    ]);
    run(&["caller-number", "add", "02161234567"]);
    run(&["caller-number", "verify", "+862161234567"]);
    run(&[
        "caller-number",
        "assign",
        "+862161234567",
        "--tenant",
        "acme",
    ]);
    run(&["caller-number", "add", "02161234568"]);
    run(&["caller-number", "verify", "+862161234568"]);
    // Calling hours around the clock, so that the test does not depend on the time
    // of day it runs at (the binary always uses the real clock).
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| format!("{d} = [\"00:00-24:00\"]\n"))
        .collect::<String>();
    std::fs::write(
        env.data_dir().join("cn.toml"),
        format!("cap_24h = 3\ncap_30d = 10\nverification_cap_24h = 3\n[calling_hours]\n{days}"),
    )
    .unwrap();
    run(&["policy", "set", "--jurisdiction", "CN", "--file", "cn.toml"]);

    let (_callee, port) = start_callee(env.data_dir());
    let trunk = format!("sip:127.0.0.1:{port}");
    let tenant_call = |from: &str, to: &str| {
        env.run(
            &[
                "call",
                "--tenant",
                "acme",
                "--trunk",
                &trunk,
                "--from",
                from,
                "--to",
                to,
                "--max-duration",
                "1s",
                "--json",
            ],
            None,
        )
    };
    for i in 1..=3 {
        let o = tenant_call("02161234567", "13812345678");
        assert!(o.status.success(), "call {i}: {}", err(&o));
        assert_eq!(json_last_line(&o)["outcome"], "answered", "call {i}");
    }
    // The fourth attempt within 24 h is refused before anything is dialled.
    let o = tenant_call("02161234567", "13812345678");
    assert_eq!(o.status.code(), Some(3), "{}{}", out(&o), err(&o));
    let last: serde_json::Value = serde_json::from_str(out(&o).lines().last().unwrap()).unwrap();
    assert_eq!(last["decision"], "deny");
    assert_eq!(last["reasons"][0]["rule"], "cap_24h", "{last}");
    assert!(
        !out(&o).contains("INVITE sent"),
        "refused calls are never dialled"
    );
    // A verified number of nobody's, a number without consent: refused too.
    let o = tenant_call("02161234568", "13900001111");
    assert_eq!(o.status.code(), Some(3));
    assert!(out(&o).contains("caller_number"), "{}", out(&o));
    let o = tenant_call("02161234567", "13700000000");
    assert_eq!(o.status.code(), Some(3));
    assert!(out(&o).contains("consent"), "{}", out(&o));
    // With a tenant, the number must be a real phone number.
    let o = tenant_call("02161234567", "not-a-number");
    assert!(!o.status.success() && o.status.code() != Some(3));
    assert!(err(&o).contains("not a valid phone number"), "{}", err(&o));
}

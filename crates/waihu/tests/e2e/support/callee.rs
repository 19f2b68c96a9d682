//! The virtual callee (`waihu callee-sim`) as a child process, and the dialler
//! that calls it recognising its phrases by their audio (the phrase book, no
//! speech model).

use super::{err, free_sip_port, run_cmd, Env};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A child process killed (and reaped) when dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The virtual callee: answers, agrees, and books the first time offered (key 1).
pub const INTERESTED_CALLEE: &str = r#"
[[rule]]
ring_secs = 0
action = "answer"
persona = "interested"

[persona.interested]
lang = "zh"
steps = [
  { do = "say", text = "可以" },
  { do = "silence", ms = 1500 },
  { do = "listen" },
  { do = "dtmf", digits = "1" },
]
then = "wait"
"#;

/// A `waihu callee-sim` process answering per its behaviour file; killed when
/// dropped.
pub struct Callee {
    _process: Killed,
    pub port: u16,
    /// The behaviour file (`<dir>/callees.toml`), also the dialler's phrase book.
    pub behaviour: PathBuf,
}

/// Starts the virtual callee on a free port, answering per `toml` (written to
/// `<dir>/callees.toml`).
pub fn start_callee(env: &Env, dir: &Path, toml: &str) -> Callee {
    spawn(env, dir, toml, None)
}

/// Like [`start_callee`], the callee logging its calls to `<dir>/callee.jsonl`
/// (returned).
pub fn start_logged_callee(env: &Env, dir: &Path, toml: &str) -> (Callee, PathBuf) {
    let log = dir.join("callee.jsonl");
    (spawn(env, dir, toml, Some(&log)), log)
}

fn spawn(env: &Env, dir: &Path, toml: &str, log: Option<&Path>) -> Callee {
    let port = free_sip_port();
    let behaviour = dir.join("callees.toml");
    std::fs::write(&behaviour, toml).unwrap();
    let mut cmd = env.cmd();
    cmd.args([
        "callee-sim",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--behavior",
    ])
    .arg(&behaviour);
    if let Some(log) = log {
        cmd.arg("--log").arg(log);
    }
    let process = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Callee {
        _process: Killed(process),
        port,
        behaviour,
    }
}

/// Sets the dialler's speech recognition to the phrase book `behaviour` and its
/// tick to 100 ms (for `task run` and `serve` alike).
pub fn phrasebook_dialler<'c>(cmd: &'c mut Command, behaviour: &Path) -> &'c mut Command {
    cmd.env("WAIHU_SPEECH__ASR", "phrasebook")
        .env("WAIHU_SPEECH__PHRASEBOOK", behaviour)
        .env("WAIHU_DIALLER__TICK_MS", "100")
}

/// `waihu task run --until-idle`, recognising the callee's phrases by their audio.
pub fn dialler(env: &Env, behaviour: &Path) -> Command {
    let mut c = env.cmd();
    phrasebook_dialler(&mut c, behaviour).args(["task", "run", "--until-idle"]);
    c
}

/// Runs [`dialler`] to the end; it must succeed.
pub fn run_dialler(env: &Env, behaviour: &Path) {
    let o = run_cmd(&mut dialler(env, behaviour), None);
    assert!(o.status.success(), "{}", err(&o));
}

/// A virtual callee that answers after a second's ring, agrees, keeps silent
/// for `silence_ms`, names a time and waits for the robot to hang up.
pub fn talker(silence_ms: u32) -> String {
    format!(
        r#"
[[rule]]
ring_secs = 1
action = "answer"
persona = "talker"

[persona.talker]
lang = "zh"
steps = [
  {{ do = "say", text = "好的，可以。" }},
  {{ do = "silence", ms = {silence_ms} }},
  {{ do = "say", text = "周六上午吧。" }},
]
then = "wait"
"#
    )
}

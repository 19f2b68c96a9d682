//! Helpers: run the binary with a fresh data directory and database, start the
//! server on a free port and stop it; the virtual callee and the dialler
//! ([`callee`]), seeding a platform, tenant, script, list and task ([`seed`]).

pub mod callee;
pub mod seed;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use waihu_store::testing::{fresh_databases, TestDatabase};

/// The binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_waihu"))
}

/// A fresh environment: a data directory and one database.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub db: TestDatabase,
}

impl Env {
    /// A fresh data directory with a fresh SQLite database (for tests that
    /// need only one backend).
    pub fn sqlite() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
            db: waihu_store::testing::fresh_sqlite().unwrap(),
        }
    }

    /// A command with `--data-dir` and `--database-url` set; the environment is
    /// cleared of WAIHU_ variables so that the developer's settings don't leak in.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(bin());
        for (k, _) in std::env::vars() {
            if k.starts_with("WAIHU_") {
                c.env_remove(k);
            }
        }
        // Relative, as the default `./waihu-data` is: whatever the binary stores
        // (recording paths) must still be found from another working directory.
        c.arg("--data-dir")
            .arg(".")
            .arg("--database-url")
            .arg(&self.db.url)
            .current_dir(self.dir.path());
        c
    }

    /// Runs the binary with `args` and optional stdin, returning its output.
    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        run_cmd(self.cmd().args(args), stdin)
    }

    /// Runs the binary with `args`, failing the test with its output unless it
    /// succeeds; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_in(args, None)
    }

    /// Like [`Env::ok`], with `stdin`.
    pub fn ok_in(&self, args: &[&str], stdin: Option<&str>) -> String {
        let o = self.run(args, stdin);
        assert!(o.status.success(), "{args:?}\n{}\n{}", out(&o), err(&o));
        out(&o)
    }

    /// Like [`Env::ok`], parsing the last line of stdout as JSON.
    pub fn json_last_line(&self, args: &[&str]) -> serde_json::Value {
        let text = self.ok(args);
        serde_json::from_str(text.lines().last().unwrap_or(""))
            .unwrap_or_else(|e| panic!("{args:?}: {e}\n{text}"))
    }

    /// Like [`Env::ok`], parsing the whole of stdout as JSON.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let text = self.ok(args);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}\n{text}"))
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// The store as the binary opens it: migrated, with the audit key of the data
    /// directory loaded (created if this is the first use), so entries written
    /// through it are keyed like the binary's.
    pub async fn store(&self) -> waihu_store::Store {
        let store = self.db.store().await.unwrap();
        waihu_app::audit_key::load_audit_key(&store, &self.data_dir().join("audit.key"))
            .await
            .unwrap();
        store
    }
}

/// Runs a prepared command to completion with optional stdin.
pub fn run_cmd(cmd: &mut Command, stdin: Option<&str>) -> Output {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn waihu");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().expect("wait for waihu")
}

/// Every backend the environment offers, each with a fresh data directory.
pub async fn envs() -> Vec<Env> {
    let dbs = fresh_databases().await.expect("test databases");
    if std::env::var("CI").is_ok() {
        assert_eq!(
            dbs.len(),
            2,
            "CI must test PostgreSQL too: set WAIHU_TEST_POSTGRES_URL"
        );
    }
    dbs.into_iter()
        .map(|db| Env {
            dir: tempfile::tempdir().unwrap(),
            db,
        })
        .collect()
}

/// Text of stdout / stderr.
pub fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A running `waihu serve` on a free port; killed on drop.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub first_lines: Vec<String>,
}

impl Server {
    /// Starts `waihu serve --listen 127.0.0.1:0` and waits for its address.
    pub fn start(env: &Env) -> Server {
        Self::start_with(env, |_| {})
    }

    /// Like [`Server::start`], with the command adjusted first (e.g. settings
    /// given as `WAIHU_<SECTION>__<KEY>` variables).
    pub fn start_with(env: &Env, adjust: impl FnOnce(&mut Command)) -> Server {
        let mut cmd = env.cmd();
        adjust(&mut cmd);
        let mut child = cmd
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn waihu serve");
        let stdout = child.stdout.take().unwrap();
        // Owned by the guard from here on, so that a failed start still kills it.
        let mut server = Server {
            child,
            base: String::new(),
            first_lines: Vec::new(),
        };
        let mut reader = BufReader::new(stdout);
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut lines = Vec::new();
        loop {
            assert!(Instant::now() < deadline, "server did not start: {lines:?}");
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 {
                panic!("server exited before listening: {lines:?}");
            }
            let line = line.trim_end().to_string();
            if let Some(addr) = line.strip_prefix("waihu listening on ") {
                server.base = addr.to_string();
                lines.push(line);
                server.first_lines = lines;
                // Keep draining stdout so the server never blocks on a full pipe.
                std::thread::spawn(move || for _ in reader.lines() {});
                return server;
            }
            lines.push(line);
        }
    }

    /// The first operator's password, printed once on the first start.
    pub fn operator_password(&self) -> String {
        self.first_lines
            .iter()
            .find_map(|l| l.split("with password: ").nth(1))
            .expect("first start prints the operator password")
            .trim()
            .to_string()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "server ignored SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port free on 127.0.0.1 for both UDP and TCP (SIP listens on both).
pub fn free_sip_port() -> u16 {
    loop {
        let p = std::net::UdpSocket::bind("127.0.0.1:0")
            .expect("bind udp")
            .local_addr()
            .expect("addr")
            .port();
        if std::net::TcpListener::bind(("127.0.0.1", p)).is_ok() {
            return p;
        }
    }
}

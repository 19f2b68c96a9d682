//! Test harness: free ports, a SIPp child process per test, a fresh UA.

use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use waihu_sip::{SipConfig, Transport, UserAgent};

/// Scenario directory.
pub fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sipp")
        .join(name)
}

/// A port free for both UDP and TCP (and, with `span` > 1, the following
/// ports too, for SIPp's media sockets). Ports come from 41000–60999, away
/// from the UA's RTP range.
pub fn free_port(span: u16) -> u16 {
    loop {
        let p = (41000 + rand::random::<u16>() % 20000) & !1;
        let ok = (0..span).all(|i| {
            let a = SocketAddr::from(([127, 0, 0, 1], p + i));
            UdpSocket::bind(a).is_ok() && TcpListener::bind(a).is_ok()
        });
        if ok {
            return p;
        }
    }
}

/// A running SIPp process, killed on drop.
pub struct Sipp {
    child: Option<Child>,
    /// SIP address it listens on.
    pub addr: SocketAddr,
    _dir: tempfile::TempDir,
}

/// How to run SIPp.
pub struct SippOpts<'a> {
    pub scenario: &'a str,
    pub transport: Transport,
    pub rtp_echo: bool,
    pub extra: Vec<String>,
}

impl<'a> SippOpts<'a> {
    pub fn uas(scenario: &'a str) -> Self {
        SippOpts {
            scenario,
            transport: Transport::Udp,
            rtp_echo: false,
            extra: vec![],
        }
    }
}

impl Sipp {
    /// Start SIPp as a server running `opts.scenario` once.
    pub fn start(opts: SippOpts<'_>) -> Sipp {
        let port = free_port(1);
        let media = free_port(4);
        let dir = tempfile::tempdir().expect("tempdir");
        let mut cmd = Command::new("sipp");
        cmd.current_dir(dir.path())
            .arg("-sf")
            .arg(scenario(opts.scenario))
            .args(["-i", "127.0.0.1", "-mi", "127.0.0.1"])
            .args(["-p", &port.to_string(), "-mp", &media.to_string()])
            .args(["-t", transport_flag(opts.transport)])
            .args(["-m", "1", "-nostdin", "-timeout", "40s", "-timeout_error"])
            .args(&opts.extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if opts.rtp_echo {
            cmd.arg("-rtp_echo");
        }
        let child = cmd.spawn().unwrap_or_else(|e| {
            panic!("cannot run `sipp` ({e}): install the Debian package sip-tester")
        });
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let sipp = Sipp {
            child: Some(child),
            addr,
            _dir: dir,
        };
        sipp.wait_listening(opts.transport);
        sipp
    }

    fn wait_listening(&self, transport: Transport) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let bound = match transport {
                Transport::Udp => UdpSocket::bind(self.addr).is_err(),
                Transport::Tcp => std::net::TcpStream::connect(self.addr).is_ok(),
            };
            if bound {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("sipp did not start listening on {}", self.addr);
    }

    /// `host:port` for a DialRequest.
    pub fn trunk(&self) -> String {
        self.addr.to_string()
    }

    /// Wait for SIPp to exit and return whether its scenario succeeded.
    pub fn wait_success(mut self) -> bool {
        let mut child = self.child.take().expect("child");
        let deadline = Instant::now() + Duration::from_secs(45);
        loop {
            if let Some(status) = child.try_wait().expect("wait sipp") {
                if !status.success() {
                    let mut err = String::new();
                    if let Some(mut e) = child.stderr.take() {
                        use std::io::Read;
                        let _ = e.read_to_string(&mut err);
                    }
                    eprintln!("sipp exited with {status}: {err}");
                }
                return status.success();
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Sipp {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn transport_flag(t: Transport) -> &'static str {
    match t {
        Transport::Udp => "u1",
        Transport::Tcp => "t1",
    }
}

/// A fresh user agent on a random port.
pub async fn ua() -> UserAgent {
    UserAgent::start(SipConfig::default())
        .await
        .expect("start UA")
}

/// A 1 kHz tone of `ms` milliseconds at 8 kHz.
pub fn tone(freq: f64, ms: usize) -> Arc<[i16]> {
    (0..ms * 8)
        .map(|i| ((i as f64 * 2.0 * std::f64::consts::PI * freq / 8000.0).sin() * 12000.0) as i16)
        .collect::<Vec<_>>()
        .into()
}

/// Wait (bounded) until the UA tracks no dialogs; returns the final count.
pub async fn settle_dialogs(ua: &UserAgent) -> usize {
    for _ in 0..100 {
        if ua.dialog_count() == 0 {
            return 0;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    ua.dialog_count()
}

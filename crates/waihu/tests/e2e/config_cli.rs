//! Configuration layering and bad configuration: clear one-line errors, non-zero exit.

use crate::support::{bin, err, out, run_cmd};
use std::process::Command;

fn waihu(dir: &std::path::Path) -> Command {
    let mut c = Command::new(bin());
    for (k, _) in std::env::vars() {
        if k.starts_with("WAIHU_") {
            c.env_remove(k);
        }
    }
    c.current_dir(dir);
    c
}

#[test]
fn layers_file_then_env_then_flags_and_redacts_secrets() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("waihu.toml"),
        "[server]\nlisten = \"127.0.0.1:9001\"\n[database]\nurl = \"postgres://app:filepass@db/waihu\"\n",
    )
    .unwrap();
    // File only.
    let o = run_cmd(
        waihu(dir.path()).args(["--config", "waihu.toml", "config", "show"]),
        None,
    );
    assert!(o.status.success(), "{}", err(&o));
    let s = out(&o);
    assert!(s.contains("listen = \"127.0.0.1:9001\""), "{s}");
    assert!(s.contains("postgres://app:***@db/waihu"), "{s}");
    assert!(!s.contains("filepass"), "secret printed: {s}");
    // Environment over file; the shorthand wins over the sectioned variable.
    let o = run_cmd(
        waihu(dir.path())
            .args(["--config", "waihu.toml", "config", "show"])
            .env("WAIHU_SERVER__LISTEN", "127.0.0.1:9002")
            .env("WAIHU_DATABASE__URL", "postgres://a:envpass@sectioned/x")
            .env("WAIHU_DATABASE_URL", "postgres://a:shortpass@shorthand/x"),
        None,
    );
    let s = out(&o);
    assert!(s.contains("127.0.0.1:9002"), "{s}");
    assert!(s.contains("@shorthand/x"), "{s}");
    assert!(!s.contains("shortpass") && !s.contains("envpass"), "{s}");
    // Keys of the PII and LLM sections never print either.
    let o = run_cmd(
        waihu(dir.path())
            .args(["config", "show"])
            .env("WAIHU_LLM__API_KEY", "sk-very-secret")
            .env("WAIHU_PII__HASH_KEY", "ab".repeat(32))
            .env("WAIHU_SERVER__SECURE_COOKIES", "always"),
        None,
    );
    let s = out(&o);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        !s.contains("sk-very-secret") && !s.contains(&"ab".repeat(32)),
        "{s}"
    );
    assert!(s.contains("secure_cookies = \"always\""), "{s}");
    // Trusted proxies: a list in the file, a comma-separated string in the
    // environment.
    std::fs::write(
        dir.path().join("proxies.toml"),
        "[server]\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n",
    )
    .unwrap();
    let o = run_cmd(
        waihu(dir.path()).args(["--config", "proxies.toml", "config", "show"]),
        None,
    );
    let s = out(&o);
    assert!(
        s.contains("trusted_proxies = [\"10.0.0.0/8\", \"::1\"]"),
        "{s}"
    );
    let o = run_cmd(
        waihu(dir.path())
            .args(["config", "show"])
            .env("WAIHU_SERVER__TRUSTED_PROXIES", "127.0.0.1, 192.168.0.0/16"),
        None,
    );
    let s = out(&o);
    assert!(
        s.contains("trusted_proxies = [\"127.0.0.1\", \"192.168.0.0/16\"]"),
        "{s}"
    );
    // Flags over environment.
    let o = run_cmd(
        waihu(dir.path())
            .args(["--database-url", "sqlite://flag.db", "config", "show"])
            .env("WAIHU_DATABASE_URL", "postgres://a@shorthand/x"),
        None,
    );
    assert!(
        out(&o).contains("url = \"sqlite://flag.db\""),
        "{}",
        out(&o)
    );
    // Defaults: the data directory `./waihu-data`, resolved against the working
    // directory once, so that stored paths under it stay valid from anywhere.
    let o = run_cmd(waihu(dir.path()).args(["config", "show"]), None);
    let s = out(&o);
    let data = dir.path().canonicalize().unwrap().join("waihu-data");
    assert!(
        s.contains(&format!("dir = {:?}", data.display().to_string())),
        "{s}"
    );
    assert!(
        s.contains(&format!("sqlite://{}/waihu.db", data.display())),
        "{s}"
    );
}

#[test]
fn bad_configuration_gives_one_clear_line_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("syntax.toml"), "[server]\nlisten = \n").unwrap();
    std::fs::write(dir.path().join("type.toml"), "[server]\nlisten = 5\n").unwrap();
    std::fs::write(
        dir.path().join("unknown.toml"),
        "[server]\nlistne = \"x\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("cookies.toml"),
        "[server]\nsecure_cookies = \"sometimes\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("proxies.toml"),
        "[server]\ntrusted_proxies = [\"127.0.0.1\", \"proxy.local\"]\n",
    )
    .unwrap();
    let cases: [(&[&str], &str); 7] = [
        (
            &["--config", "proxies.toml", "config", "show"],
            "server.trusted_proxies: \"proxy.local\" is not an IP address",
        ),
        (
            &["--config", "cookies.toml", "config", "show"],
            "secure_cookies",
        ),
        (
            &["--config", "syntax.toml", "config", "show"],
            "syntax.toml:2:",
        ),
        (
            &["--config", "type.toml", "config", "show"],
            "server.listen",
        ),
        (&["--config", "unknown.toml", "config", "show"], "listne"),
        (
            &["--config", "missing.toml", "config", "show"],
            "missing.toml does not exist",
        ),
        (
            &["--database-url", "mysql://x/y", "tenant", "list"],
            "unsupported scheme \"mysql\"",
        ),
    ];
    for (args, needle) in cases {
        let o = run_cmd(waihu(dir.path()).args(args), None);
        assert!(!o.status.success(), "{args:?} must fail");
        let e = err(&o);
        assert!(e.contains(needle), "{args:?}: expected {needle:?} in {e:?}");
        assert_eq!(e.trim_end().lines().count(), 1, "one line: {e:?}");
    }
    // An unreachable database is a clear error too, not a hang or panic.
    let o = run_cmd(
        waihu(dir.path()).args([
            "--database-url",
            "sqlite:///nonexistent-dir/x/waihu.db",
            "tenant",
            "list",
        ]),
        None,
    );
    assert!(!o.status.success());
    assert!(err(&o).contains("cannot open database"), "{}", err(&o));
}

//! Callee rights end to end: a short task against the virtual callee with
//! recordings, then `waihu subject erase` leaves nothing about the number in any
//! table (outside the hashed DNC entry and the audit log) nor in the recordings
//! folder while other numbers keep everything; and `waihu retention run --now`
//! deletes exactly what is due at that instant.

use crate::support::callee::{run_dialler, start_callee, talker};
use crate::support::seed::{self, setup_task};
use crate::support::{err, out, Env};
use chrono::{Duration, Utc};
use std::path::{Path, PathBuf};
use waihu_compliance::pii::PhoneKey;
use waihu_store::rights::trace::{find_traces, Needles};

/// The numbers `setup_task` imports.
fn number(i: usize) -> String {
    seed::number(200_000 + i)
}

/// Every file under `<data dir>/recordings` (recordings sit in per-tenant folders).
fn recordings(env: &Env) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![env.data_dir().join("recordings")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The platform's keyed hash, from the key file the binary created.
fn phone_key(data_dir: &Path) -> PhoneKey {
    let text = std::fs::read_to_string(data_dir.join("pii.key")).unwrap();
    let hex = text
        .lines()
        .find_map(|l| l.strip_prefix("hash_key="))
        .expect("hash_key line");
    PhoneKey::from_hex(hex.trim()).unwrap()
}

/// A task of three contacts called once each, with recordings.
fn called(env: &Env, dir: &Path) {
    let callee = start_callee(env, dir, &talker(1500));
    setup_task(env, dir, callee.port, 3);
    run_dialler(env, &callee.behaviour);
}

fn export(env: &Env, n: &str) -> serde_json::Value {
    env.json(&["subject", "export", "--number", n])
}

#[tokio::test(flavor = "multi_thread")]
async fn subject_erase_leaves_no_trace_of_the_number() {
    for env in crate::support::envs().await {
        let dir = tempfile::tempdir().unwrap();
        called(&env, dir.path());
        let (gone, kept) = (number(0), number(1));
        let before = export(&env, &gone);
        let calls = before["calls"].as_array().unwrap();
        assert_eq!(calls.len(), 1, "{before}");
        let recording = calls[0]["recording_path"]
            .as_str()
            .expect("recorded")
            .to_string();
        assert!(Path::new(&recording).is_file(), "{recording}");
        assert!(calls[0]["transcript"].as_str().is_some(), "{before}");
        assert_eq!(before["contacts"][0]["consent_source"], "web_form");
        let kept_before = export(&env, &kept);
        let kept_recording = kept_before["calls"][0]["recording_path"]
            .as_str()
            .unwrap()
            .to_string();
        let files_before = recordings(&env);
        assert_eq!(files_before.len(), 3, "{files_before:?}");

        // The operator files a complaint received by phone: it names the call, puts
        // the number on the tenant's list, and goes through its states.
        let o = env.run(
            &[
                "complaint",
                "file",
                "--number",
                &gone,
                "--at",
                &Utc::now().to_rfc3339(),
                "--description",
                "说了不要还打",
                "--verified",
            ],
            None,
        );
        assert!(o.status.success(), "{}", err(&o));
        assert!(out(&o).contains("names 1 calls"), "{}", out(&o));
        assert!(out(&o).contains("do-not-call"), "{}", out(&o));
        let list = env.json(&["complaint", "list", "--json"]);
        assert_eq!(list[0]["overdue"], false, "{list}");
        let id = list[0]["complaint"]["id"].as_str().unwrap().to_string();
        for args in [
            vec!["complaint", "ack", &id],
            vec!["complaint", "close", &id, "--resolution", "已致歉"],
        ] {
            let o = env.run(&args, None);
            assert!(o.status.success(), "{args:?}: {}", err(&o));
        }
        let closed = env.json(&["complaint", "list", "--state", "closed", "--json"]);
        assert_eq!(closed.as_array().unwrap().len(), 1, "{closed}");
        let rates = env.json(&["complaint", "rates", "--json"]);
        assert_eq!(rates[0]["counts"]["counted"], 1, "{rates}");
        assert_eq!(rates[0]["counts"]["answered_calls"], 3, "{rates}");

        let report = env.json(&["subject", "erase", "--number", &gone, "--json"]);
        assert_eq!(report["report"]["complaints"], 1, "{report}");
        assert_eq!(report["report"]["contacts"], 1, "{report}");
        assert_eq!(report["report"]["calls"], 1, "{report}");
        assert_eq!(
            report["files"]["deleted"],
            serde_json::json!([recording]),
            "{report}"
        );

        // Nothing in the database outside the DNC list and the audit log…
        let hash = phone_key(env.data_dir()).hash(&gone);
        let masked = waihu_compliance::pii::mask(&gone);
        let needles = Needles {
            bytes: vec![hash.0.to_vec()],
            texts: vec![gone.clone(), gone[1..].to_string(), masked, hash.to_hex()],
        };
        let traces = find_traces(&env.db.url, &needles).await.unwrap();
        assert!(traces.is_empty(), "{:?}: {traces:?}", env.db.kind);
        // …nor in the recordings folder.
        assert!(!Path::new(&recording).exists());
        assert_eq!(recordings(&env).len(), 2);
        // The hashed DNC entry remains: the tenant cannot call it again.
        let o = env.run(&["dnc", "check", "--tenant", "acme", &gone], None);
        assert!(out(&o).contains("tenant"), "{}", out(&o));
        let after = export(&env, &gone);
        assert!(after["calls"].as_array().unwrap().is_empty(), "{after}");
        assert!(after["contacts"].as_array().unwrap().is_empty(), "{after}");
        // Other numbers keep everything.
        assert_eq!(export(&env, &kept)["calls"], kept_before["calls"]);
        assert!(Path::new(&kept_recording).is_file());
        // The audit chain still verifies.
        let o = env.run(&["audit", "verify"], None);
        assert!(o.status.success(), "{}", err(&o));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn retention_run_deletes_exactly_what_is_due() {
    for env in crate::support::envs().await {
        let dir = tempfile::tempdir().unwrap();
        called(&env, dir.path());
        env.ok(&[
            "retention",
            "set",
            "--tenant",
            "acme",
            "--recordings-days",
            "10",
            "--transcripts-days",
            "20",
            "--results-days",
            "30",
        ]);
        let at = |days: i64| (Utc::now() + Duration::days(days)).to_rfc3339();
        // Nine days on, nothing is due.
        assert!(env
            .ok(&["retention", "run", "--now", &at(9)])
            .contains("nothing due"));
        assert_eq!(recordings(&env).len(), 3);

        // Eleven days on, recordings are due: a dry run only reports them.
        let dry = env.json(&["retention", "run", "--dry-run", "--now", &at(11), "--json"]);
        assert_eq!(
            dry["report"]["tenants"][0]["recordings"]
                .as_array()
                .unwrap()
                .len(),
            3,
            "{dry}"
        );
        assert_eq!(recordings(&env).len(), 3);
        let done = env.json(&["retention", "run", "--now", &at(11), "--json"]);
        let t = &done["report"]["tenants"][0];
        assert_eq!(t["recordings"].as_array().unwrap().len(), 3, "{done}");
        assert!(t["transcripts"].as_array().unwrap().is_empty(), "{done}");
        assert!(t["results"].as_array().unwrap().is_empty(), "{done}");
        assert_eq!(
            done["files"]["deleted"].as_array().unwrap().len(),
            3,
            "{done}"
        );
        assert!(recordings(&env).is_empty());
        let call = export(&env, &number(2))["calls"][0].clone();
        assert!(
            call["recording_path"].is_null() && call["transcript"].is_string(),
            "{call}"
        );
        assert!(call["grade"].is_string(), "{call}");

        // Twenty-one days on, the transcripts go; the results stay.
        let done = env.json(&["retention", "run", "--now", &at(21), "--json"]);
        let t = &done["report"]["tenants"][0];
        assert_eq!(t["transcripts"].as_array().unwrap().len(), 3, "{done}");
        assert!(t["results"].as_array().unwrap().is_empty(), "{done}");
        let call = export(&env, &number(2))["calls"][0].clone();
        assert!(
            call["transcript"].is_null() && call["grade"].is_string(),
            "{call}"
        );
        // The same instant again: nothing left to delete.
        assert!(env
            .ok(&["retention", "run", "--now", &at(21)])
            .contains("nothing due"));
        let o = env.run(&["retention", "run", "--now", "tomorrow"], None);
        assert!(!o.status.success());
        assert!(err(&o).contains("--now"), "{}", err(&o));
    }
}

//! Tasks end to end: `waihu demo` summarises a whole task against the virtual
//! callee; a task set up with the CLI survives `kill -9` of the dialler in the
//! middle of its calls — the calls left in flight are reconciled, counted, and
//! nobody is called more often than the retry policy allows.

use crate::support::callee::{dialler, run_dialler, start_callee, talker, Killed};
use crate::support::seed::{
    allow_all_day, caller_number, import_contacts, setup_task, task_create, upload_script,
    ACME_CALLER, ALL_DAY,
};
use crate::support::{err, free_sip_port, out, Env};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn demo_calls_everyone_and_prints_its_summary() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let port = free_sip_port().to_string();
    let mut cmd = Command::new(crate::support::bin());
    for (k, _) in std::env::vars() {
        if k.starts_with("WAIHU_") {
            cmd.env_remove(k);
        }
    }
    cmd.arg("--data-dir").arg(&data).args([
        "demo",
        "--calls",
        "20",
        "--exit",
        "--json",
        "--asr",
        "phrasebook",
        "--listen",
        "127.0.0.1:0",
        "--callee-port",
        &port,
        "--lines",
        "4",
    ]);
    let o = crate::support::run_cmd(&mut cmd, None);
    assert!(o.status.success(), "{}\n{}", out(&o), err(&o));
    let text = out(&o);
    assert!(text.contains("login: demo-admin / "), "{text}");
    let last = text.lines().last().unwrap();
    let s: serde_json::Value = serde_json::from_str(last).unwrap();
    assert_eq!(s["contacts"], 20);
    // Contacts 9 (consent withdrawn), 13 (consent for surveys only) and 19 (expired)
    // are refused for consent, 11 for the tenant's do-not-call list.
    assert_eq!(
        s["refused"],
        serde_json::json!({"consent": 3, "dnc_tenant": 1})
    );
    let outcomes = &s["outcomes"];
    // 03 busy twice (retried once), 06/16 never answer (retried once), 07/17 invalid.
    assert_eq!(outcomes["busy"], 2, "{s}");
    assert_eq!(outcomes["no_answer"], 4, "{s}");
    assert_eq!(outcomes["invalid_number"], 2, "{s}");
    assert_eq!(outcomes["answered"], 11, "{s}");
    assert_eq!(s["attempts"], 19);
    // Interested callees book (A); the grade decides leads (threshold B).
    let a = s["grades"]["A"].as_i64().unwrap();
    assert!(a >= 3, "{s}");
    assert_eq!(
        s["leads"].as_i64().unwrap(),
        a + s["grades"]["B"].as_i64().unwrap()
    );
    assert!(s["opt_outs"].as_i64().unwrap() >= 1, "{s}");
    assert!(s["latency_ms"]["p50"].as_u64().is_some(), "{s}");
    // Speech turns and key presses are counted apart.
    assert!(s["latency_ms"]["turns"].as_u64().unwrap() >= 1, "{s}");
    assert!(s["key_latency_ms"]["turns"].as_u64().is_some(), "{s}");
    // The opt-outs are on the tenant's do-not-call list now.
    let mut check = Command::new(crate::support::bin());
    check
        .arg("--data-dir")
        .arg(&data)
        .args(["dnc", "check", "--tenant", "demo", "+8613800100005"]);
    let o = crate::support::run_cmd(&mut check, None);
    assert!(out(&o).contains("tenant"), "{}\n{}", out(&o), err(&o));
    // A second demo never reuses a non-empty directory.
    let mut again = Command::new(crate::support::bin());
    again.arg("--data-dir").arg(&data).args(["demo", "--exit"]);
    let o = crate::support::run_cmd(&mut again, None);
    assert!(!o.status.success());
    assert!(err(&o).contains("is not empty"), "{}", err(&o));
}

fn status(env: &Env) -> serde_json::Value {
    env.json_last_line(&["task", "status", "--tenant", "acme", "t1", "--json"])
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_mid_task_reconciles_and_never_overcalls() {
    for env in crate::support::envs().await {
        kill_9_on(&env);
    }
}

fn kill_9_on(env: &Env) {
    let dir = tempfile::tempdir().unwrap();
    let callee = start_callee(env, dir.path(), &talker(4000));
    let (callee_port, behaviour) = (callee.port, callee.behaviour.clone());
    setup_task(env, dir.path(), callee_port, 8);
    let dial = |env: &Env| {
        let mut c = dialler(env, &behaviour);
        c.stdout(Stdio::null()).stderr(Stdio::piped());
        c
    };
    // Let the dialler get four calls under way, then kill it without warning.
    let mut first = Killed(dial(env).spawn().unwrap());
    let started = Instant::now();
    loop {
        let s = status(env);
        if s["contacts"]["in_flight"].as_i64().unwrap_or(0) >= 4 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no calls started: {s}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_millis(1500));
    first.0.kill().unwrap();
    first.0.wait().unwrap();
    let mid = status(env);
    let in_flight = mid["contacts"]["in_flight"].as_i64().unwrap();
    assert!(in_flight >= 1, "{mid}");

    // Restart: reconcile, then finish the task.
    let o = crate::support::run_cmd(&mut dial(env), None);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("reconciled"), "{}", err(&o));
    let end = status(env);
    assert_eq!(end["state"], "completed", "{end}");
    assert_eq!(end["contacts"]["done"], 8, "{end}");
    let interrupted = end["outcomes"]["interrupted"].as_i64().unwrap_or(0);
    assert!(interrupted >= 1, "{end}");
    // Every contact was dialled once: the interrupted calls count as attempts and
    // are not redialled (the policy retries only busy), the rest were answered.
    assert_eq!(end["attempts"], 8, "{end}");
    assert_eq!(
        end["outcomes"]["answered"].as_i64().unwrap_or(0) + interrupted,
        8,
        "{end}"
    );
}

const OPT_OUT_CALLEES: &str = r#"
[[rule]]
match = "3$"
ring_secs = 0
action = "answer"
persona = "opt_out"

[[rule]]
ring_secs = 0
action = "answer"
persona = "agree"

[persona.opt_out]
lang = "zh"
steps = [{ do = "say", text = "别再给我打电话了。" }]
then = "wait"

[persona.agree]
lang = "zh"
steps = [{ do = "say", text = "好的，可以。" }]
then = "hangup"
"#;

/// An opt-out in one task keeps every other task of the tenant from calling the
/// number, and the frequency cap counts attempts across tasks and tenants.
#[tokio::test(flavor = "multi_thread")]
async fn opt_outs_and_caps_hold_across_tasks_and_tenants() {
    for env in crate::support::envs().await {
        opt_outs_and_caps_on(&env);
    }
}

fn opt_outs_and_caps_on(env: &Env) {
    let dir = tempfile::tempdir().unwrap();
    let callee = start_callee(env, dir.path(), OPT_OUT_CALLEES);
    let (callee_port, behaviour) = (callee.port, callee.behaviour.clone());
    // acme: list l1 and task t1 (4 numbers, one of them opts out), policy cap 1 per 24 h.
    setup_task(env, dir.path(), callee_port, 4);
    allow_all_day(env, dir.path(), 1);
    let dial = || run_dialler(env, &behaviour);
    dial();
    let t1 = status(env);
    assert_eq!(t1["state"], "completed", "{t1}");
    assert_eq!(t1["outcomes"]["answered"], 4, "{t1}");
    // The opt-out is on acme's list now.
    let o = env.run(
        &["dnc", "check", "--tenant", "acme", "+8613900200003"],
        None,
    );
    assert!(out(&o).contains("tenant"), "{}", out(&o));

    // A second acme task over the same list, and a beta task over the same numbers.
    env.ok(&["tenant", "create", "beta"]);
    env.ok(&["tenant", "set-quota", "beta", "--lines", "2"]);
    caller_number(env, "+861088887777", "beta");
    upload_script(env, "beta");
    import_contacts(
        env,
        &dir.path().join("contacts.csv"),
        "beta",
        "b1",
        "FORM-2",
    );
    // Both tasks end soon, so that the dialler finds them finished once every
    // contact was refused; the end is set after the slow set-up above, so that a
    // loaded machine cannot end a task before the dialler has seen it.
    let ends = (chrono::Utc::now() + chrono::Duration::seconds(15)).to_rfc3339();
    let mut t2 = task_create("acme", "t2", "trial", "l1", ACME_CALLER);
    t2.extend(["--windows", ALL_DAY, "--ends", &ends]);
    env.ok(&t2);
    env.ok(&["task", "start", "--tenant", "acme", "t2"]);
    let mut t3 = task_create("beta", "t3", "trial", "b1", "+861088887777");
    t3.extend(["--windows", ALL_DAY, "--ends", &ends]);
    env.ok(&t3);
    env.ok(&["task", "start", "--tenant", "beta", "t3"]);
    dial();
    let get = |tenant: &str, task: &str| -> serde_json::Value {
        let o = env.run(
            &["task", "status", "--tenant", tenant, task, "--json"],
            None,
        );
        serde_json::from_str(out(&o).lines().last().unwrap()).unwrap()
    };
    let t2 = get("acme", "t2");
    let t3 = get("beta", "t3");
    // Nobody was dialled again: every contact was refused, none attempted.
    assert_eq!(t2["attempts"], 0, "{t2}");
    assert_eq!(t3["attempts"], 0, "{t3}");
    assert_eq!(t2["state"], "completed", "{t2}");
    assert!(t2["outcomes"]["refused"].as_i64().unwrap() >= 4, "{t2}");
    assert!(t3["outcomes"]["refused"].as_i64().unwrap() >= 4, "{t3}");
    // Why: the refusals name do-not-call for the opt-out and the cap for the rest.
    let o = env.run(
        &[
            "gate",
            "check",
            "--tenant",
            "acme",
            "--number",
            "+8613900200003",
            "--json",
        ],
        None,
    );
    assert!(out(&o).contains("dnc_tenant"), "{}", out(&o));
    let o = env.run(
        &[
            "gate",
            "check",
            "--tenant",
            "beta",
            "--number",
            "+8613900200001",
            "--json",
        ],
        None,
    );
    assert!(out(&o).contains("cap_24h"), "{}", out(&o));
}

/// A paused task dials nobody; resumed, it calls everyone and completes.
#[test]
fn paused_tasks_do_not_dial_and_resume_where_they_were() {
    let env = Env::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let callee = start_callee(&env, dir.path(), OPT_OUT_CALLEES);
    let (callee_port, behaviour) = (callee.port, callee.behaviour.clone());
    setup_task(&env, dir.path(), callee_port, 3);
    let dial = || run_dialler(&env, &behaviour);
    let o = env.run(
        &[
            "task",
            "pause",
            "--tenant",
            "acme",
            "t1",
            "--reason",
            "check the script",
        ],
        None,
    );
    assert!(o.status.success(), "{}", err(&o));
    // Pausing twice is refused with the state named.
    let o = env.run(&["task", "pause", "--tenant", "acme", "t1"], None);
    assert!(!o.status.success());
    assert!(
        err(&o).contains("cannot pause a task that is paused"),
        "{}",
        err(&o)
    );
    dial();
    let s = status(&env);
    assert_eq!(s["state"], "paused", "{s}");
    assert_eq!(s["state_reason"], "check the script", "{s}");
    assert_eq!(s["attempts"], 0, "{s}");
    let o = env.run(&["task", "resume", "--tenant", "acme", "t1"], None);
    assert!(o.status.success(), "{}", err(&o));
    dial();
    let s = status(&env);
    assert_eq!(s["state"], "completed", "{s}");
    assert_eq!(s["attempts"], 3, "{s}");
}

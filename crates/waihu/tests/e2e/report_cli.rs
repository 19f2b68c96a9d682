//! Reports end to end: a short task against the virtual callee with personas
//! whose answers are known (two book, two decline, two say something the script
//! does not understand, two opt out), then `waihu report funnel|unknown|task`:
//! the funnel counts match the personas, the top unrecognised cluster is the
//! persona's phrase, CSV and XLSX exports read back equal to `--json` (numbers
//! masked, each export audited), and an A/B task splits its calls between the
//! two versions. Bad input: a task without calls, an unknown script version, a
//! tenant without the task.

use crate::support::callee::{run_dialler, start_callee};
use crate::support::seed::{
    import_contacts, setup_task, task_create, upload_script, write_contacts, ACME_CALLER, ALL_DAY,
};
use crate::support::{err, out, Env};
use calamine::{Data, DataType, Reader, Xlsx};
use std::path::Path;

/// Personas by the number's last digit (setup_task numbers its contacts 0..n):
/// 0–1 agree and name a time, 2–3 decline, 4–5 say something the script does
/// not understand, the rest opt out. Numbers of the A/B list (…3000xx) only
/// say yes and hang up.
fn personas() -> String {
    let agree = "好的，可以。";
    let decline = "不需要。";
    let puzzle = "我家狗狗会游泳。";
    [
        rule(Some("3000\\d\\d$"), "quick"),
        rule(Some("[01]$"), "agree"),
        rule(Some("[23]$"), "decline"),
        rule(Some("[45]$"), "puzzling"),
        rule(None, "opt_out"),
        persona("quick", &[agree], "hangup"),
        persona("agree", &[agree, "周六上午吧。"], "wait"),
        persona("decline", &[decline, decline], "wait"),
        persona("puzzling", &[puzzle, puzzle, puzzle], "wait"),
        persona("opt_out", &["别再给我打电话了。"], "wait"),
    ]
    .concat()
}

/// A rule answering at once with `persona`, for the numbers matching `pattern`
/// (every number when `None`).
fn rule(pattern: Option<&str>, persona: &str) -> String {
    let matching = pattern
        .map(|p| format!("match = {p:?}\n"))
        .unwrap_or_default();
    format!("[[rule]]\n{matching}ring_secs = 0\naction = \"answer\"\npersona = \"{persona}\"\n\n")
}

/// A persona saying `lines` in turn, listening to the robot between them.
fn persona(name: &str, lines: &[&str], then: &str) -> String {
    let steps: Vec<String> = lines
        .iter()
        .map(|l| format!("{{ do = \"say\", text = \"{l}\" }}"))
        .collect();
    format!(
        "[persona.{name}]\nlang = \"zh\"\nsteps = [{}]\nthen = \"{then}\"\n\n",
        steps.join(", { do = \"listen\" }, ")
    )
}

fn node<'a>(funnel: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    funnel["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"] == id)
        .unwrap_or_else(|| panic!("no node {id} in {funnel}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn reports_match_the_personas_and_exports_match_json() {
    for env in crate::support::envs().await {
        reports_on(&env).await;
    }
}

async fn reports_on(env: &Env) {
    let dir = tempfile::tempdir().unwrap();
    let callee = start_callee(env, dir.path(), &personas());
    setup_task(env, dir.path(), callee.port, 8);

    // Bad input first: nothing to report yet, unknown names.
    let o = env.run(&["report", "task", "--tenant", "acme", "t1"], None);
    assert_eq!(o.status.code(), Some(3), "{}\n{}", out(&o), err(&o));
    assert!(err(&o).contains("no ended calls"), "{}", err(&o));
    let csv_path = dir.path().join("t1.csv");
    let o = env.run(
        &[
            "report",
            "task",
            "--tenant",
            "acme",
            "t1",
            "--csv",
            csv_path.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(3));
    assert!(!csv_path.exists(), "an empty report writes no file");
    let o = env.run(
        &[
            "report", "funnel", "--tenant", "acme", "--script", "trial@9",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("no such script version"), "{}", err(&o));
    let o = env.run(
        &[
            "report",
            "funnel",
            "--tenant",
            "acme",
            "--script",
            &uuid::Uuid::now_v7().to_string(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let o = env.run(
        &["report", "unknown", "--tenant", "acme", "--task", "t1"],
        None,
    );
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    assert!(env
        .run(&["tenant", "create", "quiet"], None)
        .status
        .success());
    let o = env.run(&["report", "task", "--tenant", "quiet", "t1"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("has no task"), "{}", err(&o));

    run_dialler(env, &callee.behaviour);

    // The funnel: everyone answered and heard the invitation; two went on to
    // pick a time, two were asked about later, two opted out there.
    let f = env.json_last_line(&[
        "report", "funnel", "--tenant", "acme", "--script", "trial@1", "--json",
    ]);
    assert_eq!(f["calls"], 8, "{f}");
    assert_eq!(node(&f, "invite")["reached"], 8, "{f}");
    assert_eq!(node(&f, "pick_time")["reached"], 2, "{f}");
    assert_eq!(node(&f, "ask_later_interest")["reached"], 2, "{f}");
    assert_eq!(node(&f, "invite")["opt_outs"], 2, "{f}");
    assert_eq!(node(&f, "bye_opt_out")["reached"], 2, "{f}");
    // Nobody asked about age: the node is listed, unreached, after the others.
    assert_eq!(node(&f, "age_answer")["reached"], 0, "{f}");
    let last = f["nodes"].as_array().unwrap().last().unwrap();
    assert_eq!(last["reached"], 0, "{f}");

    // The unrecognised answer is the puzzling persona's phrase.
    let u = env.json_last_line(&[
        "report", "unknown", "--tenant", "acme", "--task", "t1", "--json",
    ]);
    let top = &u["clusters"][0];
    assert!(top["label"].as_str().unwrap().contains("狗狗会游泳"), "{u}");
    assert!(top["count"].as_u64().unwrap() >= 2, "{u}");
    assert_eq!(top["calls"], 2, "{u}");

    // A callee complains about their call (the operator files it): the ticket
    // names the call and counts in the report beside complaints said in calls.
    let o = env.run(
        &[
            "complaint",
            "file",
            "--number",
            &crate::support::seed::number(200_000),
            "--at",
            &chrono::Utc::now().to_rfc3339(),
            "--description",
            "不想再接到电话",
        ],
        None,
    );
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("names 1 calls"), "{}", out(&o));

    // The task report, and its exports read back.
    let t = env.json_last_line(&["report", "task", "--tenant", "acme", "t1", "--json"]);
    let total = &t["total"];
    assert_eq!(total["attempts"], 8, "{t}");
    assert_eq!(total["answered"], 8, "{t}");
    assert_eq!(total["opt_outs"], 2, "{t}");
    assert_eq!(total["leads"], 2, "{t}");
    assert_eq!(total["grades"]["A"], 2, "{t}");
    assert_eq!(total["complaint_tickets"], 1, "{t}");
    // Exports in English, so that the headers are known.
    let export = |format: &str, path: &Path| {
        let path = path.to_str().unwrap();
        env.ok(&[
            "report", "task", "--tenant", "acme", "t1", format, path, "--lang", "en",
        ]);
    };
    export("--csv", &csv_path);
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let last = rows.last().unwrap();
    assert_eq!(last[0], "total");
    for name in [
        "attempts",
        "answered",
        "leads",
        "opt-outs",
        "complaint tickets",
    ] {
        let key = match name {
            "opt-outs" => "opt_outs",
            "complaint tickets" => "complaint_tickets",
            _ => name,
        };
        assert_eq!(last[col(name)], total[key].to_string(), "{name}: {text}");
    }
    assert_eq!(rows.len(), t["days"].as_array().unwrap().len() + 1);

    let xlsx_path = dir.path().join("t1.xlsx");
    export("--xlsx", &xlsx_path);
    let mut book: Xlsx<_> = calamine::open_workbook(&xlsx_path).unwrap();
    let daily = book.worksheet_range("daily").unwrap();
    let drows: Vec<&[Data]> = daily.rows().collect();
    let dcol = |name: &str| drows[0].iter().position(|c| *c == name).unwrap();
    let dlast = drows.last().unwrap();
    assert_eq!(dlast[0].to_string(), "total");
    assert_eq!(
        dlast[dcol("attempts")].as_f64(),
        total["attempts"].as_f64(),
        "{t}"
    );
    assert_eq!(dlast[dcol("leads")].as_f64(), total["leads"].as_f64());
    let calls = book.worksheet_range("calls").unwrap();
    let crows: Vec<&[Data]> = calls.rows().collect();
    assert_eq!(crows.len(), 1 + 8, "header and eight calls");
    for row in &crows[1..] {
        let number = row[2].to_string();
        assert!(
            number.contains('*') && !number.contains("1390020000"),
            "masked: {number}"
        );
    }
    // Both exports are in the audit log, without numbers.
    let store = env.store().await;
    let tenant = store
        .find_tenant_by_name(&waihu_core::TenantName::parse("acme").unwrap())
        .await
        .unwrap()
        .unwrap();
    let audit = store.list_audit(tenant.id, 100).await.unwrap();
    let exports: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "report.export")
        .collect();
    assert_eq!(exports.len(), 2, "{audit:?}");
    assert!(exports.iter().any(|e| e.details.contains("\"xlsx\"")));
    assert!(exports.iter().all(|e| !e.details.contains("13900200")));
    store.close().await;

    ab_split(env, dir.path(), &callee.behaviour);
}

/// A second published version as variant B on half of a new list: the calls
/// are split between the two versions, and the report says so.
fn ab_split(env: &Env, dir: &Path, behaviour: &Path) {
    upload_script(env, "acme");
    let file = dir.join("ab.csv");
    write_contacts(&file, 300_000..300_012, "李女士", "小红");
    import_contacts(env, &file, "acme", "l2", "FORM-2");
    let create = |extra: &[&str]| {
        let mut args = task_create("acme", "ab", "trial@1", "l2", ACME_CALLER);
        args.extend(["--lines", "4", "--windows", ALL_DAY]);
        args.extend_from_slice(extra);
        env.run(&args, None)
    };
    // Bad splits and versions are refused before anything is stored.
    for (extra, why) in [
        (&["--variant-b", "trial@2", "--split", "100"][..], "--split"),
        (&["--variant-b", "trial@2", "--split", "0"][..], "--split"),
        (&["--split", "30"][..], "--split needs --variant-b"),
        (&["--variant-b", "nosuch"][..], "--variant-b"),
    ] {
        let o = create(extra);
        assert!(!o.status.success(), "{extra:?}");
        assert!(err(&o).contains(why), "{extra:?}: {}", err(&o));
    }
    let o = create(&["--variant-b", "trial@2", "--split", "50"]);
    assert!(o.status.success(), "{}", err(&o));
    env.ok(&["task", "start", "--tenant", "acme", "ab"]);
    run_dialler(env, behaviour);
    let t = env.json_last_line(&["report", "task", "--tenant", "acme", "ab", "--json"]);
    assert_eq!(t["variant_b"]["split_percent"], 50, "{t}");
    let a = t["variants"]["A"]["attempts"].as_u64().unwrap_or(0);
    let b = t["variants"]["B"]["attempts"].as_u64().unwrap_or(0);
    assert_eq!(a + b, 12, "{t}");
    assert!(a > 0 && b > 0, "both variants dialled: {t}");
    assert_eq!(t["ab"]["a"]["attempts"].as_u64(), Some(a), "{t}");
    assert_eq!(t["ab"]["b"]["attempts"].as_u64(), Some(b), "{t}");
}

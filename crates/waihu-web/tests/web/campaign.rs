//! The campaign pages and API (scripts, tasks, calls, leads, dead letters) on
//! every backend: linting on upload and publishing only clean versions, task
//! state changes, call filters and details with masked numbers, recordings served
//! only from the tenant's folder, lead regrading that keeps the robot's grade,
//! dead-letter retry; roles (agents and auditors change nothing they may not)
//! and anti-CSRF on every change.

use crate::campaign_seed::{broken, seed, Campaign, CLEAN, NUMBERS};
use crate::support::{Harness, Resp, Seed};
use axum::http::{Method, StatusCode};
use serde_json::json;
use tempfile::TempDir;
use waihu_store::{Actor, LeadStatus, TaskStateName};

pub struct World {
    pub h: Harness,
    pub s: Seed,
    pub a: Campaign,
    pub b: Campaign,
    pub tmp: TempDir,
}

/// Every backend, seeded with both tenants' campaigns and recordings served.
pub async fn worlds() -> Vec<World> {
    let mut out = Vec::new();
    for (mut h, s) in Harness::seeded_all().await {
        let tmp = TempDir::new().unwrap();
        let rec = tmp.path().join("recordings");
        std::fs::create_dir_all(&rec).unwrap();
        h.state = h.state.clone().with_recordings(&rec);
        let a = seed(&h, s.ta, "ta", &rec).await;
        let b = seed(&h, s.tb, "tb", &rec).await;
        out.push(World { h, s, a, b, tmp });
    }
    out
}

pub async fn token(h: &Harness, tenant: waihu_core::TenantId) -> String {
    h.store
        .create_api_token(tenant, "crm", &Actor::cli("t"))
        .await
        .unwrap()
        .1
}

fn assert_masked(what: &str, r: &Resp) {
    for n in NUMBERS {
        let national = n.trim_start_matches("+86");
        assert!(
            !r.body.contains(national),
            "{what}: full number in {}",
            r.body
        );
    }
}

#[tokio::test]
async fn scripts_are_linted_on_upload_and_only_clean_versions_publish() {
    for w in worlds().await {
        check_scripts(&w).await;
    }
}

async fn check_scripts(w: &World) {
    let (h, a) = (&w.h, &w.a);
    let mut alice = h.login("alice").await;
    let r = alice.get("/scripts").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("ta-welcome") && !r.body.contains("tb-welcome"),
        "{}",
        r.body
    );
    let r = alice.get(&format!("/scripts/{}", a.script_id)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("v1") && r.body.contains("v2"));

    // The broken version shows its findings inline and offers no publish button.
    let r = alice.get(&format!("/script-versions/{}", a.dirty)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("id=\"findings\"") && r.body.contains("nowhere_node"),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains("/publish\""),
        "no publish form: {}",
        r.body
    );
    let r = alice
        .post(&format!("/script-versions/{}/publish", a.dirty), &[])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("linter finding"), "{}", r.body);

    // Upload through the form: redirected to the new version with its findings.
    let r = alice
        .post("/scripts", &[("name", "新话术"), ("yaml", &broken())])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = alice.get(&r.location()).await;
    assert!(
        page.body.contains("新话术") && page.body.contains("nowhere_node"),
        "{}",
        page.body
    );

    // The clean version publishes.
    let r = alice
        .post(&format!("/script-versions/{}/publish", a.clean), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let v = h
        .store
        .get_script_version(w.s.ta, a.clean)
        .await
        .unwrap()
        .unwrap();
    assert!(v.published_at.is_some());

    // No token, no change.
    let r = alice
        .post_raw("/scripts", &[("name", "x"), ("yaml", CLEAN)])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let csrf = alice.csrf().await;
    let r = alice
        .api(
            Method::POST,
            &format!("/api/v1/script-versions/{}/publish", a.dirty),
            None,
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::FORBIDDEN, "csrf_failed")
    );
    let r = alice
        .api(
            Method::POST,
            &format!("/api/v1/script-versions/{}/publish", a.dirty),
            Some(&csrf),
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "conflict")
    );

    // Agents and auditors read but neither upload nor publish.
    for who in ["agnes", "audrey"] {
        let mut b = h.login(who).await;
        assert_eq!(b.get("/scripts").await.status, StatusCode::OK, "{who}");
        let page = b.get(&format!("/script-versions/{}", a.clean)).await;
        assert!(
            !page.body.contains("action=\"/scripts\""),
            "{who} sees no upload form"
        );
        assert_eq!(
            b.post("/scripts", &[("name", "mine"), ("yaml", CLEAN)])
                .await
                .status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
        assert_eq!(
            b.post(&format!("/script-versions/{}/publish", a.clean), &[])
                .await
                .status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
        let csrf = b.csrf().await;
        let r = b
            .api(
                Method::POST,
                "/api/v1/scripts",
                Some(&csrf),
                json!({"name": "mine", "yaml": CLEAN}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
    }
    assert!(h
        .store
        .find_script_version(w.s.ta, "mine", None)
        .await
        .unwrap()
        .is_none());

    // The API: upload (findings in the answer), publish, list.
    let tok = token(h, w.s.ta).await;
    let r = h
        .api(
            Method::POST,
            "/api/v1/scripts",
            Some(&tok),
            Some(json!({"name": "api-script", "yaml": CLEAN})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["findings"], json!([]));
    let id = r.json()["id"].as_str().unwrap().to_string();
    let r = h
        .api(
            Method::POST,
            &format!("/api/v1/script-versions/{id}/publish"),
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["published_at"].is_string());
    let r = h
        .api(
            Method::POST,
            "/api/v1/scripts",
            Some(&tok),
            Some(json!({"name": "bad", "yaml": broken()})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let findings = r.json()["findings"].as_array().unwrap().clone();
    assert!(
        !findings.is_empty() && findings[0]["rule"].is_string(),
        "{findings:?}"
    );
    let r = h
        .api(
            Method::POST,
            "/api/v1/scripts",
            Some(&tok),
            Some(json!({"name": "empty", "yaml": "  "})),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("yaml"))
    );
    let r = h
        .api(Method::GET, "/api/v1/scripts", Some(&tok), None)
        .await;
    let names: Vec<String> = r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect();
    assert!(
        names.contains(&"api-script".to_string()) && names.contains(&"ta-welcome".to_string()),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.starts_with("tb-")));
    let r = h
        .api(
            Method::GET,
            &format!("/api/v1/scripts/{}/versions", a.script_id),
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(r.json().as_array().unwrap().len(), 2);
}

async fn task_state(w: &World, id: uuid::Uuid) -> TaskStateName {
    w.h.store.get_task(w.s.ta, id).await.unwrap().unwrap().state
}

#[tokio::test]
async fn tasks_start_pause_resume_and_stop_by_admins_only() {
    for w in worlds().await {
        check_tasks(&w).await;
    }
}

async fn check_tasks(w: &World) {
    let (h, a) = (&w.h, &w.a);
    let mut alice = h.login("alice").await;
    let r = alice.get("/tasks").await;
    assert!(r.body.contains("ta-draft-task") && r.body.contains("ta-running-task"));
    assert!(!r.body.contains("tb-"), "{}", r.body);
    // A running task's progress refreshes itself (app.js follows data-refresh).
    assert!(
        r.body.contains("id=\"tasks-live\" data-refresh=\"3\""),
        "{}",
        r.body
    );
    let r = alice.get(&format!("/tasks/{}", a.running_task)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("id=\"task-live\" data-refresh=\"3\""),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("id=\"by-outcome\"")
            && r.body.contains("answered")
            && r.body.contains("busy")
    );

    // An agent sees the task but cannot change it.
    let mut agnes = h.login("agnes").await;
    let page = agnes.get(&format!("/tasks/{}", a.draft_task)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("task-actions"));
    // A draft changes only when someone acts: nothing to refresh.
    assert!(page.body.contains("id=\"task-live\"") && !page.body.contains("data-refresh"));
    let start = format!("/tasks/{}/start", a.draft_task);
    assert_eq!(agnes.post(&start, &[]).await.status, StatusCode::FORBIDDEN);
    let csrf = agnes.csrf().await;
    let r = agnes
        .api(
            Method::POST,
            &format!("/api/v1/tasks/{}/start", a.draft_task),
            Some(&csrf),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Without the token nothing happens either.
    assert_eq!(
        alice.post_raw(&start, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(task_state(w, a.draft_task).await, TaskStateName::Draft);

    // Start queues the contacts and runs the task; then pause, resume, stop.
    let r = alice.post(&start, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(task_state(w, a.draft_task).await, TaskStateName::Running);
    let counts = h.store.task_counts(w.s.ta, a.draft_task).await.unwrap();
    assert_eq!(counts.by_state.values().sum::<i64>(), 2, "{counts:?}");
    assert_eq!(alice.post(&start, &[]).await.status, StatusCode::CONFLICT);
    for (action, state) in [
        ("pause", TaskStateName::Paused),
        ("resume", TaskStateName::Running),
        ("stop", TaskStateName::Stopped),
    ] {
        let r = alice
            .post(&format!("/tasks/{}/{action}", a.draft_task), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{action}: {}", r.body);
        assert_eq!(task_state(w, a.draft_task).await, state, "{action}");
    }
    let r = alice
        .post(&format!("/tasks/{}/resume", a.draft_task), &[])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = alice
        .post(&format!("/tasks/{}/explode", a.draft_task), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The API with a token.
    let tok = token(h, w.s.ta).await;
    let base = format!("/api/v1/tasks/{}", a.running_task);
    let r = h
        .api(Method::POST, &format!("{base}/pause"), Some(&tok), None)
        .await;
    assert_eq!(
        (r.status, r.json()["state"].as_str()),
        (StatusCode::OK, Some("paused")),
        "{}",
        r.body
    );
    let r = h
        .api(
            Method::POST,
            &format!("{base}/resume"),
            Some(&tok),
            Some(json!({"reason": "窗口恢复"})),
        )
        .await;
    assert_eq!(r.json()["state"], "running", "{}", r.body);
    assert_eq!(r.json()["state_reason"], "窗口恢复");
    let r = h
        .api(Method::GET, &format!("{base}/counts"), Some(&tok), None)
        .await;
    assert_eq!(r.json()["attempts"], 2, "{}", r.body);
    assert_eq!(r.json()["by_outcome"]["busy"], 1);
    let r = h.api(Method::GET, "/api/v1/tasks", Some(&tok), None).await;
    assert_eq!(r.json()["total"], 2);
    assert!(r.json()["items"][0]["counts"].is_object());
    let r = h
        .api(Method::POST, &format!("{base}/stop"), Some(&tok), None)
        .await;
    assert_eq!(r.json()["state"], "stopped");
    let r = h
        .api(Method::POST, &format!("{base}/start"), Some(&tok), None)
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "conflict")
    );
}

#[tokio::test]
async fn calls_are_listed_filtered_and_shown_with_masked_numbers_and_recordings() {
    for w in worlds().await {
        check_calls(&w).await;
    }
}

async fn check_calls(w: &World) {
    let (h, a) = (&w.h, &w.a);
    let mut alice = h.login("alice").await;
    let r = alice.get("/calls").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("138****5678") && r.body.contains(&a.answered_call.to_string()));
    assert!(!r.body.contains(&w.b.answered_call.to_string()));
    assert_masked("/calls", &r);
    let busy = alice.get("/calls?outcome=busy").await.body;
    assert!(
        busy.contains(&a.busy_call.to_string()) && !busy.contains(&a.answered_call.to_string())
    );
    let graded = alice.get("/calls?grade=A&task=").await.body;
    assert!(
        graded.contains(&a.answered_call.to_string()) && !graded.contains(&a.busy_call.to_string())
    );
    let none = alice
        .get(&format!("/calls?task={}", a.draft_task))
        .await
        .body;
    assert!(!none.contains(&a.answered_call.to_string()));
    assert_eq!(
        alice.get("/calls?grade=Z").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let r = alice.get(&format!("/calls/{}", a.answered_call)).await;
    assert_eq!(r.status, StatusCode::OK);
    for needle in [
        "ta想了解一下价格",
        "ta asked for a quote",
        "consent",
        "yes_end",
        "affirm",
        "1:05",
    ] {
        assert!(r.body.contains(needle), "{needle} in {}", r.body);
    }
    assert!(r
        .body
        .contains(&format!("src=\"/calls/{}/recording\"", a.answered_call)));
    assert!(
        !r.body.contains(&w.tmp.path().display().to_string()),
        "no server path"
    );
    assert_masked("/calls/{id}", &r);

    // The recording: served to every tenant role, only where there is one.
    for who in ["alice", "agnes", "audrey"] {
        let mut b = h.login(who).await;
        let r = b
            .get(&format!("/calls/{}/recording", a.answered_call))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{who}");
        assert_eq!(r.header("content-type"), "audio/wav");
        assert_eq!(r.body.as_bytes(), a.audio.as_slice());
    }
    let r = alice
        .get(&format!("/calls/{}/recording", a.busy_call))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = alice.get("/calls/..%2F..%2Fetc%2Fpasswd/recording").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The API.
    let tok = token(h, w.s.ta).await;
    let r = h
        .api(
            Method::GET,
            "/api/v1/calls?outcome=answered",
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let items = r.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["has_recording"], true);
    assert_eq!(items[0]["number_masked"], "138****5678");
    assert!(
        !r.body.contains("recording_path") && !r.body.contains(&w.tmp.path().display().to_string())
    );
    let r = h
        .api(Method::GET, "/api/v1/calls?limit=1", Some(&tok), None)
        .await;
    assert_eq!(
        (
            r.json()["items"].as_array().unwrap().len(),
            r.json()["next_offset"].as_u64()
        ),
        (1, Some(1))
    );
    let r = h
        .api(
            Method::GET,
            &format!("/api/v1/calls/{}", a.answered_call),
            Some(&tok),
            None,
        )
        .await;
    let d = r.json();
    assert_eq!(d["transcript"].as_array().unwrap().len(), 2);
    assert_eq!(d["transcript"][1]["speaker"], "callee");
    assert_eq!(d["gate"]["allow"], true);
    assert_eq!(d["grade"], "A");
    assert_masked("/api/v1/calls/{id}", &r);
    let r = h
        .api(
            Method::GET,
            &format!("/api/v1/calls/{}/recording", a.answered_call),
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.body.as_bytes()),
        (StatusCode::OK, a.audio.as_slice())
    );
    let r = h
        .api(Method::GET, "/api/v1/calls?grade=AB", Some(&tok), None)
        .await;
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("grade"))
    );
}

#[test]
fn recording_paths_outside_the_tenants_folder_are_never_resolved() {
    use waihu_web::campaign::recordings::resolve;
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("recordings");
    let (ta, tb) = (waihu_core::TenantId::new(), waihu_core::TenantId::new());
    let a_dir = root.join(ta.to_string());
    let b_dir = root.join(tb.to_string());
    std::fs::create_dir_all(&a_dir).unwrap();
    std::fs::create_dir_all(&b_dir).unwrap();
    std::fs::write(a_dir.join("c1.wav"), b"a").unwrap();
    std::fs::write(a_dir.join("notes.txt"), b"a").unwrap();
    std::fs::write(b_dir.join("c2.wav"), b"b").unwrap();
    std::fs::write(tmp.path().join("secret.wav"), b"s").unwrap();
    let ok = resolve(&root, ta, &a_dir.join("c1.wav").display().to_string());
    assert!(ok.is_some());
    assert!(
        resolve(&root, ta, &format!("{ta}/c1.wav")).is_some(),
        "relative to the root"
    );
    for bad in [
        a_dir.join("../../secret.wav").display().to_string(),
        format!("{ta}/../../secret.wav"),
        tmp.path().join("secret.wav").display().to_string(),
        b_dir.join("c2.wav").display().to_string(),
        a_dir.join("notes.txt").display().to_string(),
        a_dir.join("missing.wav").display().to_string(),
        a_dir.display().to_string(),
        "/etc/passwd".to_string(),
        String::new(),
    ] {
        assert!(resolve(&root, ta, &bad).is_none(), "{bad}");
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(tmp.path().join("secret.wav"), a_dir.join("link.wav")).unwrap();
        assert!(resolve(&root, ta, &a_dir.join("link.wav").display().to_string()).is_none());
    }
}

#[tokio::test]
async fn a_stored_path_outside_the_recordings_folder_is_not_served() {
    let w = worlds().await.remove(0);
    let secret = w.tmp.path().join("secret.wav");
    std::fs::write(&secret, b"top secret").unwrap();
    let outside = w
        .tmp
        .path()
        .join("recordings")
        .join(w.s.ta.to_string())
        .join("../../secret.wav");
    let b_file = w
        .tmp
        .path()
        .join("recordings")
        .join(w.s.tb.to_string())
        .join(format!("{}.wav", w.b.answered_call));
    let mut alice = w.h.login("alice").await;
    for p in [
        outside.display().to_string(),
        secret.display().to_string(),
        b_file.display().to_string(),
    ] {
        w.h.tamper(&format!(
            "UPDATE calls SET recording_path = '{p}' WHERE outcome = 'busy'"
        ))
        .await;
        let r = alice
            .get(&format!("/calls/{}/recording", w.a.busy_call))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{p}");
        assert!(
            !r.body.contains("top secret") && !r.body.contains("RIFF-tb"),
            "{p}"
        );
        let page = alice.get(&format!("/calls/{}", w.a.busy_call)).await;
        assert!(!page.body.contains("<audio"), "no player for {p}");
    }
}

#[tokio::test]
async fn leads_are_regraded_by_agents_keeping_the_robots_grade() {
    for w in worlds().await {
        check_leads(&w).await;
    }
}

async fn check_leads(w: &World) {
    let (h, a) = (&w.h, &w.a);
    let mut agnes = h.login("agnes").await;
    let r = agnes.get("/leads").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("138****5678") && r.body.contains("ta wants a visit"));
    assert!(!r.body.contains("tb wants a visit"));
    assert_masked("/leads", &r);
    let grade = format!("/leads/{}/grade", a.lead);
    let status = format!("/leads/{}/status", a.lead);
    assert_eq!(
        agnes.post_raw(&grade, &[("grade", "C")]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        agnes.post(&grade, &[("grade", "Z")]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = agnes
        .post(&grade, &[("grade", "C"), ("note", "只是看看")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = agnes.post(&status, &[("status", "contacted")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let lead = h.store.get_lead(w.s.ta, a.lead).await.unwrap().unwrap();
    assert_eq!((lead.robot_grade.as_str(), lead.grade()), ("A", "C"));
    assert_eq!(lead.agent_id, Some(w.s.agnes));
    assert_eq!(lead.agent_note.as_deref(), Some("只是看看"));
    assert_eq!(lead.status, LeadStatus::Contacted);
    assert_eq!(
        agnes.post(&status, &[("status", "lost")]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // The call record shows the lead it became and regrades it in place.
    let call_page = format!("/calls/{}", lead.call_id);
    let page = agnes.get(&call_page).await;
    assert!(
        page.body.contains("id=\"lead\"") && page.body.contains(&grade),
        "{}",
        page.body
    );
    let r = agnes
        .post(
            &grade,
            &[("grade", "B"), ("note", "回电确认"), ("back", "call")],
        )
        .await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, call_page.clone())
    );
    let page = agnes.get(&call_page).await;
    assert!(page.body.contains("id=\"agent-grade\">B<"), "{}", page.body);
    assert!(page.body.contains("回电确认"));
    assert_eq!(
        h.store
            .get_lead(w.s.ta, a.lead)
            .await
            .unwrap()
            .unwrap()
            .grade(),
        "B"
    );
    assert!(h
        .store
        .lead_of_call(w.s.tb, lead.call_id)
        .await
        .unwrap()
        .is_none());

    // Auditors read only.
    let mut audrey = h.login("audrey").await;
    let page = audrey.get("/leads").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(&grade));
    let page = audrey.get(&call_page).await;
    assert!(page.body.contains("id=\"lead\"") && !page.body.contains(&grade));
    assert_eq!(
        audrey.post(&grade, &[("grade", "F")]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        audrey.post(&status, &[("status", "closed")]).await.status,
        StatusCode::FORBIDDEN
    );

    // The API: tokens list, set status and regrade (no user: the audit names the token).
    let tok = token(h, w.s.ta).await;
    let r = h
        .api(
            Method::GET,
            "/api/v1/leads?status=contacted",
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 1, "{}", r.body);
    assert_eq!(r.json()["items"][0]["robot_grade"], "A");
    let r = h
        .api(Method::GET, "/api/v1/leads?status=bogus", Some(&tok), None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = h
        .api(
            Method::POST,
            &format!("/api/v1/leads/{}/grade", a.lead),
            Some(&tok),
            Some(json!({"grade": "F"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.json()["grade"].as_str(), r.json()["robot_grade"].as_str()),
        (Some("F"), Some("A"))
    );
    assert!(r.json()["agent_id"].is_null(), "{}", r.body);
    let audit = h.store.list_audit(w.s.ta, 5).await.unwrap();
    let entry = audit.iter().find(|e| e.action == "lead.regrade").unwrap();
    assert!(
        entry.actor.as_str().starts_with("token:"),
        "{}",
        entry.actor
    );
    let r = h
        .api(
            Method::POST,
            &format!("/api/v1/leads/{}/status", a.lead),
            Some(&tok),
            Some(json!({"status": "closed"})),
        )
        .await;
    assert_eq!(r.json()["status"], "closed", "{}", r.body);
    let csrf = agnes.csrf().await;
    let r = agnes
        .api(
            Method::POST,
            &format!("/api/v1/leads/{}/grade", a.lead),
            Some(&csrf),
            json!({"grade": "B", "note": "回电"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.json()["robot_grade"].as_str(), r.json()["grade"].as_str()),
        (Some("A"), Some("B"))
    );
    let r = h
        .api(
            Method::GET,
            &format!("/api/v1/leads/{}", a.lead),
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(r.json()["agent_note"], "回电");
    assert_masked("/api/v1/leads/{id}", &r);
}

#[tokio::test]
async fn dead_letters_are_listed_and_retried_by_admins() {
    for w in worlds().await {
        check_dead_letters(&w).await;
    }
}

async fn check_dead_letters(w: &World) {
    let (h, a) = (&w.h, &w.a);
    let mut alice = h.login("alice").await;
    let r = alice.get("/dead-letters").await;
    assert!(
        r.body.contains("ta-crm") && r.body.contains("HTTP 502") && !r.body.contains("tb-crm"),
        "{}",
        r.body
    );
    let mut agnes = h.login("agnes").await;
    assert_eq!(
        agnes.get("/dead-letters").await.status,
        StatusCode::FORBIDDEN
    );
    let mut audrey = h.login("audrey").await;
    let page = audrey.get("/dead-letters").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("/retry"));
    let retry = format!("/dead-letters/{}/retry", a.dead_letter);
    assert_eq!(audrey.post(&retry, &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        alice.post_raw(&retry, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(h.store.dead_letters(w.s.ta).await.unwrap().len(), 1);
    assert_eq!(alice.post(&retry, &[]).await.status, StatusCode::SEE_OTHER);
    assert!(h.store.dead_letters(w.s.ta).await.unwrap().is_empty());
    assert_eq!(
        alice.post(&retry, &[]).await.status,
        StatusCode::NOT_FOUND,
        "no longer dead"
    );

    let tok = token(h, w.s.tb).await;
    let r = h
        .api(Method::GET, "/api/v1/dead-letters", Some(&tok), None)
        .await;
    assert_eq!(r.json()["total"], 1, "{}", r.body);
    let r = h
        .api(
            Method::POST,
            &format!("/api/v1/dead-letters/{}/retry", w.b.dead_letter),
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
}

#[tokio::test]
async fn the_navigation_offers_the_campaign_pages_by_role() {
    let w = worlds().await.remove(0);
    let mut agnes = w.h.login("agnes").await;
    let nav = agnes.get("/").await.body;
    for href in ["/scripts", "/tasks", "/calls", "/leads"] {
        assert!(nav.contains(&format!("href=\"{href}\"")), "{href}");
    }
    assert!(!nav.contains("href=\"/dead-letters\""));
    let mut op = w.h.login("op").await;
    let nav = op.get("/").await.body;
    assert!(!nav.contains("href=\"/calls\""));
    assert_eq!(op.get("/calls").await.status, StatusCode::FORBIDDEN);
    let en = agnes.get("/leads?lang=en").await.body;
    assert!(en.contains("Leads") && en.contains("Robot grade"), "{en}");
}

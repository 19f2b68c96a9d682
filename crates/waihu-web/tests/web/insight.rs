//! Learning from calls in the back office and the API: the report page, its
//! JSON and its CSV/XLSX exports agree (exports audited, numbers masked); the
//! funnel of a script version; unrecognised utterances clustered with links to
//! the calls; keywords; the A/B page of a task without variants; an empty task;
//! and tenant isolation — every insight route with an id answers 404 for
//! another tenant's task or script version, and writes no audit entry.

use crate::campaign::{token, worlds, World};
use crate::campaign_seed::NUMBERS;
use axum::http::{Method, StatusCode};

fn csv_rows(body: &str) -> Vec<Vec<String>> {
    let text = body.strip_prefix('\u{feff}').unwrap_or(body);
    text.lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

async fn export_audits(w: &World, tenant: waihu_core::TenantId) -> usize {
    w.h.store
        .list_audit(tenant, 500)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "insight.export")
        .count()
}

fn leaked(body: &str) -> bool {
    ["ta-running", "ta-welcome", "ta想了解", "ta-draft"]
        .iter()
        .any(|s| body.contains(s))
}

#[tokio::test]
async fn insight_routes_answer_404_for_another_tenants_ids() {
    for w in worlds().await {
        let a = &w.a;
        let pages = [
            format!("/insight/tasks/{}", a.running_task),
            format!("/insight/tasks/{}/report.csv", a.running_task),
            format!("/insight/tasks/{}/report.xlsx", a.running_task),
            format!("/insight/tasks/{}/unknown", a.running_task),
            format!("/insight/tasks/{}/keywords", a.running_task),
            format!("/insight/tasks/{}/ab", a.running_task),
            format!("/insight/script-versions/{}/funnel", a.clean),
            "/insight/tasks/not-a-uuid".to_string(),
            format!("/insight/script-versions/{}/funnel", uuid::Uuid::nil()),
        ];
        let mut bob = w.h.login("bob").await;
        for p in &pages {
            let r = bob.get(p).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "GET {p}");
            assert!(!leaked(&r.body), "GET {p} leaked: {}", r.body);
        }
        let b_tok = token(&w.h, w.s.tb).await;
        let apis = [
            format!("/api/v1/insight/tasks/{}/report", a.running_task),
            format!("/api/v1/insight/tasks/{}/export?format=csv", a.running_task),
            format!(
                "/api/v1/insight/tasks/{}/export?format=xlsx",
                a.running_task
            ),
            format!("/api/v1/insight/tasks/{}/unknown", a.running_task),
            format!("/api/v1/insight/tasks/{}/keywords", a.running_task),
            format!("/api/v1/insight/tasks/{}/ab", a.running_task),
            format!("/api/v1/insight/script-versions/{}/funnel", a.clean),
        ];
        for p in &apis {
            let r = w.h.api(Method::GET, p, Some(&b_tok), None).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "GET {p}");
            assert_eq!(r.code(), "not_found", "{p}");
            assert!(!leaked(&r.body), "GET {p} leaked: {}", r.body);
        }
        assert_eq!(export_audits(&w, w.s.ta).await, 0);
        assert_eq!(export_audits(&w, w.s.tb).await, 0);
        // The operator has no tenant: forbidden, not another tenant's data.
        let op = w.h.login("op").await.get(&pages[0]).await;
        assert_eq!(op.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn report_page_json_and_exports_agree_and_exports_are_audited() {
    for w in worlds().await {
        let a = &w.a;
        let tok = token(&w.h, w.s.ta).await;
        let j =
            w.h.api(
                Method::GET,
                &format!("/api/v1/insight/tasks/{}/report", a.running_task),
                Some(&tok),
                None,
            )
            .await;
        assert_eq!(j.status, StatusCode::OK, "{}", j.body);
        let j = j.json();
        // The seed: one answered A-grade lead (65 s) and one busy call, 2026-03-01.
        let total = &j["total"];
        assert_eq!(total["attempts"], 2, "{j}");
        assert_eq!(total["answered"], 1);
        assert_eq!(total["leads"], 1);
        assert_eq!(total["grades"][0], 1);
        assert_eq!(total["avg_duration_secs"], 65.0);
        assert_eq!(j["days"][0]["day"], "2026-03-01");

        let mut alice = w.h.login("alice").await;
        let page = alice
            .get(&format!("/insight/tasks/{}", a.running_task))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("report-table") && page.body.contains("<svg"));
        assert!(page.body.contains("2026-03-01"));

        let csv = alice
            .get(&format!("/insight/tasks/{}/report.csv", a.running_task))
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.header("content-type").starts_with("text/csv"));
        assert!(csv.header("content-disposition").contains("attachment"));
        assert!(csv.body.starts_with('\u{feff}'), "BOM");
        let rows = csv_rows(&csv.body);
        assert_eq!(rows.len(), 3, "header, one day, total: {rows:?}");
        assert_eq!(rows[1][0], "2026-03-01");
        assert_eq!(rows[1][1], total["attempts"].to_string());
        assert_eq!(rows[1][2], total["answered"].to_string());
        assert_eq!(rows[1][5], "1", "one A grade");
        for n in NUMBERS {
            assert!(!csv.body.contains(n.trim_start_matches("+86")));
        }
        assert_eq!(export_audits(&w, w.s.ta).await, 1);

        let x =
            w.h.api(
                Method::GET,
                &format!(
                    "/api/v1/insight/tasks/{}/export?format=xlsx&lang=en",
                    a.running_task
                ),
                Some(&tok),
                None,
            )
            .await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(x.header("content-type").contains("spreadsheetml"));
        assert!(x.body.starts_with("PK"), "a zip container");
        assert_eq!(export_audits(&w, w.s.ta).await, 2);
        let entry = w.h.store.list_audit(w.s.ta, 10).await.unwrap();
        let e = entry.iter().find(|e| e.action == "insight.export").unwrap();
        assert_eq!(e.target, format!("task:{}", a.running_task));

        let bad =
            w.h.api(
                Method::GET,
                &format!("/api/v1/insight/tasks/{}/export?format=pdf", a.running_task),
                Some(&tok),
                None,
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            export_audits(&w, w.s.ta).await,
            2,
            "a refused export is not audited"
        );

        // An empty task: an empty report, not an error.
        let empty =
            w.h.api(
                Method::GET,
                &format!("/api/v1/insight/tasks/{}/report", a.draft_task),
                Some(&tok),
                None,
            )
            .await
            .json();
        assert_eq!(empty["days"].as_array().unwrap().len(), 0);
        assert_eq!(empty["total"]["attempts"], 0);
        let p = alice.get(&format!("/insight/tasks/{}", a.draft_task)).await;
        assert_eq!(p.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn funnel_unknown_keywords_and_ab_pages() {
    let worlds = worlds().await;
    // Behind the store's back (SQLite world): give the answered call a turn log
    // with an unrecognised utterance at the listening node `ask`.
    let w = &worlds[0];
    let a = &w.a;
    w.h.tamper(&format!(
        "UPDATE calls SET path = '[\"hello\",\"ask\",\"ask\",\"yes_end\"]', turn_log = '[{{\"callee\":\"你们是哪个公司的\",\"dtmf\":null,\"intent\":\"unknown\"}},{{\"callee\":\"好的可以\",\"dtmf\":null,\"intent\":\"affirm\"}}]' WHERE id = x'{}'",
        a.answered_call.simple()
    ))
    .await;
    let tok = token(&w.h, w.s.ta).await;
    let get = |p: String| {
        let tok = tok.clone();
        async move { w.h.api(Method::GET, &p, Some(&tok), None).await }
    };

    let f = get(format!(
        "/api/v1/insight/script-versions/{}/funnel",
        a.clean
    ))
    .await;
    assert_eq!(f.status, StatusCode::OK, "{}", f.body);
    let f = f.json();
    assert_eq!(f["calls"], 1);
    let nodes = f["nodes"].as_array().unwrap();
    let ask = nodes.iter().find(|n| n["node"] == "ask").unwrap();
    assert_eq!(ask["reached"], 1);
    assert_eq!(ask["turns"], 2);
    assert!(f["svg"].as_str().unwrap().starts_with("<svg"));

    let u = get(format!("/api/v1/insight/tasks/{}/unknown", a.running_task))
        .await
        .json();
    assert_eq!(u["clusters"][0]["label"], "你们是哪个公司的", "{u}");
    assert_eq!(
        u["clusters"][0]["example_calls"][0],
        a.answered_call.to_string()
    );
    let mut alice = w.h.login("alice").await;
    let page = alice
        .get(&format!("/insight/tasks/{}/unknown", a.running_task))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("/calls/{}", a.answered_call)));
    assert!(
        page.body.contains("new_intent_1"),
        "a fragment to paste into the script"
    );
    // Teaching the script: the admin sees the form, previews the phrases as a
    // new knowledge entry with the linter's verdict, then saves the version.
    let teach = format!("/insight/tasks/{}/unknown/teach", a.running_task);
    assert!(page.body.contains(&teach), "the teach form");
    let preview = alice
        .post(
            &teach,
            &[
                ("phrases", "你们是哪个公司的\n你们哪家公司"),
                ("target", "new-kb"),
                ("name", "company"),
                ("answer", "我们是测试公司。"),
            ],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.body.contains("id=\"findings\"") && preview.body.contains("notice ok"),
        "clean: {}",
        preview.body
    );
    assert!(preview.body.contains("- id: company"), "{}", preview.body);
    let yaml_start = preview.body.find("name=\"yaml\"").unwrap();
    let yaml = preview.body[yaml_start..]
        .split_once('>')
        .unwrap()
        .1
        .split("</textarea>")
        .next()
        .unwrap()
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    assert!(preview.body.contains("name=\"name\" value=\"ta-welcome\""));
    let saved = alice
        .post("/scripts", &[("name", "ta-welcome"), ("yaml", &yaml)])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let id: uuid::Uuid = saved
        .location()
        .trim_start_matches("/script-versions/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let v =
        w.h.store
            .get_script_version(w.s.ta, id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!((v.name.as_str(), v.lint.errors), ("ta-welcome", 0));
    assert!(v.yaml.contains("你们哪家公司"), "{}", v.yaml);
    // Bad input: an intent the script lacks, no phrase, a bad new name.
    for (fields, field) in [
        (vec![("phrases", "x"), ("target", "intent:nope")], "target"),
        (
            vec![("phrases", " \n "), ("target", "new-intent"), ("name", "n")],
            "phrases",
        ),
        (
            vec![
                ("phrases", "x"),
                ("target", "new-intent"),
                ("name", "bad name"),
            ],
            "name",
        ),
        (vec![("phrases", "x"), ("target", "elsewhere")], "target"),
    ] {
        let r = alice.post(&teach, &fields).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            r.body
        );
    }
    // Agents do not teach; another tenant's task is not found.
    let mut agnes = w.h.login("agnes").await;
    assert!(!agnes
        .get(&format!("/insight/tasks/{}/unknown", a.running_task))
        .await
        .body
        .contains(&teach));
    assert_eq!(
        agnes
            .post(
                &teach,
                &[("phrases", "x"), ("target", "new-intent"), ("name", "n")]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mut bob = w.h.login("bob").await;
    assert_eq!(
        bob.post(
            &teach,
            &[("phrases", "x"), ("target", "new-intent"), ("name", "n")]
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // The API previews the same, as JSON.
    let r = w
        .h
        .api(
            Method::POST,
            &format!("/api/v1/insight/tasks/{}/unknown/teach", a.running_task),
            Some(&tok),
            Some(serde_json::json!({"phrases": "你们是哪个公司的", "target": "new-intent", "name": "which_company"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert!(
        j["yaml"].as_str().unwrap().contains("which_company:"),
        "{j}"
    );
    assert_eq!(j["script_name"], "ta-welcome");
    assert!(j["findings"].is_array());

    let k = get(format!("/api/v1/insight/tasks/{}/keywords", a.running_task))
        .await
        .json();
    let words: Vec<&str> = k["task"]["tfidf"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["word"].as_str())
        .collect();
    assert!(words.contains(&"公司"), "{k}");
    assert_eq!(k["by_grade"][0]["group"], "A");
    let kp = alice
        .get(&format!("/insight/tasks/{}/keywords", a.running_task))
        .await;
    assert_eq!(kp.status, StatusCode::OK);
    assert!(kp.body.contains("公司"));

    let ab = get(format!("/api/v1/insight/tasks/{}/ab", a.running_task))
        .await
        .json();
    assert_eq!(ab["has_variants"], false);
    assert_eq!(ab["lead_rate"]["significant"], false);
    let abp = alice
        .get(&format!("/insight/tasks/{}/ab", a.running_task))
        .await;
    assert_eq!(abp.status, StatusCode::OK);

    let fp = alice
        .get(&format!("/insight/script-versions/{}/funnel", a.clean))
        .await;
    assert_eq!(fp.status, StatusCode::OK);
    assert!(fp.body.contains("funnel-graph") && fp.body.contains("data-node=\"ask\""));

    let index = alice.get("/insight").await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(index
        .body
        .contains(&format!("/insight/tasks/{}", a.running_task)));
    assert!(
        !index.body.contains("tb-running"),
        "only the tenant's own tasks"
    );
}

#[tokio::test]
async fn the_openapi_document_lists_the_insight_routes() {
    let w = worlds().await.into_iter().next().unwrap();
    let doc = w.h.get("/api/v1/openapi.json").await.json();
    for p in [
        "/api/v1/insight/tasks/{id}/report",
        "/api/v1/insight/tasks/{id}/export",
        "/api/v1/insight/tasks/{id}/unknown",
        "/api/v1/insight/tasks/{id}/keywords",
        "/api/v1/insight/tasks/{id}/ab",
        "/api/v1/insight/script-versions/{id}/funnel",
    ] {
        assert!(doc["paths"][p]["get"].is_object(), "{p} missing");
    }
    assert!(doc["paths"]["/api/v1/insight/tasks/{id}/unknown/teach"]["post"].is_object());
}

#[tokio::test]
async fn a_task_with_variants_shows_its_ab_comparison_on_the_task_page() {
    let w = worlds().await.into_iter().next().unwrap();
    let a = &w.a;
    let actor = waihu_store::Actor::cli("test");
    w.h.store
        .publish_script_version(w.s.ta, a.clean, &actor)
        .await
        .unwrap();
    let base =
        w.h.store
            .get_task(w.s.ta, a.running_task)
            .await
            .unwrap()
            .unwrap();
    let ab_task =
        w.h.store
            .create_task_with_variant(
                w.s.ta,
                waihu_store::NewTask {
                    name: "ta-ab-task".into(),
                    purpose: base.purpose.clone(),
                    script_version_id: base.script_version_id,
                    caller_number: base.caller_number.clone(),
                    trunk_id: base.trunk_id,
                    list_ids: base.list_ids.clone(),
                    windows_json: base.windows_json.clone(),
                    lines: 1,
                    cps_limit: None,
                    retry_json: base.retry_json.clone(),
                    priority: 1,
                    lead_grade: "B".into(),
                    starts_at: None,
                    ends_at: None,
                },
                Some(waihu_store::TaskVariant {
                    script_version_id: a.clean,
                    split_percent: 50,
                }),
                &actor,
            )
            .await
            .unwrap();
    let mut alice = w.h.login("alice").await;
    let with = alice.get(&format!("/tasks/{}", ab_task.id)).await;
    assert_eq!(with.status, StatusCode::OK);
    assert!(with.body.contains("task-ab"), "{}", with.body);
    assert!(with
        .body
        .contains(&format!("/insight/tasks/{}", ab_task.id)));
    let without = alice.get(&format!("/tasks/{}", a.running_task)).await;
    assert!(!without.body.contains("task-ab"));
    let tok = token(&w.h, w.s.ta).await;
    let j =
        w.h.api(
            Method::GET,
            &format!("/api/v1/insight/tasks/{}/ab", ab_task.id),
            Some(&tok),
            None,
        )
        .await
        .json();
    assert_eq!(j["has_variants"], true);
    assert_eq!(j["a"]["attempts"], 0);
    let mut bob = w.h.login("bob").await;
    let r = bob.get(&format!("/insight/tasks/{}/ab", ab_task.id)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

//! The campaign scripts, pages and API, on every backend: linting on upload,
//! publishing only clean versions, roles and anti-CSRF on every change.

use crate::campaign::{token, worlds, World};
use crate::campaign_seed::{broken, CLEAN};
use axum::http::{Method, StatusCode};
use serde_json::json;

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

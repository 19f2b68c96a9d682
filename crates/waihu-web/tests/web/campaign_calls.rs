//! Campaign calls, pages and API, on every backend: filters and details with
//! masked numbers, and recordings served only from the tenant's folder (never a
//! stored path outside it).

use crate::campaign::{assert_masked, token, worlds, World};
use axum::http::{Method, StatusCode};
use tempfile::TempDir;

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

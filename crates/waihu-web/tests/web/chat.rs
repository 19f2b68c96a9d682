//! The script version page's flow graph and chat simulator: the graph is
//! drawn with the findings on their node; the chat (a plain form, no script
//! needed) replays the callee's lines and reaches the expected node with the
//! intent; another tenant's version is 404 for both; bad history is refused.

use crate::campaign_seed::{broken, CLEAN};
use crate::support::Harness;
use axum::http::StatusCode;

async fn upload(b: &mut crate::support::Browser<'_>, yaml: &str) -> String {
    let r = b
        .post("/scripts", &[("name", "welcome"), ("yaml", yaml)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
}

#[tokio::test]
async fn the_version_page_draws_the_graph_with_findings_on_their_node() {
    let (h, _) = Harness::seeded().await;
    let mut alice = h.login("alice").await;
    let clean = upload(&mut alice, CLEAN).await;
    let page = alice.get(&clean).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"class="flow-graph""#), "{}", page.body);
    for node in ["hello", "ask", "yes_end", "no_end", "bye"] {
        assert!(
            page.body.contains(&format!(r#"data-node="{node}""#)),
            "{node}"
        );
    }
    assert!(!page.body.contains(r#"class="node lint""#));

    let dirty = upload(&mut alice, &broken()).await;
    let page = alice.get(&dirty).await;
    // The branch to a missing node is in `ask`: that node is marked, and the
    // missing target is drawn.
    assert!(
        page.body
            .contains(r#"<g class="node lint" data-node="ask">"#),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"data-node="nowhere_node""#));

    let unloadable = upload(&mut alice, "name: [").await;
    let page = alice.get(&unloadable).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("flow-graph"));
    assert!(!page.body.contains("data-chat"));
}

#[tokio::test]
async fn a_chat_reaches_the_expected_node_without_script() {
    let (h, _) = Harness::seeded().await;
    let mut alice = h.login("alice").await;
    let version = upload(&mut alice, CLEAN).await;
    let page = alice.get(&version).await;
    // The opening: the disclosure, then the question of `ask`.
    assert!(page.body.contains("您需要吗？"), "{}", page.body);
    assert!(page.body.contains(r#"name="history" value="[]""#));
    assert!(page.body.contains("data-chat"));

    let chat = format!("{version}/chat");
    // Silence first: `ask` again.
    let r = alice.post(&chat, &[("history", "[]"), ("say", "")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains(r#"<b class="intent">silence</b>"#),
        "{}",
        r.body
    );
    assert!(r.body.contains(r#"value="[&quot;&quot;]""#), "{}", r.body);
    // Then yes: `yes_end`, the call ends as `interested`.
    let r = alice
        .post(&chat, &[("history", r#"[""]"#), ("say", "可以")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains(r#"<b class="intent">affirm</b>"#),
        "{}",
        r.body
    );
    assert!(r.body.contains("<b>yes_end</b>"), "{}", r.body);
    assert!(r.body.contains("好的，再见。"));
    assert!(r.body.contains("interested"));
    assert!(!r.body.contains("data-chat"), "no input after the end");

    // Typed text is shown as text.
    let r = alice
        .post(&chat, &[("history", "[]"), ("say", "<b>hi</b>")])
        .await;
    assert!(r.body.contains("&lt;b&gt;hi&lt;/b&gt;"));

    // Agents and auditors may simulate too (it changes nothing).
    let mut agnes = h.login("agnes").await;
    let r = agnes
        .post(&chat, &[("history", "[]"), ("say", "可以")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn another_tenants_version_is_not_found_and_bad_history_is_refused() {
    let (h, _) = Harness::seeded().await;
    let mut alice = h.login("alice").await;
    let version = upload(&mut alice, CLEAN).await;
    let chat = format!("{version}/chat");

    let mut bob = h.login("bob").await;
    assert_eq!(bob.get(&version).await.status, StatusCode::NOT_FOUND);
    let r = bob.post(&chat, &[("history", "[]"), ("say", "可以")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.body.contains("您需要吗"));
    let r = bob
        .post(
            "/script-versions/not-a-uuid/chat",
            &[("history", "[]"), ("say", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = alice
        .post(&chat, &[("history", "{oops"), ("say", "")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let forty: String = serde_json::to_string(&vec!["嗯"; 40]).unwrap();
    let r = alice.post(&chat, &[("history", &forty), ("say", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // Without the anti-CSRF token the form is refused.
    let r = alice
        .post_raw(&chat, &[("history", "[]"), ("say", "")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_api_simulates_a_chat_with_a_version() {
    let (h, s) = Harness::seeded().await;
    let mut alice = h.login("alice").await;
    let version = upload(&mut alice, CLEAN).await;
    let id = version.trim_start_matches("/script-versions/");
    let id = id.split('?').next().unwrap().to_string();
    let tok = crate::campaign::token(&h, s.ta).await;
    let path = format!("/api/v1/script-versions/{id}/chat");
    let r = h
        .api(
            axum::http::Method::POST,
            &path,
            Some(&tok),
            Some(serde_json::json!({"lines": ["好的，可以"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert!(j["opening"].to_string().contains("您需要吗"), "{j}");
    assert_eq!(j["turns"][0]["intent"], "affirm", "{j}");
    assert_eq!(j["turns"][0]["node"], "yes_end", "{j}");
    assert_eq!(
        (j["ended"].clone(), j["outcome"].clone()),
        (serde_json::json!(true), serde_json::json!("interested")),
        "{j}"
    );
    // Too many lines, another tenant's version, a bad body.
    let many: Vec<&str> = vec!["嗯"; 200];
    let r = h
        .api(
            axum::http::Method::POST,
            &path,
            Some(&tok),
            Some(serde_json::json!({"lines": many})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["field"], "lines");
    let other = crate::campaign::token(&h, s.tb).await;
    let r = h
        .api(
            axum::http::Method::POST,
            &path,
            Some(&other),
            Some(serde_json::json!({"lines": []})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = h
        .api(
            axum::http::Method::POST,
            &path,
            Some(&tok),
            Some(serde_json::json!({"say": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

//! The real server on 127.0.0.1:0 with a fresh database: health, readiness,
//! metrics, first-start operator account, graceful shutdown, and readiness
//! failing when the database goes away.

use crate::support::{envs, Env, Server};
use sqlx::Connection;
use waihu_store::testing::TestDatabase;

#[tokio::test]
async fn health_ready_metrics_and_graceful_shutdown() {
    for env in envs().await {
        let server = Server::start(&env);
        let first = server.first_lines.join("\n");
        assert!(
            first.contains("created operator account 'operator' with password: "),
            "first start must print the operator password once: {first}"
        );
        let client = reqwest::Client::new();
        let h = client.get(server.url("/healthz")).send().await.unwrap();
        assert_eq!(h.status(), 200);
        let r = client.get(server.url("/readyz")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let m = client.get(server.url("/metrics")).send().await.unwrap();
        assert_eq!(m.status(), 200);
        assert!(m.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"));
        let text = m.text().await.unwrap();
        assert!(text.contains("waihu_build_info"), "{text}");
        assert!(
            text.contains(
                "waihu_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"
            ),
            "request counter by route: {text}"
        );
        let status = server.terminate();
        assert!(status.success(), "graceful shutdown exits 0: {status:?}");

        // Second start on the same database: no new operator password is printed.
        let again = Server::start(&env);
        assert!(
            !again.first_lines.join("\n").contains("password"),
            "the password is shown only once"
        );
    }
}

#[tokio::test]
async fn readyz_fails_when_the_database_is_gone() {
    let Ok(base) = std::env::var("WAIHU_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must set WAIHU_TEST_POSTGRES_URL"
        );
        return;
    };
    // A whole database of its own, so that it can be dropped under the server.
    let name = format!("waihu_ready_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&base).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let url = match base.rsplit_once('/') {
        Some((server, _db)) => format!("{server}/{name}"),
        None => panic!("WAIHU_TEST_POSTGRES_URL must name a database"),
    };
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
        db: TestDatabase::external(waihu_store::BackendKind::Postgres, url),
    };
    let server = Server::start(&env);
    let client = reqwest::Client::new();
    assert_eq!(
        client
            .get(server.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    let r = client.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 503);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["database"], "unreachable");
    // Liveness is unaffected: the process still serves.
    assert_eq!(
        client
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

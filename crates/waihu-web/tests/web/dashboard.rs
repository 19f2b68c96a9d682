//! The dashboard's figures of the day, page and API: the tenant's own calls,
//! answers and grades; agents see them, the operator gets the platform view.

use crate::campaign::{token, worlds};
use axum::http::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn the_dashboard_shows_todays_figures_of_the_tenant_only() {
    for w in worlds().await {
        let mut alice = w.h.login("alice").await;
        let page = alice.get("/").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("id=\"today\""), "{}", page.body);
        assert!(page.body.contains("<svg"), "a server-drawn chart");
        assert!(
            page.body.contains(r#"data-label="A" data-value="1""#),
            "{}",
            page.body
        );
        let tok = token(&w.h, w.s.ta).await;
        let r =
            w.h.api(Method::GET, "/api/v1/dashboard", Some(&tok), None)
                .await;
        assert_eq!(r.status, StatusCode::OK);
        let v = r.json();
        // Each tenant has two ended calls (answered A, busy) and none live.
        assert_eq!(
            (
                v["calls"].as_i64(),
                v["answered"].as_i64(),
                v["live_calls"].as_i64()
            ),
            (Some(2), Some(1), Some(0)),
            "{v}"
        );
        assert_eq!(v["answer_rate"].as_f64(), Some(0.5));
        assert_eq!(v["grades"]["A"], 1);
        // Agents see the figures too; the operator gets the platform view.
        let mut agnes = w.h.login("agnes").await;
        assert!(agnes.get("/").await.body.contains("id=\"today\""));
        let mut op = w.h.login("op").await;
        assert!(!op.get("/").await.body.contains("id=\"today\""));
        let r = op
            .api(Method::GET, "/api/v1/dashboard", None, json!({}))
            .await;
        assert_eq!(r.code(), "forbidden");
    }
}

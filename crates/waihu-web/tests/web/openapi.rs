//! The OpenAPI document is valid JSON, OpenAPI 3, and lists every API route.

use crate::support::Harness;
use axum::http::StatusCode;

#[tokio::test]
async fn the_openapi_document_lists_the_routes() {
    let h = Harness::new().await;
    let r = h.get("/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("application/json"));
    let doc = r.json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().expect("paths");
    let expected = [
        ("/api/v1/me", "get"),
        ("/api/v1/tenants", "get"),
        ("/api/v1/tenants", "post"),
        ("/api/v1/tenants/{id}", "get"),
        ("/api/v1/tenants/{id}/suspend", "post"),
        ("/api/v1/tenants/{id}/resume", "post"),
        ("/api/v1/tenants/{id}/quota", "post"),
        ("/api/v1/account/password", "post"),
        ("/api/v1/script-versions/{id}/chat", "post"),
        ("/api/v1/tenants/{id}/users", "get"),
        ("/api/v1/tenants/{id}/users", "post"),
        ("/api/v1/users", "get"),
        ("/api/v1/users", "post"),
        ("/api/v1/users/{id}", "get"),
        ("/api/v1/users/{id}", "delete"),
        ("/api/v1/users/{id}/password", "post"),
        ("/api/v1/api-tokens", "get"),
        ("/api/v1/api-tokens", "post"),
        ("/api/v1/api-tokens/{id}", "delete"),
        ("/api/v1/scripts", "get"),
        ("/api/v1/scripts", "post"),
        ("/api/v1/scripts/{id}/versions", "get"),
        ("/api/v1/script-versions/{id}", "get"),
        ("/api/v1/script-versions/{id}/publish", "post"),
        ("/api/v1/tasks", "get"),
        ("/api/v1/tasks/{id}", "get"),
        ("/api/v1/tasks/{id}/counts", "get"),
        ("/api/v1/tasks/{id}/start", "post"),
        ("/api/v1/tasks/{id}/pause", "post"),
        ("/api/v1/tasks/{id}/resume", "post"),
        ("/api/v1/tasks/{id}/stop", "post"),
        ("/api/v1/calls", "get"),
        ("/api/v1/calls/{id}", "get"),
        ("/api/v1/calls/{id}/recording", "get"),
        ("/api/v1/leads", "get"),
        ("/api/v1/leads/{id}", "get"),
        ("/api/v1/leads/{id}/grade", "post"),
        ("/api/v1/leads/{id}/status", "post"),
        ("/api/v1/dead-letters", "get"),
        ("/api/v1/dead-letters/{id}/retry", "post"),
        ("/api/v1/contact-lists", "get"),
        ("/api/v1/contact-lists/{id}", "get"),
        ("/api/v1/contact-lists/{id}/contacts", "get"),
        ("/api/v1/dnc", "get"),
        ("/api/v1/dnc", "post"),
        ("/api/v1/dnc", "delete"),
        ("/api/v1/dnc/check", "post"),
        ("/api/v1/complaints", "get"),
        ("/api/v1/complaints/{id}", "get"),
        ("/api/v1/complaints/{id}/ack", "post"),
        ("/api/v1/complaints/{id}/answer", "post"),
        ("/api/v1/complaints/{id}/close", "post"),
        ("/api/v1/retention", "get"),
        ("/api/v1/retention", "put"),
        ("/api/v1/rights-settings", "get"),
        ("/api/v1/rights-settings", "put"),
        ("/api/v1/audit", "get"),
        ("/api/v1/audit/verify", "get"),
        ("/api/v1/live", "get"),
        ("/api/v1/tasks", "post"),
        ("/api/v1/dashboard", "get"),
        ("/api/v1/rates", "get"),
        ("/api/v1/settings", "get"),
        ("/api/v1/push-targets", "get"),
        ("/api/v1/push-targets", "post"),
        ("/api/v1/push-targets/{id}/enabled", "post"),
        ("/api/v1/trunks", "get"),
        ("/api/v1/trunks", "post"),
        ("/api/v1/caller-numbers", "get"),
        ("/api/v1/caller-numbers", "post"),
        ("/api/v1/caller-numbers/verify", "post"),
        ("/api/v1/caller-numbers/assign", "post"),
        ("/api/v1/prompts", "get"),
        ("/api/v1/prompts", "post"),
        ("/api/v1/contact-lists/import", "post"),
        ("/api/v1/prompts/{id}/audio", "get"),
        ("/api/v1/insight/tasks/{id}/report", "get"),
        ("/api/v1/insight/tasks/{id}/export", "get"),
        ("/api/v1/insight/tasks/{id}/unknown", "get"),
        ("/api/v1/insight/tasks/{id}/unknown/teach", "post"),
        ("/api/v1/insight/tasks/{id}/keywords", "get"),
        ("/api/v1/insight/tasks/{id}/ab", "get"),
        ("/api/v1/insight/script-versions/{id}/funnel", "get"),
    ];
    for (path, method) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
    assert_eq!(
        paths
            .values()
            .map(|p| p.as_object().unwrap().len())
            .sum::<usize>(),
        expected.len(),
        "undocumented extras"
    );
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    // Every $ref points at a schema that exists.
    let text = r.body;
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "dangling $ref {name}"
        );
    }
}

//! The operator's platform console, pages and API: trunks (passwords never
//! shown), caller numbers registered, verified and assigned, per-tenant rates;
//! API tokens and tenant users are refused, a tenant sees only its numbers.

use crate::backoffice_support::field_of;
use crate::campaign::{token, worlds};
use axum::http::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn the_operator_manages_trunks_and_caller_numbers_and_sees_rates() {
    for w in worlds().await {
        let mut op = w.h.login("op").await;
        let page = op.get("/trunks").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("ta-trunk") && page.body.contains("tb-trunk"));
        let r = op
            .post(
                "/trunks",
                &[
                    ("name", "carrier-2"),
                    ("address", "sip.c2.invalid:5060"),
                    ("transport", "tcp"),
                    ("username", "acct"),
                    ("password", "trunk-pass-99"),
                    ("cps_limit", "8"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = op.get("/trunks").await;
        assert!(page.body.contains("carrier-2") && !page.body.contains("trunk-pass-99"));
        let r = op
            .post(
                "/trunks",
                &[("name", "bad"), ("address", "x:5060"), ("cps_limit", "0")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Register, verify and assign a caller number (typed nationally).
        let r = op
            .post("/caller-numbers", &[("number", "010 8888 6666")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let n =
            w.h.store
                .get_caller_number("+861088886666")
                .await
                .unwrap()
                .unwrap();
        assert!(n.verified_at.is_none() && n.tenant_id.is_none());
        let r = op
            .post("/caller-numbers/verify", &[("number", "+861088886666")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let ta = w.s.ta.to_string();
        let r = op
            .post(
                "/caller-numbers/assign",
                &[("number", "+861088886666"), ("tenant_id", ta.as_str())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let n =
            w.h.store
                .get_caller_number("+861088886666")
                .await
                .unwrap()
                .unwrap();
        assert!(n.verified_at.is_some());
        assert_eq!(n.tenant_id, Some(w.s.ta));
        let r = op
            .post("/caller-numbers/verify", &[("number", "not a number")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(op
            .get("/caller-numbers")
            .await
            .body
            .contains("+861088886666"));

        let rates = op.get("/rates").await;
        assert_eq!(rates.status, StatusCode::OK);
        assert!(
            rates.body.contains(&format!("/tenants/{}", w.s.ta)),
            "links to suspend/resume"
        );

        // The API twins (session + CSRF header); tokens and tenant users are refused.
        let csrf = op.csrf().await;
        let r = op
            .api(
                Method::POST,
                "/api/v1/trunks",
                Some(&csrf),
                json!({"name":"c3","address":"sip.c3.invalid","cps_limit":2.5}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["has_password"], false);
        let r = op
            .api(
                Method::POST,
                "/api/v1/caller-numbers",
                Some(&csrf),
                json!({"number":"+862188887777"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = op
            .api(
                Method::POST,
                "/api/v1/caller-numbers/assign",
                Some(&csrf),
                json!({"number":"+862188887777","tenant_id": Uuid::nil()}),
            )
            .await;
        assert_eq!(field_of(&r), "tenant_id");
        let r = op.api(Method::GET, "/api/v1/rates", None, json!({})).await;
        assert_eq!(r.status, StatusCode::OK);
        let ta_rates = r
            .json()
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["tenant_name"] == "ta")
            .unwrap()
            .clone();
        assert_eq!(ta_rates["attempts"], 2, "{ta_rates}");
        let tok = token(&w.h, w.s.ta).await;
        for path in ["/api/v1/trunks", "/api/v1/rates"] {
            let r = w.h.api(Method::GET, path, Some(&tok), None).await;
            assert_eq!(r.code(), "forbidden", "{path}");
        }
        let r =
            w.h.api(Method::GET, "/api/v1/caller-numbers", Some(&tok), None)
                .await;
        let numbers: Vec<String> = r.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["number"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            numbers,
            vec!["+861088886666".to_string()],
            "a tenant sees only its numbers"
        );
        let mut alice = w.h.login("alice").await;
        for path in ["/trunks", "/caller-numbers", "/rates"] {
            assert_eq!(
                alice.get(path).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
        assert_eq!(
            alice
                .post(
                    "/trunks",
                    &[("name", "x"), ("address", "y"), ("cps_limit", "1")]
                )
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
}

//! The tenant settings page and API: caller numbers and the line quota shown,
//! push targets added with the CLI's checks, enabled and disabled (another
//! tenant's is 404), secrets that never come back, anti-CSRF, and roles
//! (auditors read, agents are kept out).

use crate::backoffice_support::{field_of, prepare, B_NUMBER, GOOD_NUMBER, UNVERIFIED};
use crate::campaign::{token, worlds};
use axum::http::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn settings_show_numbers_and_quota_and_manage_push_targets_without_secrets() {
    for w in worlds().await {
        prepare(&w).await;
        let mut alice = w.h.login("alice").await;
        let page = alice.get("/settings").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(GOOD_NUMBER) && page.body.contains(UNVERIFIED));
        assert!(!page.body.contains(B_NUMBER), "another tenant's number");
        assert!(page.body.contains("ta-crm") && !page.body.contains("tb-crm"));
        assert!(page.body.contains("<strong>4</strong>"), "the quota");

        let r = alice
            .post(
                "/settings/push-targets",
                &[
                    ("name", "sales-robot"),
                    ("kind", "wecom"),
                    (
                        "url",
                        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=ROBOTKEY77",
                    ),
                    ("min_grade", "A"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = alice
            .post(
                "/settings/push-targets",
                &[
                    ("name", "crm"),
                    ("kind", "webhook"),
                    ("url", "https://crm.example/hook"),
                    ("secret", "topsecret-123"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = alice.get("/settings").await;
        assert!(page.body.contains("sales-robot"));
        assert!(
            !page.body.contains("ROBOTKEY77"),
            "the robot's key is hidden"
        );
        assert!(
            !page.body.contains("topsecret-123"),
            "the secret is never shown"
        );

        let tok = token(&w.h, w.s.ta).await;
        let api =
            w.h.api(Method::GET, "/api/v1/settings", Some(&tok), None)
                .await;
        assert_eq!(api.status, StatusCode::OK);
        assert!(!api.body.contains("topsecret-123") && !api.body.contains("ROBOTKEY77"));
        let v = api.json();
        assert_eq!(v["line_quota"], 4);
        assert_eq!(v["caller_numbers"].as_array().unwrap().len(), 2);
        let crm = v["push_targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "crm")
            .unwrap()
            .clone();
        assert_eq!(crm["signed"], true);

        // Checked like the CLI: a webhook needs a secret, the URL must be http(s).
        let r =
            w.h.api(
                Method::POST,
                "/api/v1/push-targets",
                Some(&tok),
                Some(json!({"name":"x","kind":"webhook","url":"https://a.example/h"})),
            )
            .await;
        assert_eq!(
            (r.code(), field_of(&r)),
            ("invalid".into(), "secret".into()),
            "{}",
            r.body
        );
        let r =
            w.h.api(
                Method::POST,
                "/api/v1/push-targets",
                Some(&tok),
                Some(json!({"name":"x","kind":"feishu","url":"ftp://a.example/h"})),
            )
            .await;
        assert_eq!(field_of(&r), "url");
        let r =
            w.h.api(
                Method::POST,
                "/api/v1/push-targets",
                Some(&tok),
                Some(json!({"name":"x","kind":"pager","url":"https://a.example/h"})),
            )
            .await;
        assert_eq!(field_of(&r), "kind");

        // Disable one's own target; another tenant's is 404.
        let own =
            w.h.store
                .list_push_targets(w.s.ta)
                .await
                .unwrap()
                .into_iter()
                .find(|t| t.name == "crm")
                .unwrap();
        let theirs = w.h.store.list_push_targets(w.s.tb).await.unwrap()[0].clone();
        let r = alice
            .post(
                &format!("/settings/push-targets/{}/enabled", theirs.id),
                &[("enabled", "false")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r =
            w.h.api(
                Method::POST,
                &format!("/api/v1/push-targets/{}/enabled", theirs.id),
                Some(&tok),
                Some(json!({"enabled": false})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(w.h.store.list_push_targets(w.s.tb).await.unwrap()[0].enabled);
        let r = alice
            .post(
                &format!("/settings/push-targets/{}/enabled", own.id),
                &[("enabled", "false")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let now =
            w.h.store
                .list_push_targets(w.s.ta)
                .await
                .unwrap()
                .into_iter()
                .find(|t| t.name == "crm")
                .unwrap();
        assert!(!now.enabled);
        let r = alice
            .post_raw(
                &format!("/settings/push-targets/{}/enabled", own.id),
                &[("enabled", "true")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "no CSRF token");

        // Auditors read, agents do not see settings.
        let mut audrey = w.h.login("audrey").await;
        assert_eq!(audrey.get("/settings").await.status, StatusCode::OK);
        let r = audrey
            .post(
                &format!("/settings/push-targets/{}/enabled", own.id),
                &[("enabled", "true")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut agnes = w.h.login("agnes").await;
        assert_eq!(agnes.get("/settings").await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn push_targets_at_internal_addresses_or_with_credentials_are_refused() {
    for w in worlds().await {
        prepare(&w).await;
        let tok = token(&w.h, w.s.ta).await;
        for url in [
            "http://127.0.0.1:9000/h",
            "http://2130706433/h",
            "http://0x7f.1/h",
            "http://0.0.0.0/h",
            "http://[::1]/h",
            "http://[::ffff:127.0.0.1]/h",
            "http://localhost/h",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://192.168.1.10/h",
            "https://user:pw@crm.example/hook",
        ] {
            let r =
                w.h.api(
                    Method::POST,
                    "/api/v1/push-targets",
                    Some(&tok),
                    Some(json!({"name":"x","kind":"webhook","url":url,"secret":"s"})),
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{url}: {}",
                r.body
            );
            assert_eq!(field_of(&r), "url", "{url}: {}", r.body);
            assert!(!r.body.contains("pw@"), "{}", r.body);
        }
        let mut alice = w.h.login("alice").await;
        let r = alice
            .post(
                "/settings/push-targets",
                &[
                    ("name", "meta"),
                    ("kind", "webhook"),
                    ("url", "http://169.254.169.254/latest/meta-data/"),
                    ("secret", "s"),
                ],
            )
            .await;
        assert_ne!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let saved = w.h.store.list_push_targets(w.s.ta).await.unwrap();
        assert!(
            saved.iter().all(|t| !t.url.contains("169.254")),
            "{saved:?}"
        );
    }
}

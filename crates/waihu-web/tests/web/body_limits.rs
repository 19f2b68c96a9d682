//! Request bodies over their route's limit are refused with `413
//! payload_too_large`: JSON API bodies, back-office forms and file uploads each
//! have their own limit (docs/api.md, "Body limits").

use crate::contacts_support::token;
use crate::support::{multipart, Harness};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use waihu_web::body_limit::{FORM_MAX, JSON_MAX};
use waihu_web::contacts::import::MAX_BODY;

#[tokio::test]
async fn an_api_json_body_over_its_limit_is_413() {
    let (h, s) = Harness::seeded().await;
    let tok = token(&h, s.ta, "crm").await;
    let big = format!(
        r#"{{"name":"x","kind":"webhook","url":"https://crm.example/h","secret":"{}"}}"#,
        "s".repeat(JSON_MAX + 1)
    );
    let r = h
        .send(
            Request::post("/api/v1/push-targets")
                .header(header::AUTHORIZATION, format!("Bearer {tok}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(big))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(r.code(), "payload_too_large");
    assert!(h.store.list_push_targets(s.ta).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_contact_upload_over_its_limit_is_413() {
    let (h, s) = Harness::seeded().await;
    let tok = token(&h, s.ta, "crm").await;
    let file = vec![b'1'; MAX_BODY + 1];
    let (content_type, body) = multipart(&[("list", "big")], Some(("file", "big.csv", &file)));
    let r = h
        .send(
            Request::post("/api/v1/contact-lists/import")
                .header(header::AUTHORIZATION, format!("Bearer {tok}"))
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(r.code(), "payload_too_large");

    // The back office's upload form: the same limit, the same status.
    let mut alice = h.login("alice").await;
    let r = alice
        .upload(
            "/contacts/import",
            &[("list", "big")],
            Some(("file", "big.csv", &file)),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
}

#[tokio::test]
async fn a_back_office_form_over_its_limit_is_413() {
    let (h, _s) = Harness::seeded().await;
    let mut alice = h.login("alice").await;
    let long = "n".repeat(FORM_MAX + 1);
    let r = alice
        .post(
            "/settings/push-targets",
            &[
                ("name", &long),
                ("kind", "webhook"),
                ("url", "https://crm.example/h"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
}

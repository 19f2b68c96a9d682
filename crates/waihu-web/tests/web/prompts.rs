//! Prompt audio, page and API, through a fake prompt library: uploads checked
//! (type, content, name, size), listed and played per tenant, stored hashes
//! never turned into paths, anti-CSRF, and agents and auditors only listening.

use crate::backoffice_support::field_of;
use crate::campaign::{token, worlds};
use crate::support::Resp;
use axum::http::{Method, StatusCode};
use serde_json::json;
use waihu_store::Actor;

/// A stand-in for the binary's prompt library: accepts bodies starting with
/// `RIFF` or `ID3`, stores them under `<dir>/<tenant>/<hash>.wav`.
struct FakeAudio(std::path::PathBuf);

impl waihu_web::campaign::prompts::PromptAudio for FakeAudio {
    fn import(
        &self,
        tenant: waihu_core::TenantId,
        _name: &str,
        bytes: &[u8],
        file_name: &str,
    ) -> Result<
        waihu_web::campaign::prompts::ImportedPrompt,
        waihu_web::campaign::prompts::PromptRejected,
    > {
        if !(bytes.starts_with(b"RIFF") || bytes.starts_with(b"ID3")) {
            return Err(waihu_web::campaign::prompts::PromptRejected {
                bad_input: true,
                message: "not a WAV or MP3 file".into(),
            });
        }
        let sha = format!(
            "{:064x}",
            bytes.len() as u128 * 7919 + u128::from(bytes[bytes.len() - 1])
        );
        let dir = self.0.join(tenant.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{sha}.wav")), bytes).unwrap();
        Ok(waihu_web::campaign::prompts::ImportedPrompt {
            file_name: file_name.into(),
            duration_ms: 1500,
            sha256: sha,
        })
    }

    fn wav_file(&self, tenant: waihu_core::TenantId, sha256: &str) -> Option<std::path::PathBuf> {
        let p = self
            .0
            .join(tenant.to_string())
            .join(format!("{sha256}.wav"));
        p.is_file().then_some(p)
    }
}

async fn upload(h: &crate::support::Harness, tok: &str, name: &str, ct: &str, body: &[u8]) -> Resp {
    let req = axum::http::Request::post(format!("/api/v1/prompts?name={name}"))
        .header("authorization", format!("Bearer {tok}"))
        .header("content-type", ct)
        .body(axum::body::Body::from(body.to_vec()))
        .unwrap();
    h.send(req).await
}

#[tokio::test]
async fn prompts_are_uploaded_checked_listed_and_played_per_tenant() {
    for mut w in worlds().await {
        // Without the library the page says so and uploads are refused.
        let tok = token(&w.h, w.s.ta).await;
        let mut alice = w.h.login("alice").await;
        assert!(alice.get("/prompts").await.body.contains("prompts-off"));
        let r = upload(&w.h, &tok, "hello", "audio/wav", b"RIFF-1").await;
        assert_eq!(r.code(), "conflict");
        drop(alice);

        let lib = w.tmp.path().join("prompts");
        w.h.state =
            w.h.state
                .clone()
                .with_prompt_audio(std::sync::Arc::new(FakeAudio(lib)));
        let tok_b = token(&w.h, w.s.tb).await;
        let mut alice = w.h.login("alice").await;
        let page = alice.get("/prompts").await;
        assert!(
            page.body.contains("prompt-upload") && page.body.contains("data-csrf"),
            "{}",
            page.body
        );

        // Type, content, name and size are checked; nothing is stored on refusal.
        let r = upload(&w.h, &tok, "hello", "text/plain", b"RIFF-1").await;
        assert_eq!((r.code(), field_of(&r)), ("invalid".into(), "file".into()));
        let r = upload(&w.h, &tok, "hello", "audio/wav", b"<html>not audio").await;
        assert_eq!(
            (r.code(), field_of(&r)),
            ("invalid".into(), "file".into()),
            "{}",
            r.body
        );
        let r = upload(&w.h, &tok, "", "audio/wav", b"RIFF-1").await;
        assert_eq!(field_of(&r), "name");
        let big = vec![b'R'; waihu_web::campaign::prompts::MAX_UPLOAD + 10];
        let r = upload(&w.h, &tok, "big", "audio/wav", &big).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(
            (r.code(), field_of(&r)),
            ("payload_too_large".into(), "file".into()),
            "{}",
            r.body
        );
        assert!(w.h.store.list_prompts(w.s.ta).await.unwrap().is_empty());

        let r = upload(&w.h, &tok, "hello", "audio/wav", b"RIFF-a-wave").await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_str().unwrap().to_string();
        let r = upload(&w.h, &tok, "hello", "audio/mpeg", b"ID3-other").await;
        assert_eq!(r.code(), "conflict", "a taken name");
        let r = upload(&w.h, &tok_b, "theirs", "audio/mpeg", b"ID3-b-sound").await;
        assert_eq!(r.status, StatusCode::CREATED);
        let theirs = r.json()["id"].as_str().unwrap().to_string();

        // Listed with a player; the audio is the tenant's only.
        let page = alice.get("/prompts").await;
        assert!(
            page.body.contains(&format!("src=\"/prompts/{id}/audio\"")),
            "{}",
            page.body
        );
        assert!(!page.body.contains("theirs"));
        let a = alice.get(&format!("/prompts/{id}/audio")).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(a.header("content-type"), "audio/wav");
        assert_eq!(a.body, "RIFF-a-wave");
        assert_eq!(
            alice.get(&format!("/prompts/{theirs}/audio")).await.status,
            StatusCode::NOT_FOUND
        );
        let r =
            w.h.api(
                Method::GET,
                &format!("/api/v1/prompts/{theirs}/audio"),
                Some(&tok),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r =
            w.h.api(Method::GET, "/api/v1/prompts", Some(&tok), None)
                .await;
        assert_eq!(r.json()["items"].as_array().unwrap().len(), 1);

        // A stored hash that is not a hash never becomes a path.
        let evil =
            w.h.store
                .add_prompt(
                    w.s.ta,
                    "evil",
                    "x.wav",
                    1,
                    "../../../../etc/passwd",
                    &Actor::cli("t"),
                )
                .await
                .unwrap();
        assert_eq!(
            alice
                .get(&format!("/prompts/{}/audio", evil.id))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // Sessions need the anti-CSRF header; agents and auditors only listen.
        let csrf = alice.csrf().await;
        let r = alice
            .api(Method::POST, "/api/v1/prompts?name=x", None, json!({}))
            .await;
        assert_eq!(r.code(), "csrf_failed");
        let r = alice
            .api(
                Method::POST,
                "/api/v1/prompts?name=x",
                Some(&csrf),
                json!({}),
            )
            .await;
        assert_eq!(field_of(&r), "file", "JSON is not audio: {}", r.body);
        for user in ["agnes", "audrey"] {
            let mut b = w.h.login(user).await;
            assert_eq!(
                b.get(&format!("/prompts/{id}/audio")).await.status,
                StatusCode::OK,
                "{user}"
            );
            assert!(
                !b.get("/prompts").await.body.contains("prompt-upload"),
                "{user}"
            );
            let c = b.csrf().await;
            let r = b
                .api(Method::POST, "/api/v1/prompts?name=y", Some(&c), json!({}))
                .await;
            assert_eq!(r.code(), "forbidden", "{user}");
        }
    }
}

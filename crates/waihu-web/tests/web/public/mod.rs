//! The public callee pages: one-time codes (fake sender capturing the code),
//! limits and lockouts, opt-out into the do-not-call lists, bad input, signed
//! recording links, both languages.

use crate::campaign_seed;
use crate::support::{scrape_csrf, Browser, Harness, Resp};
use async_trait::async_trait;
use axum::http::StatusCode;
use chrono::Duration;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use waihu_compliance::pii::PhoneKey;
use waihu_core::{Clock, TenantName};
use waihu_store::{Actor, DncScope};
use waihu_web::public::{CodeSender, SendError};

/// Captures every code instead of calling; refuses numbers in `refuse`.
#[derive(Default)]
struct FakeSender {
    sent: Mutex<Vec<(String, String)>>,
    refuse: Mutex<Vec<String>>,
}

#[async_trait]
impl CodeSender for FakeSender {
    async fn send(&self, number: &str, code: &str) -> Result<(), SendError> {
        if self.refuse.lock().unwrap().iter().any(|n| n == number) {
            return Err(SendError::Refused {
                rules: vec!["cap_24h".into()],
                why: "3 verification calls in 24 h".into(),
            });
        }
        self.sent
            .lock()
            .unwrap()
            .push((number.to_string(), code.to_string()));
        Ok(())
    }
}

impl FakeSender {
    fn last(&self, number: &str) -> String {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|(n, _)| n == number)
            .map(|(_, c)| c.clone())
            .expect("a code was sent")
    }
}

const N1: &str = "+8613812345678";
const N2: &str = "+8613912345679";

fn key() -> PhoneKey {
    PhoneKey::from_bytes([7; 32])
}

async fn harness() -> (Harness, Arc<FakeSender>) {
    let mut h = Harness::new().await;
    let sender = Arc::new(FakeSender::default());
    h.state = h
        .state
        .clone()
        .with_pii(key())
        .with_code_sender(sender.clone());
    (h, sender)
}

fn peer(n: u8) -> Option<SocketAddr> {
    Some(SocketAddr::from(([203, 0, 113, n], 40000)))
}

async fn form(b: &mut Browser<'_>, path: &str, fields: &[(&str, &str)]) -> Resp {
    let page = b.get("/p").await;
    let token = scrape_csrf(&page.body);
    let mut all = vec![("_csrf", token.as_str())];
    all.extend_from_slice(fields);
    b.post_raw(path, &all).await
}

async fn request_code(b: &mut Browser<'_>, number: &str) -> Resp {
    form(b, "/p/code", &[("number", number)]).await
}

fn wrong(code: &str) -> String {
    let d = (code.as_bytes()[0] - b'0' + 1) % 10;
    format!("{d}{}", &code[1..])
}

/// Requests and enters the code: the browser is verified for `number`.
async fn verify(b: &mut Browser<'_>, s: &FakeSender, number: &str) {
    let r = request_code(b, number).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let code = s.last(number);
    let r = form(b, "/p/verify", &[("code", &code)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/p/me");
}

#[tokio::test]
async fn pages_render_in_both_languages_for_phones_without_inline_script() {
    let (h, _) = harness().await;
    let mut b = h.browser();
    let zh = b.get("/p").await;
    assert_eq!(zh.status, StatusCode::OK);
    assert!(zh.body.contains("验证您的号码") && zh.body.contains("lang=\"zh-CN\""));
    assert!(zh.body.contains("name=\"viewport\""));
    assert!(
        !zh.body.contains("<script"),
        "no script at all on public pages"
    );
    assert!(zh
        .header("content-security-policy")
        .contains("script-src 'self'"));
    assert!(zh
        .set_cookies()
        .iter()
        .any(|c| c.starts_with("waihu_pub_csrf=") && c.contains("HttpOnly")));
    let en = b.get("/p?lang=en").await;
    assert!(en.body.contains("prove the number is yours") && en.body.contains("lang=\"en\""));
    // Not logged in and still served (no redirect to the back-office login).
    let me = b.get("/p/me").await;
    assert_eq!(me.status, StatusCode::SEE_OTHER);
    assert!(me.location().starts_with("/p?"));
}

#[tokio::test]
async fn a_verified_callee_opts_out_of_one_business_or_all() {
    let (h, s) = harness().await;
    let a = Actor::cli("test");
    let ta = h
        .store
        .create_tenant(&TenantName::parse("acme").unwrap(), &a)
        .await
        .unwrap()
        .id;
    let tb = h
        .store
        .create_tenant(&TenantName::parse("beta").unwrap(), &a)
        .await
        .unwrap()
        .id;
    h.store
        .add_caller_number("+862150000001", &a)
        .await
        .unwrap();
    h.store
        .assign_caller_number("+862150000001", ta, &a)
        .await
        .unwrap();
    let mut b = h.browser();
    b.peer = peer(1);
    // Without a verified number: back to the start, nothing written.
    let r = form(&mut b, "/p/optout", &[("scope", "all")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let hash = key().hash(N1);
    assert!(!h.store.dnc_membership(ta, &hash).await.unwrap().platform);

    verify(&mut b, &s, N1).await;
    let me = b.get("/p/me").await;
    assert!(me.body.contains("138****5678"), "masked number shown");
    assert!(!me.body.contains(N1) && !me.body.contains("13812345678"));

    // By the number that called.
    let r = form(
        &mut b,
        "/p/optout",
        &[("scope", "business"), ("caller_number", "021 5000 0001")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let m = h.store.dnc_membership(ta, &hash).await.unwrap();
    assert!(m.tenant && !m.platform);
    assert!(!h.store.dnc_membership(tb, &hash).await.unwrap().tenant);
    // By name.
    let r = form(
        &mut b,
        "/p/optout",
        &[("scope", "business"), ("business", "Beta")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(h.store.dnc_membership(tb, &hash).await.unwrap().tenant);
    // An unknown business: a clear 422, nothing written.
    let r = form(
        &mut b,
        "/p/optout",
        &[("scope", "business"), ("business", "nobody")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = form(
        &mut b,
        "/p/optout",
        &[("scope", "business"), ("caller_number", "+862150000009")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Everyone.
    let r = form(&mut b, "/p/optout", &[("scope", "all")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(h.store.count_dnc(DncScope::Platform).await.unwrap(), 1);
    assert!(h.store.dnc_membership(tb, &hash).await.unwrap().platform);
    // The other number is untouched.
    let other = key().hash(N2);
    let m = h.store.dnc_membership(ta, &other).await.unwrap();
    assert!(!m.tenant && !m.platform);
}

mod codes;
mod rights;

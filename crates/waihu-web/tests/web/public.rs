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

#[tokio::test]
async fn five_wrong_codes_kill_the_code_and_ten_lock_the_address() {
    let (h, s) = harness().await;
    let mut b = h.browser();
    b.peer = peer(2);
    assert_eq!(request_code(&mut b, N1).await.status, StatusCode::SEE_OTHER);
    let code = s.last(N1);
    for left in (1..=4).rev() {
        let r = form(&mut b, "/p/verify", &[("code", &wrong(&code))]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains(&format!("还可以再试 {left} 次")),
            "{}",
            r.body
        );
    }
    let r = form(&mut b, "/p/verify", &[("code", &wrong(&code))]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Dead: even the right code fails now.
    let r = form(&mut b, "/p/verify", &[("code", &code)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        b.get("/p/me").await.status == StatusCode::SEE_OTHER,
        "not verified"
    );

    // Five more wrong codes on a fresh code for another number from the same
    // address: the address is locked (10 wrong in 15 minutes).
    assert_eq!(request_code(&mut b, N2).await.status, StatusCode::SEE_OTHER);
    let code2 = s.last(N2);
    let mut last = StatusCode::OK;
    for _ in 0..5 {
        last = form(&mut b, "/p/verify", &[("code", &wrong(&code2))])
            .await
            .status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    // Locked: a new code for N2 from this address is refused, and so is the right code.
    let r = form(&mut b, "/p/verify", &[("code", &code2)]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        request_code(&mut b, N2).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The lock ends after 15 minutes.
    h.clock.advance(Duration::minutes(16));
    assert_eq!(request_code(&mut b, N2).await.status, StatusCode::SEE_OTHER);
    let fresh = s.last(N2);
    let r = form(&mut b, "/p/verify", &[("code", &fresh)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

#[tokio::test]
async fn wrong_codes_for_one_number_lock_it_from_every_address() {
    let (h, s) = harness().await;
    // Two codes for N1 from two addresses, five wrong tries each: ten for the number.
    for i in 0..2u8 {
        let mut b = h.browser();
        b.peer = peer(10 + i);
        assert_eq!(
            request_code(&mut b, N1).await.status,
            StatusCode::SEE_OTHER,
            "request {i}"
        );
        let code = s.last(N1);
        let mut last = StatusCode::OK;
        for _ in 0..5 {
            last = form(&mut b, "/p/verify", &[("code", &wrong(&code))])
                .await
                .status;
        }
        let want = if i == 0 {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(last, want, "round {i}");
    }
    // A third address may not even ask for a code for N1 now, but may for N2.
    let mut b = h.browser();
    b.peer = peer(99);
    let r = request_code(&mut b, N1).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert_eq!(request_code(&mut b, N2).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn code_requests_are_limited_per_address_and_per_number() {
    let (h, s) = harness().await;
    let mut b = h.browser();
    b.peer = peer(3);
    // Five requests from one address (five an hour), the last two for N1.
    for n in [N2, "+8613700000003", "+8613700000004", N1, N1] {
        assert_eq!(
            request_code(&mut b, n).await.status,
            StatusCode::SEE_OTHER,
            "{n}"
        );
    }
    assert_eq!(
        request_code(&mut b, "+8613700000005").await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "per address"
    );
    // N1 from other addresses: five requests for one number an hour, then no more.
    for i in 0..3u8 {
        let mut c = h.browser();
        c.peer = peer(30 + i);
        assert_eq!(
            request_code(&mut c, N1).await.status,
            StatusCode::SEE_OTHER,
            "address {i}"
        );
    }
    let mut c = h.browser();
    c.peer = peer(40);
    let r = request_code(&mut c, N1).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "per number");
    assert_eq!(s.sent.lock().unwrap().len(), 8);
    // A refusal by the sender (the gate's 24 h cap) is a clear 429, not a 5xx.
    h.clock.advance(Duration::hours(2));
    s.refuse.lock().unwrap().push(N2.to_string());
    let r = request_code(&mut b, N2).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Said in the page's language, from the gate's rule (not its English text).
    assert!(r.body.contains("已接到 3 次验证电话"), "{}", r.body);
    b.get("/p?lang=en").await;
    let r = request_code(&mut b, N2).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        r.body.contains("3 verification calls in 24 hours"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn an_expired_code_is_rejected() {
    let (h, s) = harness().await;
    let mut b = h.browser();
    b.peer = peer(5);
    request_code(&mut b, N1).await;
    let code = s.last(N1);
    h.clock.advance(Duration::minutes(10));
    let r = form(&mut b, "/p/verify", &[("code", &code)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("验证码已过期"),
        "in the page's language: {}",
        r.body
    );
    assert_eq!(b.get("/p/me").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn bad_input_is_a_clear_4xx_never_a_5xx() {
    let (h, _) = harness().await;
    let mut b = h.browser();
    b.peer = peer(6);
    for (path, fields, want) in [
        (
            "/p/code",
            vec![("number", "not a number")],
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/p/code",
            vec![("number", "12")],
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("/p/code", vec![], StatusCode::UNPROCESSABLE_ENTITY),
        (
            "/p/verify",
            vec![("code", "12ab56")],
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("/p/verify", vec![], StatusCode::UNPROCESSABLE_ENTITY),
        (
            "/p/verify",
            vec![("code", "123456")],
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let r = form(&mut b, path, &fields).await;
        assert_eq!(r.status, want, "{path} {fields:?}: {}", r.body);
    }
    // No anti-CSRF token.
    let r = b.post_raw("/p/code", &[("number", N1)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A huge body.
    let big = "x".repeat(100_000);
    let r = form(&mut b, "/p/code", &[("number", &big)]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let page = b.get("/p?lang=en").await;
    let token = scrape_csrf(&page.body);
    let r = b
        .post_raw(
            "/p/complaint",
            &[("_csrf", &token), ("what", &"y".repeat(40_000))],
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    // Form posts are limited per address (60 per 10 minutes).
    let mut last = StatusCode::OK;
    for _ in 0..70 {
        last = b.post_raw("/p/logout", &[("_csrf", &token)]).await.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn recording_links_expire_and_cannot_be_forged() {
    let (mut h, s) = harness().await;
    let dir = tempfile::tempdir().unwrap();
    h.state = h.state.clone().with_recordings(dir.path());
    let ta = h
        .store
        .create_tenant(&TenantName::parse("acme").unwrap(), &Actor::cli("t"))
        .await
        .unwrap()
        .id;
    h.clock.set(campaign_seed::t0() + Duration::hours(1));
    let c = campaign_seed::seed(&h, ta, "acme", dir.path()).await;
    let mut b = h.browser();
    b.peer = peer(7);
    verify(&mut b, &s, N1).await;
    let now = h.clock.now();
    let link =
        waihu_web::public::recording::link(&h.state, ta.0, c.answered_call, &key().hash(N1), now);
    let r = b.get(&link).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body.as_bytes(), c.audio.as_slice());
    // Forged: another call, another signature, another number.
    let forged = link.replace(&c.answered_call.to_string(), &c.busy_call.to_string());
    assert_eq!(b.get(&forged).await.status, StatusCode::NOT_FOUND);
    let sig_at = link.find("sig=").unwrap() + 4;
    let mut bad = link.clone();
    let flip = if &link[sig_at..sig_at + 1] == "0" {
        "1"
    } else {
        "0"
    };
    bad.replace_range(sig_at..sig_at + 1, flip);
    assert_eq!(b.get(&bad).await.status, StatusCode::NOT_FOUND);
    let other =
        waihu_web::public::recording::link(&h.state, ta.0, c.answered_call, &key().hash(N2), now);
    assert_eq!(
        b.get(&other).await.status,
        StatusCode::NOT_FOUND,
        "a link for another number"
    );
    // Without the verified session.
    let mut stranger = h.browser();
    assert_eq!(stranger.get(&link).await.status, StatusCode::NOT_FOUND);
    // Expired.
    h.clock.advance(Duration::minutes(11));
    let mut b2 = h.browser();
    b2.peer = peer(8);
    verify(&mut b2, &s, N1).await;
    assert_eq!(b2.get(&link).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn complaint_export_and_erasure_of_the_verified_number() {
    let (mut h, s) = harness().await;
    let dir = tempfile::tempdir().unwrap();
    h.state = h.state.clone().with_recordings(dir.path());
    let ta = h
        .store
        .create_tenant(&TenantName::parse("acme").unwrap(), &Actor::cli("t"))
        .await
        .unwrap()
        .id;
    h.clock.set(campaign_seed::t0() + Duration::hours(1));
    let c = campaign_seed::seed(&h, ta, "acme", dir.path()).await;
    let mut b = h.browser();
    b.peer = peer(20);
    verify(&mut b, &s, N1).await;

    // Bad complaints: clear 422s, nothing filed.
    for fields in [
        vec![("called_at", "2026-03-01T17:00"), ("what", "  ")],
        vec![("called_at", "yesterday"), ("what", "robot")],
        vec![("called_at", "2027-03-01T17:00"), ("what", "robot")],
    ] {
        let r = form(&mut b, "/p/complaint", &fields).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{fields:?}: {}",
            r.body
        );
    }
    // 17:00 China time is the seeded call at 09:00 UTC.
    let r = form(
        &mut b,
        "/p/complaint",
        &[
            ("called_at", "2026-03-01T17:00"),
            ("what", "机器人一直打电话"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let filed = h
        .store
        .list_complaints(
            waihu_store::rights::ComplaintScope::Platform,
            waihu_store::rights::ComplaintFilter::default(),
        )
        .await
        .unwrap();
    assert_eq!(filed.len(), 1);
    assert_eq!(filed[0].tenant_id, Some(ta));
    assert!(filed[0].verified);
    // Verified and naming the answered call: over the default threshold (1 per
    // 1,000 answered calls), so the business's running task pauses at once.
    let task = h.store.get_task(ta, c.running_task).await.unwrap().unwrap();
    assert_eq!(task.state, waihu_core::TaskState::Paused, "{task:?}");
    assert!(task
        .state_reason
        .unwrap_or_default()
        .contains("complaint rate"));
    assert!(
        h.store
            .dnc_membership(ta, &key().hash(N1))
            .await
            .unwrap()
            .tenant
    );

    // The export: this number's answered call with transcript and link, not N2's busy call.
    let data = b.get("/p/data?lang=en").await;
    assert_eq!(data.status, StatusCode::OK, "{}", data.body);
    assert!(data.body.contains("acme") && data.body.contains("acme想了解一下价格"));
    assert!(data.body.contains("/p/recording?"));
    assert!(!data.body.contains("busy"), "another number's call");
    assert!(!data.body.contains("13812345678"), "the number is masked");

    // Erasure needs the confirmation, then removes the recording file too.
    let hash = key().hash(N1);
    let needles = waihu_store::rights::trace::Needles {
        bytes: vec![hash.0.to_vec()],
        texts: vec![
            N1.to_string(),
            N1[1..].to_string(),
            N1[3..].to_string(),
            waihu_compliance::pii::mask(N1),
            hash.to_hex(),
        ],
    };
    let before = waihu_store::rights::trace::find_traces(&h.db.url, &needles)
        .await
        .unwrap();
    assert!(
        !before.is_empty(),
        "the scan finds the number before erasure"
    );
    let r = form(&mut b, "/p/erase", &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let file = dir
        .path()
        .join(ta.to_string())
        .join(format!("{}.wav", c.answered_call));
    assert!(file.is_file());
    let r = form(&mut b, "/p/erase", &[("confirm", "yes")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("has been erased"), "{}", r.body);
    assert!(
        !r.body.contains("files-left"),
        "every file went: {}",
        r.body
    );
    assert!(r.body.contains("Dial attempts"), "{}", r.body);
    assert!(!file.exists(), "the recording file is deleted");
    // Nothing about the number in any table but the hashed DNC entry and the
    // audit log.
    let traces = waihu_store::rights::trace::find_traces(&h.db.url, &needles)
        .await
        .unwrap();
    assert!(traces.is_empty(), "{traces:?}");
    assert!(
        h.store
            .dnc_membership(ta, &key().hash(N1))
            .await
            .unwrap()
            .tenant,
        "DNC stays"
    );
    // The session ended with the erasure.
    assert_eq!(b.get("/p/me").await.status, StatusCode::SEE_OTHER);
}

/// One verified number files at most the daily cap of complaints — whichever
/// browser or address it files from — and more again a day later.
#[tokio::test]
async fn a_verified_number_files_at_most_its_daily_cap_of_complaints() {
    let (h, s) = harness().await;
    let complain = [
        ("called_at", "2026-03-01T12:00"),
        ("what", "机器人一直打电话"),
    ];
    let mut b = h.browser();
    b.peer = peer(30);
    verify(&mut b, &s, N1).await;
    for i in 0..3 {
        let r = form(&mut b, "/p/complaint", &complain).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "complaint {i}: {}", r.body);
    }
    let r = form(&mut b, "/p/complaint", &complain).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.body.contains("投诉已达上限"), "{}", r.body);
    // A second browser at another address, verified for the same number anew.
    let mut other = h.browser();
    other.peer = peer(31);
    verify(&mut other, &s, N1).await;
    let r = form(&mut other, "/p/complaint", &complain).await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "keyed on the number"
    );
    // Another number is not affected.
    let mut n2 = h.browser();
    n2.peer = peer(32);
    verify(&mut n2, &s, N2).await;
    assert_eq!(
        form(&mut n2, "/p/complaint", &complain).await.status,
        StatusCode::SEE_OTHER
    );
    let filed = |h: &Harness| {
        let store = h.store.clone();
        async move {
            store
                .complaints_filed_since(&key().hash(N1), chrono::DateTime::<chrono::Utc>::MIN_UTC)
                .await
                .unwrap()
        }
    };
    assert_eq!(filed(&h).await, 3);
    // A day later the number may complain again.
    h.clock.advance(Duration::hours(24) + Duration::minutes(1));
    let mut later = h.browser();
    later.peer = peer(30);
    verify(&mut later, &s, N1).await;
    let r = form(
        &mut later,
        "/p/complaint",
        &[("called_at", "2026-03-02T12:00"), ("what", "又打来了")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(filed(&h).await, 4);
}

/// The cap is configurable.
#[tokio::test]
async fn the_daily_complaint_cap_is_configurable() {
    let (mut h, s) = harness().await;
    h.state.config = Arc::new(waihu_web::WebConfig {
        complaints_per_number_day: 1,
        ..Default::default()
    });
    let complain = [("called_at", "2026-03-01T12:00"), ("what", "robot")];
    let mut b = h.browser();
    b.peer = peer(33);
    verify(&mut b, &s, N1).await;
    assert_eq!(
        form(&mut b, "/p/complaint", &complain).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        form(&mut b, "/p/complaint", &complain).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// A verified session belongs to the address that typed the code: its cookie
/// replayed from a second address is treated as no verification at all.
#[tokio::test]
async fn a_verified_cookie_replayed_from_another_address_is_refused() {
    let (h, s) = harness().await;
    let mut b = h.browser();
    b.peer = peer(40);
    verify(&mut b, &s, N1).await;
    assert_eq!(b.get("/p/me").await.status, StatusCode::OK);
    let mut thief = h.browser();
    thief.peer = peer(41);
    thief.cookies = b.cookies.clone();
    let r = thief.get("/p/me").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/p?expired=1");
    let r = form(
        &mut thief,
        "/p/complaint",
        &[("called_at", "2026-03-01T12:00"), ("what", "x")],
    )
    .await;
    assert_eq!(r.location(), "/p?expired=1", "{}", r.body);
    let none = h
        .store
        .complaints_filed_since(&key().hash(N1), chrono::DateTime::<chrono::Utc>::MIN_UTC)
        .await
        .unwrap();
    assert_eq!(none, 0, "nothing filed with the copied cookie");
    // The verifying browser still is verified.
    assert_eq!(b.get("/p/me").await.status, StatusCode::OK);
}

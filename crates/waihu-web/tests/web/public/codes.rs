//! Verification codes on the public pages: wrong-code and request limits per
//! address and per number, expiry, and bad input answered with a clear 4xx.

use super::*;

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

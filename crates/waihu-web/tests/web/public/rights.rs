//! What a verified callee does on the public pages: recording links, complaints,
//! export and erasure, the daily complaint cap, and the cookie bound to its address.

use super::*;

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

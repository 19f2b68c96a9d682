//! Delivery to each service's fake: formats, signatures, retries, dead letters,
//! number masking and consent.

use super::*;

#[tokio::test]
async fn each_format_is_delivered_and_accepted() {
    for kind in ALL_KINDS {
        let (url, fake) = spawn_fake(kind, &[]).await;
        let t = target(kind, &url, SECRET);
        let result = deliverer()
            .attempt(&t, &masked_lead(), true, Uuid::new_v4(), Utc::now())
            .await;
        assert!(result.is_ok(), "{kind}: {result:?}");
        let seen = fake.seen();
        assert_eq!(seen.len(), 1, "{kind}");
        let body = String::from_utf8_lossy(&seen[0].body);
        assert!(body.contains(MASKED), "{kind}: {body}");
        assert!(
            !body.contains("13812345678"),
            "{kind} leaked the full number: {body}"
        );
        let query = &seen[0].query;
        match kind {
            PushKind::WeCom => assert_eq!(query.get("key").map(String::as_str), Some(ROBOT_KEY)),
            PushKind::DingTalk => assert!(
                query.contains_key("timestamp") && query.contains_key("sign"),
                "{query:?}"
            ),
            PushKind::Feishu | PushKind::Webhook => assert!(query.is_empty(), "{query:?}"),
        }
    }
}

#[tokio::test]
async fn wrong_secret_is_refused_and_dead_lettered_at_once() {
    for kind in [PushKind::DingTalk, PushKind::Feishu, PushKind::Webhook] {
        let (url, fake) = spawn_fake(kind, &[]).await;
        let t = target(kind, &url, "SEC-not-the-right-one");
        let err = deliverer()
            .attempt(&t, &masked_lead(), true, Uuid::new_v4(), Utc::now())
            .await
            .unwrap_err();
        match (kind, &err) {
            (PushKind::DingTalk, PushError::Refused { code: 310000, .. })
            | (PushKind::Feishu, PushError::Refused { code: 19021, .. })
            | (PushKind::Webhook, PushError::HttpStatus { status: 401, .. }) => {}
            _ => panic!("{kind}: unexpected {err:?}"),
        }
        assert_eq!(
            Backoff::default().after_failure(1, &err, Utc::now()),
            AfterFailure::Dead {
                reason: DeadReason::Permanent
            },
            "{kind}"
        );
        assert_eq!(fake.seen().len(), 1);
    }
    // WeCom has no signing; a wrong key in the URL is its equivalent.
    let (url, _fake) = spawn_fake(PushKind::WeCom, &[]).await;
    let t = target(
        PushKind::WeCom,
        &url.replace(ROBOT_KEY, "wrong-key"),
        SECRET,
    );
    let err = deliverer()
        .attempt(&t, &masked_lead(), true, Uuid::new_v4(), Utc::now())
        .await
        .unwrap_err();
    assert!(
        matches!(err, PushError::Refused { code: 93000, .. }),
        "{err:?}"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn server_errors_are_retried_on_schedule_until_delivered() {
    for kind in ALL_KINDS {
        let (url, fake) = spawn_fake(kind, &[503, 502]).await;
        let t = target(kind, &url, SECRET);
        let backoff = Backoff::default();
        let l = masked_lead();
        let delivery = Uuid::new_v4();
        // The scheduler's view of time; each retry happens at its planned time
        // (signatures are made with the real clock so the fakes' freshness
        // checks see the real time).
        let start = Utc::now();
        let mut planned = vec![start];
        let mut attempts = 0;
        let delivered = loop {
            attempts += 1;
            let at = *planned.last().unwrap();
            match deliverer()
                .attempt(&t, &l, true, delivery, Utc::now())
                .await
            {
                Ok(d) => break d,
                Err(e) => match backoff.after_failure(attempts, &e, at) {
                    AfterFailure::RetryAt(next) => planned.push(next),
                    dead => panic!("{kind}: gave up after {attempts}: {dead:?} ({e})"),
                },
            }
        };
        assert!((200..300).contains(&delivered.status), "{kind}");
        assert_eq!(attempts, 3, "{kind}");
        assert_eq!(
            planned,
            vec![
                start,
                start + Duration::seconds(30),
                start + Duration::seconds(150)
            ],
            "{kind}"
        );
        assert_eq!(fake.seen().len(), 3, "{kind}");
        if kind == PushKind::Webhook {
            let ids: Vec<_> = fake
                .seen()
                .iter()
                .map(|s| s.headers["x-waihu-delivery"].clone())
                .collect();
            assert!(
                ids.iter().all(|id| *id == ids[0]),
                "delivery id is stable across retries"
            );
        }
    }
}

#[tokio::test]
async fn delivery_is_dead_after_max_attempts() {
    let (url, fake) = spawn_fake(PushKind::WeCom, &[500; 10]).await;
    let t = target(PushKind::WeCom, &url, SECRET);
    let backoff = Backoff::from_secs(&[30, 120], 3).unwrap();
    let mut now = Utc::now();
    let mut attempts = 0;
    let reason = loop {
        attempts += 1;
        let err = deliverer()
            .attempt(&t, &masked_lead(), true, Uuid::new_v4(), now)
            .await
            .unwrap_err();
        assert!(err.is_retryable(), "{err:?}");
        match backoff.after_failure(attempts, &err, now) {
            AfterFailure::RetryAt(next) => now = next,
            AfterFailure::Dead { reason } => break reason,
        }
    };
    assert_eq!(reason, DeadReason::AttemptsExhausted);
    assert_eq!(attempts, 3);
    assert_eq!(fake.seen().len(), 3);
}

#[tokio::test]
async fn number_is_masked_unless_the_tenant_enables_full_numbers() {
    for (allows_full, want_text, want_masked) in [(false, MASKED, true), (true, FULL, false)] {
        let (url, fake) = spawn_fake(PushKind::Webhook, &[]).await;
        let t = target(PushKind::Webhook, &url, SECRET);
        let l = lead(present_number(MASKED, Some(FULL), allows_full));
        deliverer()
            .attempt(&t, &l, true, Uuid::new_v4(), Utc::now())
            .await
            .unwrap();
        let v: Value = serde_json::from_slice(&fake.seen()[0].body).unwrap();
        assert_eq!(
            v["lead"]["number"]["text"], want_text,
            "allows_full={allows_full}"
        );
        assert_eq!(
            v["lead"]["number"]["masked"], want_masked,
            "allows_full={allows_full}"
        );

        let (url, fake) = spawn_fake(PushKind::WeCom, &[]).await;
        let t = target(PushKind::WeCom, &url, SECRET);
        deliverer()
            .attempt(&t, &l, true, Uuid::new_v4(), Utc::now())
            .await
            .unwrap();
        let body = String::from_utf8_lossy(&fake.seen()[0].body).to_string();
        assert_eq!(body.contains(FULL), allows_full, "{body}");
        assert!(body.contains(want_text), "{body}");
    }
}

#[tokio::test]
async fn nothing_is_sent_without_share_leads_consent() {
    for kind in ALL_KINDS {
        let (url, fake) = spawn_fake(kind, &[]).await;
        let t = target(kind, &url, SECRET);
        let err = deliverer()
            .attempt(&t, &masked_lead(), false, Uuid::new_v4(), Utc::now())
            .await
            .unwrap_err();
        assert_eq!(err, PushError::NoConsent, "{kind}");
        assert!(!err.is_retryable());
        assert!(
            fake.seen().is_empty(),
            "{kind}: a request reached the receiver"
        );
    }
}

#[tokio::test]
async fn replayed_webhook_is_rejected_by_the_receiver_check() {
    let (url, fake) = spawn_fake(PushKind::Webhook, &[]).await;
    let t = target(PushKind::Webhook, &url, SECRET);
    deliverer()
        .attempt(&t, &masked_lead(), true, Uuid::new_v4(), Utc::now())
        .await
        .unwrap();
    let seen = &fake.seen()[0];
    let ts = seen.headers["x-waihu-timestamp"]
        .to_str()
        .unwrap()
        .to_string();
    let sig = seen.headers["x-waihu-signature"]
        .to_str()
        .unwrap()
        .to_string();
    let sent_at = Utc.timestamp_opt(ts.parse().unwrap(), 0).unwrap();
    let tolerance = Duration::minutes(5);

    // Fresh: accepted.
    assert_eq!(
        verify_webhook_signature(
            SECRET,
            &ts,
            &seen.body,
            &sig,
            sent_at + Duration::seconds(3),
            tolerance
        ),
        Ok(())
    );
    // The same captured request replayed ten minutes later: rejected.
    assert!(matches!(
        verify_webhook_signature(
            SECRET,
            &ts,
            &seen.body,
            &sig,
            sent_at + Duration::minutes(10),
            tolerance
        ),
        Err(VerifyError::OutsideTolerance { .. })
    ));
    // Replayed with a fresh timestamp but the old signature: rejected.
    let now = sent_at + Duration::minutes(10);
    assert_eq!(
        verify_webhook_signature(
            SECRET,
            &now.timestamp().to_string(),
            &seen.body,
            &sig,
            now,
            tolerance
        ),
        Err(VerifyError::Mismatch)
    );
    // Altered body: rejected.
    let mut altered = seen.body.to_vec();
    altered.extend_from_slice(b" ");
    assert_eq!(
        verify_webhook_signature(SECRET, &ts, &altered, &sig, sent_at, tolerance),
        Err(VerifyError::Mismatch)
    );
}

#[tokio::test]
async fn unreachable_receiver_is_a_retryable_transport_error() {
    // Bind then drop a listener so the port is (very likely) closed.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let t = target(PushKind::Webhook, &format!("http://{addr}/leads"), SECRET);
    let err = deliverer()
        .attempt(&t, &masked_lead(), true, Uuid::new_v4(), Utc::now())
        .await
        .unwrap_err();
    match &err {
        PushError::Transport(text) => assert!(!text.contains(&addr.to_string()), "{text}"),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.is_retryable());
}

//! The outbound URL policy at delivery time: loopback receivers refused unless
//! allow-listed, names resolved and checked at connect time, and dead-letter text
//! that never carries the receiver's reply.

use super::*;

fn forbidden_loopback(err: &PushError) -> bool {
    matches!(
        err,
        PushError::Outbound(OutboundError::Forbidden {
            class: waihu_push::AddrClass::Loopback,
            ..
        })
    )
}

#[tokio::test]
async fn by_default_a_receiver_on_loopback_is_refused_and_sent_nothing() {
    let (url, fake) = spawn_fake(PushKind::Webhook, &[]).await;
    let port = url
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let strict = Deliverer::new(
        std::time::Duration::from_secs(5),
        OutboundPolicy::public_only(),
    )
    .unwrap();
    for spelled in [
        url.clone(),
        format!("http://2130706433:{port}/leads"),
        format!("http://0x7f.1:{port}/leads"),
        format!("http://[::ffff:127.0.0.1]:{port}/leads"),
    ] {
        let t = target(PushKind::Webhook, &spelled, SECRET);
        let err = strict
            .attempt(&t, &masked_lead(), true, Uuid::new_v4(), Utc::now())
            .await
            .unwrap_err();
        assert!(forbidden_loopback(&err), "{spelled}: {err:?}");
        assert_eq!(
            Backoff::default().after_failure(1, &err, Utc::now()),
            AfterFailure::Dead {
                reason: DeadReason::Permanent
            }
        );
    }
    assert!(fake.seen().is_empty(), "a refused target was sent to");
}

#[tokio::test]
async fn a_name_resolving_to_loopback_is_refused_at_connect_time() {
    // "crm.example" passes the URL check; only the address it resolves to when
    // the lead is sent tells that it is loopback (DNS rebinding).
    let (url, fake) = spawn_fake(PushKind::Webhook, &[]).await;
    let by_name = url.replace("127.0.0.1", "crm.example");
    let hosts = HashMap::from([(
        "crm.example".to_string(),
        vec!["127.0.0.1".parse().unwrap()],
    )]);
    let t = target(PushKind::Webhook, &by_name, SECRET);
    let strict = Deliverer::with_hosts(
        std::time::Duration::from_secs(5),
        OutboundPolicy::public_only(),
        hosts.clone(),
    )
    .unwrap();
    let err = strict
        .attempt(&t, &masked_lead(), true, Uuid::new_v4(), Utc::now())
        .await
        .unwrap_err();
    assert!(forbidden_loopback(&err), "{err:?}");
    assert!(err.to_string().contains("crm.example"), "{err}");
    assert!(fake.seen().is_empty(), "a rebound name was connected to");
    // The same name and table with 127.0.0.1 allow-listed is delivered: the
    // connection goes through the checking resolver.
    let allowed = Deliverer::with_hosts(
        std::time::Duration::from_secs(5),
        OutboundPolicy::allowing(&["127.0.0.1"]).unwrap(),
        hosts,
    )
    .unwrap();
    allowed
        .attempt(&t, &masked_lead(), true, Uuid::new_v4(), Utc::now())
        .await
        .unwrap();
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn the_system_resolver_answer_is_checked() {
    let err = waihu_push::resolve_checked(&OutboundPolicy::public_only(), "localhost", 80)
        .await
        .unwrap_err();
    assert!(
        matches!(err, OutboundError::Forbidden { .. }),
        "localhost: {err:?}"
    );
    let saved = waihu_push::check_target_url(
        &OutboundPolicy::public_only(),
        "http://localhost:8080/hook",
        std::time::Duration::from_secs(2),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(saved, OutboundError::InternalName { .. }),
        "{saved:?}"
    );
}

#[tokio::test]
async fn a_failed_delivery_keeps_the_status_not_the_reply_body() {
    // The forced answer is an HTML page saying "upstream error".
    let (url, _fake) = spawn_fake(PushKind::Webhook, &[500]).await;
    let t = target(PushKind::Webhook, &url, SECRET);
    let err = deliverer()
        .attempt(&t, &masked_lead(), true, Uuid::new_v4(), Utc::now())
        .await
        .unwrap_err();
    let text = err.to_string();
    assert_eq!(text, "webhook answered HTTP 500 Internal Server Error");
    assert!(!text.contains("upstream"), "{text}");
}

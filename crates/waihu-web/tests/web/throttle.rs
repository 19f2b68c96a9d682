//! Sign-in throttling that protects without punishing: a client that fails too
//! often is locked out of that account (the owner elsewhere is not), failures
//! spread over many addresses space attempts out exponentially, and the counters
//! live in the database, shared by every process.

use crate::support::*;
use axum::http::StatusCode;
use chrono::Duration;
use std::net::SocketAddr;
use std::sync::Arc;
use waihu_web::auth::throttle::{DELAY_AFTER, MAX_FAILURES_PER_CLIENT};
use waihu_web::{AppState, WebConfig};

fn at(n: u8) -> Option<SocketAddr> {
    Some(SocketAddr::from(([203, 0, 113, n], 40000)))
}

#[tokio::test]
async fn a_lock_earned_from_one_address_does_not_lock_the_owner_out_from_another() {
    let (h, _) = Harness::seeded().await;
    let mut attacker = h.browser();
    attacker.peer = at(66);
    for i in 1..MAX_FAILURES_PER_CLIENT {
        let r = attacker.login("alice", "wrong-password").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let r = attacker.login("alice", "wrong-password").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        attacker.login("alice", PW).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the attacker's address is locked out of the account, right password or not"
    );
    // Alice at her own address: only the short delay of five failures in a row.
    h.clock.advance(Duration::seconds(1));
    let mut owner = h.browser();
    owner.peer = at(1);
    assert_eq!(owner.login("alice", PW).await.status, StatusCode::SEE_OTHER);
    // Her success does not lift the lock the attacker earned.
    assert_eq!(
        attacker.login("alice", PW).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn failures_spread_over_many_addresses_space_attempts_out_exponentially() {
    let (h, _) = Harness::seeded().await;
    // One failure from each of many addresses: no address reaches its own lock.
    let failures = DELAY_AFTER + 3;
    for n in 0..failures {
        let mut b = h.browser();
        b.peer = at(100 + n as u8);
        let r = b.login("alice", "wrong-password").await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "failure {n}: {}",
            r.body
        );
        // Wait out the delay the failures so far earned (1 s, 2 s, 4 s …).
        h.clock.advance(waihu_web::auth::throttle::delay(n + 1));
    }
    // The last wait was 2^(failures − DELAY_AFTER) = 8 s; refused just before it.
    h.clock.advance(-Duration::seconds(1));
    let mut owner = h.browser();
    owner.peer = at(1);
    let r = owner.login("alice", PW).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "inside the delay");
    assert!(r.body.contains("请稍等片刻再试"), "{}", r.body);
    h.clock.advance(Duration::seconds(1));
    assert_eq!(owner.login("alice", PW).await.status, StatusCode::SEE_OTHER);
    // Success resets the count: the next typo costs nothing.
    let mut again = h.browser();
    again.peer = at(1);
    assert_eq!(
        again.login("alice", "typo-password").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(again.login("alice", PW).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_counters_are_shared_by_every_process_on_the_database() {
    for (mut h, _) in Harness::seeded_all().await {
        {
            let mut b = h.browser();
            b.peer = at(9);
            for _ in 0..MAX_FAILURES_PER_CLIENT {
                b.login("bob", "wrong-password").await;
            }
        }
        // Another process: its own connection pool, its own memory.
        let other = h.db.store().await.unwrap();
        h.state = AppState::with(other, Arc::new(h.clock.clone()), WebConfig::default());
        let mut b = h.browser();
        b.peer = at(9);
        assert_eq!(
            b.login("bob", PW).await.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{:?}",
            h.db.kind
        );
        h.clock.advance(Duration::minutes(15));
        assert_eq!(b.login("bob", PW).await.status, StatusCode::SEE_OTHER);
    }
}

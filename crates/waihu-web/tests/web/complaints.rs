//! Complaint tickets and retention in the back office and the API: tenant
//! isolation (another tenant's ticket is 404 on pages and the API), roles
//! (auditors and agents read, admins answer), the operator's view of every
//! tenant with overdue tickets first and the SLA dates, retention over the
//! platform maximum refused with a field error, and the CSRF guard.

use crate::support::{Harness, Seed};
use axum::http::{Method, StatusCode};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;
use uuid::Uuid;
use waihu_compliance::pii::PhoneHash;
use waihu_compliance::retention::RetentionPeriods;
use waihu_core::TenantId;
use waihu_store::rights::DEFAULT_MATCH_WINDOW;
use waihu_store::{Actor, NewComplaint};

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

/// Files a complaint against `tenant` through the store, filed at `filed_at`
/// (the harness clock stands at 2026-03-01 09:00 UTC).
async fn file(h: &Harness, tenant: TenantId, n: u8, filed_at: DateTime<Utc>) -> Uuid {
    h.store
        .file_complaint(
            NewComplaint {
                tenant_id: Some(tenant),
                caller_number: None,
                number_hash: PhoneHash([n; 32]),
                number_masked: format!("138****00{n:02}"),
                verified: false,
                description: format!("complaint number {n}: called at dinner"),
                occurred_at: filed_at - chrono::Duration::hours(1),
                match_window: DEFAULT_MATCH_WINDOW,
                filed_at,
            },
            &Actor::cli("test"),
        )
        .await
        .unwrap()
        .complaint
        .id
}

async fn token(h: &Harness, t: TenantId) -> String {
    h.store
        .create_api_token(t, "crm", &Actor::cli("t"))
        .await
        .unwrap()
        .1
}

#[tokio::test]
async fn another_tenants_complaint_is_not_found_on_pages_and_api() {
    let (h, s) = Harness::seeded().await;
    let id = file(&h, s.ta, 1, at(2026, 2, 28, 9)).await;
    let path = format!("/complaints/{id}");

    let mut alice = h.login("alice").await;
    let r = alice.get(&path).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("138****0001"), "{}", r.body);
    assert!(r.body.contains("called at dinner"));

    let mut bob = h.login("bob").await;
    assert_eq!(bob.get(&path).await.status, StatusCode::NOT_FOUND);
    assert!(!bob.get("/complaints").await.body.contains(&id.to_string()));
    let r = bob.post(&format!("{path}/ack"), &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = bob
        .post(&format!("{path}/close"), &[("resolution", "not ours")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let tb = token(&h, s.tb).await;
    let api = format!("/api/v1{path}");
    let r = h.api(Method::GET, &api, Some(&tb), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "not_found");
    let r = h
        .api(
            Method::POST,
            &format!("{api}/answer"),
            Some(&tb),
            Some(json!({"answer": "sorry"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let list = h
        .api(Method::GET, "/api/v1/complaints", Some(&tb), None)
        .await
        .json();
    assert_eq!(list["total"], 0);

    // Nothing changed for tenant A's ticket.
    let ta = token(&h, s.ta).await;
    let c = h.api(Method::GET, &api, Some(&ta), None).await.json();
    assert_eq!(c["state"], "open");
    assert!(c["tenant_answer"].is_null());
}

#[tokio::test]
async fn auditors_and_agents_read_but_only_admins_answer() {
    let (h, s) = Harness::seeded().await;
    let id = file(&h, s.ta, 2, at(2026, 2, 28, 9)).await;
    let path = format!("/complaints/{id}");

    let mut audrey = h.login("audrey").await;
    let r = audrey.get(&path).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("name=\"answer\""), "no answer form");
    let r = audrey
        .post(&format!("{path}/answer"), &[("answer", "we are sorry")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = audrey.post(&format!("{path}/ack"), &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let mut agnes = h.login("agnes").await;
    assert_eq!(agnes.get(&path).await.status, StatusCode::OK);
    let r = agnes
        .post(&format!("{path}/answer"), &[("answer", "we are sorry")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let c = h
        .store
        .get_complaint(waihu_store::ComplaintScope::Tenant(s.ta), id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.state.as_str(), "open");
    assert!(c.tenant_answer.is_none());

    // An empty answer is refused; a real one acknowledges the ticket.
    let mut alice = h.login("alice").await;
    let r = alice
        .post(&format!("{path}/answer"), &[("answer", "  ")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = alice
        .post(&format!("{path}/answer"), &[("answer", "we are sorry")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = alice.get(&path).await.body;
    assert!(page.contains("we are sorry"));
    let c = h
        .store
        .get_complaint(waihu_store::ComplaintScope::Tenant(s.ta), id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.state.as_str(), "acknowledged");
    let audit = h.store.list_audit(s.ta, 50).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "complaint.answer"));

    // The auditor's API view is read-only too (tokens act as admins).
    let ta = token(&h, s.ta).await;
    let r = h
        .api(
            Method::POST,
            &format!("/api/v1/complaints/{id}/close"),
            Some(&ta),
            Some(json!({"resolution": "apologised, number blocked"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["state"], "closed");
    let r = h
        .api(
            Method::POST,
            &format!("/api/v1/complaints/{id}/ack"),
            Some(&ta),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "closed tickets stay closed");
}

async fn operator_fixture() -> (Harness, Seed, Uuid, Uuid) {
    let (h, s) = Harness::seeded().await;
    // Tenant A's ticket is a month old: both deadlines have passed.
    let old = file(&h, s.ta, 3, at(2026, 2, 1, 9)).await;
    // Tenant B's is a day old (newer, so the store lists it first).
    let new = file(&h, s.tb, 4, at(2026, 2, 28, 9)).await;
    (h, s, old, new)
}

#[tokio::test]
async fn the_operator_sees_every_tenant_with_overdue_tickets_first() {
    let (h, _s, old, new) = operator_fixture().await;
    let mut op = h.login("op").await;
    let page = op.get("/complaints").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = page.body;
    let (p_old, p_new) = (
        body.find(&old.to_string()).expect("old ticket listed"),
        body.find(&new.to_string()).expect("new ticket listed"),
    );
    assert!(p_old < p_new, "overdue first");
    assert!(
        body.contains(">ta<") && body.contains(">tb<"),
        "tenant names"
    );
    assert!(body.contains("data-overdue=\"true\""));
    // Filed Sunday 1 February 17:00 Shanghai: acknowledge by the end of Wed 4,
    // close by the end of Fri 20 February (Shanghai midnight, shown in UTC).
    assert!(body.contains("2026-02-04 16:00:00"), "{body}");
    assert!(body.contains("2026-02-20 16:00:00"));

    let r = op.get(&format!("/complaints/{old}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("class=\"badge bad overdue\""));

    let csrf = op.csrf().await;
    let list = op
        .api(Method::GET, "/api/v1/complaints", None, json!({}))
        .await
        .json();
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["id"], old.to_string());
    assert_eq!(list["items"][0]["overdue"], true);
    assert_eq!(list["items"][0]["ack_overdue"], true);
    assert_eq!(list["items"][0]["ack_due"], "2026-02-04T16:00:00Z");
    assert_eq!(list["items"][1]["id"], new.to_string());
    assert_eq!(list["items"][1]["overdue"], false);
    let only = op
        .api(
            Method::GET,
            "/api/v1/complaints?overdue=true",
            None,
            json!({}),
        )
        .await
        .json();
    assert_eq!(only["total"], 1);

    // The operator acknowledges and closes (page and API); audited.
    let r = op.post(&format!("/complaints/{old}/ack"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = op
        .api(
            Method::POST,
            &format!("/api/v1/complaints/{new}/close"),
            Some(&csrf),
            json!({"resolution": "tenant warned"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = op
        .api(
            Method::GET,
            &format!("/api/v1/complaints/{old}"),
            None,
            json!({}),
        )
        .await
        .json();
    assert_eq!(v["state"], "acknowledged");
    assert_eq!(v["ack_overdue"], false);
    assert_eq!(v["close_overdue"], true, "still not closed");
    let audit = h.store.list_audit_platform(100).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "complaint.ack"));
    assert!(audit.iter().any(|e| e.action == "complaint.close"));

    // The operator does not answer for a tenant.
    let r = op
        .post(&format!("/complaints/{old}/answer"), &[("answer", "x")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The rates page shows the threshold and each tenant's complaint rate.
    let rates = op.get("/rates").await.body;
    assert!(rates.contains("id=\"complaint-threshold\""));
    assert!(rates.contains("class=\"complaint-rate\""));
}

#[tokio::test]
async fn retention_over_the_platform_maximum_is_a_field_error_and_nothing_is_saved() {
    let (h, s) = Harness::seeded().await;
    let mut alice = h.login("alice").await;
    let page = alice.get("/settings").await.body;
    assert!(page.contains("id=\"retention-max\">365<"), "max shown");

    let r = alice
        .post(
            "/settings/retention",
            &[
                ("recordings_days", "400"),
                ("transcripts_days", "30"),
                ("results_days", "30"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("data-field=\"recordings_days\""),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"400\""),
        "the typed value is shown again"
    );
    assert_eq!(
        h.store.retention_periods(s.ta).await.unwrap(),
        RetentionPeriods::default(),
        "nothing saved"
    );

    let ta = token(&h, s.ta).await;
    let r = h
        .api(
            Method::PUT,
            "/api/v1/retention",
            Some(&ta),
            Some(json!({"recordings_days": 30, "transcripts_days": 366, "results_days": 30})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "invalid");
    assert_eq!(r.json()["error"]["field"], "transcripts_days");
    assert_eq!(
        h.store.retention_periods(s.ta).await.unwrap(),
        RetentionPeriods::default()
    );

    // Within the maximum: saved (page), read back (API).
    let r = alice
        .post(
            "/settings/retention",
            &[
                ("recordings_days", "30"),
                ("transcripts_days", "60"),
                ("results_days", "365"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let v = h
        .api(Method::GET, "/api/v1/retention", Some(&ta), None)
        .await
        .json();
    assert_eq!(v["recordings_days"], 30);
    assert_eq!(v["results_days"], 365);

    // Auditors read, do not change.
    let mut audrey = h.login("audrey").await;
    let r = audrey
        .post(
            "/settings/retention",
            &[
                ("recordings_days", "10"),
                ("transcripts_days", "10"),
                ("results_days", "10"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The operator lowers the maximum; the tenant sees it.
    let mut op = h.login("op").await;
    let r = op
        .post(
            "/rates/settings",
            &[
                ("complaint_threshold_per_1000", "2.5"),
                ("complaint_window_days", "30"),
                ("retention_max_days", "180"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = alice.get("/settings").await.body;
    assert!(page.contains("id=\"retention-max\">180<"));
    let csrf = op.csrf().await;
    let r = op
        .api(
            Method::PUT,
            "/api/v1/rights-settings",
            Some(&csrf),
            json!({"complaint_threshold_per_1000": -1.0, "complaint_window_days": 30, "retention_max_days": 180}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "complaint_threshold_per_1000");
    let r = h
        .api(Method::GET, "/api/v1/rights-settings", Some(&ta), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "operator only");
}

#[tokio::test]
async fn changes_without_the_csrf_token_are_refused() {
    let (h, s) = Harness::seeded().await;
    let id = file(&h, s.ta, 5, at(2026, 2, 28, 9)).await;
    let mut alice = h.login("alice").await;
    let r = alice
        .post_raw(&format!("/complaints/{id}/answer"), &[("answer", "sorry")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = alice.post_raw(&format!("/complaints/{id}/ack"), &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = alice
        .post_raw(
            "/settings/retention",
            &[
                ("recordings_days", "10"),
                ("transcripts_days", "10"),
                ("results_days", "10"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = alice
        .api(
            Method::POST,
            &format!("/api/v1/complaints/{id}/close"),
            None,
            json!({"resolution": "done"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "csrf_failed");
    let r = alice
        .api(
            Method::PUT,
            "/api/v1/retention",
            None,
            json!({"recordings_days": 10, "transcripts_days": 10, "results_days": 10}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let c = h
        .store
        .get_complaint(waihu_store::ComplaintScope::Tenant(s.ta), id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.state.as_str(), "open", "nothing changed");
    assert_eq!(
        h.store.retention_periods(s.ta).await.unwrap(),
        RetentionPeriods::default()
    );
}

#[tokio::test]
async fn a_tenant_paused_for_its_complaint_rate_is_flagged_on_the_rates_page() {
    let (h, s) = Harness::seeded().await;
    let dir = tempfile::tempdir().unwrap();
    let c = crate::campaign_seed::seed(&h, s.ta, "acme", dir.path()).await;
    let number = crate::campaign_seed::NUMBERS[0];
    let t0 = crate::campaign_seed::t0();
    // A verified complaint naming the tenant's call: over the default threshold
    // (1 per 1,000 answered calls), so the running task pauses.
    let filed = h
        .store
        .file_complaint(
            NewComplaint {
                tenant_id: Some(s.ta),
                caller_number: None,
                number_hash: waihu_compliance::pii::PhoneKey::from_bytes([7; 32]).hash(number),
                number_masked: waihu_compliance::pii::mask(number),
                verified: true,
                description: "robot would not stop".into(),
                occurred_at: t0,
                match_window: DEFAULT_MATCH_WINDOW,
                filed_at: t0 + chrono::Duration::minutes(10),
            },
            &Actor::cli("test"),
        )
        .await
        .unwrap();
    assert!(filed.paused_tasks.contains(&c.running_task));
    h.clock.set(t0 + chrono::Duration::hours(1));

    let mut op = h.login("op").await;
    let rates = op.get("/rates").await.body;
    assert!(rates.contains("over-threshold"), "{rates}");
    assert_eq!(rates.matches("class=\"badge warn auto-paused\"").count(), 1);
    assert!(rates.contains(&format!("href=\"/tenants/{}\"", s.ta)));

    // The ticket links the calls it names.
    let mut alice = h.login("alice").await;
    let page = alice
        .get(&format!("/complaints/{}", filed.complaint.id))
        .await
        .body;
    assert!(page.contains(&format!("href=\"/calls/{}\"", c.answered_call)));
}

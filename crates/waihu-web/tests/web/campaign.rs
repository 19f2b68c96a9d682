//! The campaign world the campaign modules (and others) test in: every backend
//! seeded with both tenants' campaigns and recordings served, an API token, the
//! check that no full number is shown; and the navigation offering the campaign
//! pages by role. The pages themselves are tested in `campaign_scripts`,
//! `campaign_tasks`, `campaign_calls` and `campaign_leads`.

use crate::campaign_seed::{seed, Campaign, NUMBERS};
use crate::support::{Harness, Resp, Seed};
use axum::http::StatusCode;
use tempfile::TempDir;
use waihu_store::Actor;

pub struct World {
    pub h: Harness,
    pub s: Seed,
    pub a: Campaign,
    pub b: Campaign,
    pub tmp: TempDir,
}

/// Every backend, seeded with both tenants' campaigns and recordings served.
pub async fn worlds() -> Vec<World> {
    let mut out = Vec::new();
    for (mut h, s) in Harness::seeded_all().await {
        let tmp = TempDir::new().unwrap();
        let rec = tmp.path().join("recordings");
        std::fs::create_dir_all(&rec).unwrap();
        h.state = h.state.clone().with_recordings(&rec);
        let a = seed(&h, s.ta, "ta", &rec).await;
        let b = seed(&h, s.tb, "tb", &rec).await;
        out.push(World { h, s, a, b, tmp });
    }
    out
}

pub async fn token(h: &Harness, tenant: waihu_core::TenantId) -> String {
    h.store
        .create_api_token(tenant, "crm", &Actor::cli("t"))
        .await
        .unwrap()
        .1
}

pub fn assert_masked(what: &str, r: &Resp) {
    for n in NUMBERS {
        let national = n.trim_start_matches("+86");
        assert!(
            !r.body.contains(national),
            "{what}: full number in {}",
            r.body
        );
    }
}

#[tokio::test]
async fn the_navigation_offers_the_campaign_pages_by_role() {
    let w = worlds().await.remove(0);
    let mut agnes = w.h.login("agnes").await;
    let nav = agnes.get("/").await.body;
    for href in ["/scripts", "/tasks", "/calls", "/leads"] {
        assert!(nav.contains(&format!("href=\"{href}\"")), "{href}");
    }
    assert!(!nav.contains("href=\"/dead-letters\""));
    let mut op = w.h.login("op").await;
    let nav = op.get("/").await.body;
    assert!(!nav.contains("href=\"/calls\""));
    assert_eq!(op.get("/calls").await.status, StatusCode::FORBIDDEN);
    let en = agnes.get("/leads?lang=en").await.body;
    assert!(en.contains("Leads") && en.contains("Robot grade"), "{en}");
}

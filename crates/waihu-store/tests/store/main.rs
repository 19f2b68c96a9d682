//! Repository tests, run against every backend the environment offers: SQLite
//! always, PostgreSQL when `WAIHU_TEST_POSTGRES_URL` is set.

mod audit_chain;
mod audit_keyed;
mod campaign;
mod contacts;
mod gate_facts;
mod insight;
mod isolation;
mod login_throttle;
mod rights;
mod sessions;
mod tenants_users;

use waihu_store::testing::{fresh_databases, TestDatabase};
use waihu_store::Store;

/// Fresh migrated stores, one per backend, with their databases kept alive.
pub async fn stores() -> Vec<(TestDatabase, Store)> {
    let mut out = Vec::new();
    for db in fresh_databases().await.expect("test databases") {
        let store = db.store().await.expect("connect and migrate");
        out.push((db, store));
    }
    if std::env::var("CI").is_ok() {
        assert!(
            out.len() == 2,
            "CI must test PostgreSQL too: set {}",
            waihu_store::testing::POSTGRES_ENV
        );
    }
    out
}

/// A new active tenant with this name (created by a CLI actor).
pub async fn tenant(store: &Store, name: &str) -> waihu_store::Tenant {
    let name = waihu_core::TenantName::parse(name).expect("tenant name");
    store
        .create_tenant(&name, &waihu_store::Actor::cli("test"))
        .await
        .expect("create tenant")
}

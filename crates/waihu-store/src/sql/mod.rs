//! The repository traits implemented once, in SQL both backends understand, and
//! expanded for each backend by macros (sqlx's generic bounds make a generic
//! implementation unreadable). Placeholders are `$N`, which SQLite accepts too.
//! Each backend provides `begin_write()`, which serialises writers so that audit
//! entries chain without races. One file per repository; each expands into its own
//! module of the backend and imports what it needs from the shared `prelude`.

pub(crate) mod api_tokens;
pub(crate) mod attempts;
pub(crate) mod audit;
pub(crate) mod caller_numbers;
pub(crate) mod contacts;
pub(crate) mod dnc;
pub(crate) mod gate_facts;
pub(crate) mod keys;
pub(crate) mod policies;
pub(crate) mod sessions;
pub(crate) mod tenants;
pub(crate) mod users;
pub(crate) mod write_tx;

pub(crate) use write_tx::WriteTx;
// Campaign storage (migration 0004).
pub(crate) mod calls;
pub(crate) mod leads;
pub(crate) mod limits;
pub(crate) mod prompts;
pub(crate) mod push;
pub(crate) mod scripts;
pub(crate) mod tasks;
pub(crate) mod trunks;
// Callee rights (migration 0005).
pub(crate) mod rights;
// Learning from calls (migration 0006).
pub(crate) mod history;
pub(crate) mod insight;
// Failed sign-ins (migration 0007).
pub(crate) mod login_throttle;

use crate::error::{StoreError, StoreResult};

/// The imports and helpers every repository module uses, for one backend.
macro_rules! impl_prelude {
    ($backend:ty, $db:ty) => {
        #[allow(unused_imports)]
        pub(crate) mod prelude {
        pub(crate) use $crate::audit::{
            entry_hash, keyed_entry_hash, storage_time, Actor, AuditEntry, ChainBreak, ChainHead,
            ChainVerifier, NewAudit, GENESIS_HASH,
        };
        pub(crate) use $crate::sql::WriteTx;
        pub(crate) use $crate::error::{StoreError, StoreResult};
        pub(crate) use $crate::model::{ApiToken, Tenant, TenantStatus, User};
        pub(crate) use $crate::password::{hash_password, random_secret, token_hash};
        pub(crate) use $crate::repo::{ApiTokenRepo, AuditRepo, TenantRepo, UserRepo};
        pub(crate) use $crate::rows::{ApiTokenRow, AuditRow, TenantRow, UserRow};
        pub(crate) use async_trait::async_trait;
        pub(crate) use chrono::Utc;
        pub(crate) use futures_util::TryStreamExt as _;
        pub(crate) use waihu_core::ids::ApiTokenId;
        pub(crate) use waihu_core::{Role, TenantId, TenantName, UserId};

        pub(crate) const TENANT_COLS: &str = "id, name, status, created_at";
        pub(crate) const USER_COLS: &str = "id, tenant_id, username, password_hash, role, created_at";
        pub(crate) const TOKEN_COLS: &str = "id, tenant_id, name, created_by, created_at, revoked_at";
        pub(crate) const AUDIT_COLS: &str =
            "seq, at, actor, tenant_id, action, target, details, prev_hash, hash, key_id";

        /// Appends an audit entry inside the caller's (serialised) transaction, keyed
        /// with the transaction's audit key. Without a key (library tests only) the
        /// entry is unkeyed, which is refused once the log holds keyed entries.
        pub(crate) async fn append_in(
            tx: &mut WriteTx<$db>,
            entry: NewAudit,
        ) -> StoreResult<AuditEntry> {
            let last: Option<(i64, String, Option<String>)> =
                sqlx::query_as("SELECT seq, hash, key_id FROM audit_log ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut **tx)
                    .await?;
            let key = tx.audit_key.clone();
            if let (Some((_, _, Some(last_key))), None) = (&last, &key) {
                return Err(StoreError::Invalid(format!(
                    "the audit log is keyed (audit key {last_key}) but no audit key is loaded: \
                     refusing to append an unkeyed entry"
                )));
            }
            let (seq, prev_hash) = match last {
                Some((seq, hash, _)) => (seq + 1, hash),
                None => (1, GENESIS_HASH.to_string()),
            };
            let at = storage_time(Utc::now());
            let details = entry.details.to_string();
            let (hash, key_id) = match &key {
                Some(k) => (
                    keyed_entry_hash(
                        k, seq, at, entry.actor.as_str(), entry.tenant_id, &entry.action, &entry.target,
                        &details, &prev_hash,
                    ),
                    Some(k.id().to_string()),
                ),
                None => (
                    entry_hash(
                        seq, at, entry.actor.as_str(), entry.tenant_id, &entry.action, &entry.target,
                        &details, &prev_hash,
                    ),
                    None,
                ),
            };
            sqlx::query(
                "INSERT INTO audit_log (seq, at, actor, tenant_id, action, target, details, prev_hash, hash, key_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(seq)
            .bind(at)
            .bind(entry.actor.as_str())
            .bind(entry.tenant_id.map(|t| t.0))
            .bind(&entry.action)
            .bind(&entry.target)
            .bind(&details)
            .bind(&prev_hash)
            .bind(&hash)
            .bind(&key_id)
            .execute(&mut **tx)
            .await?;
            Ok(AuditEntry {
                seq,
                at,
                actor: entry.actor.as_str().to_string(),
                tenant_id: entry.tenant_id,
                action: entry.action,
                target: entry.target,
                details,
                prev_hash,
                hash,
                key_id,
            })
        }

        pub(crate) fn unique_or(e: sqlx::Error, conflict: impl FnOnce() -> String) -> StoreError {
            if StoreError::is_unique_violation(&e) {
                StoreError::Conflict(conflict())
            } else {
                StoreError::Database(e)
            }
        }
        }
    };
}
pub(crate) use impl_prelude;

/// Expands every repository for one backend.
macro_rules! impl_all {
    ($backend:ty, $db:ty) => {
        $crate::sql::impl_prelude!($backend, $db);
        $crate::sql::tenants::impl_tenants!($backend, $db);
        $crate::sql::users::impl_users!($backend, $db);
        $crate::sql::api_tokens::impl_api_tokens!($backend, $db);
        $crate::sql::audit::impl_audit!($backend, $db);
        $crate::sql::contacts::impl_contacts!($backend, $db);
        $crate::sql::dnc::impl_dnc!($backend, $db);
        $crate::sql::caller_numbers::impl_caller_numbers!($backend, $db);
        $crate::sql::attempts::impl_attempts!($backend, $db);
        $crate::sql::gate_facts::impl_gate_facts!($backend, $db);
        $crate::sql::policies::impl_policies!($backend, $db);
        $crate::sql::sessions::impl_sessions!($backend, $db);
        $crate::sql::limits::impl_limits!($backend, $db);
        $crate::sql::scripts::impl_scripts!($backend, $db);
        $crate::sql::prompts::impl_prompts!($backend, $db);
        $crate::sql::trunks::impl_trunks!($backend, $db);
        $crate::sql::tasks::impl_tasks!($backend, $db);
        $crate::sql::calls::impl_calls!($backend, $db);
        $crate::sql::leads::impl_leads!($backend, $db);
        $crate::sql::push::impl_push!($backend, $db);
        $crate::sql::rights::impl_rights!($backend, $db);
        $crate::sql::rights::impl_rights_complaints!($backend, $db);
        $crate::sql::rights::impl_rights_subject!($backend, $db);
        $crate::sql::rights::impl_rights_retention!($backend, $db);
        $crate::sql::insight::impl_insight!($backend, $db);
        $crate::sql::history::impl_history!($backend, $db);
        $crate::sql::keys::impl_keys!($backend, $db);
        $crate::campaign::dashboard::impl_dashboard!($backend, $db);
        $crate::sql::login_throttle::impl_login_throttle!($backend, $db);
    };
}
pub(crate) use impl_all;

/// Usernames: 2-64 characters, letters, digits, `.`, `_`, `-`, `@`.
pub(crate) fn check_username(username: &str) -> StoreResult<()> {
    let len = username.chars().count();
    let ok_chars = username
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !(2..=64).contains(&len) || !ok_chars {
        return Err(StoreError::Invalid(format!(
            "invalid username {username:?}: 2-64 letters, digits, '.', '_', '-' or '@'"
        )));
    }
    Ok(())
}
